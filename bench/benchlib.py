"""Helpers shared by the Python parts of the benchmarks (bench/deploy, bench/proxy).

A script in bench/<name>/ imports it after putting bench/ on its path:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
"""
import os
import platform
import time


def wait_until(what, seconds, probe, interval=0.1):
    """Polls `probe` until it returns something true (and returns that), or raises after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(interval)


def machine():
    """'N cores (CPU model), Linux <release>' for a results file's header."""
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}"


def rss_kb(pid):
    """The resident set of process `pid` in KiB (VmRSS), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def kept_findings(path):
    """The "## Findings" section of an existing results file (to write back), or ""."""
    if not os.path.exists(path):
        return ""
    with open(path) as old:
        text = old.read()
    return text[text.index("## Findings"):] if "## Findings" in text else ""
