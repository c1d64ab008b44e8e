"""A minimal Server-Sent Events reader for bench/deploy/driver.py, with an overall deadline."""
import http.client
import json
import time


def read_events(host, port, path, key, seconds):
    """Yields (event, data as JSON) until the server closes the stream or `seconds` pass."""
    deadline = time.monotonic() + seconds
    conn = http.client.HTTPConnection(host, port, timeout=seconds)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {key}", "Accept": "text/event-stream"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"GET {path} -> {resp.status} {resp.read()[:200]!r}")
        event, data = "message", []
        while time.monotonic() < deadline:
            line = resp.readline()
            if not line:
                return
            line = line.decode().rstrip("\r\n")
            if line == "":
                if data:
                    yield event, json.loads("\n".join(data))
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        raise RuntimeError(f"GET {path}: the stream did not end within {seconds} s")
    finally:
        conn.close()
