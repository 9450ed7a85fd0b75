#include "app/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace trainsim::app {

ProgressFn terminal_progress(std::string unit) {
  if (::isatty(STDERR_FILENO) == 0) return {};
  return [unit = std::move(unit)](std::int64_t done, std::int64_t total) {
    constexpr int kWidth = 40;
    const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r[%s%s] %3.0f%% %lld/%lld %s", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(), 100.0 * fraction,
                 static_cast<long long>(done), static_cast<long long>(total), unit.c_str());
    if (done == total) std::fputs("\n", stderr);
    std::fflush(stderr);
  };
}

}  // namespace trainsim::app
