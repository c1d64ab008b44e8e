-- wrk script for bench/deploy/run: counts every response by status and by body (v1, v2, other),
-- then prints them with wrk's error counters and latency percentiles in lines bench/deploy/report.py
-- reads.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  bodies = {}
end

function response(status, headers, body)
  local s = tostring(status)
  statuses[s] = (statuses[s] or 0) + 1
  local b = string.sub(string.gsub(body or "", "%s+$", ""), 1, 24)
  if b ~= "v1" and b ~= "v2" then
    b = "other"
  end
  bodies[b] = (bodies[b] or 0) + 1
end

function done(summary, latency, requests)
  local total_status, total_body = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do total_status[k] = (total_status[k] or 0) + v end
    for k, v in pairs(thread:get("bodies")) do total_body[k] = (total_body[k] or 0) + v end
  end
  for k, v in pairs(total_status) do io.write(string.format("bench status %s %d\n", k, v)) end
  for k, v in pairs(total_body) do io.write(string.format("bench body %s %d\n", k, v)) end
  local e = summary.errors
  io.write(string.format("bench summary requests %d duration_us %d connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  -- wrk's latency excludes connecting (the connections are kept alive) and is corrected for
  -- coordinated omission; the max is a real request's.
  io.write(string.format("bench latency p50_us %d p99_us %d p999_us %d max_us %d\n",
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
