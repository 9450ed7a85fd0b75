#!/bin/sh
# Writes trainsim(1) from the built executable's own help, so the page cannot drift from the
# options: the command table and every subcommand's --help, verbatim, plus the exit codes.
# Usage: scripts/man-page.sh BUILT_TRAINSIM OUTPUT
set -eu
exe=$1
out=$2
version=$("$exe" --version | sed 's/^trainsim //')
# troff reads a leading "." or "'" as a request and "\" as an escape: guard each help line.
verbatim() { sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/'; }
{
  printf '.TH TRAINSIM 1 "" "trainsim %s" "User Commands"\n' "$version"
  printf '.SH NAME\ntrainsim \\- simulate and price large-model training runs\n'
  printf '.SH SYNOPSIS\n.B trainsim\n.I COMMAND\n[\\fIOPTIONS\\fR]\n.br\n.B trainsim\n\\-\\-version\n'
  printf '.SH DESCRIPTION\n'
  printf 'A model and a parallel plan become per-GPU kernels and collectives, timed by a calibrated kernel model and simulated on the cluster (SimGrid); a cost model turns the step into GPU-hours, days, dollars and energy. Scenarios are JSON files; \\fBtrainsim schema\\fR prints their JSON Schema and \\fBtrainsim init\\fR writes one.\n'
  printf '.SH COMMANDS\n.nf\n'
  "$exe" --help | sed -n '/^Subcommands:/,$p' | sed 1d | verbatim
  printf '.fi\n'
  for command in $("$exe" --help | sed -n '/^Subcommands:/,$p' | sed 1d | awk '{print $1}'); do
    printf '.SS %s\n.nf\n' "$command"
    "$exe" "$command" --help | verbatim
    printf '.fi\n'
  done
  cat <<'TROFF'
.SH EXIT STATUS
.TP
0
success
.TP
1
internal error (a bug)
.TP
2
bad command line
.TP
3
bad input: stderr names the file, the JSON pointer of the field and what was expected
.TP
4
the plan is infeasible (does not fit in memory)
.TP
5
the simulation engine failed
.TP
6
validate \-\-check: predictions outside the tolerances
.TP
7
I/O failure: stderr names the path
.TP
8
not enough memory for the simulation
.SH FILES
.TP
.I share/trainsim/scenarios/
the scenarios shipped with trainsim, installed beside the executable's prefix
.TP
.I share/trainsim/scenario.schema.json
the JSON Schema of the scenario format
.SH SEE ALSO
README.md of the trainsim sources.
TROFF
} > "$out"
