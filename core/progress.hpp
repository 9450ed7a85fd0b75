#pragma once
// How long work reports how far it has got: `done` of `total` units, called as units finish
// (in the calling process), never affecting a result. An empty function reports nothing.
#include <cstdint>
#include <functional>

namespace trainsim {

using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

}  // namespace trainsim
