#!/bin/sh
# Regenerates README's scenario-format reference from the schema (models/schema/), between its
# BEGIN/END markers; tests/app/schema_test.cpp fails until this has run after a schema change.
# Usage: scripts/update-readme-schema.sh [BUILT_TRAINSIM]   (default: build/release/app/trainsim)
set -eu
cd "$(dirname "$0")/.."
exe=${1:-build/release/app/trainsim}
generated=$(mktemp)
trap 'rm -f "$generated" README.md.new' EXIT
"$exe" schema --format md > "$generated"
awk -v generated="$generated" '
  /^<!-- BEGIN trainsim schema --format md -->$/ { print; while ((getline line < generated) > 0) print line; skipping = 1; next }
  /^<!-- END trainsim schema --format md -->$/ { skipping = 0 }
  !skipping { print }
' README.md > README.md.new
mv README.md.new README.md
