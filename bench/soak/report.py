#!/usr/bin/env python3
"""bench/soak/run's report: the per-sample RSS table of berthd and the agent, and the growth after
warm-up as the slope of a least-squares line through those samples (MB per hour), against the
target of ≤ 1 MB/h. Prints Markdown.

Usage: report.py --results results.json --warmup SECONDS --commit TEXT --command TEXT
"""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchlib import machine  # noqa: E402

TARGET_MB_PER_H = 1.0


def slope_mb_per_h(points):
    """Least-squares slope of (seconds, KB) points, in MB per hour."""
    n = len(points)
    if n < 2:
        return float("nan")
    mean_t = sum(t for t, _ in points) / n
    mean_kb = sum(kb for _, kb in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    cov = sum((t - mean_t) * (kb - mean_kb) for t, kb in points)
    return cov / var * 3600 / 1024 if var else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--warmup", type=int, required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args()
    with open(args.results) as f:
        results = json.load(f)
    samples = results["samples"]
    after = [s for s in samples if s["t_s"] >= args.warmup]
    mb = lambda kb: f"{kb / 1024:.2f}"  # noqa: E731
    counts = results["counts"]
    print(f"""# The soak: berthd's and the agent's memory under an hour of mixed traffic (bench/soak/run)

Recorded by `{args.command}` on {datetime.date.today().isoformat()}; {machine()}; release build of
{args.commit}. berthd, one enrolled berth-agent (the Docker Engine on /var/run/docker.sock, a Caddy
of the bench's own) and the traffic (bench/soak/driver.py) share the machine's cores.

Traffic, all at once for {results['duration_s']} s: API reads and writes every 50 ms (lists, an app,
a project created and deleted), an exec job every 10 s printing 100 lines with two live viewers of
its output, two viewers of the team's event stream reconnecting every 5 min, a deployment
(alternating bench/app:v1/v2, with a viewer on its events) every {results.get('deploy_every_s', 60)} s,
and a request through Caddy to the app every 50 ms. RSS (`VmRSS`) of both processes every
{results['sample_s']} s.

## Against the target

Growth after warm-up ({args.warmup} s, {len(after)} samples): the slope of a least-squares line through the
samples.

| process | RSS at warm-up MB | RSS at the end MB | slope MB/h | target | verdict | anonymous pages' slope MB/h |
|---|---|---|---|---|---|---|""")
    for who in ("berthd", "agent"):
        slope = slope_mb_per_h([(s["t_s"], s[who]["VmRSS"]) for s in after])
        verdict = "met" if slope <= TARGET_MB_PER_H else "**missed**"
        first, last = (after[0], after[-1]) if after else (samples[0], samples[-1])
        anon = slope_mb_per_h([(s["t_s"], s[who]["RssAnon"]) for s in after])
        print(f"| {who} | {mb(first[who]['VmRSS'])} | {mb(last[who]['VmRSS'])} | {slope:+.2f} | "
              f"≤ {TARGET_MB_PER_H:.0f} MB/h | {verdict} | {anon:+.2f} |")
    print("\nRSS counts file pages (code, libraries) too, which the kernel may reclaim under memory "
          "pressure from other programs; the anonymous pages' slope is the heap's alone.")
    print("\nWork done in the run: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ".")
    errors = {k: v for k, v in counts.items() if "error" in k or (k.split()[0] in ("api", "proxy")
                                                                    and not k.split()[-1].startswith("2"))}
    print("Errors and non-2xx answers: " + (", ".join(f"{k} {v}" for k, v in errors.items()) or "none") + ".")
    print("""
## Every sample

| t s | berthd RSS MB | anon MB | file MB | threads | fds | agent RSS MB | anon MB | file MB | threads | fds | load |
|---|---|---|---|---|---|---|---|---|---|---|---|""")
    for s in samples:
        b, a = s["berthd"], s["agent"]
        print(f"| {s['t_s']:.0f} | {mb(b['VmRSS'])} | {mb(b['RssAnon'])} | {mb(b['RssFile'])} | {b['Threads']} | "
              f"{b['fds']} | {mb(a['VmRSS'])} | {mb(a['RssAnon'])} | {mb(a['RssFile'])} | {a['Threads']} | "
              f"{a['fds']} | {s['load']:.2f} |")


if __name__ == "__main__":
    main()
