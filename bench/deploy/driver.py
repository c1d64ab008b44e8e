#!/usr/bin/env python3
"""Drives bench/deploy/run's measurements against a berthd with one enrolled agent.

Sets the server's proxy up, creates the app and deploys v1, measures the `docker run` baseline,
then the webhook -> new version latency, then failed requests under wrk across consecutive
deployments. Every wait has a deadline. Writes <work>/results.json for report.py.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import sse  # noqa: E402
from benchlib import wait_until  # noqa: E402

HOST = "web.bench.test"
TERMINAL = {"succeeded", "failed", "canceled", "superseded"}


def log(*args):
    print("deploy bench:", *args, file=sys.stderr, flush=True)


class Api:
    def __init__(self, base, key):
        self.host, self.port = base.removeprefix("http://").split(":")
        self.key = key

    def call(self, method, path, body=None, headers=None, raw=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=timeout)
        try:
            hdrs = {"Authorization": f"Bearer {self.key}"} if self.key else {}
            hdrs.update(headers or {})
            payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
            if payload is not None:
                hdrs["Content-Type"] = "application/json"
            conn.request(method, path, body=payload, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, (json.loads(data) if data else None)
        finally:
            conn.close()

    def ok(self, method, path, body=None):
        status, answer = self.call(method, path, body)
        if status // 100 != 2:
            raise RuntimeError(f"{method} {path} -> {status} {answer}")
        return answer


def proxy_get(port, timeout=2.0):
    """One request through Caddy on a fresh connection: (status, body) or (None, error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/", headers={"Host": HOST})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace").strip()
    except (OSError, http.client.HTTPException) as error:
        return None, type(error).__name__
    finally:
        conn.close()


def serves(port, version):
    return proxy_get(port) == (200, version)


def wait_deployment(api, dep_id, seconds=180):
    def state():
        dep = api.ok("GET", f"/api/v1/deployments/{dep_id}")
        return dep if dep["state"] in TERMINAL else None

    dep = wait_until(f"deployment {dep_id} to finish", seconds, state, interval=0.05)
    if dep["state"] != "succeeded":
        raise RuntimeError(f"deployment {dep_id} ended {dep['state']}: "
                           f"{dep.get('step')} {dep.get('error_code')} {dep.get('error_message')}")
    return dep


def step_events(api, dep_id, sent_wall):
    """From the replayed event stream: the succeeded steps' duration_ms (the agent's run time of
    each step's job) and, per step, when berthd logged it started/succeeded (ms after sending)."""
    steps, timeline = {}, {}
    path = f"/api/v1/deployments/{dep_id}/events?after=0"
    for event, data in sse.read_events(api.host, int(api.port), path, api.key, seconds=30):
        if event != "step":
            continue
        if data.get("status") == "succeeded" and "duration_ms" in data:
            steps[data["step"]] = data["duration_ms"]
        if "at" in data:
            at = datetime.datetime.fromisoformat(data["at"].replace("Z", "+00:00")).timestamp()
            timeline[f"{data['step']}.{data.get('status')}"] = round((at - sent_wall) * 1000, 1)
    return steps, timeline


def setup(api, args):
    servers = wait_until("the agent's server to be online", 60, lambda: [
        s for s in api.ok("GET", "/api/v1/servers")["data"] if s["status"] == "online"])
    server_id = servers[0]["id"]
    api.ok("PUT", f"/api/v1/servers/{server_id}/proxy",
           {"base_domain": "bench.test", "http_port": args.http_port, "https_port": args.https_port, "tls": "off"})
    app = api.ok("POST", "/api/v1/apps", {
        "name": "web", "server_id": server_id,
        "source": {"type": "image", "image": "bench/app:v1"},
        "settings": {"port": 8080, "pull_policy": "never", "drain_grace_s": 2,
                     "health": {"path": "/", "interval_s": 0.1, "timeout_s": 1, "retries": 50}}})
    with open(os.path.join(args.work, "app-id"), "w") as out:
        out.write(app["id"])
    hook = api.ok("POST", f"/api/v1/apps/{app['id']}/webhook/rotate")
    first = api.ok("POST", f"/api/v1/apps/{app['id']}/deployments", {"image": "bench/app:v1"})
    wait_deployment(api, first["id"])
    wait_until("v1 through the proxy", 30, lambda: serves(args.http_port, "v1"), interval=0.05)
    return server_id, app["id"], hook["secret"]


