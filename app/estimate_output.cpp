#include "app/estimate_output.hpp"

#include "app/exit_codes.hpp"
#include "app/json_output.hpp"
#include "app/output.hpp"
#include "reports/estimate_report.hpp"
#include "reports/html_report.hpp"

namespace trainsim::app {

void add_estimate_output_options(CLI::App* cmd, EstimateOutput& o) {
  add_format_option(cmd, o.format, {"text", "json", "md", "csv"});
  cmd->add_option("-o,--output", o.output, "Write the result to this file instead of stdout (the format follows its extension)");
  cmd->add_option("--report", o.report, "Also write a self-contained HTML report (SVG charts) to this file");
}

void resolve_estimate_format(EstimateOutput& o) { resolve_format(o.format, o.output); }

int write_estimate(const EstimateOutput& o, const Scenario& s, const RunEstimate& e, const StepSimulation* sim) {
  std::string text;
  if (o.format.format == "json") {
    text = json_output(estimate_json(s, e, sim));
  } else if (o.format.format == "md") {
    text = estimate_markdown(s, e);
  } else if (o.format.format == "csv") {
    text = estimate_csv(s, e);
  } else {
    text = estimate_text(s, e, sim);
  }
  write_result(o.output, text, o.report, [&] { return estimate_html(s, e, sim); });
  return e.headline && !e.headline->feasible() ? kExitInfeasible : kExitOk;
}

}  // namespace trainsim::app
