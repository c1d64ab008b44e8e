// berth admin …: instance administration. `berth admin doctor` shows berthd's checks of its
// installation (GET /api/v1/admin/doctor, docs/install.md#checking-an-installation-berthd-doctor).
#include <fmt/format.h>

#include "cli/command.hpp"

namespace berth::cli {

namespace {

constexpr int kDoctorWarnings = 2;  // as `berthd doctor`: 0 ok, 2 warnings, 1 errors

int show_doctor(Api& api, const nlohmann::json& answer) {
  const std::string status = answer.value("status", "error");
  if (api.options().json) {
    fmt::print("{}\n", answer.dump(2));
  } else if (!api.options().quiet) {
    for (const auto& check : answer.value("checks", nlohmann::json::array())) {
      fmt::print("{:<8} {:<16} {}\n", cell(check, "status"), cell(check, "name"),
                 cell(check, "detail"));
      const std::string fix = check.value("fix", "");
      if (!fix.empty()) {
        fmt::print("{:<8} {:<16} fix: {}\n", "", "", fix);
      }
    }
    fmt::print("\ndoctor: {}\n", status);
  }
  return status == "ok" ? kOk : status == "warning" ? kDoctorWarnings : kFailed;
}

}  // namespace

void add_admin_commands(CLI::App& app, const Runner& runner) {
  auto* admin = app.add_subcommand("admin", "Instance administration (instance administrators)");
  admin->require_subcommand(1);
  auto* doctor = admin->add_subcommand(
      "doctor",
      "Check the installation: public URL and certificate, listen port, Docker beside berthd, "
      "agents' clocks and versions, disk, store, mail");
  doctor->footer("Exit status 0 when all is ok, 2 on warnings, 1 on errors.");
  runner.on(doctor, [](Api& api) {
    auto answer = api.get("/api/v1/admin/doctor");
    return answer ? show_doctor(api, *answer) : report(answer.error());
  });
}

}  // namespace berth::cli
