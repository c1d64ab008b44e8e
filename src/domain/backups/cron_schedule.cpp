#include "domain/backups/cron_schedule.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <stdexcept>
#include <vector>

namespace berth::cron {

namespace {

struct FieldSpec {
  std::string_view name;
  int lo;
  int hi;
  const std::array<std::string_view, 12>* names = nullptr;  // value lo + index
};

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kWeekdayNames = {
    "sun", "mon", "tue", "wed", "thu", "fri", "sat", "", "", "", "", ""};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) {
      return parts;
    }
    start = at + 1;
  }
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
  return out;
}

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view text, const std::string& field)
      : spec_(spec), text_(text), field_(field) {}

  Error wrong(const std::string& why) const {
    return Error::validation(
        field_, std::string(spec_.name) + " field '" + std::string(text_) + "': " + why);
  }

  Result<int> value(std::string_view item) const {
    if (spec_.names != nullptr && item.size() == 3) {
      std::string lower(item);
      for (auto& c : lower) {
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      }
      for (std::size_t i = 0; i < spec_.names->size(); ++i) {
        if (!(*spec_.names)[i].empty() && (*spec_.names)[i] == lower) {
          return spec_.lo + static_cast<int>(i);
        }
      }
    }
    int n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      return fail(wrong("'" + std::string(item) + "' is not a number" +
                        (spec_.names != nullptr ? " or a name" : "")));
    }
    const int hi = spec_.names == &kWeekdayNames ? 7 : spec_.hi;  // 7 is Sunday too
    if (n < spec_.lo || n > hi) {
      return fail(wrong(std::to_string(n) + " is out of range " + std::to_string(spec_.lo) + "-" +
                        std::to_string(hi)));
    }
    return n;
  }

  // One item of the list: `*`, `n`, `a-b`, each optionally `/step`.
  Result<void> item(std::string_view item, std::vector<bool>& set) const {
    if (item.empty()) {
      return fail(wrong("an empty item in the list"));
    }
    const auto slash = split(item, '/');
    if (slash.size() > 2) {
      return fail(wrong("more than one '/' in '" + std::string(item) + "'"));
    }
    int step = 1;
    if (slash.size() == 2) {
      auto [end, ec] = std::from_chars(slash[1].data(), slash[1].data() + slash[1].size(), step);
      if (slash[1].empty() || ec != std::errc() || end != slash[1].data() + slash[1].size() ||
          step < 1) {
        return fail(wrong("the step '" + std::string(slash[1]) + "' is not a positive number"));
      }
    }
    int lo = spec_.lo;
    int hi = spec_.hi;
    if (slash[0] != "*") {
      const auto dash = split(slash[0], '-');
      if (dash.size() > 2) {
        return fail(wrong("'" + std::string(slash[0]) + "' is not a range"));
      }
      auto first = value(dash[0]);
      if (!first) {
        return fail(std::move(first.error()));
      }
      lo = *first;
      hi = slash.size() == 2 ? spec_.hi : lo;  // "5/15" runs from 5 to the end
      if (dash.size() == 2) {
        auto last = value(dash[1]);
        if (!last) {
          return fail(std::move(last.error()));
        }
        hi = *last;
        if (hi < lo) {
          return fail(wrong("the range " + std::string(slash[0]) + " runs backwards"));
        }
      }
    }
    for (int n = lo; n <= hi; n += step) {
      set[static_cast<std::size_t>(n)] = true;
    }
    return {};
  }

  Result<std::vector<bool>> parse() const {
    std::vector<bool> set(static_cast<std::size_t>(spec_.hi) + 2, false);
    for (auto part : split(text_, ',')) {
      if (auto done = item(part, set); !done) {
        return fail(std::move(done.error()));
      }
    }
    return set;
  }

 private:
  const FieldSpec& spec_;
  std::string_view text_;
  const std::string& field_;
};

template <std::size_t N>
Result<std::bitset<N>> parse_field(const FieldSpec& spec, std::string_view text,
                                   const std::string& field) {
  auto set = FieldParser(spec, text, field).parse();
  if (!set) {
    return fail(std::move(set.error()));
  }
  std::bitset<N> bits;
  for (std::size_t i = 0; i < set->size(); ++i) {
    if ((*set)[i]) {
      bits.set(spec.names == &kWeekdayNames ? i % 7 : i);
    }
  }
  return bits;
}

std::string_view expand(std::string_view text) {
  if (text == "@hourly") {
    return "0 * * * *";
  }
  if (text == "@daily" || text == "@midnight") {
    return "0 0 * * *";
  }
  if (text == "@weekly") {
    return "0 0 * * 0";
  }
  if (text == "@monthly") {
    return "0 0 1 * *";
  }
  if (text == "@yearly" || text == "@annually") {
    return "0 0 1 1 *";
  }
  return text;
}

const date::time_zone* find_zone(std::string_view zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::runtime_error&) {
    return nullptr;
  }
}

}  // namespace

