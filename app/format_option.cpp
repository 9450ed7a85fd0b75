#include "app/format_option.hpp"

#include <algorithm>
#include <filesystem>

namespace trainsim::app {

void add_format_option(CLI::App* command, FormatChoice& choice, std::vector<std::string> allowed) {
  choice.format = allowed.front();
  choice.allowed = std::move(allowed);
  choice.option = command->add_option("--format", choice.format, "Output format (default: the -o file's extension, else " +
                                                                     choice.format + ")")
                      ->check(CLI::IsMember(choice.allowed));
}

std::string output_format(const FormatChoice& choice, const std::string& output) {
  if (choice.option != nullptr && choice.option->count() > 0) return choice.format;
  const auto extension = std::filesystem::path(output).extension().string();
  std::string implied;
  if (extension == ".txt") implied = "text";
  if (extension == ".json" || extension == ".csv" || extension == ".md") implied = extension.substr(1);
  if (extension == ".html" || extension == ".htm") {
    throw CLI::ValidationError("-o", output + ": an HTML page is written with --report FILE.html; -o takes the " +
                                         choice.format + " output (or give --format)");
  }
  if (implied.empty()) return choice.format;
  if (std::find(choice.allowed.begin(), choice.allowed.end(), implied) == choice.allowed.end()) {
    std::string list;
    for (const auto& f : choice.allowed) list += (list.empty() ? "" : ", ") + f;
    throw CLI::ValidationError("-o", output + ": this command writes " + list + ", not " + implied + "; give --format");
  }
  return implied;
}

void resolve_format(FormatChoice& choice, const std::string& output) { choice.format = output_format(choice, output); }

}  // namespace trainsim::app
