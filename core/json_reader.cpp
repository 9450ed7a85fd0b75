#include "core/json_reader.hpp"

#include <algorithm>
#include <sstream>

#include "core/unit_parser.hpp"

namespace trainsim {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string type_name(const nlohmann::json& value) { return value.type_name(); }

}  // namespace

std::string child_pointer(const std::string& parent, std::string_view key) {
  std::string escaped;
  for (const char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return parent + "/" + escaped;
}

std::string child_pointer(const std::string& parent, std::size_t index) {
  return parent + "/" + std::to_string(index);
}

std::string describe_json(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text + " (" + type_name(value) + ")";
}

ObjectReader::ObjectReader(const nlohmann::json& node, std::string pointer, Diagnostics& diag)
    : node_(&node), pointer_(std::move(pointer)), diag_(&diag), valid_(node.is_object()) {
  if (!valid_) diag_->error(pointer_, "expected an object, got " + describe_json(node));
}

bool ObjectReader::has(std::string_view key) const {
  return valid_ && node_->contains(key);
}

namespace {
thread_local KeyRecorder* active_recorder = nullptr;
}  // namespace

KeyRecorder::KeyRecorder() { active_recorder = this; }
KeyRecorder::~KeyRecorder() { active_recorder = nullptr; }

void KeyRecorder::note(const std::string& file, const std::string& pointer, std::string_view key) {
  if (active_recorder != nullptr) active_recorder->asked_[{file, pointer}].emplace(key);
}

const nlohmann::json* ObjectReader::find(std::string_view key, bool required) {
  asked_.emplace(key);
  KeyRecorder::note(diag_->file(), pointer_, key);
  if (!valid_) return nullptr;
  const auto it = node_->find(key);
  if (it == node_->end()) {
    if (required) diag_->error(child_pointer(pointer_, key), "missing required key \"" + std::string(key) + "\"");
    return nullptr;
  }
  return &*it;
}

void ObjectReader::expected(std::string_view key, const std::string& what,
                            const nlohmann::json& got, const std::string& hint) {
  diag_->error(child_pointer(pointer_, key), "expected " + what + ", got " + describe_json(got), hint);
}

std::optional<std::int64_t> ObjectReader::optional_integer(std::string_view key, std::int64_t min,
                                                           std::int64_t max) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  const std::string range = max == kNoMax ? "an integer >= " + std::to_string(min)
                                          : "an integer in [" + std::to_string(min) + ", " +
                                                std::to_string(max) + "]";
  if (!value->is_number_integer()) {
    expected(key, range, *value);
    return std::nullopt;
  }
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(kNoMax)) {
    expected(key, range, *value);
    return std::nullopt;
  }
  const auto n = value->get<std::int64_t>();
  if (n < min || n > max) {
    expected(key, range, *value);
    return std::nullopt;
  }
  return n;
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  if (find(key, true) == nullptr) return min;
  return optional_integer(key, min, max).value_or(min);
}

std::optional<double> ObjectReader::optional_number(std::string_view key, double min, double max) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number() || value->get<double>() < min || value->get<double>() > max) {
    std::ostringstream range;
    range << "a number in [" << min << ", " << max << "]";
    expected(key, range.str(), *value);
    return std::nullopt;
  }
  return value->get<double>();
}

double ObjectReader::number(std::string_view key, double min, double max) {
  if (find(key, true) == nullptr) return min;
  return optional_number(key, min, max).value_or(min);
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    expected(key, "a string", *value);
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::string ObjectReader::string(std::string_view key) {
  if (find(key, true) == nullptr) return {};
  return optional_string(key).value_or(std::string{});
}

std::optional<bool> ObjectReader::optional_boolean(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    expected(key, "true or false", *value);
    return std::nullopt;
  }
  return value->get<bool>();
}

bool ObjectReader::boolean(std::string_view key) {
  if (find(key, true) == nullptr) return false;
  return optional_boolean(key).value_or(false);
}

