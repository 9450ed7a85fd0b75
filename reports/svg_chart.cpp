#include "reports/svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/number_format.hpp"

namespace trainsim {

namespace {
// Colour-blind-safe palette (Okabe and Ito, 2008).
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"};
const char* colour(std::size_t i) { return kColours[i % std::size(kColours)]; }
// Grey for time no GPU works: bubbles.
constexpr const char* kIdle = "#BBBBBB";
// Labels take about 7 px per character at 12 px: the label column fits the longest one.
int label_width(const std::vector<StackedRow>& rows) {
  std::size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.label.size());
  return std::max(120, 7 * static_cast<int>(longest) + 12);
}
constexpr int kLaneLabelWidth = 220;  // timeline lanes: "rank N stream"
constexpr int kPlotWidth = 560;
}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string category_colour(std::string_view category) {
  // What a step's time is spent on, and the passes of a schedule, keep one colour on every
  // chart: the activity names of the step breakdown, ISCA'25 Table 4's phases and the
  // timeline's item kinds.
  static const std::vector<std::pair<std::string_view, const char*>> kFixed = {
      {"compute", kColours[0]},          {"exposed communication", kColours[1]}, {"communication", kColours[1]},
      {"optimizer + DP", kColours[2]},   {"optimizer", kColours[2]},             {"pipeline bubble", kIdle},
      {"bubble", kIdle},                 {"forward alone", kColours[4]},         {"forward", kColours[4]},
      {"backward alone", kColours[5]},   {"backward", kColours[5]},              {"weight alone", kColours[3]},
      {"weight", kColours[3]},           {"steady / overlapped", kColours[6]},   {"forward_backward", kColours[6]},
  };
  for (const auto& [name, fixed] : kFixed) {
    if (name == category) return fixed;
  }
  // Any other category: a colour of its name (FNV-1a), the same on every chart and page.
  std::uint32_t hash = 2166136261U;
  for (const char c : category) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  return colour(hash);
}

std::string stacked_bar_chart(const std::string& title, const std::vector<std::string>& series,
                              const std::vector<StackedRow>& rows, const std::string& unit) {
  constexpr int kRow = 26;
  double largest = 0.0;
  for (const auto& r : rows) {
    double total = 0.0;
    for (const double v : r.values) total += std::max(0.0, v);
    largest = std::max(largest, total);
  }
  if (largest <= 0.0) largest = 1.0;
  const int height = 40 + kRow * static_cast<int>(rows.size()) + 30;
  const int labels = label_width(rows);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">\n"
      "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      labels + kPlotWidth + 90, height, html_escape(title), html_escape(title));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int y = 30 + kRow * static_cast<int>(i);
    svg += fmt::format("<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>\n", y + 15, html_escape(rows[i].label));
    double x = labels;
    double total = 0.0;
    for (std::size_t k = 0; k < rows[i].values.size(); ++k) {
      const double v = std::max(0.0, rows[i].values[k]);
      const double w = v / largest * kPlotWidth;
      const auto name = k < series.size() ? series[k] : "";
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" fill=\"{}\"><title>{}: {} {}</title></rect>\n",
                         x, y + 2, w, category_colour(name), html_escape(name), plain_number(v), html_escape(unit));
      x += w;
      total += v;
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"12\">{} {}</text>\n", x + 4, y + 15, plain_number(total), html_escape(unit));
  }
  double x = 0.0;
  const int legend = 40 + kRow * static_cast<int>(rows.size()) + 8;
  for (std::size_t k = 0; k < series.size(); ++k) {
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{}\" "
                       "font-size=\"12\">{}</text>\n",
                       x, legend, category_colour(series[k]), x + 16, legend + 11, html_escape(series[k]));
    x += 30 + 7.0 * static_cast<double>(series[k].size());
  }
  return svg + "</svg>\n";
}

std::string line_chart(const std::string& title, const std::vector<std::string>& categories,
                       const std::vector<LineSeries>& series, const std::string& x_label, const std::string& unit) {
  constexpr int kLeft = 70;
  constexpr int kTop = 30;
  constexpr int kHeight = 240;
  constexpr int kTicks = 4;
  double largest = 0.0;
  for (const auto& line : series) {
    for (const auto& v : line.values) largest = std::max(largest, v.value_or(0.0));
  }
  const double top = largest > 0.0 ? largest * 1.1 : 1.0;
  const auto n = std::max<std::size_t>(categories.size(), 1);
  const auto x_of = [&](std::size_t i) { return kLeft + kPlotWidth * (static_cast<double>(i) + 0.5) / static_cast<double>(n); };
  const auto y_of = [&](double v) { return kTop + kHeight * (1.0 - v / top); };
  const int width = kLeft + kPlotWidth + 20;
  const auto entry_width = [](const std::string& label) { return 30.0 + 7.0 * static_cast<double>(label.size()); };
  int legend_rows = 0;
  double used = width;  // so that the first labelled series opens a row
  for (const auto& line : series) {
    if (line.label.empty()) continue;
    if (used + entry_width(line.label) > width) {
      ++legend_rows;
      used = 0.0;
    }
    used += entry_width(line.label);
  }
  const int legend = kTop + kHeight + 44;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">\n"
      "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      width, legend + 18 * legend_rows + 6, html_escape(title), html_escape(title));
  for (int t = 0; t <= kTicks; ++t) {
    const double v = top * t / kTicks;
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1f}\" "
                       "font-size=\"11\" text-anchor=\"end\">{} {}</text>\n",
                       kLeft, y_of(v), kLeft + kPlotWidth, y_of(v), kLeft - 4, y_of(v) + 4, plain_number(v), html_escape(unit));
  }
  for (std::size_t i = 0; i < categories.size(); ++i) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", x_of(i),
                       kTop + kHeight + 16, html_escape(categories[i]));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n", kLeft + kPlotWidth / 2,
                     kTop + kHeight + 32, html_escape(x_label));
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& values = series[k].values;
    const auto hollow = [&](std::size_t i) { return i < series[k].hollow.size() && series[k].hollow[i]; };
    for (std::size_t i = 0; i + 1 < values.size(); ++i) {
      if (!values[i] || !values[i + 1] || hollow(i) || hollow(i + 1)) continue;
      svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                         x_of(i), y_of(*values[i]), x_of(i + 1), y_of(*values[i + 1]), colour(k));
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!values[i]) continue;
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" {}><title>{}{}: {} {}{}</title></circle>\n",
                         x_of(i), y_of(*values[i]),
                         hollow(i) ? fmt::format("fill=\"white\" stroke=\"{}\" stroke-width=\"1.5\"", colour(k))
                                   : fmt::format("fill=\"{}\"", colour(k)),
                         html_escape(series[k].label.empty() ? "" : series[k].label + ", "),
                         html_escape(i < categories.size() ? categories[i] : ""), plain_number(*values[i], 4), html_escape(unit),
                         hollow(i) ? " (does not fit)" : "");
    }
  }
  double x = width;
  int y = legend - 18;
  for (std::size_t k = 0; k < series.size(); ++k) {
    if (series[k].label.empty()) continue;
    if (x + entry_width(series[k].label) > width) {
      x = 0.0;
      y += 18;
    }
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{}\" "
                       "font-size=\"12\">{}</text>\n",
                       x, y, colour(k), x + 16, y + 11, html_escape(series[k].label));
    x += entry_width(series[k].label);
  }
  return svg + "</svg>\n";
}

