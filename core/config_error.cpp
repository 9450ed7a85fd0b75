#include "core/config_error.hpp"

namespace trainsim {
namespace {
std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string text;
  for (const auto& issue : issues) {
    if (!text.empty()) text += '\n';
    text += format_issue(issue);
  }
  return text;
}
}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

std::string format_issue(const ConfigIssue& issue) {
  std::string text = issue.file + ": " + (issue.pointer.empty() ? "(document)" : issue.pointer) +
                     ": " + issue.message;
  if (!issue.hint.empty()) text += " (hint: " + issue.hint + ")";
  return text;
}

void Diagnostics::error(std::string pointer, std::string message, std::string hint) {
  issues_.push_back({file_, std::move(pointer), std::move(message), std::move(hint)});
}

void Diagnostics::throw_if_any() const {
  if (!issues_.empty()) throw ConfigError(issues_);
}

}  // namespace trainsim
