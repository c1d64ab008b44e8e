#!/usr/bin/env python3
"""Drives bench/backup/run's measurements against a berthd with one enrolled agent.

Creates an S3 destination and a PostgreSQL service, fills it with --size-mb of rows, then runs
each side --runs times, alternating: Berth's backup (the agent's RSS sampled every 100 ms) and
the same dump by hand (pg_dump -Fc | zstd -3 | aws s3 cp -, a streamed multipart upload); then Berth's restore job
and the restore by hand. Every wait has a deadline. Writes <work>/results.json for report.py.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import machine, rss_kb, wait_until  # noqa: E402

S3_KEY = "S3RVER"


def log(*args):
    print("backup bench:", *args, file=sys.stderr, flush=True)


def api(base, key, method, path, body=None):
    request = urllib.request.Request(
        base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        data = answer.read()
        return json.loads(data) if data else None


class RssSampler:
    """The largest VmRSS of `pid` seen every 100 ms while running."""

    def __init__(self, pid):
        self.pid, self.peak, self.idle = pid, 0, rss_kb(pid)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.1):
            self.peak = max(self.peak, rss_kb(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def sh(script, **kwargs):
    return subprocess.run(["bash", "-o", "pipefail", "-c", script], check=True,
                          capture_output=True, text=True, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    for name in ("--base", "--work", "--s3-endpoint"):
        parser.add_argument(name, required=True)
    parser.add_argument("--agent-pid", type=int, required=True)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    key = os.environ["BENCH_API_KEY"]
    call = lambda method, path, body=None: api(args.base, key, method, path, body)  # noqa: E731

    server = wait_until("the agent to connect", 60, lambda: next(
        (s for s in call("GET", "/api/v1/servers")["data"] if s.get("status") == "online"), None))
    destination = call("POST", "/api/v1/backup-destinations", {
        "name": "bench", "kind": "s3",
        "s3": {"endpoint": args.s3_endpoint, "bucket": "bench", "path_style": True,
               "access_key_id": S3_KEY, "secret_access_key": S3_KEY}})
    project = call("POST", "/api/v1/projects", {"name": "bench"})
    service = call("POST", "/api/v1/services", {
        "name": "benchdb", "engine": "postgres", "version": "15",
        "image": "berth-test/postgres:15", "memory_bytes": 0,
        "project_id": project["id"], "server_id": server["id"]})
    with open(os.path.join(args.work, "container"), "w") as out:
        out.write(service["container"])
    container = service["container"]
    wait_until("the service to run", 300, lambda: call(
        "GET", f"/api/v1/services/{service['id']}")["status"] == "running", 0.5)
    psql = (f'docker exec {container} sh -c \'PGPASSWORD="$POSTGRES_PASSWORD" psql -tA '
            f'-U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "$0"\'')
    wait_until("PostgreSQL to answer", 120, lambda: subprocess.run(
        f"{psql} 'select 1'", shell=True, capture_output=True).returncode == 0, 0.5)
    rows = args.size_mb * 1024 * 1024 // 270  # about 270 bytes a row on disk
    log(f"filling {args.size_mb} MB ({rows} rows)")
    started = time.monotonic()
    sh(f"{psql} \"create table filler as select g as id, md5(g::text) as a, md5((g * 7)::text) "
       f"|| repeat(md5((g * 13)::text), 5) as b from generate_series(1, {rows}) g\"")
    database_bytes = int(sh(f"{psql} 'select pg_database_size(current_database())'").stdout)
    log(f"filled in {time.monotonic() - started:.0f} s: {database_bytes} bytes")

    env = "PGPASSWORD=\\\"\\$POSTGRES_PASSWORD\\\""
    # Debian's AWS CLI: a streamed multipart upload from stdin, as Berth's (curl cannot send a
    # body of unknown length to S3, which wants a Content-Length or parts).
    aws = (f"AWS_ACCESS_KEY_ID={S3_KEY} AWS_SECRET_ACCESS_KEY={S3_KEY} AWS_DEFAULT_REGION=us-east-1 "
           f"/usr/bin/aws --endpoint-url {args.s3_endpoint} s3 cp")
    results = {"machine": machine(), "database_bytes": database_bytes, "size_mb": args.size_mb,
               "runs": []}
    for run in range(args.runs):
        log(f"run {run + 1}: by hand")
        started = time.monotonic()
        sh(f"docker exec {container} sh -c \"{env} pg_dump -Fc -U \\\"\\$POSTGRES_USER\\\" "
           f"-d \\\"\\$POSTGRES_DB\\\"\" | zstd -q -3 | "
           f"{aws} - s3://bench/by-hand-{run}.zst")
        by_hand = time.monotonic() - started

        log(f"run {run + 1}: Berth")
        with RssSampler(args.agent_pid) as rss:
            started = time.monotonic()
            backup = call("POST", f"/api/v1/services/{service['id']}/backups",
                          {"destination_id": destination["id"]})
            backup = wait_until("the backup", 3600, lambda: (lambda b: b if b["status"] != "running"
                                else None)(call("GET", f"/api/v1/backups/{backup['id']}")), 0.2)
            berth = time.monotonic() - started
        if backup["status"] != "succeeded":
            raise RuntimeError(f"backup failed: {backup}")
        results["runs"].append({"by_hand_s": by_hand, "berth_s": berth,
                                "stored_bytes": backup["size_bytes"],
                                "plain_bytes": backup["plain_bytes"],
                                "agent_idle_kb": rss.idle, "agent_peak_kb": rss.peak})
        log(f"run {run + 1}: by hand {by_hand:.1f} s, Berth {berth:.1f} s, "
            f"agent peak {rss.peak / 1024:.1f} MB")

    log("restore: by hand")
    started = time.monotonic()
    sh(f"{aws} s3://bench/by-hand-0.zst - | zstd -q -d | docker exec -i {container} "
       f"sh -c \"{env} pg_restore --clean --if-exists --no-owner --single-transaction "
       f"-U \\\"\\$POSTGRES_USER\\\" -d \\\"\\$POSTGRES_DB\\\"\"")
    restore_by_hand = time.monotonic() - started
    log("restore: Berth")
    with RssSampler(args.agent_pid) as rss:
        restore = call("POST", f"/api/v1/backups/{backup['id']}/restore", {"confirm": "benchdb"})
        restore = wait_until("the restore", 7200, lambda: (lambda r: r if r["status"] != "running"
                             else None)(call("GET", f"/api/v1/restores/{restore['id']}")), 0.2)
    if restore["status"] != "succeeded":
        raise RuntimeError(f"restore failed: {restore}")
    job = call("GET", f"/api/v1/jobs/{restore['job_id']}")
    results["restore"] = {"by_hand_s": restore_by_hand, "berth_job_s": job["duration_ms"] / 1000,
                          "agent_peak_kb": rss.peak}
    log(f"restore: by hand {restore_by_hand:.1f} s, Berth's job {job['duration_ms'] / 1000:.1f} s")
    with open(os.path.join(args.work, "results.json"), "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
