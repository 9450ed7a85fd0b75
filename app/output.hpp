#pragma once
// Writing a command's results. "-" (or no path) is standard output; an existing FIFO, device or
// other non-regular file is written straight through and never replaced; a regular file (new
// or existing) is written to a temporary file in the same directory, then renamed over it, so
// that a failed run never leaves a half-written output behind.
#include <functional>
#include <initializer_list>
#include <string>

namespace trainsim::app {

// Checks, before a run starts, that each output path could be written: its directory exists
// and takes new files, or it names something writable. Throws IoError naming the path.
void check_outputs(std::initializer_list<const std::string*> paths);

// Writes `content` to `path`. Throws IoError on failure (a full disk, a closed pipe).
void write_output(const std::string& path, const std::string& content);

// A command's result `text` to `path` and, when `report` names a file, the HTML page `html`
// makes to it; the page is made before anything is written, so a failure to make it leaves
// neither output behind.
void write_result(const std::string& path, const std::string& text, const std::string& report,
                  const std::function<std::string()>& html);

}  // namespace trainsim::app
