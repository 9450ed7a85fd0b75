#include "app/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/io_error.hpp"

namespace trainsim::app {
namespace {

namespace fs = std::filesystem;

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

std::string reason() { return std::strerror(errno); }

// The directory a new file at `path` would be created in.
fs::path directory_of(const fs::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

void write_all(int fd, const std::string& content, const std::string& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(path, "cannot write: " + reason());
    done += static_cast<std::size_t>(n);
  }
}

// Writes through an existing non-regular file (a FIFO, a device) without replacing it.
void write_through(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(path, "cannot open for writing: " + reason());
  try {
    write_all(fd, content, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw IoError(path, "cannot write: " + reason());
}

// Where a chain of symbolic links ends (the path itself when it is none), even if the last
// target does not exist yet.
fs::path link_target(const std::string& path) {
  fs::path target(path);
  std::error_code ec;
  for (int hops = 0; fs::is_symlink(target, ec); ++hops) {
    if (hops == 40) throw IoError(path, "too many levels of symbolic links");
    const auto next = fs::read_symlink(target, ec);
    if (ec) throw IoError(path, "cannot read the link: " + ec.message());
    target = next.is_absolute() ? next : directory_of(target) / next;
  }
  return target;
}

// Writes a regular file atomically: a temporary file beside it, then a rename over it. A
// symbolic link keeps pointing where it did: its target is what gets replaced.
void replace_regular(const std::string& path, const std::string& content) {
  const fs::path target = link_target(path);
  std::string name = target.filename().string();
  name.insert(0, 1, '.');  // appended piecewise: GCC 12 misreads "." + name + "..." (-Wrestrict)
  name.append(".XXXXXX");
  std::string temporary = (directory_of(target) / name).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw IoError(path, "cannot create a temporary file in " + directory_of(target).string() + ": " + reason());
  try {
    struct stat existing {};
    mode_t mode = 0;
    if (::stat(target.c_str(), &existing) == 0) {
      mode = existing.st_mode & 07777;
    } else {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    if (::fchmod(fd, mode) != 0) throw IoError(path, "cannot set permissions: " + reason());
    write_all(fd, content, path);
    if (::fsync(fd) != 0) throw IoError(path, "cannot write: " + reason());
    if (::close(fd) != 0) throw IoError(path, "cannot write: " + reason());
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const auto why = reason();
    ::unlink(temporary.c_str());
    throw IoError(path, "cannot replace: " + why);
  }
}

void check_output(const std::string& path) {
  if (is_stdout(path)) return;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    if (S_ISDIR(info.st_mode)) throw IoError(path, "is a directory");
    if (S_ISSOCK(info.st_mode)) throw IoError(path, "is a socket");
    if (::access(path.c_str(), W_OK) != 0) throw IoError(path, "is not writable: " + reason());
    if (!S_ISREG(info.st_mode)) return;  // written straight through
  } else if (errno != ENOENT) {
    throw IoError(path, "cannot be examined: " + reason());
  }
  const auto directory = directory_of(fs::path(path));
  struct stat dir {};
  if (::stat(directory.c_str(), &dir) != 0) {
    throw IoError(path, "its directory " + directory.string() +
                            (errno == ENOENT ? " does not exist" : " cannot be examined: " + reason()));
  }
  if (!S_ISDIR(dir.st_mode)) throw IoError(path, directory.string() + " is not a directory");
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    throw IoError(path, "cannot create files in " + directory.string() + ": " + reason());
  }
}

}  // namespace

void check_outputs(std::initializer_list<const std::string*> paths) {
  for (const auto* path : paths) check_output(*path);
}

void write_output(const std::string& path, const std::string& content) {
  if (is_stdout(path)) {
    std::cout << content << std::flush;
    if (!std::cout) throw IoError("standard output", "cannot write");
    return;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    if (S_ISDIR(info.st_mode)) throw IoError(path, "is a directory");
    write_through(path, content);
    return;
  }
  replace_regular(path, content);
}

void write_result(const std::string& path, const std::string& text, const std::string& report,
                  const std::function<std::string()>& html) {
  const std::string page = report.empty() ? "" : html();
  write_output(path, text);
  if (!report.empty()) write_output(report, page);
}

}  // namespace trainsim::app
