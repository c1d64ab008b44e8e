#!/usr/bin/env python3
"""bench/proxy/run's measurements: Berth applying a route table against Caddy's own /load.

For each N: a fresh berthd, one berth-agent enrolled through an install token and driving a
Caddy of the bench's own (admin API on a free port), N apps seeded into the stopped berthd's
store by proxy_seed (two domains each, every deployment pointing at one beast_hello upstream),
berthd started again. Then, alternating, REPS times each:
  berth: POST /api/v1/apps/{last}/domains {hostname: <fresh>, tls: off} -> Caddy serves it
  caddy: GET Caddy's /config/, add the same kind of route for a fresh hostname, POST /load
         -> Caddy serves it
"Serves" = a GET with that Host on a fresh connection to Caddy's HTTP port answers 200 with
the upstream's body; polled every POLL_S by a thread started just before the change, for both
sides alike. Every wait has a deadline. Writes a JSON of the
figures to --out.
"""
import argparse
import copy
import datetime
import http.client
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import wait_until  # noqa: E402

UPSTREAM_BODY = '{"status":"ok"}'
POLL_S = 0.002
SERVER_NAME = "berth"  # kCaddyServer in src/agent/host/caddy_config.hpp


def log(*args):
    print("proxy bench:", *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_call(port, method, path, body=None, headers=None, timeout=60):
    """(status, bytes) from 127.0.0.1:port on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def answers(port, path="/"):
    try:
        return http_call(port, "GET", path, timeout=2)[0] == 200
    except OSError:
        return False


def serves(http_port, host):
    """True once Caddy routes `host` to the upstream (a fresh connection, as a new client)."""
    try:
        status, body = http_call(http_port, "GET", "/", headers={"Host": host}, timeout=5)
        return status == 200 and body.decode(errors="replace").strip() == UPSTREAM_BODY
    except (OSError, http.client.HTTPException):
        return False


class Poller:
    """Polls Caddy for `host` on a thread of its own from before the change is made until it is
    served, the same way for both sides: Berth's client cannot know when the agent loads the
    config, and polling during Caddy's load costs CPU on a small machine, so the baseline is
    watched by the same poller rather than only after its /load returns."""

    def __init__(self, http_port, host, seconds=300):
        self.http_port, self.host, self.seconds = http_port, host, seconds
        self.served_at = None
        self.polls = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            if serves(self.http_port, self.host):
                self.served_at = time.monotonic()
                return
            self.polls += 1
            time.sleep(POLL_S)

    def wait(self):
        self.thread.join()
        if self.served_at is None:
            raise RuntimeError(f"Caddy did not serve {self.host} within {self.seconds} s")
        return self.served_at, self.polls


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Api:
    def __init__(self, port, key):
        self.port = port
        self.key = key

    def ok(self, method, path, body=None):
        status, data = http_call(self.port, method, path,
                                 None if body is None else json.dumps(body),
                                 {"Authorization": f"Bearer {self.key}"})
        if status // 100 != 2:
            raise RuntimeError(f"{method} {path} -> {status} {data[:300]!r}")
        return json.loads(data) if data else None


class Processes:
    """The processes of one N; stopped in reverse order."""

    def __init__(self, work):
        self.work = work
        self.running = {}

    def start(self, name, argv, env=None):
        out = open(os.path.join(self.work, f"{name}.out"), "ab")
        self.running[name] = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                              env=env, start_new_session=True)
        return self.running[name]

    def stop(self, name):
        proc = self.running.pop(name, None)
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name)


class Instance:
    """berthd + one enrolled agent + Caddy, with N seeded apps."""

    def __init__(self, args, n, upstream_port):
        self.args = args
        self.n = n
        self.work = os.path.join(args.work, f"n{n}")
        os.makedirs(self.work)
        self.procs = Processes(self.work)
        self.bin = args.bin
        self.berthd_port = free_port()
        self.caddy_admin = free_port()
        self.http_port = free_port()
        self.https_port = free_port()
        self.upstream_port = upstream_port
        self.data = os.path.join(self.work, "data")
        # The baseline's own Caddy (started with a copy of the agent's Caddy's config): Berth's
        # Caddy is not loaded for a new domain, and a load behind the agent's back would make
        # the agent's next change a load too.
        self.plain_admin = free_port()
        self.plain_http = free_port()
        self.plain_https = free_port()

    def start_caddy(self):
        caddy_dir = os.path.join(self.work, "caddy")
        os.makedirs(caddy_dir)
        config = os.path.join(caddy_dir, "caddy.json")
        with open(config, "w") as f:
            json.dump({"admin": {"listen": f"127.0.0.1:{self.caddy_admin}"}}, f)
        env = dict(os.environ, XDG_DATA_HOME=caddy_dir, XDG_CONFIG_HOME=caddy_dir)
        self.procs.start("caddy", ["caddy", "run", "--config", config], env=env)
        wait_until("Caddy's admin API", 30, lambda: answers(self.caddy_admin, "/config/"))

    def start_plain_caddy(self):
        """A second Caddy running the agent's Caddy's config (its routes, SRV lookups at the
        agent's DNS responder and catch-all included) on ports of its own, for the baseline."""
        config = json.loads(http_call(self.caddy_admin, "GET", "/config/")[1])
        config["admin"]["listen"] = f"127.0.0.1:{self.plain_admin}"
        config.pop("logging", None)  # the agent's TLS log receiver is the agent Caddy's
        http = config["apps"]["http"]
        http["http_port"], http["https_port"] = self.plain_http, self.plain_https
        http["servers"][SERVER_NAME]["listen"] = [f":{self.plain_http}"]
        caddy_dir = os.path.join(self.work, "plain-caddy")
        os.makedirs(caddy_dir)
        path = os.path.join(caddy_dir, "caddy.json")
        with open(path, "w") as f:
            json.dump(config, f)
        env = dict(os.environ, XDG_DATA_HOME=caddy_dir, XDG_CONFIG_HOME=caddy_dir)
        self.procs.start("plain-caddy", ["caddy", "run", "--config", path], env=env)
        wait_until("the plain Caddy's admin API", 30, lambda: answers(self.plain_admin, "/config/"))

    def stop_edge_caddy(self):
        """The agent's edge Caddy outlives the agent by design (docs/edge.md): the one its
        edge.json names is the last one standing."""
        try:
            with open(os.path.join(self.work, "agent", "edge", "edge.json")) as f:
                pid = json.load(f).get("pid", 0)
        except (OSError, ValueError):
            return
        if isinstance(pid, int) and pid > 1:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def start_berthd(self):
        self.procs.start("berthd", [
            f"{self.bin}/berthd", "--listen", f"127.0.0.1:{self.berthd_port}", "--data-dir", self.data,
            "--log-file", os.path.join(self.work, "berthd.log"), "--rate-limit", "0",
            "--sign-in-rate-limit", "0"])
        wait_until("berthd", 60, lambda: answers(self.berthd_port, "/api/v1/health"))

    def make_admin_key(self):
        token_file = os.path.join(self.data, "setup-token")
        wait_until("the setup token", 10, lambda: os.path.exists(token_file))
        with open(token_file) as f:
            token = f.read().strip()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{self.berthd_port}"

        def post(path, body, headers=None):
            request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json", **(headers or {})})
            with opener.open(request, timeout=30) as resp:
                return json.loads(resp.read())

        setup = post("/api/v1/auth/setup", {"setup_token": token, "email": "bench@example.com",
                                            "password": "bench password 123", "display_name": "Bench"})
        key = post("/api/v1/api-keys", {"name": "proxy bench", "role": "admin"},
                   {"X-CSRF-Token": setup["csrf_token"]})
        return key["raw_key"]

    def enrol_agent(self, api):
        token = api.ok("POST", "/api/v1/servers/install-tokens", {})["token"]
        state = os.path.join(self.work, "agent")
        subprocess.run([f"{self.bin}/berth-agent", "enroll", "--server", f"http://127.0.0.1:{self.berthd_port}",
                        "--install-token", token, "--state-dir", state],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        self.procs.start("agent", [
            f"{self.bin}/berth-agent", "run", "--state-dir", state,
            "--docker-socket", os.path.join(self.work, "no-docker.sock"),
            "--caddy-admin", f"127.0.0.1:{self.caddy_admin}"])

    def online_server(self, api):
        def online():
            servers = api.ok("GET", "/api/v1/servers")["data"]
            return [s for s in servers if s["status"] == "online"]
        return wait_until("the agent's server to be online", 60, online, interval=0.1)[0]["id"]

    def setup(self):
        self.start_caddy()
        self.start_berthd()
        api = Api(self.berthd_port, self.make_admin_key())
        self.enrol_agent(api)
        self.server_id = self.online_server(api)
        # The apps go straight into the store (see seed.cpp), so berthd is stopped meanwhile.
        self.procs.stop("berthd")
        started = time.monotonic()
        seeded = subprocess.run([
            f"{self.bin}/proxy_seed", "--db", os.path.join(self.data, "berth.db"), "--server-id",
            self.server_id, "--apps", str(self.n), "--upstream-port", str(self.upstream_port),
            "--http-port", str(self.http_port), "--https-port", str(self.https_port)],
            check=True, capture_output=True, text=True, timeout=600)
        self.seed_s = time.monotonic() - started
        self.last_app = seeded.stdout.strip()
        self.start_berthd()
        self.api = api
        self.online_server(api)
        log(f"N={self.n}: {self.n} apps seeded in {self.seed_s:.1f} s; last app {self.last_app}")

    def apply_job_after(self, sent_wall):
        """The first proxy.apply job berthd created at or after sent_wall (ms precision)."""
        jobs = self.api.ok("GET", f"/api/v1/servers/{self.server_id}/jobs?per_page=20")["data"]
        found = [j for j in jobs if j["kind"] == "proxy.apply" and parse_time(j["created_at"]) >= sent_wall - 0.001]
        return min(found, key=lambda j: parse_time(j["created_at"])) if found else None

    def berth_round(self, host):
        """POST the domain; wait until Caddy serves it. Times in ms."""
        poller = Poller(self.http_port, host)
        sent_wall = time.time()
        start = time.monotonic()
        answer = self.api.ok("POST", f"/api/v1/apps/{self.last_app}/domains", {"hostname": host, "tls": "off"})
        answered = time.monotonic()
        served, polls = poller.wait()
        result = {"total_ms": (served - start) * 1000, "api_ms": (answered - start) * 1000, "polls": polls,
                  "domain_id": answer["id"]}

        def finished_job():
            job = self.apply_job_after(sent_wall)
            return job if job and job.get("finished_at") else None

        job = wait_until("the proxy.apply job to finish", 60, finished_job, interval=0.05)
        if job["state"] != "succeeded":
            raise RuntimeError(f"proxy.apply {job['id']} ended {job['state']}")
        marks = {name: (parse_time(job[f"{name}_at"]) - sent_wall) * 1000
                 for name in ("created", "dispatched", "started", "finished") if job.get(f"{name}_at")}
        result["job"] = {"id": job["id"], **{f"{k}_ms": round(v, 1) for k, v in marks.items()}}
        return result

    def caddy_round(self, host):
        """What a client of Caddy alone does: read the config, add a route, load it. Times in ms."""
        poller = Poller(self.plain_http, host)
        start = time.monotonic()
        status, body = http_call(self.plain_admin, "GET", "/config/")
        if status != 200:
            raise RuntimeError(f"GET /config/ -> {status}")
        config = json.loads(body)
        got = time.monotonic()
        routes = config["apps"]["http"]["servers"][SERVER_NAME]["routes"]
        # The same route Berth renders for a domain of the last app, under the new hostname
        # (its upstream lookup name stays the app's own, which the agent's DNS answers).
        template = next(r for r in routes if "match" in r and r["match"][0]["host"] == [self.last_host])
        route = copy.deepcopy(template)
        route["match"][0]["host"] = [host]
        # In hostname order, before the catch-all route (the one without a matcher).
        at = next((i for i, r in enumerate(routes) if "match" not in r or r["match"][0]["host"][0] > host),
                  len(routes))
        routes.insert(at, route)
        payload = json.dumps(config)
        posting = time.monotonic()
        status, body = http_call(self.plain_admin, "POST", "/load", payload)
        if status // 100 != 2:
            raise RuntimeError(f"POST /load -> {status} {body[:300]!r}")
        loaded = time.monotonic()
        served, polls = poller.wait()
        return {"total_ms": (served - start) * 1000, "get_config_ms": (got - start) * 1000,
                "edit_ms": (posting - got) * 1000, "load_ms": (loaded - posting) * 1000,
                "after_load_ms": (served - loaded) * 1000, "config_bytes": len(payload), "polls": polls}

    def measure(self, reps):
        # Warm-up (not counted): the first table with every app reaches Caddy.
        started = time.monotonic()
        self.berth_round(f"warm.n{self.n}.proxy.bench")
        warm_ms = (time.monotonic() - started) * 1000
        self.last_host = f"app-{self.n:04}.proxy.bench"
        routes = len(json.loads(http_call(self.caddy_admin, "GET", "/config/")[1])
                     ["apps"]["http"]["servers"][SERVER_NAME]["routes"])
        self.start_plain_caddy()
        log(f"N={self.n}: warm-up apply {warm_ms:.0f} ms; Caddy has {routes} routes")
        berth, caddy = [], []
        for rep in range(reps):
            order = [("berth", berth), ("caddy", caddy)]
            if rep % 2:
                order.reverse()
            for kind, into in order:
                host = f"{kind}-{rep}.n{self.n}.proxy.bench"
                into.append(self.berth_round(host) if kind == "berth" else self.caddy_round(host))
                time.sleep(0.2)
            log(f"N={self.n} rep {rep + 1}/{reps}: berth {berth[-1]['total_ms']:.0f} ms, "
                f"caddy {caddy[-1]['total_ms']:.0f} ms")
        return {"n": self.n, "routes_in_caddy": routes, "seed_s": self.seed_s, "warm_ms": warm_ms,
                "berth": berth, "caddy": caddy}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--counts", default="10,100,1000")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    upstream = Processes(args.work)
    instance = None
    try:
        port_file = os.path.join(args.work, "hello.port")
        upstream.start("hello", [f"{args.bin}/beast_hello", port_file, "1"])
        wait_until("beast_hello", 10, lambda: os.path.exists(port_file) and open(port_file).read().strip())
        upstream_port = int(open(port_file).read())
        results = []
        for n in [int(c) for c in args.counts.split(",")]:
            instance = Instance(args, n, upstream_port)
            try:
                instance.setup()
                results.append(instance.measure(args.reps))
            finally:
                instance.procs.stop_all()
                instance.stop_edge_caddy()
        with open(args.out, "w") as f:
            json.dump({"reps": args.reps, "poll_ms": POLL_S * 1000, "results": results}, f, indent=1)
    finally:
        upstream.stop_all()


if __name__ == "__main__":
    main()
