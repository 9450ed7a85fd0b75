#include "core/json_parse.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "core/io_error.hpp"
#include "core/json_reader.hpp"

namespace trainsim {
namespace {

// Follows the parser through the document so that a problem found mid-parse has a JSON
// pointer: one frame per open object or array, each knowing its current key or element.
class DocumentShape {
 public:
  struct TooDeep {
    std::string pointer;
  };

  bool on_event(nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        enter_value();
        if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) throw TooDeep{pointer(false)};
        frames_.push_back({event == Event::object_start, {}, {}, 0});
        break;
      case Event::key: {
        auto& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) repeated_.push_back(pointer(false));
        break;
      }
      case Event::value:
        enter_value();
        break;
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        break;
    }
    return true;
  }

  // The pointer of the value being read; `pending`: the next array element, not yet counted.
  [[nodiscard]] std::string pointer(bool pending) const {
    std::string text;
    for (const auto& frame : frames_) {
      if (frame.object) {
        text = child_pointer(text, frame.key);
      } else {
        text = child_pointer(text, pending && &frame == &frames_.back() ? frame.elements : frame.elements - 1);
      }
    }
    return text;
  }

  [[nodiscard]] const std::vector<std::string>& repeated_keys() const { return repeated_; }

 private:
  struct Frame {
    bool object;
    std::set<std::string, std::less<>> keys;
    std::string key;
    std::size_t elements;
  };

  void enter_value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().elements;
  }

  std::vector<Frame> frames_;
  std::vector<std::string> repeated_;
};

void report_syntax_error(std::string_view text, std::size_t byte, Diagnostics& diag) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < std::min(byte > 0 ? byte - 1 : 0, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  diag.error("", "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(column),
             "check for a missing comma, quote or bracket near there");
}

std::string size_text(std::int64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

std::optional<nlohmann::json> parse_json_text(std::string_view text, Diagnostics& diag) {
  if (static_cast<std::int64_t>(text.size()) > kMaxJsonBytes) {
    diag.error("", "the document is " + size_text(static_cast<std::int64_t>(text.size())) + "; at most " +
                       size_text(kMaxJsonBytes) + " are read");
    return std::nullopt;
  }
  DocumentShape shape;
  try {
    auto doc = nlohmann::json::parse(
        text.begin(), text.end(),
        [&shape](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          return shape.on_event(event, parsed);
        });
    for (const auto& pointer : shape.repeated_keys()) {
      diag.error(pointer, "this key is given more than once in its object",
                 "keep one: which of the values was meant would be a guess");
    }
    if (!shape.repeated_keys().empty()) return std::nullopt;
    return doc;
  } catch (const DocumentShape::TooDeep& e) {
    diag.error(e.pointer, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
               "no trainsim input nests this deep; the file is probably not what was meant");
  } catch (const nlohmann::json::parse_error& e) {
    report_syntax_error(text, e.byte, diag);
  } catch (const nlohmann::json::out_of_range&) {
    diag.error(shape.pointer(true), "a number beyond the range of a double (about 1.8e308)",
               "write the value in a unit that keeps it finite");
  }
  return std::nullopt;
}

std::optional<nlohmann::json> read_json_file(const std::string& path, Diagnostics& diag) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can turn it away.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    diag.error("", std::string("cannot open the file for reading: ") + std::strerror(errno),
               "check the path and its permissions");
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw IoError(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) {
    diag.error("", S_ISDIR(info.st_mode) ? "is a directory, not a JSON file" : "is not a regular file (a FIFO, socket or device)",
               "only regular files are read: a stream or device might never end");
    return std::nullopt;
  }
  if (info.st_size > kMaxJsonBytes) {
    diag.error("", "the file is " + size_text(info.st_size) + "; at most " + size_text(kMaxJsonBytes) + " are read");
    return std::nullopt;
  }
  std::string content;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw IoError(path, std::string("read failed: ") + std::strerror(errno));
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    if (static_cast<std::int64_t>(content.size()) > kMaxJsonBytes) {  // grew while being read
      diag.error("", "the file grew beyond " + size_text(kMaxJsonBytes) + " while it was read");
      return std::nullopt;
    }
  }
  return parse_json_text(content, diag);
}

}  // namespace trainsim
