#!/usr/bin/env python3
"""Writes bench/results/proxy.md from bench/proxy/driver.py's results JSON.

A hand-written "## Findings" section already in the output file is kept.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import kept_findings, machine  # noqa: E402

TARGET = 1.5


def fmt(ms):
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def med(values):
    return statistics.median(values) if values else float("nan")


def spread(values):
    return f"{fmt(med(values))} ({fmt(min(values))}–{fmt(max(values))})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--commit", required=True)
    args = parser.parse_args()
    with open(args.results) as f:
        res = json.load(f)

    findings = kept_findings(args.out)
    findings = findings.rstrip() + "\n" if findings else ""
    caddy_version = subprocess.run(["caddy", "version"], capture_output=True, text=True).stdout.split()
    reps = res["reps"]

    out = []
    w = out.append
    w("# Proxy: Berth applying a route table vs posting it to Caddy's /load\n")
    w(f"Recorded by `{args.command}` on {datetime.date.today().isoformat()}; {machine()}; release build of "
      f"{args.commit}; Caddy {caddy_version[0] if caddy_version else '?'}. berthd, berth-agent, Caddy, the "
      "upstream and the driver share the machine's cores (no pinning).\n")
    w("Setup, for each N: a fresh berthd (`--rate-limit 0`) and data directory, one berth-agent enrolled "
      "through an install token and driving a Caddy of the bench's own (admin API on a free port, no Docker), "
      "then N apps seeded straight into the stopped berthd's store by `proxy_seed` (bench/proxy/seed.cpp): "
      "each with a succeeded deployment made current whose host port is one `beast_hello` "
      "(bench/http/hello_server.cpp) and two domains, `app-NNNN.proxy.bench` and `app-NNNN-alt.proxy.bench`; "
      "the server's proxy is plain HTTP (`tls: off`). berthd is started again and one unmeasured domain is "
      "added first, so Caddy holds the whole table (2N + 1 routes) before the runs.\n")
    w("- **Berth**: `POST /api/v1/apps/{last app}/domains {\"hostname\": <fresh>, \"tls\": \"off\"}` with an "
      "admin API key → berthd builds the server's whole table → `proxy.apply` job → the agent finds that "
      "only hosts were added (docs/domains.md \"Changing domains under load\"): it asks Caddy whether it "
      "still runs the config it loaded (`GET /config/`), starts a new edge Caddy holding the new hosts "
      "(not a load of Caddy's) and points its DNS answer for Caddy's catch-all route at it → Caddy serves "
      "the new host through its catch-all at its next lookup (every 100 ms). The hosts added in earlier "
      "rounds stay in the edge Caddy (up to 8 of them here).\n"
      "- **Caddy alone**: a second Caddy of the bench's own, started after the warm-up with a copy of the "
      "agent's Caddy's config (the same 2N + 1 routes and catch-all, on other ports): `GET /config/`, add "
      "the same route (a copy of the last app's route under the fresh hostname, in hostname order) in "
      "Python, `POST /load` it → that Caddy serves the new host. (Loading the agent's own Caddy behind "
      "its back, as the bench did before, would make the agent's next change a load as well.)\n"
      f"- Both end when a `GET /` with the new `Host` on a fresh connection to the Caddy's HTTP port answers "
      f"200 with the upstream's body, polled every {res['poll_ms']:.0f} ms by a thread started just before "
      "the change in both cases (a client of Berth cannot know when the agent loads Caddy, and the "
      "polling costs Caddy CPU during its load, so the baseline is watched the same way). The two alternate "
      f"(Berth first on even rounds), {reps} rounds each per N; figures are the median (min–max) in ms.\n")

    w("## Against the target\n")
    w("| N apps (routes) | Berth, ms | Caddy alone, ms | Berth / Caddy |")
    w("|---|---|---|---|")
    ratios = {}
    for r in res["results"]:
        b = [x["total_ms"] for x in r["berth"]]
        c = [x["total_ms"] for x in r["caddy"]]
        ratios[r["n"]] = med(b) / med(c)
        w(f"| {r['n']} ({r['routes_in_caddy']}) | {spread(b)} | {spread(c)} | **{ratios[r['n']]:.2f}×** |")
    last = max(ratios)
    verdict = "met" if ratios[last] <= TARGET else "**missed**"
    w(f"\nTarget: Berth ≤ {TARGET}× Caddy's own time at 1,000 apps: **{ratios[last]:.2f}×** at N = {last}, "
      f"{verdict}.\n")

    w("## Where the time goes\n")
    w("Berth, in ms after sending the POST (median of the rounds; job times are berthd's millisecond "
      "timestamps of the `proxy.apply` job):\n")
    w("| N | API answered | job created (table built) | dispatched | agent started | agent finished "
      "| served | finished → served |")
    w("|---|---|---|---|---|---|---|---|")
    for r in res["results"]:
        def mark(name):
            return med([x["job"][f"{name}_ms"] for x in r["berth"] if f"{name}_ms" in x["job"]])
        served = med([x["total_ms"] for x in r["berth"]])
        gap = med([x["total_ms"] - x["job"]["finished_ms"] for x in r["berth"]])
        w(f"| {r['n']} | {fmt(med([x['api_ms'] for x in r['berth']]))} | {fmt(mark('created'))} | "
          f"{fmt(mark('dispatched'))} | {fmt(mark('started'))} | {fmt(mark('finished'))} | {fmt(served)} | "
          f"{fmt(gap)} |")
    w("\nThe agent's `finished` comes after `served`: it is stamped when berthd hears of the end, after "
      "the agent kept the table on disk and reported back, while Caddy serves as soon as its load is done.\n")
    w("Caddy alone (median ms; \"load → served\" can be slightly negative: Caddy serves the new config "
      "a moment before the driver has read the answer to its `/load`):\n")
    w("| N | config bytes | GET /config/ | add the route (Python) | POST /load | load → served | total |")
    w("|---|---|---|---|---|---|---|")
    for r in res["results"]:
        c = r["caddy"]
        w(f"| {r['n']} | {c[0]['config_bytes']} | {fmt(med([x['get_config_ms'] for x in c]))} | "
          f"{fmt(med([x['edit_ms'] for x in c]))} | {fmt(med([x['load_ms'] for x in c]))} | "
          f"{fmt(med([x['after_load_ms'] for x in c]))} | {fmt(med([x['total_ms'] for x in c]))} |")

    w("\n## Raw numbers\n")
    for r in res["results"]:
        w(f"- N = {r['n']}: seeded in {r['seed_s']:.1f} s; warm-up apply {fmt(r['warm_ms'])} ms; "
          f"Berth {', '.join(fmt(x['total_ms']) for x in r['berth'])}; "
          f"Caddy {', '.join(fmt(x['total_ms']) for x in r['caddy'])}")
    w("")
    text = "\n".join(out) + "\n"
    if findings:
        text += "\n" + findings
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
