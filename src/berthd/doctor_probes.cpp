#include "berthd/doctor_probes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "domain/domains/dns_check.hpp"
#include "store/sqlite/sqlite_migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace berth {

namespace {

using std::chrono::milliseconds;

struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

std::string numeric_address(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                sizeof text);
  } else if (address->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                sizeof text);
  }
  return text;
}

// A connected TCP socket to host:port within `timeout` (each address tried in turn).
Result<int> connect_with_timeout(const std::string& host, std::uint16_t port,
                                 milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return fail(
        Error::unavailable(fmt::format("{} does not resolve ({})", host, gai_strerror(rc))));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  std::string last = "no address";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    FdCloser guard{fd};
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd waiting{.fd = fd, .events = POLLOUT, .revents = 0};
      rc = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        last = fmt::format("no answer within {} ms", timeout.count());
        continue;
      }
      int so_error = 0;
      socklen_t length = sizeof so_error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
      if (rc < 0 || so_error != 0) {
        last = std::strerror(rc < 0 ? errno : so_error);
        continue;
      }
    } else if (rc != 0) {
      last = std::strerror(errno);
      continue;
    }
    // Blocking from here on, with the same bound on every read and write.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval bound{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
                  .tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    guard.fd = -1;
    return fd;
  }
  return fail(Error::unavailable(last));
}

Result<void> verify_tls(const std::string& host, std::uint16_t port, milliseconds timeout) {
  auto fd = connect_with_timeout(host, port, timeout);
  if (!fd) {
    return fail(std::move(fd.error()));
  }
  FdCloser guard{*fd};
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            SSL_CTX_free);
  if (!context || SSL_CTX_set_default_verify_paths(context.get()) != 1) {
    return fail(Error::internal("cannot set up TLS"));
  }
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
  if (!ssl || SSL_set1_host(ssl.get(), host.c_str()) != 1 ||
      // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
      SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(host.c_str())) != 1 ||
      SSL_set_fd(ssl.get(), *fd) != 1) {
    return fail(Error::internal("cannot set up TLS"));
  }
  if (SSL_connect(ssl.get()) != 1) {
    const long verdict = SSL_get_verify_result(ssl.get());
    ERR_clear_error();
    if (verdict != X509_V_OK) {
      return fail(Error::invalid(X509_verify_cert_error_string(verdict)));
    }
    return fail(Error::unavailable("the TLS handshake failed (no certificate for this name?)"));
  }
  SSL_shutdown(ssl.get());
  return {};
}

Result<StoreHealth> store_health(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return fail(Error::unavailable(fmt::format("no store at {}", path)));
  }
  sqlite3* raw = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, sqlite3_close);
  if (opened != SQLITE_OK) {
    return fail(
        Error::unavailable(fmt::format("cannot open {}: {}", path, sqlite3_errstr(opened))));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  StoreHealth health;
  const auto rows = [&](const char* sql, auto&& each) -> Result<void> {
    sqlite3_stmt* raw_statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &raw_statement, nullptr) != SQLITE_OK) {
      return fail(Error::unavailable(sqlite3_errmsg(db.get())));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw_statement,
                                                                         sqlite3_finalize);
    int step = SQLITE_ROW;
    while ((step = sqlite3_step(statement.get())) == SQLITE_ROW) {
      each(statement.get());
    }
    if (step != SQLITE_DONE) {
      return fail(Error::unavailable(sqlite3_errmsg(db.get())));
    }
    return {};
  };
  std::vector<std::string> complaints;
  if (auto checked = rows("PRAGMA quick_check(5)",
                          [&](sqlite3_stmt* row) {
                            const auto* text = sqlite3_column_text(row, 0);
                            complaints.emplace_back(
                                text != nullptr ? reinterpret_cast<const char*>(text) : "");
                          });
      !checked) {
    return fail(std::move(checked.error()));
  }
  for (std::size_t i = 0; i < complaints.size(); ++i) {
    health.quick_check += (i == 0 ? "" : "; ") + complaints[i];
  }
  if (auto version =
          rows("SELECT coalesce(max(version), 0) FROM schema_migrations",
               [&](sqlite3_stmt* row) { health.schema_version = sqlite3_column_int(row, 0); });
      !version) {
    return fail(std::move(version.error()));
  }
  return health;
}

