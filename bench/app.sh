# Sourced by bench/deploy/run and bench/soak/run: the bench app's two images and a Caddy of the
# bench's own. Needs $work (a scratch directory), wait_for and free_port; sets $caddy_admin and
# $caddy_pid.

# bench/app:v1 and :v2: busybox httpd serving "v1"/"v2" on 8080. busybox httpd as PID 1 ignores
# SIGTERM, so every drain would wait out docker.stop's 10 s before the kill; the shell's trap makes
# the app stop on SIGTERM like a well-behaved server.
build_bench_app_images() {
  scripts/build-test-images
  local v
  for v in v1 v2; do
    mkdir -p "$work/image-$v"
    printf '%s\n' "$v" >"$work/image-$v/index.html"
    printf 'FROM berth-test/busybox:1\nCOPY index.html /www/index.html\nEXPOSE 8080\nCMD ["sh", "-c", "trap \x27exit 0\x27 TERM; httpd -f -p 8080 -h /www & wait"]\n' \
      >"$work/image-$v/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "bench/app:$v" "$work/image-$v" >"$work/image-$v.log" 2>&1 \
      || { cat "$work/image-$v.log" >&2; return 1; }
  done
}

# Our own Caddy (admin API on a free port): nothing else's routes, nothing resumed from an earlier run.
start_bench_caddy() {
  caddy_admin=127.0.0.1:$(free_port)
  mkdir -p "$work/caddy"
  printf '{"admin":{"listen":"%s"}}\n' "$caddy_admin" >"$work/caddy/caddy.json"
  XDG_DATA_HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" \
    caddy run --config "$work/caddy/caddy.json" >"$work/caddy.log" 2>&1 &
  caddy_pid=$!
  wait_for 30 curl -fsS "http://$caddy_admin/config/" || { echo "caddy did not start; see $work/caddy.log" >&2; return 1; }
}
