#include "reports/model_catalog_report.hpp"

#include <fmt/format.h>

#include "models/parameter_count.hpp"
#include "reports/number_format.hpp"

namespace trainsim {

std::string model_catalog_text(const std::vector<ModelSpec>& models) {
  std::string out = fmt::format("{:<22} {:>10} {:>10} {:>10}  {}\n", "model", "total", "active", "published", "name");
  for (const auto& m : models) {
    const auto p = count_parameters(m);
    out += fmt::format("{:<22} {:>10} {:>10} {:>10}  {}\n", m.id, short_count(static_cast<double>(p.total)),
                       short_count(static_cast<double>(p.active)),
                       m.published.total_params ? short_count(*m.published.total_params) : "-", m.name);
  }
  return out;
}

nlohmann::json model_catalog_json(const std::vector<ModelSpec>& models) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : models) {
    const auto p = count_parameters(m);
    nlohmann::json item{{"id", m.id}, {"name", m.name}, {"total_parameters", p.total}, {"active_parameters", p.active},
                        {"sources", m.sources}};
    if (m.published.total_params) item["published_total_parameters"] = *m.published.total_params;
    list.push_back(item);
  }
  return list;
}

Table model_catalog_table(const std::vector<ModelSpec>& models) {
  Table t{{"model", "total_parameters", "active_parameters", "published_total_parameters", "name"}, {}};
  for (const auto& m : models) {
    const auto p = count_parameters(m);
    t.rows.push_back({m.id, std::to_string(p.total), std::to_string(p.active),
                      m.published.total_params ? fmt::format("{:.0f}", *m.published.total_params) : "", m.name});
  }
  return t;
}

}  // namespace trainsim
