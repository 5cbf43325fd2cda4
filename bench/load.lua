-- wrk script shared by both targets of bench/http_throughput.py, so that the load
-- generator does the same work per request for the service and for the baseline:
-- a request built per call with wrk.format, and a response whose body is searched for
-- an "id".
--
--   wrk -t8 -c8 -d10s -s bench/load.lua http://127.0.0.1:PORT -- MODE FILE NTHREADS [...]
--
-- Run with as many threads as connections (-t N -c N): each thread then drives exactly
-- one connection, and its Lua state is that connection's state, which is what lets a
-- thread send "accept" for the card its previous "propose" created.
--
-- MODE "cycles" (the service), extra args OWNER_TOKEN BUYER_TOKEN PROPOSED_SHIP_BY:
--   for each order number of FILE that belongs to this thread (line i goes to thread
--   i mod NTHREADS): POST /api/v1/orders/{no}/negotiation/cards as the owner, then
--   POST /api/v1/cards/{id}/accept as the buyer. Every order is used once.
-- MODE "insert" (bench/baseline_app.py):
--   POST /insert {"payload": <line of FILE>} for each line of FILE of this thread.
--
-- A thread that runs out of lines stops, and reports it ("exhausted" in the summary):
-- the caller must seed more and rerun, the figures of such a run are not valid.

local threads = {}
local started = 0

function setup(thread)
   started = started + 1
   thread:set("tid", started)
   table.insert(threads, thread)
end

-- per-thread globals, read back in done() through thread:get
ok = 0          -- 2xx answers
failed = 0      -- any other answer
cycles = 0      -- propose + accept both succeeded (mode "cycles")
exhausted = 0

used = 0        -- lines taken from FILE (orders or payloads)

local mode
local lines = {}
local next_line = 0
local owner_headers, buyer_headers, proposal_body
local insert_headers = {["Content-Type"] = "application/json"}
local pending_accept = nil  -- path of the accept to send next, after a good proposal

function init(args)
   mode = args[1]
   local file, nthreads = args[2], tonumber(args[3])
   local i = 0
   for line in io.lines(file) do
      if line ~= "" then
         if i % nthreads == tid - 1 then
            lines[#lines + 1] = line
         end
         i = i + 1
      end
   end
   if mode == "cycles" then
      owner_headers = {["Authorization"] = "Bearer " .. args[4],
                       ["Content-Type"] = "application/json"}
      buyer_headers = {["Authorization"] = "Bearer " .. args[5]}
      proposal_body = '{"proposed_ship_by":"' .. args[6] .. '","reason":"stock_shortage"}'
   end
end

local function next_item()
   next_line = next_line + 1
   local line = lines[next_line]
   if line ~= nil then
      used = next_line
   else
      exhausted = 1
      wrk.thread:stop()
      next_line = 0  -- keep returning something valid until the thread stops
      return lines[1]
   end
   return line
end

function request()
   if mode == "cycles" then
      if pending_accept then
         return wrk.format("POST", pending_accept, buyer_headers, "")
      end
      return wrk.format("POST", "/api/v1/orders/" .. next_item() .. "/negotiation/cards",
                        owner_headers, proposal_body)
   end
   return wrk.format("POST", "/insert", insert_headers,
                     '{"payload":"' .. next_item() .. '"}')
end

function response(status, headers, body)
   local id = string.match(body, '"id":%s*(%d+)')
   if status >= 200 and status < 300 and id then
      ok = ok + 1
   else
      failed = failed + 1
   end
   if mode ~= "cycles" then
      return
   end
   if pending_accept then
      if status == 200 then
         cycles = cycles + 1
      end
      pending_accept = nil
   elseif status == 201 and id then
      pending_accept = "/api/v1/cards/" .. id .. "/accept"
   end
end

function done(summary, latency, requests)
   local total = {ok = 0, failed = 0, cycles = 0, exhausted = 0, used = 0}
   for _, thread in ipairs(threads) do
      for key, _ in pairs(total) do
         total[key] = total[key] + (thread:get(key) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"mean_us":%.1f,"max_us":%d,"ok":%d,"failed":%d,"cycles":%d,"exhausted":%d,"used":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.mean, latency.max, total.ok, total.failed,
      total.cycles, total.exhausted, total.used, e.connect, e.read, e.write, e.status, e.timeout))
end
