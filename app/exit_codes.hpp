#pragma once
// Exit codes of the trainsim executable (README.md, "Exit codes").

namespace trainsim::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;    // a bug: please report it
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitBadInput = 3;    // a scenario, calibration or probe file is invalid
inline constexpr int kExitInfeasible = 4;  // the plan does not fit (memory) or cannot run
inline constexpr int kExitSimulation = 5;  // the discrete-event engine failed
inline constexpr int kExitOutOfTolerance = 6;  // validate --check: predictions outside the stated tolerances
inline constexpr int kExitIo = 7;          // a file could not be read or written (a missing directory, a full disk)
inline constexpr int kExitResources = 8;   // the run needs more memory than allowed (refused up front, or ran out)

}  // namespace trainsim::app
