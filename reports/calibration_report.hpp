#pragma once
// The fit of a calibration per kernel class, as `trainsim calibrate` prints it.
#include <string>
#include <vector>

#include "hardware/calibration.hpp"

namespace trainsim {

// Rows, median and worst relative error of the fit on its own rows, and the fitted curve read
// as an efficiency (fraction of the peak the math or traffic term runs at) and a fixed cost.
std::string calibration_fit_text(const Calibration& calibration, const std::vector<std::string>& notes);

}  // namespace trainsim
