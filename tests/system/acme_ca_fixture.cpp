#include "system/acme_ca_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <utility>

namespace berth::testing {

using nlohmann::json;
using namespace std::chrono_literals;

NetnsHosts::NetnsHosts(const std::string& ns, const std::string& text)
    : dir_("/etc/netns/" + ns), made_parent_(!std::filesystem::exists(dir_.parent_path())) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "hosts") << text;
}

NetnsHosts::~NetnsHosts() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  if (made_parent_) {
    std::filesystem::remove(dir_.parent_path(), ignored);  // only when empty
  }
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string redirect_web_ports(NetnsFixture& ns, int http_port, int https_port) {
  for (const auto& [from, to] : {std::pair{80, http_port}, std::pair{443, https_port}}) {
    const int status =
        ns.run_inside_and_wait({"iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-d",
                                ns.host_address(), "--dport", std::to_string(from), "-j", "DNAT",
                                "--to-destination", ns.host_address() + ":" + std::to_string(to)});
    if (status != 0) {
      return "iptables cannot DNAT inside a network namespace here (exit " +
             std::to_string(status) + ")";
    }
  }
  return "";
}

std::string AcmeTestCa::unavailable_reason() {
  if (std::string reason = NetnsFixture::unavailable_reason(); !reason.empty()) {
    return reason;
  }
  if (run_command({"iptables", "--version"}).exit_code != 0) {
    return "the ACME tests need iptables (DNAT of the CA's requests to ports 80/443)";
  }
  return "";
}

AcmeTestCa::AcmeTestCa(NetnsFixture& ns, const std::filesystem::path& dir)
    : directory_("https://" + ns.inside_address() + ":8443/acme/local/directory"),
      root_file_(dir / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt") {
  // acme_server on :8443, with a certificate for the CA's own address from that same CA.
  std::filesystem::create_directories(dir);
  const json config = {
      {"admin", {{"disabled", true}}},
      {"apps",
       {{"pki",
         {{"certificate_authorities",
           {{"local",
             {{"install_trust", false},
              {"name", "Berth Test ACME CA"},
              {"root_common_name", "Berth Test ACME Root"},
              {"intermediate_common_name", kIntermediateName}}}}}}},
        {"http",
         {{"http_port", 8080},
          {"https_port", 8443},
          {"servers",
           {{"ca",
             {{"listen", {":8443"}},
              {"routes", {{{"handle", {{{"handler", "acme_server"}, {"ca", "local"}}}}}}},
              {"tls_connection_policies", {json::object()}},
              {"automatic_https", {{"disable_redirects", true}}}}}}}}},
        {"tls",
         {{"certificates", {{"automate", {ns.inside_address()}}}},
          {"automation",
           {{"policies",
             {{{"subjects", {ns.inside_address()}},
               {"issuers", {{{"module", "internal"}}}}}}}}}}}}}};
  std::ofstream(dir / "caddy.json") << config.dump(2);
  ns.run_inside({"env", "XDG_DATA_HOME=" + (dir / "data").string(),
                 "XDG_CONFIG_HOME=" + (dir / "config").string(), "caddy", "run", "--config",
                 (dir / "caddy.json").string()},
                (dir / "caddy.log").string());
  CommandResult probe;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(200ms)) {
    if (std::filesystem::exists(root_file_)) {
      probe = run_command(
          {"curl", "-sS", "--max-time", "5", "--cacert", root_file_.string(), directory_}, {}, "",
          10s);
      if (probe.exit_code == 0 && probe.output.find("newOrder") != std::string::npos) {
        return;
      }
    }
  }
  throw std::runtime_error("the CA Caddy does not answer: " + probe.output + "\n" +
                           read_text(dir / "caddy.log"));
}

void AcmeDeployTest::SetUp() {
  if (const std::string reason = AcmeTestCa::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  DeployTest::SetUp();
}

std::string AcmeDeployTest::point_server_at_ca(NetnsFixture& ns, const std::string& email) {
  const std::string target = "/api/v1/servers/" + server_id_ + "/proxy";
  json settings = api("GET", target).json();
  https_port_ = settings.value("https_port", 0);
  if (https_port_ <= 0) {
    ADD_FAILURE() << "no https_port: " << settings;
    return "";
  }
  if (std::string why = redirect_web_ports(ns, http_port_, https_port_); !why.empty()) {
    return why;
  }
  try {
    ca_ = std::make_unique<AcmeTestCa>(ns, dir_.path() / "ca");
  } catch (const std::exception& error) {
    ADD_FAILURE() << error.what();
    return "";
  }
  settings.erase("server_id");
  settings["acme_ca"] = ca_->directory();
  settings["acme_ca_root"] = ca_->root();
  settings["acme_email"] = email;
  const HttpResponse put = api("PUT", target, settings);
  if (put.status != 200) {
    ADD_FAILURE() << put.body;
    ca_.reset();
  }
  return "";
}

}  // namespace berth::testing
