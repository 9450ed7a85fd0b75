#include "sim/child_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/backend.hpp"

namespace trainsim {
namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string run_in_child_process(const std::function<std::string()>& job) {
  int fds[2];
  if (::pipe(fds) != 0) throw SimulationError(std::string("cannot create a pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) throw SimulationError(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    int status = 0;
    std::string message;
    try {
      message = "ok:" + job();
    } catch (const std::exception& e) {
      message = std::string("error:") + e.what();
      status = 1;
    }
    write_all(fds[1], message);
    ::close(fds[1]);
    ::_exit(status);  // skip static destructors of the parent's state
  }
  ::close(fds[1]);
  std::string result;
  char buffer[1 << 16];
  for (;;) {
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (result.rfind("ok:", 0) == 0) return result.substr(3);
  if (result.rfind("error:", 0) == 0) throw SimulationError(result.substr(6));
  if (WIFSIGNALED(status)) throw SimulationError("the simulation process died of signal " + std::to_string(WTERMSIG(status)));
  throw SimulationError("the simulation process ended without a result");
}

}  // namespace trainsim
