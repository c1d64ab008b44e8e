#pragma once
/// The doctor's real probes on berthd's machine (domain/instance/doctor.hpp): statvfs, SQLite's
/// quick_check on a read-only connection, DNS, the machine's interface addresses, TCP connects
/// and TLS verification with the system's CA store, each bounded by a short timeout. And
/// `berthd doctor`, which runs the checks from the config without a running berthd.

#include <chrono>
#include <string>

#include "berthd/options.hpp"
#include "domain/instance/doctor.hpp"

namespace berth {

/// The probes for the data directory `data_dir`; the servers come from elsewhere (the store).
DoctorProbes machine_doctor_probes(const std::string& data_dir,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(3));

/// The doctor's settings from berthd's options (public URL and listen address as configured).
DoctorSettings doctor_settings(const DaemonOptions& options, const std::string& version);

/// Runs `berthd doctor`: prints each check, exits 0 (all ok), 1 (an error) or 2 (warnings).
int run_doctor_command(const DaemonOptions& options, const std::string& version);

}  // namespace berth
