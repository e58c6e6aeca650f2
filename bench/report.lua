-- wrk script: optional POST body from the environment, a count of responses whose status
-- differs from the expected one (a login redirect is not the page), and a one-line summary.
local body = os.getenv("BENCH_BODY")
local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  unexpected = 0
end

response = function(status, headers, response_body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d, "unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout, wrong))
end