Result<Schedule> parse(std::string_view text, const std::string& field) {
  const auto parts = words(expand(words(text).size() == 1 ? words(text)[0] : text));
  if (parts.size() == 1 && parts[0].starts_with('@')) {
    return fail(Error::validation(field, "'" + std::string(parts[0]) +
                                             "' is not one of @hourly, @daily, @midnight, "
                                             "@weekly, @monthly, @yearly, @annually"));
  }
  if (parts.size() != 5) {
    return fail(Error::validation(
        field,
        "expected 5 fields (minute hour day-of-month month day-of-week) or a shorthand "
        "such as @daily; got " +
            std::to_string(parts.size())));
  }
  static const FieldSpec kMinute{"minute", 0, 59};
  static const FieldSpec kHour{"hour", 0, 23};
  static const FieldSpec kDay{"day-of-month", 1, 31};
  static const FieldSpec kMonth{"month", 1, 12, &kMonthNames};
  static const FieldSpec kWeekday{"day-of-week", 0, 6, &kWeekdayNames};
  Schedule s;
  auto minutes = parse_field<60>(kMinute, parts[0], field);
  auto hours = minutes ? parse_field<24>(kHour, parts[1], field) : fail(minutes.error());
  auto days = hours ? parse_field<32>(kDay, parts[2], field) : fail(hours.error());
  auto months = days ? parse_field<13>(kMonth, parts[3], field) : fail(days.error());
  auto weekdays = months ? parse_field<7>(kWeekday, parts[4], field) : fail(months.error());
  if (!weekdays) {
    return fail(std::move(weekdays.error()));
  }
  s.minutes = *minutes;
  s.hours = *hours;
  s.days = *days;
  s.months = *months;
  s.weekdays = *weekdays;
  s.any_hour = parts[1].starts_with('*');
  s.any_day = parts[2].starts_with('*');
  s.any_weekday = parts[4].starts_with('*');
  return s;
}

bool known_zone(std::string_view zone) { return !zone.empty() && find_zone(zone) != nullptr; }

std::optional<TimePoint> next_run(const Schedule& s, std::string_view zone_name, TimePoint after) {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const date::time_zone* zone = find_zone(zone_name);
  if (zone == nullptr) {
    return std::nullopt;
  }
  const auto after_s = std::chrono::floor<seconds>(after);
  auto day = date::floor<date::days>(zone->to_local(after_s));
  // Every local time of one day comes before every local time of the next in real time too
  // (offsets change by hours, not days), so the earliest candidate of the first day that has
  // one is the answer.
  constexpr int kSearchDays = 366 * 10;
  for (int i = 0; i < kSearchDays; ++i, day += date::days{1}) {
    const date::year_month_day ymd{day};
    if (!s.months[static_cast<unsigned>(ymd.month())]) {
      continue;
    }
    const bool dom = s.days[static_cast<unsigned>(ymd.day())];
    const bool dow = s.weekdays[date::weekday{day}.c_encoding()];
    if (!((s.any_day || s.any_weekday) ? (dom && dow) : (dom || dow))) {
      continue;
    }
    std::optional<date::sys_seconds> best;
    auto consider = [&](date::sys_seconds at) {
      if (at > after && (!best || at < *best)) {
        best = at;
      }
    };
    for (int h = 0; h < 24; ++h) {
      if (!s.hours[static_cast<std::size_t>(h)]) {
        continue;
      }
      for (int m = 0; m < 60; ++m) {
        if (!s.minutes[static_cast<std::size_t>(m)]) {
          continue;
        }
        const date::local_seconds local = date::local_seconds{day} + hours{h} + minutes{m};
        const date::local_info info = zone->get_info(local);
        const date::sys_seconds first{local.time_since_epoch() - info.first.offset};
        switch (info.result) {
          case date::local_info::unique:
            consider(first);
            break;
          case date::local_info::nonexistent:
            if (!s.any_hour) {
              consider(info.second.begin);  // the moment the clocks jump
            }
            break;
          case date::local_info::ambiguous:
            consider(first);
            if (s.any_hour) {
              consider(date::sys_seconds{local.time_since_epoch() - info.second.offset});
            }
            break;
          default:
            break;
        }
      }
    }
    if (best) {
      return TimePoint{std::chrono::duration_cast<TimePoint::duration>(best->time_since_epoch())};
    }
  }
  return std::nullopt;
}

Result<TimePoint> next_run_of(std::string_view text, std::string_view zone, TimePoint after,
                              const std::string& field) {
  auto schedule = parse(text, field);
  if (!schedule) {
    return fail(std::move(schedule.error()));
  }
  if (!known_zone(zone)) {
    return fail(Error::validation("timezone", "'" + std::string(zone) +
                                                  "' is not a known IANA time zone (such as "
                                                  "UTC or Europe/Berlin)"));
  }
  auto next = next_run(*schedule, zone, after);
  if (!next) {
    return fail(Error::validation(
        field, "the schedule '" + std::string(text) + "' has no run in the next ten years"));
  }
  return *next;
}

}  // namespace berth::cron
