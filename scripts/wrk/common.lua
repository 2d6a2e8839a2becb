-- Shared by the wrk scenarios of scripts/bench_load.sh (loaded with dofile).
--
-- Each scenario runs with as many wrk threads as connections (-t N -c N): wrk's
-- Lua state is per thread, and a thread with one connection is the only way to
-- give each connection its own user and its own step in a flow.
--
-- The users file has one line per user: "<access token> <address>", where the
-- address is the phone number or email its codes go to. Thread i (0-based) of
-- N takes the i-th of N equal slices of the file.

local M = {}

-- The threads, in the main Lua state (setup and done run there).
local threads = {}
local next_id = 0

function M.setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- This thread's users: { {token=..., to=...}, ... }.
function M.users(path, connections, thread_id)
  local all = {}
  local file = assert(io.open(path, "r"), "cannot open the users file " .. tostring(path))
  for line in file:lines() do
    local token, address = line:match("^(%S+)%s+(%S+)$")
    if token then
      table.insert(all, { token = token, to = address })
    end
  end
  file:close()
  local per = math.floor(#all / connections)
  assert(per >= 1, "fewer users than connections in " .. path)
  local mine = {}
  for i = thread_id * per + 1, thread_id * per + per do
    table.insert(mine, all[i])
  end
  return mine
end

function M.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- Adds one to statuses["<status>"], kept as "status:count,status:count" text so
-- that thread:get copies it plainly.
function M.count_status(statuses, status)
  local counts = {}
  for s, n in statuses:gmatch("(%d+):(%d+)") do
    counts[s] = tonumber(n)
  end
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
  local parts = {}
  for s, n in pairs(counts) do
    table.insert(parts, s .. ":" .. n)
  end
  table.sort(parts)
  return table.concat(parts, ",")
end

local function json_value(v)
  if type(v) == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      return "null"
    end
    if v == math.floor(v) and math.abs(v) < 1e15 then
      return string.format("%d", v)
    end
    return string.format("%.3f", v)
  end
  return '"' .. tostring(v):gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

-- Prints one line "BENCH_RESULT {json}" with the run's figures. The counters are
-- globals of each thread's Lua state: non2xx (every response outside 2xx),
-- unexpected (responses the scenario did not expect, non-2xx or not), flows
-- (completed flows; nil in scenarios without flows) and statuses.
function M.done(scenario, summary, latency)
  local seconds = summary.duration / 1e6
  local totals = { non2xx = 0, unexpected = 0, flows = 0 }
  local counts = {}
  local has_flows = false
  for _, thread in ipairs(threads) do
    for name in pairs(totals) do
      totals[name] = totals[name] + (tonumber(thread:get(name)) or 0)
    end
    has_flows = has_flows or thread:get("flows") ~= nil
    for s, n in tostring(thread:get("statuses") or ""):gmatch("(%d+):(%d+)") do
      counts[s] = (counts[s] or 0) + tonumber(n)
    end
  end
  local statuses = {}
  for s, n in pairs(counts) do
    table.insert(statuses, s .. ":" .. n)
  end
  table.sort(statuses)
  statuses = table.concat(statuses, ",")
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local fields = {
    { "scenario", scenario },
    { "seconds", seconds },
    { "requests", summary.requests },
    { "rps", summary.requests / seconds },
    { "p50_ms", latency:percentile(50) / 1000 },
    { "p99_ms", latency:percentile(99) / 1000 },
    { "max_ms", latency.max / 1000 },
    { "non2xx", totals.non2xx },
    { "unexpected", totals.unexpected },
    { "socket_errors", socket_errors },
    { "timeouts", e.timeout },
    { "statuses", statuses },
  }
  if has_flows then
    table.insert(fields, { "flows", totals.flows })
    table.insert(fields, { "flows_per_s", totals.flows / seconds })
  end
  local parts = {}
  for _, field in ipairs(fields) do
    table.insert(parts, json_value(field[1]) .. ":" .. json_value(field[2]))
  end
  io.write("BENCH_RESULT {" .. table.concat(parts, ",") .. "}\n")
end

return M
