-- wrk scenario "flow": each connection, as its own user, cycles through
--   POST /pod/api/orders  ->  GET /auth0/outbox?to=ADDRESS&last=1  ->  POST /pod/api/orders/{id}/confirm
-- and counts a flow only when the confirmation answers 200 with status "confirmed".
-- Run with -t N -c N and, after "--", the users file and N (see common.lua).
--
-- A connection owns several users and takes the next one after each flow: Pod
-- sends a user at most CODE_SENDS_PER_HOUR (at most 100) codes an hour, so one
-- user per connection would run into 429 within seconds. Only one user of a
-- connection is ever in a flow, so no two connections touch the same user.

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")

non2xx = 0
unexpected = 0
flows = 0
statuses = ""

local users
local current = 1
local step = "order"
local order_id, code
local order_body = '{"size":"large","toppings":["pepperoni"]}'

function setup(thread)
  common.setup(thread)
end

function init(args)
  users = common.users(args[1], tonumber(args[2]), thread_id)
  for _, user in ipairs(users) do
    user.outbox = "/auth0/outbox?to=" .. common.urlencode(user.to) .. "&last=1"
  end
end

local function api_headers()
  return { ["Authorization"] = "Bearer " .. users[current].token, ["Content-Type"] = "application/json" }
end

function request()
  if step == "order" then
    return wrk.format("POST", "/pod/api/orders", api_headers(), order_body)
  elseif step == "code" then
    return wrk.format("GET", users[current].outbox, {})
  else
    return wrk.format("POST", "/pod/api/orders/" .. order_id .. "/confirm", api_headers(), '{"code":"' .. code .. '"}')
  end
end

local function next_user()
  current = current % #users + 1
  step = "order"
end

-- Something went wrong in this flow: count it and start a new one with the next user.
local function give_up()
  unexpected = unexpected + 1
  next_user()
end

function response(status, headers, body)
  statuses = common.count_status(statuses, status)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    return give_up()
  end
  if step == "order" then
    order_id = body:match('"id"%s*:%s*"([^"]+)"')
    if not order_id then
      return give_up()
    end
    step = "code"
  elseif step == "code" then
    code = body:match('"code"%s*:%s*"(%d+)"')
    if not code then
      return give_up()
    end
    step = "confirm"
  else
    if body:find('"status"%s*:%s*"confirmed"') then
      flows = flows + 1
      next_user()
    else
      give_up()
    end
  end
end

function done(summary, latency, requests)
  common.done("flow", summary, latency)
end
