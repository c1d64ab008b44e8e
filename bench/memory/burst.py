"""berthd's RSS through a burst of 1 MB request bodies: idle before, at the end of the burst,
and each second after it for SECONDS, so one run shows whether the memory comes back.

The bodies are JSON projects whose description is 1 MB of text (just under berthd's 1 MiB
limit): read, parsed, validated and refused (400), the way an oversized upload or a misbehaving
client would send them; half of them are 2 MiB bodies, which the body limit refuses (413). THREADS clients send
COUNT bodies in all, each on its own keep-alive connection.

Usage: burst.py --base URL --pid PID [--count 400] [--threads 8] [--seconds 30]
       (API key in BENCH_API_KEY). Prints one JSON object.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchlib import rss_kb  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    key = os.environ["BENCH_API_KEY"]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    # Just under berthd's 1 MiB body limit (parsed, then refused by validation) and well over it.
    bodies = [json.dumps({"name": "burst", "description": "x" * size}).encode()
              for size in (1000 * 1000, 2 * 1024 * 1024)]
    statuses = {}
    lock = threading.Lock()

    def client(n):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        for i in range(n):
            try:
                connection.request("POST", "/api/v1/projects", body=bodies[i % 2], headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
                status = "reset"
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    time.sleep(2)
    idle = rss_kb(args.pid)
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(args.count // args.threads,))
               for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    burst_s = time.monotonic() - started
    after = [rss_kb(args.pid)]
    for _ in range(args.seconds):
        time.sleep(1)
        after.append(rss_kb(args.pid))
    print(json.dumps({"idle_kb": idle, "end_of_burst_kb": after[0], "after_kb": after,
                      "settled_kb": after[-1], "burst_seconds": round(burst_s, 1),
                      "statuses": {str(k): v for k, v in statuses.items()}}))


if __name__ == "__main__":
    main()
