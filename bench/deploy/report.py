#!/usr/bin/env python3
"""Writes bench/results/deploy.md from bench/deploy/driver.py's results.json.

A hand-written "## Findings" section already in the output file is kept.
"""
import argparse
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import machine  # noqa: E402

STEPS = ("pull", "start", "health", "switch", "drain", "remove")


def p95(values):  # nearest rank: with 20 values, the 19th smallest
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def fmt(ms):
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"


def row(name, values):
    if not values:
        return f"| {name} | – | – | – | – |"
    return f"| {name} | {fmt(statistics.median(values))} | {fmt(p95(values))} | {fmt(min(values))} | {fmt(max(values))} |"


def verdict(ok, text):
    return f"{'met' if ok else '**missed**'} ({text})"


def wrk_counts(text):
    counts = {"status": {}, "body": {}, "summary": {}}
    for line in text.splitlines():
        parts = line.split()
        if line.startswith("bench status ") or line.startswith("bench body "):
            counts[parts[1]][parts[2]] = int(parts[3])
        elif line.startswith("bench summary "):
            counts["summary"] = {parts[i]: int(parts[i + 1]) for i in range(2, len(parts), 2)}
    return counts


def main():
    parser = argparse.ArgumentParser()
    for name in ("results", "out", "command", "commit"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    with open(args.results) as f:
        res = json.load(f)
    lat, load, base = res["latency"], res["load"], res["baseline_ms"]
    total = [r["total_ms"] for r in lat]
    overhead = [r["overhead_ms"] for r in lat]
    webhook = [r["webhook_ms"] for r in lat]
    start_health = [r["steps"].get("start", 0) + r["steps"].get("health", 0) for r in lat]
    wrk = wrk_counts(res["wrk"])
    summ = wrk["summary"]
    non2xx = sum(v for k, v in wrk["status"].items() if not k.startswith("2"))
    sock = sum(summ.get(k, 0) for k in ("connect", "read", "write", "timeout"))
    failed = non2xx + sock
    seconds = summ.get("duration_us", 0) / 1e6
    findings = ""
    if os.path.exists(args.out):
        with open(args.out) as f:
            m = re.search(r"^## Findings.*", f.read(), re.S | re.M)
            findings = m.group(0).rstrip() + "\n" if m else ""

    out = []
    w = out.append
    w("# Deployments: webhook to new version, and failed requests under load\n")
    w(f"Recorded by `{args.command}` on {datetime.date.today().isoformat()}; {machine()}; release build of "
      f"{args.commit}; Docker {docker_version()}, {res['versions'].get('caddy', 'caddy ?').split()[0]} Caddy. "
      "berthd, berth-agent, dockerd, Caddy, wrk and the driver all share the machine's cores (no pinning).\n")
    w("Setup: berthd (`--rate-limit 0`), one berth-agent enrolled through an install token and driving the "
      "Docker Engine on /var/run/docker.sock and a Caddy of the bench's own (admin API on a free port). "
      "The app `web` runs `bench/app:v1|v2` (busybox `httpd -f -p 8080 -h /www` serving `v1`/`v2`, "
      "built FROM berth-test/busybox:1), `pull_policy: never`, health `GET /` every 0.1 s (timeout 1 s, "
      "50 retries), `drain_grace_s: 2`; proxy `tls: off` on a free HTTP port, hostname `web.bench.test`.\n")
    w("## Against the targets\n")
    w("| target | measured | verdict |\n|---|---|---|")
    w(f"| overhead p95 ≤ 1.5 s beyond the container's own start and health | p95 {fmt(p95(overhead))} ms "
      f"(median {fmt(statistics.median(overhead))} ms) | {verdict(p95(overhead) <= 1500, 'p95 ≤ 1500 ms')} |")
    w(f"| zero failed requests across {len(load)} deployments under keep-alive load | {failed} failed of "
      f"{summ.get('requests', 0)}: {non2xx} non-2xx, {sock - summ.get('timeout', 0)} connect/read/write errors, "
      f"{summ.get('timeout', 0)} wrk timeouts (> 2 s; see Findings) | {verdict(failed == 0, '0 failed, timeouts counted')} |")
    w(f"| the webhook answers in < 1 s | max {fmt(max(webhook))} ms (p95 {fmt(p95(webhook))} ms) | "
      f"{verdict(max(webhook) < 1000, 'every answer < 1000 ms')} |")
    lat_load, lat_control = wrk_latency(res["wrk"]), wrk_latency(res.get("control_wrk", ""))
    if lat_load and lat_control:
        slow = lat_load["max_us"] >= 1e6 or summ.get("timeout", 0) > 0
        w(f"| no request slower than 1 s under load | wrk max {lat_load['max_us'] / 1000:.0f} ms, "
          f"{summ.get('timeout', 0)} timeouts (> 2 s) | {verdict(not slow, 'max < 1000 ms, 0 timeouts')} |")
        w(f"| p99 under load ≤ 2× the control window's p99 | {lat_load['p99_us'] / 1000:.1f} ms against "
          f"{lat_control['p99_us'] / 1000:.1f} ms (×{lat_load['p99_us'] / max(1, lat_control['p99_us']):.2f}) | "
          f"{verdict(lat_load['p99_us'] <= 2 * lat_control['p99_us'], '≤ 2×')} |")
    w("")
    w(f"## Latency: signed push webhook → the new version answering through Caddy ({len(lat)} deployments)\n")
    w("Total: from sending `POST /api/v1/hooks/{app_id}` (GitHub push, `X-Hub-Signature-256`) to the first "
      "`GET /` with `Host: web.bench.test` through Caddy (a fresh connection every 10 ms) that returns the new "
      "body; the same polling runs for a random 1–2 s before the webhook (so Caddy's SRV refresh (250 ms) falls at a random phase, as under steady traffic). Each image change (`PATCH /api/v1/apps/{id}`) happens before the clock starts. Steps: the "
      "`duration_ms` of each succeeded `step` event (the agent's run time of the step's job). Overhead: total "
      "− (start + health), what Berth adds beyond the container's own start and health time. Baseline: "
      f"`docker run -d -p 127.0.0.1::8080 bench/app:v2` (CLI) until its published port answers 200, polled "
      f"every 10 ms, {len(base)} times in the same session. p95 is the nearest rank (19th of 20).\n")
    w("| ms | median | p95 | min | max |\n|---|---|---|---|---|")
    w(row("**total** (webhook sent → new body through Caddy)", total))
    w(row("**overhead** (total − start − health)", overhead))
    w(row("webhook response", webhook))
    w(row("start + health (the container's own)", start_health))
    w(row("baseline: `docker run -d` + poll until 200", base))
    for step in STEPS:
        w(row(f"step `{step}`", [r["steps"][step] for r in lat if step in r["steps"]]))
    w("")
    where_time_goes(w, lat)
    w(f"## Keep-alive load across {len(load)} consecutive deployments\n")
    w(f"`wrk -t2 -c16 -d3600s --latency -s bench/deploy/count.lua -H 'Host: web.bench.test' http://127.0.0.1:<http_port>/`, "
      "started 2 s before the first deployment and stopped (SIGINT) 2 s after the last one succeeded. "
      "Each deployment is `POST /api/v1/apps/{id}/deployments {\"image\": …}` alternating v1/v2, waited to "
      "`succeeded` and to the new body through Caddy before the next. wrk's timeout is its default 2 s.\n")
    w("| requests | seconds | req/s | 2xx | non-2xx | connect errors | read errors | write errors | timeouts | bodies v1 / v2 / other |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    ok2 = sum(v for k, v in wrk["status"].items() if k.startswith("2"))
    b = wrk["body"]
    w(f"| {summ.get('requests', 0)} | {seconds:.0f} | {summ.get('requests', 0) / seconds if seconds else 0:.0f} | {ok2} | "
      f"{non2xx} | {summ.get('connect', 0)} | {summ.get('read', 0)} | {summ.get('write', 0)} | {summ.get('timeout', 0)} | "
      f"{b.get('v1', 0)} / {b.get('v2', 0)} / {b.get('other', 0)} |\n")
    c = wrk_counts(res.get("control_wrk", ""))
    if c["summary"]:
        cs = c["summary"]
        c_non2xx = sum(v for k, v in c["status"].items() if not k.startswith("2"))
        c_secs = cs.get("duration_us", 0) / 1e6
        w(f"Control, same session, before the deployments: the same wrk for {res.get('control_s')} s with no deployment:\n")
        w("| requests | seconds | req/s | non-2xx | connect | read | write | timeouts |\n|---|---|---|---|---|---|---|---|")
        w(f"| {cs.get('requests', 0)} | {c_secs:.0f} | {cs.get('requests', 0) / c_secs if c_secs else 0:.0f} | {c_non2xx} | "
          f"{cs.get('connect', 0)} | {cs.get('read', 0)} | {cs.get('write', 0)} | {cs.get('timeout', 0)} |\n")
        w("```\n" + res["control_wrk"].strip() + "\n```\n")
    done = [r["succeeded_ms"] for r in load]
    w("| ms | median | p95 | min | max |\n|---|---|---|---|---|")
    w(row("deployment under load: POST → succeeded (includes the 2 s drain)", done))
    w("\nwrk's report:\n\n```\n" + res["wrk"].strip() + "\n```\n")
    slow_requests(w, res)
    w("## Raw numbers\n")
    w("Latency runs (ms; `before` = what the proxy answered while polling before the new body):\n")
    w("| # | image | total | overhead | webhook | " + " | ".join(STEPS) + " | before |")
    w("|---|---|---|---|---|" + "---|" * len(STEPS) + "---|")
    for r in lat:
        steps = " | ".join(str(r["steps"].get(s, "–")) for s in STEPS)
        before = ", ".join(f"{k}×{v}" for k, v in r["answers_before"].items())
        w(f"| {r['n']} | {r['image']} | {fmt(r['total_ms'])} | {fmt(r['overhead_ms'])} | {fmt(r['webhook_ms'])} | "
          f"{steps} | {before} |")
    w(f"\nBaseline (ms): {', '.join(fmt(t) for t in base)}\n")
    w(f"Load deployments, POST → succeeded (ms, in order): {', '.join(fmt(t) for t in done)}\n")
    if findings:
        w(findings)
    with open(args.out, "w") as f:
        f.write("\n".join(out))


def wrk_latency(text):
    for line in text.splitlines():
        if line.startswith("bench latency "):
            parts = line.split()
            return {parts[i]: int(parts[i + 1]) for i in range(2, len(parts), 2)}
    return None


def phase(row, wall):
    """Which step of a load deployment was running `wall` seconds (ms after its POST, step)."""
    at = (wall - row["sent_wall"]) * 1000
    t = row.get("timeline", {})
    running = "before the first step"
    for step in STEPS:
        if f"{step}.started" in t and at >= t[f"{step}.started"]:
            running = step if at < t.get(f"{step}.succeeded", float("inf")) else f"after {step}"
    return at, running


def slow_requests(w, res):
    """The prober's slow requests against the deployments' step events, and the listen-queue
    overflows and SYN retransmits of each window."""
    control, load = res.get("control_watch"), res.get("load_watch")
    if not control or not load:
        return
    w("## Where the slow requests come from\n")
    w("While wrk runs, a prober sends `GET /` through Caddy every 20 ms on one keep-alive connection "
      "and records each request's latency and wall time (wrk gives no per-request times). The driver "
      "also reads, every 0.5 s, `ListenOverflows` from each app container's own `/proc/<pid>/net/netstat` "
      "(connections its server's full accept queue turned away: their SYNs are dropped, and the client "
      "sends the SYN again after 1 s, then 2 s more) and the host's `TCPSynRetrans` (SYNs docker-proxy "
      "and Caddy sent again; other programs on the host count too).\n")
    w("| window | prober requests | > 500 ms | > 1 s | max ms | app listen-queue overflows | host SYN retransmits | wrk p99 ms | wrk max ms |")
    w("|---|---|---|---|---|---|---|---|---|")
    for name, watch, text in (("control (no deployment)", control, res.get("control_wrk", "")),
                              (f"{len(res['load'])} deployments", load, res["wrk"])):
        ms = [p[1] for p in watch["probes"]]
        lat = wrk_latency(text) or {}
        w(f"| {name} | {len(ms)} | {sum(m > 500 for m in ms)} | {sum(m > 1000 for m in ms)} | "
          f"{max(ms) if ms else 0:.0f} | {watch['listen_overflows']} ({watch['containers']} containers) | "
          f"{watch['syn_retransmits']} | {lat.get('p99_us', 0) / 1000:.1f} | {lat.get('max_us', 0) / 1000:.0f} |")
    slow = [p for p in load["probes"] if p[1] > 500]
    if slow:
        w("\nThe prober's requests over 500 ms during the deployments, against the step running at the "
          "time (ms after the deployment's POST):\n")
        w("| prober request ms | deployment | at ms | step |\n|---|---|---|---|")
        for wall, ms, status in slow[:60]:
            rows = [r for r in res["load"] if r.get("sent_wall", 1e18) <= wall]
            if rows:
                at, step = phase(rows[-1], wall)
                w(f"| {ms:.0f} ({status}) | {rows[-1]['n']} | {at:.0f} | {step} |")
            else:
                w(f"| {ms:.0f} ({status}) | before the first | – | – |")
    w("")


def where_time_goes(w, lat):
    """Medians from the `at` of berthd's step events, relative to sending the webhook."""
    first, gaps, after_switch, walls = [], [], [], {s: [] for s in STEPS[:4]}
    for r in lat:
        t = r.get("timeline", {})
        started = [v for k, v in t.items() if k.endswith(".started")]
        if started:
            first.append(min(started))
        for step in walls:
            if f"{step}.started" in t and f"{step}.succeeded" in t:
                walls[step].append(t[f"{step}.succeeded"] - t[f"{step}.started"])
        chain = [s for s in STEPS[:4] if f"{s}.started" in t and f"{s}.succeeded" in t]
        gaps.append(sum(t[f"{b}.started"] - t[f"{a}.succeeded"] for a, b in zip(chain, chain[1:])))
        if "switch.succeeded" in t:
            after_switch.append(r["total_ms"] - t["switch.succeeded"])
    if not first:
        return
    w("Where the time goes, from the `at` of berthd's step events (ms after sending the webhook; "
      "a step's wall time includes sending its job to the agent and hearing back):\n")
    w("| ms | median | p95 | min | max |\n|---|---|---|---|---|")
    w(row("webhook sent → first step started", first))
    for step, values in walls.items():
        agent = [r["steps"][step] for r in lat if step in r["steps"]]
        w(row(f"`{step}` started → succeeded in berthd (agent's own: median {fmt(statistics.median(agent)) if agent else '–'})", values))
    w(row("between steps (sum of succeeded → next started)", gaps))
    w(row("switch succeeded in berthd → new body seen through Caddy", after_switch))
    w("")


def docker_version():
    got = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"], capture_output=True, text=True)
    return got.stdout.strip() or "?"


if __name__ == "__main__":
    main()
