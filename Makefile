# The two commands of the README, and the steps they are made of.
# Every target installs what it needs first (scripts/install-deps is a no-op when all is there).

SHELL := /bin/bash
JOBS ?= $(shell nproc)
BERTH_LISTEN ?= 127.0.0.1:8080
BERTH_DATA_DIR ?= ./data
FUZZ_SECONDS ?= 30
# make test fuzzes each target briefly (regressions on the seed corpus); make fuzz goes longer.
TEST_FUZZ_SECONDS ?= 10
FUZZ_TARGETS := fuzz_http_request fuzz_json_body fuzz_agent_envelope fuzz_agent_register

.PHONY: run test check build deps test-deps ci-build unit integration fuzz bench openapi format clean package

# berthd with a local agent: the machine it runs on becomes the first server once the
# administrator is created (run as root, the agent runs as the system user berth-agent with
# its state under /var/lib/berth-agent; otherwise as your user under $(BERTH_DATA_DIR)/local-agent).
# Docker and Caddy are installed and started first, so the local machine can run apps.
run: build
	@scripts/ensure-runtime $(BERTH_DATA_DIR)
	./build/release/bin/berthd --listen $(BERTH_LISTEN) --data-dir $(BERTH_DATA_DIR) --local-agent

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

# The Debian package build/package/berth_<version>_amd64.deb (dpkg-deb only; docs/install.md).
# VERSION=x.y.z overrides the package's version (for trying upgrades).
package: build
	scripts/build-package $(if $(VERSION),--version $(VERSION))

# The fuzz build runs beside the tests at the lowest priority: the tests spend much of their
# time waiting on dockerd, sshd and the network, and the build takes only the CPU they leave.
test: test-deps service-images-background ci-build
	cmake --preset fuzz-smoke >/dev/null
	@mkdir -p build/fuzz-smoke; \
	nice -n 19 cmake --build --preset fuzz-smoke -j $(JOBS) --target $(FUZZ_TARGETS) \
	  >build/fuzz-smoke/build.log 2>&1 & fuzz_build=$$!; \
	ctest --preset ci -j $(JOBS) --timeout 300; tests=$$?; \
	echo "make test: waiting for the fuzz build (log: build/fuzz-smoke/build.log)"; \
	if ! wait $$fuzz_build; then tail -n 40 build/fuzz-smoke/build.log >&2; exit 1; fi; \
	if [ $$tests -ne 0 ]; then scripts/failed-test-tails build/ci; fi; \
	exit $$tests
	scripts/run-fuzz build/fuzz-smoke/bin $(TEST_FUZZ_SECONDS) $(JOBS)

# The everyday loop: unit and integration tests, no root, no Docker (system tests are skipped).
check: test-deps ci-build
	ctest --preset ci -L 'unit|integration' -j $(JOBS) --timeout 300

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

# The sanitizer build (ASan + UBSan) with warnings as errors, compiled by clang 16: what CI
# tests. A build/ci configured by another compiler is started afresh: CMake would otherwise
# drop its cache and configure it again without the preset's unity build.
ci-build: test-deps
	@if [ -f build/ci/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-16' build/ci/CMakeCache.txt; then \
	  echo "make: build/ci was configured by another compiler; starting it afresh"; rm -rf build/ci; fi
	cmake --preset ci >/dev/null
	cmake --build --preset ci -j $(JOBS)

unit: ci-build
	ctest --preset ci -L unit -j $(JOBS)

integration: ci-build
	ctest --preset ci -L integration -j $(JOBS)

# libFuzzer (clang 16) on request parsing and the JSON body path, for a bounded time.
fuzz: test-deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	scripts/run-fuzz build/fuzz/bin $(FUZZ_SECONDS) $(JOBS)

bench: deps
	bench/http/run
	bench/auth/run
	bench/agents/run
	bench/proxy/run
	bench/web/run
	bench/cli/run

# Regenerates docs/openapi.json from the route table (a test fails when it is stale).
openapi: build
	./build/release/bin/berthd --print-openapi > docs/openapi.json

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build

# The database images of the service tests (scripts/build-service-images, root only): minutes
# of debootstrap when their recipe changed, so started in the background before the build; the
# system tests' fixture runs the script again, which waits for this one through its lock.
.PHONY: service-images-background
service-images-background: test-deps
	@mkdir -p build; (scripts/build-service-images >build/service-images.log 2>&1 &)
