#!/usr/bin/env bash
# The Debian package installed for real: scripts/build-package makes two versions from the
# binaries under test, and a container of the offline Debian root file system
# (berth-test/service-rootfs:bookworm, scripts/build-service-images) with no network and no
# systemd running installs them with apt:
#   1. a fresh install: binaries, units, config, the berth user, /var/lib/berth 0700;
#   2. berthd started as the berth user with the packaged config answers /api/v1/health and
#      serves the dashboard; an administrator, a team, a project with a secret env var and an
#      API key are created through the API; the agent started as its unit runs it enrols
#      itself with berthd's offer into the administrator's team, and an app is deployed there
#      (the deployment fails: no Docker in the container, but it is data to keep);
#      `berthd doctor` finds the store sound and berthd listening; before setup, berthd has
#      offered the agent on its machine an install token in /var/lib/berth (0600);
#   3. the newer version installed over it: a pre-upgrade copy of the store (0600, owned by
#      berth), the store migrated; after berthd restarts the team and its project are there,
#      the API key made before still works and the secret still opens with its value;
#   3b. the panel on HTTPS as docs/install.md sets it up: Caddy installed, the agent of step 2
#      still running, public-url = "https://panel.test" in the packaged config;
#      with a Caddy ACME CA beside it (127.0.0.1:8443) and panel.test pointing here, the API,
#      the dashboard and a second agent's WebSocket answer over https trusting only the CA's
#      root, and the install command is https;
#   4. the older version over the newer: refused, naming both versions, nothing changed;
#   5. removing the package keeps /var/lib/berth; purging keeps it too.
# Dependencies come from the host's apt lists into /var/cache/berth-test/apt-archives (fetched
# once, with the network; later runs are offline).
# Usage: package_test.sh BIN_DIR     (exit 77: skipped, with the reason)
set -euo pipefail

bin_dir=$1
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rootfs=berth-test/service-rootfs:bookworm
archives=/var/cache/berth-test/apt-archives
old_version=0.1.0~pkgtest1
new_version=0.1.0~pkgtest2