def baseline(args):
    """`docker run -d -p 127.0.0.1::8080` + poll the published port until 200, N times."""
    times = []
    for i in range(args.baseline_n):
        name = f"{args.bench_label}-baseline-{i}"
        t0 = time.monotonic()
        subprocess.run(["docker", "run", "-d", "--name", name, "--label", f"berth.bench={args.bench_label}",
                        "-p", "127.0.0.1::8080", "bench/app:v2"], check=True, capture_output=True, timeout=60)
        mapped = subprocess.run(["docker", "port", name, "8080/tcp"], check=True, capture_output=True,
                                text=True, timeout=30).stdout.split()[0]
        port = int(mapped.rsplit(":", 1)[1])

        def answers():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                conn.request("GET", "/")
                return conn.getresponse().status == 200
            except (OSError, http.client.HTTPException):
                return False
            finally:
                conn.close()

        wait_until("the baseline container to answer", 30, answers, interval=0.01)
        times.append((time.monotonic() - t0) * 1000)
        subprocess.run(["docker", "rm", "-f", name], check=True, capture_output=True, timeout=60)
    return times


def send_webhook(api, app_id, secret):
    body = json.dumps({"ref": "refs/heads/main", "after": "0" * 40,
                       "repository": {"full_name": "bench/web"}}).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    api_nokey = Api(f"http://{api.host}:{api.port}", None)
    return api_nokey.call("POST", f"/api/v1/hooks/{app_id}", raw=body, headers={
        "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": f"sha256={signature}"})


def latency(api, args, app_id, secret):
    rows, rng = [], random.Random(5)
    for i in range(args.latency_n):
        old, new = ("v1", "v2") if i % 2 == 0 else ("v2", "v1")
        api.ok("PATCH", f"/api/v1/apps/{app_id}", {"source": {"type": "image", "image": f"bench/app:{new}"}})
        # Steady traffic before the webhook, for a random 1-2 s: Caddy re-resolves an app's SRV
        # upstream on a request once its answer is a refresh interval old, so polling only from
        # the webhook on would line every refresh up with the webhook instead of at random.
        until = time.monotonic() + rng.uniform(1.0, 2.0)
        while time.monotonic() < until:
            if not serves(args.http_port, old):
                raise RuntimeError(f"the proxy does not serve {old} before deployment {i + 1}")
            time.sleep(0.01)
        sent_wall, t0 = time.time(), time.monotonic()
        status, answer = send_webhook(api, app_id, secret)
        webhook_ms = (time.monotonic() - t0) * 1000
        if status != 202 or not answer.get("deployed"):
            raise RuntimeError(f"webhook {i + 1}: {status} {answer}")
        misses = {}  # what the proxy answered while the old version was still serving
        deadline = t0 + 60
        while True:
            got = proxy_get(args.http_port)
            if got == (200, new):
                break
            key = f"{got[0]} {got[1][:20]}"
            misses[key] = misses.get(key, 0) + 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"{new} not served 60 s after webhook {i + 1}")
            time.sleep(0.01)
        total_ms = (time.monotonic() - t0) * 1000
        dep_id = answer["deployment_id"]
        wait_deployment(api, dep_id)
        steps, timeline = step_events(api, dep_id, sent_wall)
        row = {"n": i + 1, "deployment": dep_id, "image": new, "total_ms": round(total_ms, 1),
               "webhook_ms": round(webhook_ms, 1), "steps": steps, "timeline": timeline,
               "overhead_ms": round(total_ms - steps.get("start", 0) - steps.get("health", 0), 1),
               "answers_before": misses}
        log(f"latency {i + 1}/{args.latency_n}: total {row['total_ms']} ms, overhead {row['overhead_ms']} ms, "
            f"webhook {row['webhook_ms']} ms, steps {steps}")
        rows.append(row)
    return rows


def netstat(path="/proc/net/netstat"):
    """The TcpExt counters of a network namespace (/proc/<pid>/net/netstat: a process's)."""
    with open(path) as f:
        lines = f.read().splitlines()
    counters = {}
    for head, values in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            counters.update(zip(head.split()[1:], map(int, values.split()[1:])))
    return counters


class Watch:
    """While wrk runs: a prober that sends GET / through Caddy every 20 ms on one keep-alive
    connection and records each request's wall time and latency (wrk gives no per-request
    times), and a sampler of the app containers' listen-queue overflows (each container's own
    network namespace: SYNs its server's full accept queue dropped) and of the host's SYN
    retransmits (docker-proxy's and Caddy's dials)."""

    def __init__(self, args, app_id):
        self.args, self.app_id = args, app_id
        self.probes, self.overflows, self.pids = [], {}, {}
        self.stop = threading.Event()
        self.syn_before = netstat().get("TCPSynRetrans", 0)
        self.threads = [threading.Thread(target=self.probe, daemon=True),
                        threading.Thread(target=self.sample, daemon=True)]
        for thread in self.threads:
            thread.start()

    def probe(self):
        conn = None
        while not self.stop.is_set():
            t0, wall = time.monotonic(), time.time()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.args.http_port, timeout=10)
                conn.request("GET", "/", headers={"Host": HOST})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as error:
                status, conn = type(error).__name__, None
            self.probes.append((wall, round((time.monotonic() - t0) * 1000, 1), status))
            self.stop.wait(0.02)

    def sample(self):
        while not self.stop.wait(0.5):
            ids = subprocess.run(["docker", "ps", "-q", "--no-trunc", "--filter", f"label=berth.app={self.app_id}"],
                                 capture_output=True, text=True).stdout.split()
            for cid in ids:
                if cid not in self.pids:
                    pid = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", cid],
                                         capture_output=True, text=True).stdout.strip()
                    self.pids[cid] = pid
                try:
                    self.overflows[cid] = netstat(f"/proc/{self.pids[cid]}/net/netstat").get("ListenOverflows", 0)
                except (OSError, ValueError):
                    pass  # the container stopped between the listing and the read

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)
        return {"probes": self.probes, "listen_overflows": sum(self.overflows.values()),
                "containers": len(self.overflows),
                "syn_retransmits": netstat().get("TCPSynRetrans", 0) - self.syn_before}


