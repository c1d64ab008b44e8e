# Sourced by bench/*/run: starts a berthd of the bench's own on a free loopback port, makes its
# administrator, and mints an admin API key. Needs $bin (where berthd is) and $work (a scratch
# directory); sets $berthd_pid, $base (http://127.0.0.1:PORT) and $key.
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

start_berthd_with_key() {
  "$bin/berthd" --listen 127.0.0.1:0 --port-file "$work/port" --data-dir "$work/data" \
    --log-file "$work/berthd.log" --rate-limit 0 --sign-in-rate-limit 0 \
    >"$work/berthd.out" 2>"$work/berthd.err" &
  berthd_pid=$!
  for _ in $(seq 1 300); do
    [[ -s "$work/port" && -s "$work/data/setup-token" ]] && break
    sleep 0.1
  done
  [[ -s "$work/port" ]] || { echo "berthd did not start; see $work/berthd.err" >&2; return 1; }
  base="http://127.0.0.1:$(cat "$work/port")"
  curl -fsS -c "$work/cookies" -H 'Content-Type: application/json' \
    -d "{\"setup_token\":\"$(cat "$work/data/setup-token")\",\"email\":\"bench@example.com\",\"password\":\"bench password 123\",\"display_name\":\"Bench\"}" \
    "$base/api/v1/auth/setup" >"$work/setup.json"
  local csrf
  csrf=$(json_field '["csrf_token"]' <"$work/setup.json")
  key=$(curl -fsS -b "$work/cookies" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d '{"name":"bench","role":"admin"}' "$base/api/v1/api-keys" | json_field '["raw_key"]')
}
