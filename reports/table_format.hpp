#pragma once
// A table of already formatted cells, written as CSV (RFC 4180 quoting) or as a Markdown table:
// the csv and md outputs of the catalog commands and validate, built from one list of columns.
#include <string>
#include <vector>

namespace trainsim {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
};

std::string table_csv(const Table& table);
std::string table_markdown(const Table& table);

}  // namespace trainsim
