#pragma once
// Errors in user input, with their location: the file, the JSON pointer of the field, what was
// expected and, where one helps, a hint. Parsing collects every issue it finds before throwing,
// so a user fixes a scenario in one pass rather than one error per run.
#include <stdexcept>
#include <string>
#include <vector>

namespace trainsim {

struct ConfigIssue {
  std::string file;     // the input file, or "<inline>" for text given without a file
  std::string pointer;  // RFC 6901 JSON pointer of the field, "" for the whole document
  std::string message;  // what is wrong and what was expected
  std::string hint;     // how to fix it; may be empty
};

// One or more issues in an input; what() lists them all, one per line.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

std::string format_issue(const ConfigIssue& issue);

// Collects issues while an input is read; throw_if_any() raises them together.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void error(std::string pointer, std::string message, std::string hint = {});
  // Adds an issue found in another file (an included calibration, say) as it was reported.
  void add(ConfigIssue issue) { issues_.push_back(std::move(issue)); }
  [[nodiscard]] bool has_errors() const { return !issues_.empty(); }
  [[nodiscard]] const std::vector<ConfigIssue>& issues() const { return issues_; }
  [[nodiscard]] const std::string& file() const { return file_; }
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<ConfigIssue> issues_;
};

}  // namespace trainsim
