-- wrk: POST /api/v1/tickets/{id}/actions/accept on prepared dispatched tickets,
-- each one once: thread k takes FIRST_ID + k, + k + THREADS, ...
-- Environment: COOKIE, CSRF, FIRST_ID, THREADS, and PREFER (e.g. return=minimal) when set.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
wrk.body = '{"version":2,"note":"已签收"}'
if os.getenv("PREFER") then wrk.headers["Prefer"] = os.getenv("PREFER") end
local created = 0
function setup(thread)
  thread:set("k", created)
  created = created + 1
end
function init(args)
  next_id = tonumber(os.getenv("FIRST_ID")) + k
  step = tonumber(os.getenv("THREADS"))
end
function request()
  local path = "/api/v1/tickets/" .. next_id .. "/actions/accept"
  next_id = next_id + step
  return wrk.format(nil, path)
end