skip() { echo "SKIPPED: $*"; exit 77; }
step() { echo "== $(date -u +%T) $*"; }
fail() { # the last lines of what ran in the container, then why
  if [[ -n "${container:-}" ]]; then
    for log in /tmp/berthd.log /tmp/agent.log /tmp/caddy.log; do
      docker exec "$container" sh -c "test -f $log && echo '---- $log' && tail -n 10 $log" >&2 || true
    done
  fi
  echo "FAILED: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || skip "needs root (docker, the service rootfs)"
command -v docker >/dev/null || skip "no docker CLI"
if [[ -z "${DOCKER_HOST:-}" ]]; then
  if docker info >/dev/null 2>&1; then
    :
  elif DOCKER_HOST=unix:///tmp/berth-test-docker/docker.sock docker info >/dev/null 2>&1; then
    export DOCKER_HOST=unix:///tmp/berth-test-docker/docker.sock
  else
    skip "no Docker Engine answers (start dockerd; TESTING.md)"
  fi
fi
if ! docker image inspect "$rootfs" >/dev/null 2>&1; then
  step "building the offline Debian images (scripts/build-service-images)"
  "$source_dir/scripts/build-service-images" >/dev/null || skip "scripts/build-service-images failed"
fi

work=$(mktemp -d /tmp/berth-package-test.XXXXXX)
container=berth-package-test-$$
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step "building the packages $old_version and $new_version"
# Both at once: with the sanitizer build's binaries (400 MB) this is disk-bound.
pids=()
for version in "$old_version" "$new_version"; do
  "$source_dir/scripts/build-package" --bin-dir "$bin_dir" --version "$version" --out "$work" \
    --compress none >/dev/null &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "scripts/build-package"; done
old_deb=/pkg/berth_${old_version}_amd64.deb
new_deb=/pkg/berth_${new_version}_amd64.deb

# The host's Debian sources and lists, so the container resolves the same versions as the host.
apt_mounts=(-v /var/lib/apt/lists:/var/lib/apt/lists:ro -v "$archives:/var/cache/apt/archives"
  -v /etc/apt/sources.list.d:/etc/apt/sources.list.d:ro)
# Only the host's sources: the image's own sources.list would name bookworm twice.
if [[ -f /etc/apt/sources.list ]]; then
  apt_mounts+=(-v /etc/apt/sources.list:/etc/apt/sources.list:ro)
else
  : >"$work/no-sources.list"
  apt_mounts+=(-v "$work/no-sources.list:/etc/apt/sources.list:ro")
fi
mkdir -p "$archives/partial"

step "fetching the dependencies (a no-op once cached)"
docker run --rm --network host "${apt_mounts[@]}" -v "$work:/pkg:ro" "$rootfs" \
  apt-get install -y -qq --download-only --no-install-recommends "$new_deb" curl caddy >/dev/null ||
  fail "apt-get --download-only of the package's dependencies"

# Sanitizer builds: LeakSanitizer cannot stop the world inside a container without ptrace.
docker run -d --name "$container" --network none --add-host panel.test:127.0.0.1 \
  "${apt_mounts[@]}" -v "$work:/pkg:ro" \
  -e ASAN_OPTIONS=detect_leaks=0 -e DEBIAN_FRONTEND=noninteractive \
  --entrypoint /bin/sleep "$rootfs" infinity >/dev/null
in_root() { docker exec "$container" "$@"; }
# Offline (--network none): every dependency comes from the archive cache filled above.
apt_install() { in_root apt-get install -y -qq --no-install-recommends "$@"; }

step "1. installing $old_version"
apt_install curl >/dev/null
apt_install "$old_deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "apt install"; }
grep -q "systemctl enable --now berthd" "$work/install.log" || fail "no hint to enable berthd"
expect() { # expect DESCRIPTION EXPECTED ACTUAL
  [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
}
expect "dpkg status" "install ok installed $old_version" \
  "$(in_root dpkg-query -W -f='${Status} ${Version}' berth)"
for binary in berthd berth-agent berth; do
  expect "/usr/bin/$binary" "755 root root" "$(in_root stat -c '%a %U %G' /usr/bin/$binary)"
done
expect "data dir" "700 berth berth" "$(in_root stat -c '%a %U %G' /var/lib/berth)"
expect "config" "640 root berth" "$(in_root stat -c '%a %U %G' /etc/berth/berthd.toml)"
expect "conffile" "/etc/berth/berthd.toml" \
  "$(in_root dpkg-query -W -f='${Conffiles}' berth | awk '{print $1}' | tr -d '\n')"
passwd_line=$(in_root getent passwd berth)
IFS=: read -r _ _ uid _ _ home shell <<<"$passwd_line"
[[ $uid -lt 1000 ]] || fail "berth is not a system user (uid $uid)"
expect "berth's home and shell" "/var/lib/berth /usr/sbin/nologin" "$home $shell"
unit=$(in_root cat /lib/systemd/system/berthd.service)
for line in "User=berth" "ExecStart=/usr/bin/berthd --config /etc/berth/berthd.toml" \
  "ProtectSystem=strict" "ReadWritePaths=/var/lib/berth" "NoNewPrivileges=true" \
  "PrivateTmp=true" "ProtectHome=true" "Restart=on-failure"; do
  grep -qxF "$line" <<<"$unit" || fail "berthd.service lacks $line"
done
grep -qxF "Wants=berth-agent.service" <<<"$unit" || fail "berthd.service does not bring the agent"
agent_exec="/usr/bin/berth-agent run --state-dir /var/lib/berth-agent --enrol-from /var/lib/berth/local-enrolment.json"
in_root grep -qxF "ExecStart=$agent_exec" /lib/systemd/system/berth-agent.service ||
  fail "the agent's unit does not run /usr/bin/berth-agent with berthd's offer"

# berthd as the unit runs it (systemd is not running here): the berth user, the packaged config.
start_berthd() {
  docker exec -d "$container" /bin/sh -c \
    'exec runuser -u berth -- /usr/bin/berthd --config /etc/berth/berthd.toml >>/tmp/berthd.log 2>&1'
  local deadline=$((SECONDS + 30))
  until in_root curl -fsS -o /dev/null http://127.0.0.1:8080/api/v1/health 2>/dev/null; do
    if ((SECONDS > deadline)); then
      in_root tail -n 30 /tmp/berthd.log >&2 || true
      fail "berthd did not answer /api/v1/health within 30 s"
    fi
    sleep 0.2
  done
}
stop_berthd() { # as systemctl stop would: SIGTERM, then wait for the exit
  in_root pkill -TERM -x berthd || true
  local deadline=$((SECONDS + 20))
  while in_root pgrep -x berthd >/dev/null; do
    ((SECONDS < deadline)) || fail "berthd did not stop within 20 s"
    sleep 0.2
  done
}
api() { # api METHOD PATH [BODY] [TOKEN] [TEAM]
  local args=(curl -sS -X "$1" -H 'Content-Type: application/json' -w '\n%{http_code}')
  [[ -n "${3:-}" ]] && args+=(--data "$3")
  [[ -n "${4:-}" ]] && args+=(-H "Authorization: Bearer $4")
  [[ -n "${5:-}" ]] && args+=(-H "X-Team-ID: $5")
  in_root "${args[@]}" "http://127.0.0.1:8080$2"
}
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n1; }

step "2. berthd as the berth user with the packaged config"
start_berthd
expect "health" '{"status":"ok"}' "$(in_root curl -fsS http://127.0.0.1:8080/api/v1/health)"
in_root curl -fsS http://127.0.0.1:8080/ | grep -qi "<html" || fail "no dashboard at /"
expect "store owner and mode" "600 berth" "$(in_root stat -c '%a %U' /var/lib/berth/berth.db)"
# The install token for the agent on this machine, offered before anyone has set berthd up.
deadline=$((SECONDS + 10))
until in_root grep -q '"install_token"' /var/lib/berth/local-enrolment.json 2>/dev/null; do
  ((SECONDS < deadline)) || fail "berthd offered the local agent no install token"
  sleep 0.2
done
expect "the offer's owner and mode" "600 berth" \
  "$(in_root stat -c '%a %U' /var/lib/berth/local-enrolment.json)"
setup_token=$(in_root cat /var/lib/berth/setup-token)
credentials='"email":"admin@example.com","password":"a long package test password"'
out=$(api POST /api/v1/auth/setup \
  "{\"setup_token\":\"$setup_token\",$credentials,\"display_name\":\"Admin\"}")
expect "setup" 201 "$(tail -n1 <<<"$out")"
token=$(api POST /api/v1/auth/token "{$credentials}" | json_field access_token)
[[ -n "$token" ]] || fail "no access token"
out=$(api POST /api/v1/teams '{"name":"package-survivors"}' "$token")
expect "team created" 201 "$(tail -n1 <<<"$out")"
team_id=$(head -n1 <<<"$out" | json_field id)
[[ -n "$team_id" ]] || fail "no team id in: $out"
# Data that must survive the upgrade: a project, a secret sealed with the instance's keys, and
# an API key (stored hashed) to call with afterwards.
out=$(api POST /api/v1/projects '{"name":"shop"}' "$token" "$team_id")
expect "project created" 201 "$(tail -n1 <<<"$out")"
project_id=$(head -n1 <<<"$out" | json_field id)
secret='{"vars":[{"key":"DB_PASSWORD","value":"kept across upgrades","secret":true}]}'
out=$(api PATCH "/api/v1/projects/$project_id/env" "$secret" "$token" "$team_id")
expect "secret env var set" 200 "$(tail -n1 <<<"$out")"
out=$(api POST /api/v1/api-keys '{"name":"ci","role":"admin"}' "$token" "$team_id")
expect "API key created" 201 "$(tail -n1 <<<"$out")"
api_key=$(head -n1 <<<"$out" | json_field raw_key)
[[ -n "$api_key" ]] || fail "no raw API key in: $out"

# berthd doctor as the docs say to run it: warnings only (loopback public URL, no mail).
set +e
doctor=$(in_root runuser -u berth -- /usr/bin/berthd --config /etc/berth/berthd.toml doctor)
doctor_status=$?
set -e
[[ $doctor_status -eq 2 ]] || { echo "$doctor"; fail "berthd doctor exited $doctor_status, not 2"; }
for line in "ok       listen" "ok       store_integrity" "ok       migrations" \
  "warning  public_url" "warning  smtp"; do
  grep -q "^$line " <<<"$doctor" || { echo "$doctor"; fail "berthd doctor: no '$line'"; }
done

# The agent on this machine as its unit runs it (berthd.service wants it): it enrols itself with
# the token berthd offered before setup, into the team setup gave the administrator.
docker exec -d "$container" /bin/sh -c \
  "exec $agent_exec --docker-socket /run/no-docker.sock >>/tmp/agent.log 2>&1"
deadline=$((SECONDS + 30))
until in_root test -f /var/lib/berth-agent/agent.json; do
  ((SECONDS < deadline)) || { in_root tail -n 20 /tmp/agent.log >&2; fail "the agent did not enrol itself"; }
  sleep 0.3
done
server_id=$(in_root sed -n 's/.*"server_id" *: *"\([^"]*\)".*/\1/p' /var/lib/berth-agent/agent.json)
[[ -n "$server_id" ]] || fail "no server id in the agent's state"
own_team=$(api GET /api/v1/teams "" "$token" | head -n1 | python3 -c '
import json, sys
print(next(t["id"] for t in json.load(sys.stdin)["data"] if t["name"] == "Admin'"'"'s team"))')
until api GET "/api/v1/servers/$server_id" "" "$token" "$own_team" | grep -Eq '"status":"(online|degraded)"'; do
  ((SECONDS < deadline)) || { in_root tail -n 20 /tmp/agent.log >&2; fail "the local server never came online"; }
  sleep 0.3
done
until in_root grep -q '"spent_at"' /var/lib/berth/local-enrolment.json; do
  ((SECONDS < deadline)) || fail "the offer was not marked spent"
  sleep 0.3
done
# An app on it and a deployment (which fails: there is no Docker in here), kept by the upgrade.
out=$(api POST /api/v1/apps "{\"name\":\"web\",\"server_id\":\"$server_id\",\"source\":{\"type\":\"image\",\"image\":\"nginx:1.27\"},\"settings\":{\"port\":80}}" \
  "$token" "$own_team")
[[ $(tail -n1 <<<"$out") == 201 ]] || fail "app not created: $out"
app_id=$(head -n1 <<<"$out" | json_field id)
out=$(api POST "/api/v1/apps/$app_id/deployments" '{}' "$token" "$own_team")
[[ $(tail -n1 <<<"$out") == 202 ]] || fail "deployment not queued: $out"
deployment_id=$(head -n1 <<<"$out" | json_field id)
deadline=$((SECONDS + 60))
until api GET "/api/v1/deployments/$deployment_id" "" "$token" "$own_team" | grep -Eq '"state":"(failed|succeeded)"'; do
  ((SECONDS < deadline)) || fail "the deployment never ended"
  sleep 0.5
done

step "3. upgrading to $new_version over the data"
stop_berthd
apt_install "$new_deb" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
expect "dpkg status" "install ok installed $new_version" \
  "$(in_root dpkg-query -W -f='${Status} ${Version}' berth)"
grep -q "berthd migrate: the store /var/lib/berth/berth.db is at schema version" "$work/upgrade.log" ||
  { cat "$work/upgrade.log"; fail "the upgrade did not migrate the store"; }
copies=$(in_root sh -c "ls /var/lib/berth/backups/pre-upgrade-$old_version-*.sqlite")
[[ $(wc -l <<<"$copies") -eq 1 ]] || fail "expected one pre-upgrade copy, got: $copies"
expect "pre-upgrade copy" "600 berth" "$(in_root stat -c '%a %U' "$copies")"
expect "backups dir" "700 berth" "$(in_root stat -c '%a %U' /var/lib/berth/backups)"
in_root head -c 15 "$copies" | grep -q "SQLite format 3" || fail "the copy is not an SQLite file"
start_berthd
token=$(api POST /api/v1/auth/token "{$credentials}" | json_field access_token)
[[ -n "$token" ]] || fail "the administrator cannot sign in after the upgrade"
api GET /api/v1/teams "" "$token" | grep -q '"package-survivors"' ||
  fail "the team is gone after the upgrade"
out=$(api GET /api/v1/projects "" "$api_key")
expect "the pre-upgrade API key" 200 "$(tail -n1 <<<"$out")"
grep -q '"shop"' <<<"$out" || fail "the project is gone after the upgrade: $out"
out=$(api POST "/api/v1/projects/$project_id/env/DB_PASSWORD/reveal" "" "$token" "$team_id")
expect "reveal after the upgrade" 200 "$(tail -n1 <<<"$out")"
grep -q '"value":"kept across upgrades"' <<<"$out" ||
  fail "the secret does not open to its value after the upgrade: $out"
out=$(api GET "/api/v1/apps/$app_id/deployments" "" "$token" "$own_team")
expect "the app after the upgrade" 200 "$(tail -n1 <<<"$out")"
grep -q "\"$deployment_id\"" <<<"$out" || fail "the deployment is gone after the upgrade: $out"

step "3b. the panel on https://panel.test"
apt_install caddy >/dev/null
# The test's ACME CA: Caddy's acme_server on 127.0.0.1:8443 (a certificate for that address from
# the same CA); its root is what the clients below trust.
docker exec -i "$container" sh -c 'mkdir -p /tmp/ca && cat >/tmp/ca/caddy.json' <<'JSON'
{"admin": {"disabled": true},
 "apps": {
  "pki": {"certificate_authorities": {"local": {"install_trust": false, "name": "Berth Package Test CA"}}},
  "http": {"http_port": 8080, "https_port": 8443, "servers": {"ca": {
    "listen": ["127.0.0.1:8443"],
    "routes": [{"handle": [{"handler": "acme_server", "ca": "local"}]}],
    "tls_connection_policies": [{}],
    "automatic_https": {"disable_redirects": true}}}},
  "tls": {"certificates": {"automate": ["127.0.0.1"]},
          "automation": {"policies": [{"subjects": ["127.0.0.1"], "issuers": [{"module": "internal"}]}]}}}}
JSON
docker exec -d "$container" /bin/sh -c \
  'XDG_DATA_HOME=/tmp/ca/data XDG_CONFIG_HOME=/tmp/ca/config exec caddy run --config /tmp/ca/caddy.json >/tmp/ca/caddy.log 2>&1'
root=/tmp/ca/data/caddy/pki/authorities/local/root.crt
deadline=$((SECONDS + 30))
until in_root curl -fsS --cacert "$root" -o /dev/null https://127.0.0.1:8443/acme/local/directory 2>/dev/null; do
  ((SECONDS < deadline)) || { in_root tail -n 20 /tmp/ca/caddy.log >&2; fail "the test CA did not start"; }
  sleep 0.3
done
# The agent's Caddy, as Caddy's own unit would run it: an empty config, the admin API on :2019.
docker exec -d "$container" /bin/sh -c \
  'XDG_DATA_HOME=/var/lib/caddy XDG_CONFIG_HOME=/etc/caddy exec caddy run >/tmp/caddy.log 2>&1'
# The agent on this machine enrolled itself in step 2 and has kept running through the upgrade.
team_id=$own_team
# Its server's proxy gets its certificates from the test CA (a real one would be Let's Encrypt).
body=$(python3 -c 'import json,sys; print(json.dumps({"http_port": 80, "https_port": 443, "tls": "off",
  "acme_ca": "https://127.0.0.1:8443/acme/local/directory", "acme_ca_root": sys.stdin.read(),
  "acme_email": "ops@example.com"}))' < <(in_root cat "$root"))
deadline=$((SECONDS + 60))
until [[ $(api PUT "/api/v1/servers/$server_id/proxy" "$body" "$token" "$team_id" | tail -n1) == 200 ]]; do
  ((SECONDS < deadline)) || { in_root tail -n 20 /tmp/agent.log >&2; fail "the proxy settings were refused"; }
  sleep 0.5
done
# The public URL, as the docs say: in the packaged config, then berthd restarted.
in_root sh -c 'printf "public-url = \"https://panel.test\"\ntrusted-proxy = \"127.0.0.1\"\n" >>/etc/berth/berthd.toml'
stop_berthd
start_berthd
https_get() { in_root curl -sS --max-time 10 --cacert "$root" -w '\n%{http_code}' "https://panel.test$1"; }
deadline=$((SECONDS + 90))
until [[ $(https_get /api/v1/health 2>/dev/null | tail -n1) == 200 ]]; do
  if ((SECONDS > deadline)); then
    in_root tail -n 30 /tmp/caddy.log >&2 || true
    in_root tail -n 30 /tmp/agent.log >&2 || true
    fail "https://panel.test/api/v1/health did not answer within 90 s"
  fi
  sleep 1
done
page=$(https_get /)
grep -qi "<html" <<<"$page" || fail "no dashboard at https://panel.test/: $(head -c 300 <<<"$page")"
[[ $(in_root curl -sS -o /dev/null -w '%{http_code}' http://panel.test/) == 308 ]] ||
  fail "plain http://panel.test/ is not redirected to https"
out=$(api POST /api/v1/servers/install-tokens '{}' "$token" "$team_id")
install_token=$(head -n1 <<<"$out" | json_field token)
grep -q 'https://panel.test/api/v1/agent/install.sh' <<<"$out" && ! grep -q 'http://' <<<"$out" ||
  fail "the install command is not https: $out"
# A second agent enrols through https://panel.test trusting only the CA's root, and keeps its
# WebSocket there: its server comes up.
in_root berth-agent enroll --server https://panel.test --install-token "$install_token" \
  --ca-file "$root" --state-dir /tmp/agent2 >/dev/null || fail "berth-agent enroll over https"
second=$(in_root sed -n 's/.*"server_id" *: *"\([^"]*\)".*/\1/p' /tmp/agent2/agent.json)
docker exec -d "$container" /bin/sh -c \
  'exec berth-agent run --state-dir /tmp/agent2 --docker-socket /run/no-docker.sock --caddy-admin 127.0.0.1:9 >>/tmp/agent2.log 2>&1'
deadline=$((SECONDS + 60))
until api GET "/api/v1/servers/$second" "" "$token" "$team_id" | grep -Eq '"status":"(online|degraded)"'; do
  ((SECONDS < deadline)) || { in_root tail -n 20 /tmp/agent2.log >&2; fail "the agent over https never came online"; }
  sleep 0.5
done

step "4. $old_version over $new_version is refused"
stop_berthd
if apt_install --allow-downgrades "$old_deb" >"$work/downgrade.log" 2>&1; then
  fail "the downgrade was accepted"
fi
grep -q "refusing to downgrade from $new_version to $old_version" "$work/downgrade.log" ||
  { cat "$work/downgrade.log"; fail "the refusal does not name both versions"; }
expect "still installed" "install ok installed $new_version" \
  "$(in_root dpkg-query -W -f='${Status} ${Version}' berth)"

step "5. removing keeps the data; purging keeps it too"
in_root dpkg --remove berth >/dev/null
in_root test -f /var/lib/berth/berth.db || fail "remove deleted the store"
in_root test ! -e /usr/bin/berthd || fail "remove left /usr/bin/berthd"
in_root test -f /etc/berth/berthd.toml || fail "remove deleted the conffile"
in_root dpkg --purge berth >"$work/purge.log"
in_root test -f /var/lib/berth/berth.db || fail "purge deleted the store"
in_root test ! -e /etc/berth/berthd.toml || fail "purge kept the config"
grep -q "data in /var/lib/berth and the user berth are kept" "$work/purge.log" ||
  fail "purge did not say the data is kept"
step "passed"
