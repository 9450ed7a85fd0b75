#include "sim/child_process.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

struct Child {
  std::size_t job = 0;
  pid_t pid = -1;
  int fd = -1;
  std::string received;
};

Child start(const std::function<std::string()>& job, std::size_t index) {
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
  return {index, pid, fds[0], {}};
}

// Reads what the child sent (its pipe is at end of file), reaps it and says what it produced.
ChildResult finish(Child& child) {
  ::close(child.fd);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const auto& r = child.received;
  if (r.rfind("ok:", 0) == 0) return {true, r.substr(3)};
  if (r.rfind("error:", 0) == 0) return {false, r.substr(6)};
  if (WIFSIGNALED(status)) return {false, "the simulation process died of signal " + std::to_string(WTERMSIG(status))};
  return {false, "the simulation process ended without a result"};
}

}  // namespace

std::vector<ChildResult> run_in_child_processes(const std::vector<std::function<std::string()>>& jobs, int parallel,
                                                const ProgressFn& progress) {
  std::vector<ChildResult> results(jobs.size());
  std::int64_t ended = 0;
  std::vector<Child> running;
  std::size_t next = 0;
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && static_cast<int>(running.size()) < std::max(parallel, 1)) {
      running.push_back(start(jobs[next], next));
      ++next;
    }
    std::vector<pollfd> polled;
    for (const auto& c : running) polled.push_back({c.fd, POLLIN, 0});
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw SimulationError(std::string("cannot wait for simulation processes: ") + std::strerror(errno));
    }
    for (std::size_t i = running.size(); i-- > 0;) {
      if (polled[i].revents == 0) continue;
      char buffer[1 << 16];
      const auto n = ::read(running[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        running[i].received.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      results[running[i].job] = finish(running[i]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      if (progress) progress(++ended, static_cast<std::int64_t>(jobs.size()));
    }
  }
  return results;
}

std::string run_in_child_process(const std::function<std::string()>& job) {
  auto result = run_in_child_processes({job}, 1).front();
  if (!result.ok) throw SimulationError(result.text);
  return result.text;
}

}  // namespace trainsim
