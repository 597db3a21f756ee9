-- wrk script: the bare program's single-row insert (app/loadtest/bare):
--
--   wrk -t2 -c32 -d10s --latency -s app/loadtest/wrk/bare.lua http://127.0.0.1:PORT
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/insert", nil, "row " .. i)
end
