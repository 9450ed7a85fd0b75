#pragma once
// Strict reading of JSON objects at the edge of the program. Every field is asked for by name
// and type; a missing required key, a value of the wrong type or range, and (at finish()) any
// key that nobody asked for are reported to Diagnostics with their JSON pointer. Getters return
// a neutral value after reporting, so one pass finds every issue; callers throw before use.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config_error.hpp"
#include "core/json_parse.hpp"
#include "core/units.hpp"

namespace trainsim {

// One allowed spelling of an enumerated value.
template <class E>
struct Choice {
  std::string_view name;
  E value;
};

// JSON pointer of `key` inside the object at `parent` (RFC 6901 escaping).
std::string child_pointer(const std::string& parent, std::string_view key);
std::string child_pointer(const std::string& parent, std::size_t index);

// A JSON element together with its location, for arrays and polymorphic fields.
struct JsonRef {
  const nlohmann::json* node;
  std::string pointer;
};

// Whether a quantity may be zero (an overhead, a latency) or must not (a capacity, a time that
// divides). Rates are always positive (core/unit_parser.hpp).
enum class Sign { non_negative, positive };

class ObjectReader {
 public:
  static constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();

  // Reads `node` as an object; if it is not one, reports that once and reads as empty.
  ObjectReader(const nlohmann::json& node, std::string pointer, Diagnostics& diag);

  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] Diagnostics& diagnostics() const { return *diag_; }

  std::int64_t integer(std::string_view key, std::int64_t min = 0, std::int64_t max = kNoMax);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min = 0,
                                               std::int64_t max = kNoMax);
  double number(std::string_view key, double min = 0.0,
                double max = std::numeric_limits<double>::max());
  std::optional<double> optional_number(std::string_view key, double min = 0.0,
                                        double max = std::numeric_limits<double>::max());
  std::string string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  bool boolean(std::string_view key);
  std::optional<bool> optional_boolean(std::string_view key);

  Bytes bytes(std::string_view key, Sign sign = Sign::non_negative);
  std::optional<Bytes> optional_bytes(std::string_view key, Sign sign = Sign::non_negative);
  Seconds seconds(std::string_view key, Sign sign = Sign::non_negative);
  std::optional<Seconds> optional_seconds(std::string_view key, Sign sign = Sign::non_negative);
  BytesPerSecond byte_rate(std::string_view key);
  std::optional<BytesPerSecond> optional_byte_rate(std::string_view key);
  FlopsPerSecond flop_rate(std::string_view key);
  std::optional<FlopsPerSecond> optional_flop_rate(std::string_view key);
  Watts watts(std::string_view key);
  std::optional<Watts> optional_watts(std::string_view key);

  template <class E>
  E choice(std::string_view key, const std::vector<Choice<E>>& choices) {
    return optional_choice_impl(key, choices, true).value_or(choices.front().value);
  }
  template <class E>
  std::optional<E> optional_choice(std::string_view key, const std::vector<Choice<E>>& choices) {
    return optional_choice_impl(key, choices, false);
  }

  ObjectReader object(std::string_view key);
  std::optional<ObjectReader> optional_object(std::string_view key);
  // The elements of an array field; reports a missing key or a non-array.
  std::vector<JsonRef> array(std::string_view key, bool required = true);
  // The raw field, for values that may take several shapes; nullopt when absent (and, when
  // `required`, reported as missing).
  std::optional<JsonRef> raw(std::string_view key, bool required);

  // Reports every key of the object that no getter asked for, with the nearest known key.
  void finish();

 private:
  const nlohmann::json* find(std::string_view key, bool required);
  void expected(std::string_view key, const std::string& what, const nlohmann::json& got,
                const std::string& hint = {});
  template <class T, class Parse>
  std::optional<T> unit_field(std::string_view key, bool required, Parse parse, std::string_view example,
                              Sign sign = Sign::non_negative);
  template <class E>
  std::optional<E> optional_choice_impl(std::string_view key, const std::vector<Choice<E>>& choices,
                                        bool required);

  const nlohmann::json* node_;
  std::string pointer_;
  Diagnostics* diag_;
  bool valid_;
  std::set<std::string, std::less<>> asked_;
};

// While one is alive on a thread, every ObjectReader on it records the keys it asks for, by
// the input file and the JSON pointer of its object: what the reader knows, for the test that
// holds the published JSON Schema of the format (`trainsim schema`) to the reader. Not nestable.
class KeyRecorder {
 public:
  KeyRecorder();
  ~KeyRecorder();
  KeyRecorder(const KeyRecorder&) = delete;
  KeyRecorder& operator=(const KeyRecorder&) = delete;
  using Object = std::pair<std::string, std::string>;  // file, JSON pointer
  [[nodiscard]] const std::map<Object, std::set<std::string>>& asked() const { return asked_; }

 private:
  friend class ObjectReader;
  static void note(const std::string& file, const std::string& pointer, std::string_view key);

  std::map<Object, std::set<std::string>> asked_;
};

// Short text of a JSON value for error messages (strings quoted, long values cut).
std::string describe_json(const nlohmann::json& value);

// The allowed spellings as a message lists them: "\"a\", \"b\"".
template <class E>
std::string choice_names(const std::vector<Choice<E>>& choices) {
  std::string allowed;
  for (const auto& choice : choices) allowed += (allowed.empty() ? "" : ", ") + std::string("\"") + std::string(choice.name) + "\"";
  return allowed;
}

// The value `value` spells among `choices`, or nullopt.
template <class E>
std::optional<E> find_choice(const nlohmann::json& value, const std::vector<Choice<E>>& choices) {
  for (const auto& choice : choices) {
    if (value.is_string() && value.get_ref<const std::string&>() == choice.name) return choice.value;
  }
  return std::nullopt;
}

// An element of an array that must be one of `choices`; reports it at its pointer otherwise.
template <class E>
std::optional<E> element_choice(const JsonRef& element, const std::vector<Choice<E>>& choices, Diagnostics& diag) {
  if (auto v = find_choice(*element.node, choices)) return v;
  diag.error(element.pointer, "expected one of " + choice_names(choices) + ", got " + describe_json(*element.node));
  return std::nullopt;
}

template <class E>
std::optional<E> ObjectReader::optional_choice_impl(std::string_view key,
                                                    const std::vector<Choice<E>>& choices,
                                                    bool required) {
  const auto* value = find(key, required);
  if (value == nullptr) return std::nullopt;
  if (auto v = find_choice(*value, choices)) return v;
  expected(key, "one of " + choice_names(choices), *value);
  return std::nullopt;
}

}  // namespace trainsim
