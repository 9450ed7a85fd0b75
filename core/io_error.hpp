#pragma once
// A failure of the machine rather than of the input: a file that cannot be read after it was
// opened, an output that cannot be written, a disk that fills up. Its own exit code (README.md,
// "Exit codes") tells a script to retry or free space rather than fix the scenario.
#include <stdexcept>
#include <string>

namespace trainsim {

class IoError : public std::runtime_error {
 public:
  IoError(const std::string& path, const std::string& what) : std::runtime_error(path + ": " + what) {}
};

}  // namespace trainsim
