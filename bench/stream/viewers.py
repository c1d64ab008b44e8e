"""N viewers of one job's live output: how long after a line was printed each viewer sees it.

The job prints one line at a time, each the wall clock in nanoseconds when it was printed
(`date +%s%N`). Every viewer is a plain socket on one selector thread, so a viewer's receive
time is taken as its bytes arrive (no thread wake-ups or GIL in between); each `output` event's
lines are matched to their print time. Lines printed before every viewer was connected are left
out. Prints one JSON object: count, p50/p90/p99/max in ms, the viewers, the lines seen.

Usage: viewers.py --base http://127.0.0.1:PORT --job JOB_ID --viewers 100 --lines 100
       (API key in BENCH_API_KEY)
"""
import argparse
import json
import os
import re
import selectors
import socket
import time
import urllib.parse

STAMP = re.compile(r"^\d{19}$")


class Viewer:
    def __init__(self, host, port, path, key):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                   f"Authorization: Bearer {key}\r\n\r\n")
        self.sock.sendall(request.encode())
        self.sock.setblocking(False)
        self.raw = b""
        self.body = b""
        self.headers_done = False
        self.chunked = False
        self.done = False

    def feed(self, data, now_ns, on_line):
        self.raw += data
        if not self.headers_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.raw[:end].decode("latin-1").lower()
            if not head.startswith("http/1.1 200"):
                raise RuntimeError("the output stream answered: " + head.splitlines()[0])
            self.chunked = "transfer-encoding: chunked" in head
            self.raw = self.raw[end + 4:]
            self.headers_done = True
        if self.chunked:
            while True:
                line_end = self.raw.find(b"\r\n")
                if line_end < 0:
                    break
                size = int(self.raw[:line_end].split(b";")[0], 16)
                if size == 0:
                    self.done = True
                    break
                if len(self.raw) < line_end + 2 + size + 2:
                    break
                self.body += self.raw[line_end + 2:line_end + 2 + size]
                self.raw = self.raw[line_end + 2 + size + 2:]
        else:
            self.body += self.raw
            self.raw = b""
        while b"\n\n" in self.body:
            event, self.body = self.body.split(b"\n\n", 1)
            kind, data = "message", []
            for field in event.decode().split("\n"):
                if field.startswith("event:"):
                    kind = field[6:].strip()
                elif field.startswith("data:"):
                    data.append(field[5:].strip())
            if kind == "done":
                self.done = True
            if kind != "output" or not data:
                continue
            for line in json.loads("\n".join(data)).get("text", "").splitlines():
                if STAMP.match(line):
                    on_line(int(line), now_ns)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    key = os.environ["BENCH_API_KEY"]
    selector = selectors.DefaultSelector()
    viewers = []
    for _ in range(args.viewers):
        viewer = Viewer(url.hostname, url.port, f"/api/v1/jobs/{args.job}/output", key)
        selector.register(viewer.sock, selectors.EVENT_READ, viewer)
        viewers.append(viewer)
    connected_ns = time.time_ns()
    latencies = []
    seen = set()

    def on_line(printed_ns, now_ns):
        if printed_ns > connected_ns:
            latencies.append((now_ns - printed_ns) / 1e6)
            seen.add(printed_ns)

    deadline = time.monotonic() + args.timeout
    while not all(v.done for v in viewers) and time.monotonic() < deadline:
        for key_, _ in selector.select(timeout=1):
            viewer = key_.data
            try:
                data = viewer.sock.recv(65536)
            except BlockingIOError:
                continue
            now_ns = time.time_ns()
            if not data:
                viewer.done = True
                selector.unregister(viewer.sock)
                continue
            viewer.feed(data, now_ns, on_line)
            if viewer.done:
                selector.unregister(viewer.sock)
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2) \
            if latencies else None

    print(json.dumps({"viewers": args.viewers, "lines": len(seen), "count": len(latencies),
                      "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
                      "max_ms": round(latencies[-1], 2) if latencies else None}))


if __name__ == "__main__":
    main()
