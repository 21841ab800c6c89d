#include "agent/promql/value.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

namespace sidecar::promql {
namespace {

constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

auto FindLabel(Labels& labels, std::string_view name) {
  return std::lower_bound(labels.begin(), labels.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}

void AppendEscaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Labels MakeLabels(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  Labels out;
  out.reserve(labels.size());
  for (auto& label : labels) {
    if (!out.empty() && out.back().name == label.name) out.pop_back();
    out.push_back(std::move(label));
  }
  std::erase_if(out, [](const Label& l) { return l.value.empty(); });
  return out;
}

std::string_view GetLabel(const Labels& labels, std::string_view name) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels.end() && it->name == name) return it->value;
  return {};
}

void SetLabel(Labels& labels, std::string_view name, std::string_view value) {
  auto it = FindLabel(labels, name);
  bool present = it != labels.end() && it->name == name;
  if (value.empty()) {
    if (present) labels.erase(it);
  } else if (present) {
    it->value = std::string(value);
  } else {
    labels.insert(it, Label{std::string(name), std::string(value)});
  }
}

Labels DropMetricName(Labels labels) {
  SetLabel(labels, kMetricName, "");
  return labels;
}

std::string FormatLabels(const Labels& labels) {
  std::string out(GetLabel(labels, kMetricName));
  out += '{';
  bool first = true;
  for (const auto& label : labels) {
    if (label.name == kMetricName) continue;
    if (!first) out += ", ";
    first = false;
    out += label.name;
    out += "=\"";
    AppendEscaped(out, label.value);
    out += '"';
  }
  out += '}';
  return out;
}

uint64_t HashLabels(const Labels& labels) {
  // FNV-1a over name, value, with separators that cannot occur in UTF-8 text.
  uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  };
  for (const auto& label : labels) {
    mix(label.name);
    mix(label.value);
  }
  return hash;
}

double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }

bool IsStaleNaN(double value) { return std::bit_cast<uint64_t>(value) == kStaleNaNBits; }

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kVector:
      return "instant vector";
    case ValueType::kMatrix:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "scalar";
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, then Go's %v layout (strconv 'g' with the shortest precision):
  // exponent form when the decimal exponent is below -4 or at least 6.
  char digits[64];
  auto [end, ec] =
      std::to_chars(digits, digits + sizeof(digits), value, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(digits, end - digits);
  size_t e = sci.find('e');
  int exponent = std::stoi(std::string(sci.substr(e + 1)));
  if (exponent < -4 || exponent >= 6) {
    // Go writes at least two exponent digits: 1e+21, 1.5e-07.
    std::string mantissa(sci.substr(0, e));
    char buf[16];
    std::snprintf(buf, sizeof(buf), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return mantissa + buf;
  }
  auto [fend, fec] =
      std::to_chars(digits, digits + sizeof(digits), value, std::chars_format::fixed);
  (void)fec;
  return std::string(digits, fend - digits);
}

}  // namespace sidecar::promql
