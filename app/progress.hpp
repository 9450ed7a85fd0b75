#pragma once
// Signs of life for long commands: a progress bar on stderr, drawn only when stderr is a
// terminal (never into pipes or logs, whose bytes stay the same run to run).
#include <string>

#include "core/progress.hpp"

namespace trainsim::app {

// Draws "[#####     ]  50% 3/6 <unit>" over itself, ending the line when done == total; an
// empty function when stderr is not a terminal.
ProgressFn terminal_progress(std::string unit);

}  // namespace trainsim::app
