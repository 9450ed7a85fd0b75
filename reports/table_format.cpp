#include "reports/table_format.hpp"

namespace trainsim {
namespace {

std::string csv_field(const std::string& cell) {
  if (cell.find_first_of(",\"\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string md_cell(const std::string& cell) {
  std::string out;
  for (const char c : cell) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

template <class Cell>
std::string joined(const std::vector<std::string>& cells, const std::string& separator, Cell cell) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += separator;
    out += cell(cells[i]);
  }
  return out;
}

}  // namespace

std::string table_csv(const Table& t) {
  std::string out;
  const auto line = [&out](const std::vector<std::string>& cells) {
    out += joined(cells, ",", csv_field);
    out += '\n';
  };
  line(t.header);
  for (const auto& row : t.rows) line(row);
  return out;
}

std::string table_markdown(const Table& t) {
  const auto line = [](std::string& out, const std::vector<std::string>& cells) {
    out += "| ";
    out += joined(cells, " | ", md_cell);
    out += " |\n";
  };
  std::string out;
  line(out, t.header);
  out += '|';
  for (std::size_t i = 0; i < t.header.size(); ++i) out += "---|";
  out += '\n';
  for (const auto& row : t.rows) line(out, row);
  return out;
}

}  // namespace trainsim
