-- wrk scenario "list": GET /pod/api/orders, each connection as its own user.
-- Run with -t N -c N and, after "--", the users file and N (see common.lua).
-- A 200 whose body lists no order counts as unexpected: the users have orders.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

non2xx = 0
unexpected = 0
statuses = ""

local req

function setup(thread)
  common.setup(thread)
end

function init(args)
  local users = common.users(args[1], tonumber(args[2]), thread_id)
  req = wrk.format("GET", "/pod/api/orders", { ["Authorization"] = "Bearer " .. users[1].token })
end

function request()
  return req
end

function response(status, headers, body)
  statuses = common.count_status(statuses, status)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    unexpected = unexpected + 1
  elseif not body:find('"id"%s*:') then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  common.done("list", summary, latency)
end
