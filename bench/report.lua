-- wrk script: optional POST body from the environment, optional list of paths to go
-- through (BENCH_PATHS, space-separated: each connection takes its own share, so that no
-- two connections save the same score sheet at once), and a summary line. No `response`
-- function: with one, wrk copies every response body into Lua, which cost the two cores
-- a sixth of the throughput of a 370 kB page; bench/run.py counts the statuses from the
-- server's access log instead.
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local all_paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
  table.insert(all_paths, p)
end

local thread_count = 0

setup = function(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

init = function(args)
  -- This thread's share of the paths: every n-th, starting at its own index.
  paths = {}
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  for i = thread_index + 1, #all_paths, n do
    table.insert(paths, all_paths[i])
  end
  next_path = 0
end

request = function()
  if #paths == 0 then
    return wrk.request()
  end
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout))
end
