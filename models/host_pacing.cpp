#include "models/host_pacing.hpp"

#include <algorithm>

namespace trainsim {

namespace {

std::vector<Seconds> steady_stalls(const std::vector<PacedStep>& steps) {
  Seconds host;
  Seconds device;
  for (const auto& s : steps) {
    host += s.host;
    device += s.device;
  }
  std::vector<Seconds> stalls(steps.size());
  if (host <= device || host <= Seconds(0)) return stalls;
  const double excess = (host - device) / host;
  for (std::size_t i = 0; i < steps.size(); ++i) stalls[i] = steps[i].host * excess;
  return stalls;
}

}  // namespace

std::vector<Seconds> host_stalls(const std::vector<PacedStep>& steps) {
  const auto first_wait = std::find_if(steps.begin(), steps.end(), [](const PacedStep& s) { return s.host_waits; });
  if (first_wait == steps.end()) return steady_stalls(steps);
  const auto start = static_cast<std::size_t>(first_wait - steps.begin());
  std::vector<Seconds> stalls(steps.size());
  Seconds host;    // when the host has issued the step
  Seconds device;  // when the device is free
  for (std::size_t n = 0; n < steps.size(); ++n) {
    const std::size_t i = (start + n) % steps.size();
    const auto& s = steps[i];
    if (s.host_waits) host = max(host, device);
    host += s.host;
    if (host > device) stalls[i] = host - device;
    device = max(device, host) + s.device;
  }
  return stalls;
}

}  // namespace trainsim
