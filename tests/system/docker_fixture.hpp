#pragma once
// A Docker Engine for system tests. Uses the machine's own (/var/run/docker.sock) when it
// answers; otherwise starts one dockerd of our own (data root, exec root, socket and pidfile
// under /tmp/berth-test-docker) and leaves it running for the next test process, since ctest
// runs every test in a process of its own and a daemon start costs seconds. Stop it with
// `kill $(cat /tmp/berth-test-docker/dockerd.pid)`.

#include <string>

namespace berth::testing {

struct DockerEngine {
  bool ready = false;
  std::string socket_path = {};  // unix socket of the Engine API
  std::string reason = {};       // why it is not ready, for GTEST_SKIP
};

/// The Engine, found or started on first call (waiting at most 30 s), with the offline image
/// `berth-test/busybox:1` built by scripts/build-test-images. Later calls return the first
/// answer. Thread-safe. Tests skip with `reason` when `ready` is false:
///   auto engine = shared_docker_engine(); if (!engine.ready) GTEST_SKIP() << engine.reason;
const DockerEngine& shared_docker_engine();

/// The offline test image every system test runs.
inline constexpr const char* kTestImage = "berth-test/busybox:1";

/// The offline database images of scripts/build-service-images (berth-test/postgres:15,
/// berth-test/mariadb:10.11, berth-test/redis:7), built on first call when their recipe changed
/// (minutes: a debootstrap) or found cached (a second). "" when they are there, else why not.
const std::string& shared_service_images();
inline constexpr const char* kPostgresImage = "berth-test/postgres:15";
inline constexpr const char* kMariadbImage = "berth-test/mariadb:10.11";
inline constexpr const char* kRedisImage = "berth-test/redis:7";

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
int free_loopback_port();

}  // namespace berth::testing
