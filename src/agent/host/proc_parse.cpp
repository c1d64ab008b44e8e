#include "agent/host/proc_parse.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

namespace berth::agent::host {
namespace {

// Calls `on_line` for each line of `text`, without its newline.
template <class OnLine>
void for_each_line(std::string_view text, OnLine on_line) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    on_line(text.substr(0, end));
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < line.size()) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) {
      break;
    }
    const auto end = std::min(line.find_first_of(" \t", pos), line.size());
    fields.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

std::uint64_t to_u64(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

double to_double(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Mount points escape space, tab, newline and backslash as three octal digits.
std::string decode_mount_escapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool octal = text[i] == '\\' && i + 3 < text.size() &&
                       std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                   text.begin() + static_cast<std::ptrdiff_t>(i) + 4,
                                   [](char c) { return c >= '0' && c <= '7'; });
    if (octal) {
      out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                      (text[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

CpuTimes parse_cpu_times(std::string_view proc_stat) {
  CpuTimes times;
  bool found = false;
  for_each_line(proc_stat, [&](std::string_view line) {
    if (found || !line.starts_with("cpu ")) {
      return;
    }
    found = true;
    const auto fields = split_fields(line);
    // user nice system idle iowait irq softirq steal; guest time is already inside user.
    std::array<std::uint64_t, 8> jiffies{};
    for (std::size_t i = 0; i < jiffies.size() && i + 1 < fields.size(); ++i) {
      jiffies[i] = to_u64(fields[i + 1]);
    }
    const std::uint64_t idle = jiffies[3] + jiffies[4];
    times.busy = jiffies[0] + jiffies[1] + jiffies[2] + jiffies[5] + jiffies[6] + jiffies[7];
    times.total = times.busy + idle;
  });
  return times;
}

int count_cpus(std::string_view proc_stat) {
  int count = 0;
  for_each_line(proc_stat, [&](std::string_view line) {
    if (line.size() > 3 && line.starts_with("cpu") && line[3] >= '0' && line[3] <= '9') {
      ++count;
    }
  });
  return count;
}

double cpu_percent_between(const CpuTimes& before, const CpuTimes& after) {
  if (after.total <= before.total || after.busy < before.busy) {
    return 0.0;
  }
  const auto busy = static_cast<double>(after.busy - before.busy);
  const auto total = static_cast<double>(after.total - before.total);
  return std::clamp(100.0 * busy / total, 0.0, 100.0);
}

LoadAverage parse_loadavg(std::string_view proc_loadavg) {
  const auto fields = split_fields(proc_loadavg.substr(0, proc_loadavg.find('\n')));
  LoadAverage load;
  if (fields.size() >= 3) {
    load = {
        .one = to_double(fields[0]), .five = to_double(fields[1]), .fifteen = to_double(fields[2])};
  }
  return load;
}

MemoryInfo parse_meminfo(std::string_view proc_meminfo) {
  MemoryInfo info;
  for_each_line(proc_meminfo, [&](std::string_view line) {
    const auto fields = split_fields(line);
    if (fields.size() < 2) {
      return;
    }
    // Values are in kibibytes ("MemTotal:  2048 kB").
    const std::uint64_t bytes = to_u64(fields[1]) * 1024;
    if (fields[0] == "MemTotal:") {
      info.total_bytes = bytes;
    } else if (fields[0] == "MemAvailable:") {
      info.available_bytes = bytes;
    } else if (fields[0] == "SwapTotal:") {
      info.swap_total_bytes = bytes;
    } else if (fields[0] == "SwapFree:") {
      info.swap_free_bytes = bytes;
    }
  });
  return info;
}

std::uint64_t parse_uptime_seconds(std::string_view proc_uptime) {
  const auto fields = split_fields(proc_uptime.substr(0, proc_uptime.find('\n')));
  return fields.empty() ? 0 : static_cast<std::uint64_t>(to_double(fields[0]));
}

NetworkTotals parse_net_dev(std::string_view proc_net_dev) {
  NetworkTotals totals;
  for_each_line(proc_net_dev, [&](std::string_view line) {
    // "  eth0: 1234 10 0 0 0 0 0 0 5678 ..." — the two header lines have no colon-suffixed name.
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return;
    }
    const auto names = split_fields(line.substr(0, colon));
    if (names.size() != 1 || names[0] == "lo") {
      return;
    }
    const auto fields = split_fields(line.substr(colon + 1));
    if (fields.size() < 9) {
      return;
    }
    totals.rx_bytes += to_u64(fields[0]);
    totals.tx_bytes += to_u64(fields[8]);
  });
  return totals;
}

bool is_pseudo_filesystem(std::string_view fs_type) {
  static constexpr std::array<std::string_view, 31> kPseudo = {
      "proc",       "sysfs",      "tmpfs",       "devtmpfs",   "devpts",     "overlay",
      "cgroup",     "cgroup2",    "squashfs",    "nsfs",       "mqueue",     "debugfs",
      "tracefs",    "securityfs", "pstore",      "bpf",        "autofs",     "hugetlbfs",
      "configfs",   "fusectl",    "binfmt_misc", "rpc_pipefs", "efivarfs",   "ramfs",
      "selinuxfs",  "nfsd",       "aufs",        "rootfs",     "fuse.lxcfs", "fuse.gvfsd-fuse",
      "fuse.portal"};
  return std::find(kPseudo.begin(), kPseudo.end(), fs_type) != kPseudo.end();
}

std::vector<MountEntry> parse_mounts(std::string_view proc_mounts) {
  std::vector<MountEntry> mounts;
  std::set<std::string, std::less<>> seen_devices;
  for_each_line(proc_mounts, [&](std::string_view line) {
    const auto fields = split_fields(line);
    if (fields.size() < 3 || is_pseudo_filesystem(fields[2])) {
      return;
    }
    std::string device = decode_mount_escapes(fields[0]);
    if (!seen_devices.insert(device).second) {
      return;
    }
    mounts.push_back({.device = std::move(device),
                      .mount_point = decode_mount_escapes(fields[1]),
                      .fs_type = std::string(fields[2])});
  });
  return mounts;
}

std::string parse_os_release_value(std::string_view os_release, std::string_view key) {
  std::string value;
  for_each_line(os_release, [&](std::string_view line) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=') {
      return;
    }
    std::string_view raw = line.substr(key.size() + 1);
    while (!raw.empty() && (raw.back() == '\r' || raw.back() == ' ')) {
      raw.remove_suffix(1);
    }
    if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') &&
        raw.back() == raw.front()) {
      raw = raw.substr(1, raw.size() - 2);
    }
    value.clear();
    // Shell-style backslash escapes inside double quotes (`\"`, `\\`, `\$`).
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        ++i;
      }
      value.push_back(raw[i]);
    }
  });
  return value;
}

}  // namespace berth::agent::host
