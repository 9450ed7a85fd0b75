#include "core/version.hpp"

namespace trainsim {

std::string_view trainsim_version() { return TRAINSIM_VERSION; }

}  // namespace trainsim