template <class T, class Parse>
std::optional<T> ObjectReader::unit_field(std::string_view key, bool required, Parse parse,
                                          std::string_view example, Sign sign) {
  const auto* value = find(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    expected(key, "a quantity written as a string with its unit", *value,
             "for example \"" + std::string(example) + "\"; a bare number's unit would be a guess");
    return std::nullopt;
  }
  try {
    const T quantity = parse(value->get_ref<const std::string&>());
    if (sign == Sign::positive && !(quantity > T{})) {
      expected(key, "a positive quantity", *value, "zero here would divide by zero downstream");
      return std::nullopt;
    }
    return quantity;
  } catch (const UnitParseError& e) {
    diag_->error(child_pointer(pointer_, key), e.what(), e.hint());
    return std::nullopt;
  }
}

std::optional<Bytes> ObjectReader::optional_bytes(std::string_view key, Sign sign) {
  return unit_field<Bytes>(key, false, parse_bytes, "80GiB", sign);
}
Bytes ObjectReader::bytes(std::string_view key, Sign sign) {
  return unit_field<Bytes>(key, true, parse_bytes, "80GiB", sign).value_or(Bytes{});
}
std::optional<Seconds> ObjectReader::optional_seconds(std::string_view key, Sign sign) {
  return unit_field<Seconds>(key, false, parse_seconds, "2.5us", sign);
}
Seconds ObjectReader::seconds(std::string_view key, Sign sign) {
  return unit_field<Seconds>(key, true, parse_seconds, "2.5us", sign).value_or(Seconds{});
}
std::optional<BytesPerSecond> ObjectReader::optional_byte_rate(std::string_view key) {
  return unit_field<BytesPerSecond>(key, false, parse_byte_rate, "400Gbps");
}
BytesPerSecond ObjectReader::byte_rate(std::string_view key) {
  return unit_field<BytesPerSecond>(key, true, parse_byte_rate, "400Gbps").value_or(BytesPerSecond{});
}
std::optional<FlopsPerSecond> ObjectReader::optional_flop_rate(std::string_view key) {
  return unit_field<FlopsPerSecond>(key, false, parse_flop_rate, "989.4TFLOPS");
}
FlopsPerSecond ObjectReader::flop_rate(std::string_view key) {
  return unit_field<FlopsPerSecond>(key, true, parse_flop_rate, "989.4TFLOPS").value_or(FlopsPerSecond{});
}
std::optional<Watts> ObjectReader::optional_watts(std::string_view key) {
  return unit_field<Watts>(key, false, parse_watts, "700W");
}
Watts ObjectReader::watts(std::string_view key) {
  return unit_field<Watts>(key, true, parse_watts, "700W").value_or(Watts{});
}

std::optional<ObjectReader> ObjectReader::optional_object(std::string_view key) {
  const auto* value = find(key, false);
  if (value == nullptr) return std::nullopt;
  return ObjectReader(*value, child_pointer(pointer_, key), *diag_);
}

ObjectReader ObjectReader::object(std::string_view key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto* value = find(key, true);
  if (value == nullptr) return ObjectReader(kEmpty, child_pointer(pointer_, key), *diag_);
  return ObjectReader(*value, child_pointer(pointer_, key), *diag_);
}

std::vector<JsonRef> ObjectReader::array(std::string_view key, bool required) {
  const auto* value = find(key, required);
  std::vector<JsonRef> elements;
  if (value == nullptr) return elements;
  if (!value->is_array()) {
    expected(key, "an array", *value);
    return elements;
  }
  const auto base = child_pointer(pointer_, key);
  for (std::size_t i = 0; i < value->size(); ++i) elements.push_back({&(*value)[i], child_pointer(base, i)});
  return elements;
}

std::optional<JsonRef> ObjectReader::raw(std::string_view key, bool required) {
  const auto* value = find(key, required);
  if (value == nullptr) return std::nullopt;
  return JsonRef{value, child_pointer(pointer_, key)};
}

void ObjectReader::finish() {
  if (!valid_) return;
  for (const auto& [key, value] : node_->items()) {
    if (asked_.contains(key)) continue;
    std::string nearest;
    std::size_t best = 3;  // suggest only close spellings
    for (const auto& known : asked_) {
      const auto d = edit_distance(key, known);
      if (d < best) {
        best = d;
        nearest = known;
      }
    }
    std::string allowed;
    for (const auto& known : asked_) allowed += (allowed.empty() ? "" : ", ") + known;
    diag_->error(child_pointer(pointer_, key), "unknown key \"" + key + "\"",
                 nearest.empty() ? "allowed keys here: " + allowed : "did you mean \"" + nearest + "\"?");
  }
}

}  // namespace trainsim
