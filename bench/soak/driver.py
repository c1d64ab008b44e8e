#!/usr/bin/env python3
"""Drives bench/soak/run: mixed traffic against a berthd with one enrolled agent for --duration
seconds, and both processes' memory every --sample seconds. Writes <work>/results.json.

Traffic, each in its own thread, all at a modest rate (the point is hours of varied work, not load):
- API: list servers, apps, projects and an app's deployments, read the app, create and delete a
  project, the health check — one request every 50 ms;
- jobs: an exec job every 10 s printing 100 lines over ~1 s, followed live by two viewers of its
  output (SSE) until it ends;
- events: two viewers of the team's event stream, each reconnecting every 5 minutes;
- deploys: a deployment every --deploy-every seconds alternating bench/app:v1/v2, a viewer on its
  events, waited to `succeeded` and to the new body through Caddy;
- proxy: a request through Caddy to the app every 50 ms.
"""
import argparse
import importlib.util
import json
import os
import sys
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
sys.path.insert(0, os.path.join(here, "..", "deploy"))
spec = importlib.util.spec_from_file_location("deploy_driver", os.path.join(here, "..", "deploy", "driver.py"))
deploy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(deploy)
import sse  # noqa: E402  (bench/deploy/sse.py)

stop = threading.Event()
counts = {}
counts_lock = threading.Lock()


def count(what, n=1):
    with counts_lock:
        counts[what] = counts.get(what, 0) + n


def log(*args):
    print("soak:", *args, file=sys.stderr, flush=True)


def memory(pid):
    """VmRSS, RssAnon and RssFile in KB, threads, open fds."""
    got = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                got[name] = int(value.split()[0])
    got["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return got


def guarded(name, body):
    def run():
        while not stop.is_set():
            try:
                body()
            except Exception as error:  # counted and logged; the soak goes on
                count(f"{name} error")
                log(f"{name}: {type(error).__name__}: {error}")
                stop.wait(1)
    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--berthd-pid", type=int, required=True)
    parser.add_argument("--agent-pid", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--https-port", type=int, required=True)
    parser.add_argument("--duration", type=int, default=3600)
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--deploy-every", type=int, default=60)
    args = parser.parse_args()
    api = deploy.Api(args.base, os.environ["BENCH_API_KEY"])
    server_id, app_id, _ = deploy.setup(api, args)
    log("app deployed; traffic starts")

    def api_traffic():
        for path in ("/api/v1/servers", "/api/v1/apps", "/api/v1/projects", f"/api/v1/apps/{app_id}",
                     f"/api/v1/apps/{app_id}/deployments", "/api/v1/health"):
            status, _ = api.call("GET", path)
            count(f"api {status}")
            stop.wait(0.05)
        project = api.ok("POST", "/api/v1/projects", {"name": f"soak-{time.monotonic_ns()}"})
        status, _ = api.call("DELETE", f"/api/v1/projects/{project['id']}")
        count(f"api {status}", 2)
        stop.wait(0.05)

    def follow_job(job_id):
        lines = 0
        for event, data in sse.read_events(api.host, int(api.port), f"/api/v1/jobs/{job_id}/output", api.key, 60):
            if event == "output":
                lines += str(data).count("line ")
        count("job output lines seen", lines)

    def jobs():
        script = "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); sleep 0.01; done"
        job = api.ok("POST", f"/api/v1/servers/{server_id}/jobs",
                     {"kind": "exec", "args": {"argv": ["sh", "-c", script]}, "timeout_ms": 60000})
        viewers = [threading.Thread(target=follow_job, args=(job["id"],)) for _ in range(2)]
        for viewer in viewers:
            viewer.start()
        for viewer in viewers:
            viewer.join()
        count("jobs")
        stop.wait(10)

    def events():
        try:
            for _ in sse.read_events(api.host, int(api.port), "/api/v1/events", api.key, 300):
                count("team events seen")
                if stop.is_set():
                    return
        except RuntimeError as error:
            if "did not end" not in str(error):  # the 5-minute reconnect, not a failure
                raise
        except TimeoutError:
            pass
        count("event stream reconnects")

    version = ["v1"]

    def deploys():
        started = time.monotonic()
        new = "v2" if version[0] == "v1" else "v1"
        dep = api.ok("POST", f"/api/v1/apps/{app_id}/deployments", {"image": f"bench/app:{new}"})
        seen = sum(1 for _ in sse.read_events(api.host, int(api.port),
                                              f"/api/v1/deployments/{dep['id']}/events?after=0", api.key, 120))
        count("deployment events seen", seen)
        deploy.wait_deployment(api, dep["id"])
        deploy.wait_until(f"{new} through the proxy", 30, lambda: deploy.serves(args.http_port, new), interval=0.05)
        version[0] = new
        count("deployments")
        stop.wait(max(0.0, args.deploy_every - (time.monotonic() - started)))

    def proxy():
        status, _ = deploy.proxy_get(args.http_port)
        count(f"proxy {status}")
        stop.wait(0.05)

    threads = [guarded("api", api_traffic), guarded("jobs", jobs), guarded("events-1", events),
               guarded("events-2", events), guarded("deploys", deploys), guarded("proxy", proxy)]

    samples = []
    t0 = time.monotonic()
    for minute in range(args.duration // args.sample + 1):
        wait = t0 + minute * args.sample - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        with counts_lock:
            snapshot = dict(counts)
        sample = {"t_s": round(time.monotonic() - t0, 1), "berthd": memory(args.berthd_pid),
                  "agent": memory(args.agent_pid), "load": os.getloadavg()[0], "counts": snapshot}
        samples.append(sample)
        log(f"t={sample['t_s']:.0f}s berthd {sample['berthd']['VmRSS']} KB agent {sample['agent']['VmRSS']} KB "
            f"{snapshot}")
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    with open(os.path.join(args.work, "results.json"), "w") as out:
        json.dump({"samples": samples, "counts": counts, "sample_s": args.sample,
                   "duration_s": args.duration, "deploy_every_s": args.deploy_every}, out)


if __name__ == "__main__":
    main()