def load(api, args, app_id, current, deployments=None, idle_s=0):
    """wrk through Caddy while `deployments` run back to back, or for idle_s with none (control)."""
    deployments = args.load_n if deployments is None else deployments
    lua = os.path.join(os.path.dirname(os.path.abspath(__file__)), "count.lua")
    wrk_out = os.path.join(args.work, f"wrk-{deployments}.out")
    with open(wrk_out, "w") as out:
        wrk = subprocess.Popen(["wrk", "-t2", "-c16", "-d3600s", "--latency", "-s", lua, "-H", f"Host: {HOST}",
                                f"http://127.0.0.1:{args.http_port}/"], stdout=out, stderr=subprocess.STDOUT)
    rows = []
    watch = Watch(args, app_id)
    try:
        time.sleep(2)  # wrk's connections are open and busy before the first deployment
        time.sleep(idle_s)
        for i in range(deployments):
            new = "v2" if current == "v1" else "v1"
            t0, wall = time.monotonic(), time.time()
            dep = api.ok("POST", f"/api/v1/apps/{app_id}/deployments", {"image": f"bench/app:{new}"})
            wait_deployment(api, dep["id"])
            done_ms = (time.monotonic() - t0) * 1000
            wait_until(f"{new} through the proxy after load deployment {i + 1}", 10,
                       lambda: serves(args.http_port, new), interval=0.01)
            _, timeline = step_events(api, dep["id"], wall)
            rows.append({"n": i + 1, "deployment": dep["id"], "image": new, "succeeded_ms": round(done_ms, 1),
                         "sent_wall": wall, "timeline": timeline})
            if (i + 1) % 10 == 0:
                log(f"load {i + 1}/{deployments}: last deployment {round(done_ms)} ms")
            current = new
        time.sleep(2)  # the last old container's drain is over; wrk keeps going through it
    finally:
        wrk.send_signal(signal.SIGINT)
        watched = watch.finish()
        try:
            wrk.wait(timeout=30)
        except subprocess.TimeoutExpired:
            wrk.kill()
            raise
    with open(wrk_out) as out:
        text = out.read()
    return rows, text, watched


def main():
    parser = argparse.ArgumentParser()
    for name in ("base", "work", "bench-label"):
        parser.add_argument(f"--{name}", required=True)
    for name in ("http-port", "https-port", "latency-n", "load-n", "baseline-n", "control-s"):
        parser.add_argument(f"--{name}", type=int, required=True)
    args = parser.parse_args()
    api = Api(args.base, os.environ["BENCH_API_KEY"])
    started, load_before = time.time(), os.getloadavg()
    server_id, app_id, secret = setup(api, args)
    log(f"server {server_id} online, app {app_id} serving v1 on :{args.http_port}")
    base_ms = baseline(args)
    log(f"baseline docker run -> 200: {[round(t) for t in base_ms]} ms")
    lat = latency(api, args, app_id, secret)
    current = lat[-1]["image"] if lat else "v1"
    _, control_text, control_watch = load(api, args, app_id, current, deployments=0, idle_s=args.control_s)
    log("wrk with no deployment (control):\n" + control_text)
    load_rows, wrk_text, load_watch = load(api, args, app_id, current)
    log("wrk:\n" + wrk_text)
    results = {"started": started, "finished": time.time(), "baseline_ms": base_ms, "latency": lat,
               "load": load_rows, "wrk": wrk_text, "control_wrk": control_text, "control_s": args.control_s,
               "control_watch": control_watch, "load_watch": load_watch, "cores": os.cpu_count(),
               "loadavg": {"before": load_before, "after": os.getloadavg()},
               "versions": {name: subprocess.run([name, "version"], capture_output=True, text=True).stdout.strip()
                            for name in ("caddy",)}}
    with open(os.path.join(args.work, "results.json"), "w") as out:
        json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
