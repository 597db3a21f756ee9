-- wrk script: files tickets through the API as the harness does (createTicket in
-- app/loadtest/load_test.go): every building once a round (37 is prime to the
-- 2,000 buildings of the bulk database), the work type changing from round to
-- round, a new caller each time. The API token is the script's argument:
--
--   wrk -t2 -c32 -d10s --latency -s app/loadtest/wrk/create.lua http://127.0.0.1:PORT -- TOKEN
--
-- (TOKEN: POST /api/v1/auth/login {"login":"operator","password":"operator"}.)
local types = {"ROOF-01", "CW-05", "EL-05", "HEAT-02", "LIFT-01"}
local buildings = 2000
local threads = 0

function setup(thread)
  thread:set("first", threads * 1000000)
  threads = threads + 1
end

function init(args)
  counter = first
  token = args[1]
end

request = function()
  local i = counter
  counter = counter + 1
  local body = string.format('{"building_id":%d,"apartment":"%d","work_type":"%s","description":"Нагрузочный тест: течёт с потолка","reporter_name":"Житель","reporter_phone":"+7913%07d"}',
    1 + (i * 37) % buildings, 1 + i % 90, types[1 + ((i + math.floor(i / buildings)) % #types)], (os.time() * 1000 + i) % 10000000)
  return wrk.format("POST", "/api/v1/tickets", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
