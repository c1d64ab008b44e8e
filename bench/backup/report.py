#!/usr/bin/env python3
"""Writes bench/results/backup.md from bench/backup/driver.py's results.json. A "## Findings"
section already in the file is kept."""
import argparse
import datetime
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import kept_findings  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    for name in ("--results", "--out", "--command", "--commit"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    with open(args.results) as source:
        r = json.load(source)
    findings = kept_findings(args.out)
    runs = r["runs"]
    by_hand = statistics.median(run["by_hand_s"] for run in runs)
    berth = statistics.median(run["berth_s"] for run in runs)
    mb = r["database_bytes"] / 1e6
    peak = max(run["agent_peak_kb"] for run in runs) / 1024
    restore = r["restore"]
    lines = [
        "# Service backups: throughput, the agent's memory, restore time",
        "",
        f"Recorded {datetime.date.today()} by `{args.command}` at {args.commit}, on {r['machine']}.",
        f"A PostgreSQL 15 database of {mb:.0f} MB (pg_database_size), backed up to s3rver on "
        "loopback; the median of each side's runs, alternating, in one session.",
        "",
        "| | by hand: `pg_dump -Fc \\| zstd -3 \\| aws s3 cp -` | Berth: `POST /services/{id}/backups` | ratio |",
        "|---|---|---|---|",
        f"| time | {by_hand:.1f} s | {berth:.1f} s | |",
        f"| throughput (database MB/s) | {mb / by_hand:.1f} | {mb / berth:.1f} | "
        f"**{by_hand / berth:.2f}×** (target ≥ 0.7×) |",
        f"| agent RSS | | idle {runs[0]['agent_idle_kb'] / 1024:.1f} MB, peak **{peak:.1f} MB** "
        "(target < 30 MB) | |",
        f"| stored | | {runs[0]['stored_bytes'] / 1e6:.1f} MB of {runs[0]['plain_bytes'] / 1e6:.1f} "
        "MB dumped | |",
        "",
        "| restore | by hand: `aws s3 cp … - \\| zstd -d \\| pg_restore --single-transaction` | Berth's "
        "backup.restore job (checks the SHA-256 over a first download, then loads) | ratio |",
        "|---|---|---|---|",
        f"| time | {restore['by_hand_s']:.1f} s | {restore['berth_job_s']:.1f} s | "
        f"{restore['berth_job_s'] / restore['by_hand_s']:.2f}× |",
        f"| agent RSS peak | | {restore['agent_peak_kb'] / 1024:.1f} MB | |",
        "",
        "Each run: " + "; ".join(
            f"by hand {run['by_hand_s']:.1f} s, Berth {run['berth_s']:.1f} s "
            f"(agent peak {run['agent_peak_kb'] / 1024:.1f} MB)" for run in runs) + ".",
        "",
    ]
    with open(args.out, "w") as out:
        out.write("\n".join(lines) + ("\n" + findings if findings else ""))


if __name__ == "__main__":
    main()