std::vector<std::string> interface_addresses() {
  std::vector<std::string> addresses;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return addresses;
  }
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr != nullptr &&
        (entry->ifa_addr->sa_family == AF_INET || entry->ifa_addr->sa_family == AF_INET6)) {
      addresses.push_back(numeric_address(entry->ifa_addr));
    }
  }
  ::freeifaddrs(list);
  return addresses;
}

}  // namespace

DoctorProbes machine_doctor_probes(const std::string& data_dir, milliseconds timeout) {
  const std::string database = (std::filesystem::path(data_dir) / "berth.db").string();
  return DoctorProbes{
      .disk_space = [](const std::string& path) -> Result<DiskSpace> {
        struct statvfs status {};
        if (::statvfs(path.c_str(), &status) != 0) {
          return fail(Error::unavailable(std::strerror(errno)));
        }
        return DiskSpace{.total_bytes = std::uint64_t{status.f_blocks} * status.f_frsize,
                         .available_bytes = std::uint64_t{status.f_bavail} * status.f_frsize};
      },
      .store_health = [database] { return store_health(database); },
      .resolve =
          [](const std::string& host) {
            std::vector<std::string> addresses;
            domains::SystemResolver resolver;
            for (const auto& record : resolver.resolve(host)) {
              if (record.type == "A" || record.type == "AAAA") {
                addresses.push_back(record.value);
              }
            }
            return addresses;
          },
      .local_addresses = interface_addresses,
      .connect = [timeout](const std::string& host, std::uint16_t port) -> Result<void> {
        auto fd = connect_with_timeout(host, port, timeout);
        if (!fd) {
          return fail(std::move(fd.error()));
        }
        ::close(*fd);
        return {};
      },
      .verify_tls = [timeout](const std::string& host,
                              std::uint16_t port) { return verify_tls(host, port, timeout); },
      .servers = {},
      .hostname =
          [] {
            char name[256] = {};
            ::gethostname(name, sizeof name - 1);
            return std::string(name);
          },
  };
}

DoctorSettings doctor_settings(const DaemonOptions& options, const std::string& version) {
  return DoctorSettings{
      .version = version,
      .data_dir = options.data_dir,
      .public_url = options.public_url,
      .listen_host = options.server.address,
      .listen_port = options.server.port,
      .smtp_url = options.smtp.url,
      .known_schema_version = sqlite_migrations().back().version,
      .local_agent_expected = !options.local_enrolment_file.empty(),
  };
}

int run_doctor_command(const DaemonOptions& options, const std::string& version) {
  DoctorSettings settings = doctor_settings(options, version);
  DoctorProbes probes = machine_doctor_probes(options.data_dir);
  // The servers are read from the store only when its schema is this binary's: opening it
  // otherwise would migrate it (or be refused), and a doctor changes nothing.
  std::unique_ptr<Store> store;
  if (auto health = probes.store_health();
      health && health->quick_check == "ok" &&
      health->schema_version == settings.known_schema_version) {
    auto opened = SqliteStore::open(
        {.path = (std::filesystem::path(options.data_dir) / "berth.db").string()});
    if (opened) {
      store = std::move(*opened);
      probes.servers = [&store] {
        return read_value<std::vector<ServerRecord>>(*store, [](Tx& tx) {
          return tx.list_servers_with_status({"online", "degraded", "offline"});
        });
      };
    }
  }
  const auto checks = run_doctor(settings, probes);
  if (store) {
    store->close();
  }
  for (const auto& check : checks) {
    fmt::print("{:<8} {:<16} {}\n", check_status_name(check.status), check.name, check.detail);
    if (!check.fix.empty()) {
      fmt::print("{:<8} {:<16} fix: {}\n", "", "", check.fix);
    }
  }
  const auto worst = worst_status(checks);
  fmt::print("\nberthd doctor: {}\n", check_status_name(worst));
  return worst == CheckStatus::error ? 1 : worst == CheckStatus::warning ? 2 : 0;
}

}  // namespace berth
