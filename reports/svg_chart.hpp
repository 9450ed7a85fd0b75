#pragma once
// Inline SVG charts for the HTML reports: self-contained markup, no scripts, no fonts to
// fetch, fixed number formatting so the same inputs give the same bytes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/timeline.hpp"

namespace trainsim {

struct StackedRow {
  std::string label;
  std::vector<double> values;  // one per series, in the series' unit
};

// The colour of a category (a series of stacked bars, a kind of timeline op): the same on every
// chart of every page, so that "pipeline bubble" is one grey everywhere.
std::string category_colour(std::string_view category);

// One horizontal bar per row made of its series' values stacked, with a legend; each series
// coloured by category_colour.
std::string stacked_bar_chart(const std::string& title, const std::vector<std::string>& series,
                              const std::vector<StackedRow>& rows, const std::string& unit);

struct LineSeries {
  std::string label;
  std::vector<std::optional<double>> values;  // one per category; nullopt: no point (a case without a result)
  std::vector<bool> hollow;                   // per category: drawn open and not joined (a case that does not fit)
};

// Lines over categories (the x axis, evenly spaced in the given order) from a y axis at zero,
// one colour per series with a legend (wrapped to the chart's width), a point per value.
std::string line_chart(const std::string& title, const std::vector<std::string>& categories,
                       const std::vector<LineSeries>& series, const std::string& x_label, const std::string& unit);

// The ops of the first `ranks` simulated GPUs between `from` and `to`, one lane per stream.
std::string timeline_chart(const std::string& title, const Workload& workload, const Timeline& timeline, std::size_t ranks,
                           Seconds from, Seconds to);

// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(const std::string& text);

}  // namespace trainsim
