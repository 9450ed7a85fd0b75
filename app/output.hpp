#pragma once
// Writing a command's result: to stdout, or to a file replaced atomically so that a failed
// run never leaves a half-written output behind.
#include <string>

namespace trainsim::app {

// Writes `content` to `path` ("-" or empty: stdout). Throws std::runtime_error on failure.
void write_output(const std::string& path, const std::string& content);

}  // namespace trainsim::app
