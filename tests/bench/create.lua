-- wrk: POST /api/v1/tickets as a specialist recording a visit; every request creates a ticket.
-- Environment: COOKIE, CSRF, CATEGORY (a category id).
wrk.method = "POST"
wrk.path = "/api/v1/tickets"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF")
local n = 0
function request()
  n = n + 1
  local body = string.format('{"enterprise_id":%d,"channel":"visit","category_id":%s,' ..
    '"title":"走访记录 用工补贴咨询","description":"企业反映新招员工的社保补贴申请流程不清楚,请协助。"}',
    1 + n % 40, os.getenv("CATEGORY"))
  return wrk.format(nil, nil, nil, body)
end