namespace {

// A tick interval of 1, 2 or 5 x 10^k that cuts `span` into four to ten parts.
double tick_interval(double span) {
  const double rough = span / 5.0;
  const double decade = std::pow(10.0, std::floor(std::log10(rough)));
  for (const double step : {1.0, 2.0, 5.0}) {
    if (step * decade >= rough) return step * decade;
  }
  return 10.0 * decade;
}

}  // namespace

std::string timeline_chart(const std::string& title, const Workload& w, const Timeline& t, std::size_t ranks, Seconds from,
                           Seconds to) {
  constexpr int kLane = 14;
  ranks = std::min(ranks, w.ranks.size());
  const double span = std::max((to - from).si(), 1e-9);
  const int lanes_end = 30 + static_cast<int>(ranks) * (kStreams * kLane + 8);
  const int height = lanes_end + 34 + 24;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">\n"
      "<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      kLaneLabelWidth + kPlotWidth + 20, height, html_escape(title), html_escape(title));
  // The time axis: a grid line and a label in milliseconds at each tick.
  const double tick_ms = tick_interval(span * 1e3);
  for (double ms = std::ceil(from.si() * 1e3 / tick_ms) * tick_ms; ms <= to.si() * 1e3 + 1e-9; ms += tick_ms) {
    const double x = kLaneLabelWidth + (ms / 1e3 - from.si()) / span * kPlotWidth;
    svg += fmt::format("<line x1=\"{:.2f}\" y1=\"28\" x2=\"{:.2f}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{:.2f}\" y=\"{}\" "
                       "font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                       x, x, lanes_end, x, lanes_end + 12, plain_number(ms, 4));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">time in the step (ms)</text>\n",
                     kLaneLabelWidth + kPlotWidth / 2, lanes_end + 26);
  std::vector<std::string> shown;  // the categories drawn, in the order first met, for the legend
  int y = 30;
  for (std::size_t r = 0; r < ranks; ++r) {
    for (int s = 0; s < kStreams; ++s) {
      const auto stream = static_cast<std::size_t>(s);
      svg += fmt::format("<text x=\"0\" y=\"{}\" font-size=\"11\">GPU {} {}</text>\n", y + 11, w.ranks[r].global_rank,
                         to_string(static_cast<StreamId>(s)));
      const auto& ops = w.ranks[r].streams[stream];
      for (std::size_t i = 0; i < ops.size(); ++i) {
        const auto& when = t.ops[r][stream][i];
        if (when.end <= from || when.start >= to) continue;
        const double x0 = kLaneLabelWidth + (std::max(when.start, from) - from).si() / span * kPlotWidth;
        const double x1 = kLaneLabelWidth + (std::min(when.end, to) - from).si() / span * kPlotWidth;
        // Compute by the pass it belongs to; every exchange is communication.
        const std::string category = ops[i].kind == OpKind::exchange
                                         ? "communication"
                                         : std::string(to_string(w.ranks[r].items[ops[i].item].kind));
        if (std::find(shown.begin(), shown.end(), category) == shown.end()) shown.push_back(category);
        svg += fmt::format("<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"><title>{} ({:.3f} ms)</title></rect>\n",
                           x0, y, std::max(x1 - x0, 0.3), kLane - 2, category_colour(category), html_escape(w.labels[ops[i].label]),
                           (when.end - when.start).si() * 1e3);
      }
      y += kLane;
    }
    y += 8;
  }
  double x = kLaneLabelWidth;
  const int legend = lanes_end + 36;
  for (const auto& category : shown) {
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{}\" "
                       "font-size=\"12\">{}</text>\n",
                       x, legend, category_colour(category), x + 16, legend + 11, html_escape(category));
    x += 30 + 7.0 * static_cast<double>(category.size());
  }
  return svg + "</svg>\n";
}

}  // namespace trainsim
