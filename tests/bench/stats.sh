#!/usr/bin/env bash
# Benchmark: the leadership metrics (GET /api/v1/stats/*) on a large data set.
#   tests/bench/stats.sh [tickets=200000] [runs=5]
#   tests/bench/stats.sh demo [runs=5]      the demo district instead (deploy/demo-tickets, 300 tickets)
# Makes the tickets in SQL, spread over the last 365 days, with what the
# statistics read: lead and assisting assignments (returns and bounces
# among them), SLA clocks of every leg (met, missed, running, some late),
# ratings (a few appeal-excluded), extension requests, and five events a
# ticket (a few reopens). Then times each endpoint for a year, a month and
# the default trends, as the district's leader, a bureau and a town
# viewer: the median of `runs` calls after one warm-up call (more runs than
# PostgreSQL's five custom plans, so a generic plan would show).
# Target: well under 1 s on the demo data; "reasonable" on 200,000 tickets.
source "$(dirname "$0")/lib.sh"
n=${1:-200000}
runs=${2:-5}
bench_setup

start=$(date +%s)
if [ "$n" = demo ]; then
  bench_server_start
  node deploy/demo-tickets --url "http://127.0.0.1:$port" --count 300 >/dev/null
  bench_server_stop
else
bench_psql <<SQL
SET synchronous_commit = off;
CREATE TEMP TABLE p AS SELECT
  (SELECT array_agg(id ORDER BY id) FROM categories WHERE parent_id IS NOT NULL) AS cats,
  (SELECT array_agg(id ORDER BY id) FROM orgs WHERE kind IN ('bureau', 'town')) AS units,
  (SELECT id FROM users WHERE username = 'zhuanyuan') AS specialist,
  (SELECT org_id FROM users WHERE username = 'zhuanyuan') AS center;
-- 50 titles, so that repeated demands (一类事) exist
CREATE TEMP TABLE tt AS SELECT g AS i, '压测诉求标题' || g AS title FROM generate_series(0, 49) g;
CREATE TEMP TABLE st AS SELECT * FROM (VALUES (0, 'new'), (1, 'answered'), (2, 'dispatched'), (3, 'returned'),
  (4, 'in_progress'), (5, 'in_progress'), (6, 'suspended'), (7, 'resolved'), (8, 'feedback'), (9, 'closed'),
  (10, 'closed'), (11, 'closed'), (12, 'closed'), (13, 'closed'), (14, 'closed'), (15, 'closed'), (16, 'closed'),
  (17, 'rectifying'), (18, 'rejected'), (19, 'merged')) AS s (i, state);

INSERT INTO tickets (number, enterprise_id, channel, category_id, urgency, title, description, state, version,
    created_by, created_at, updated_at, close_reason, rework_count, return_count, supervision_count)
SELECT 'MH-B-' || lpad(g::text, 7, '0'), (SELECT min(id) FROM enterprises) + g % 40, 'visit',
  p.cats[1 + g % array_length(p.cats, 1)], 'normal', tt.title, '基准测试数据', st.state, 5, p.specialist,
  now() - make_interval(secs => (g::bigint * 157) % (365 * 86400)), now(),
  CASE WHEN st.state = 'closed' THEN (ARRAY['rated', 'rated', 'unrated', 'ruled', 'withdrawn'])[1 + g % 5] END,
  CASE WHEN g % 23 = 0 THEN 1 ELSE 0 END, CASE WHEN g % 10 = 0 THEN 2 WHEN g % 7 = 0 THEN 1 ELSE 0 END,
  CASE WHEN g % 31 = 0 THEN 1 ELSE 0 END
FROM generate_series(1, $n) g, p, tt, st WHERE tt.i = g % 50 AND st.i = g % 20;

-- lead assignments (every ticket past triage), an earlier returned one for bounced tickets, assisting ones
CREATE TEMP TABLE bt AS SELECT t.id, t.state, t.created_at, t.return_count,
  p.units[1 + t.id % array_length(p.units, 1)] AS unit, p.units[1 + (t.id + 3) % array_length(p.units, 1)] AS other
  FROM tickets t, p WHERE t.number LIKE 'MH-B-%' AND t.state NOT IN ('new', 'answered', 'rejected');
INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by, dispatched_at, accepted_at,
    returned_at, return_code, done_at, outcome)
SELECT bt.id, o.id, o.path, true, 'returned', p.specialist, bt.created_at + interval '1 hour', NULL,
  bt.created_at + interval '3 hours', 'not_our_function', NULL, NULL
FROM bt JOIN orgs o ON o.id = bt.other, p WHERE bt.return_count > 0;
INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by, dispatched_at, accepted_at,
    returned_at, return_code, done_at, outcome)
SELECT bt.id, o.id, o.path, true,
  CASE WHEN bt.state = 'returned' THEN 'returned' WHEN bt.state = 'dispatched' THEN 'pending'
       WHEN bt.state IN ('resolved', 'feedback', 'closed') THEN 'done' ELSE 'accepted' END,
  p.specialist, bt.created_at + interval '5 hours',
  CASE WHEN bt.state NOT IN ('returned', 'dispatched') THEN bt.created_at + interval '7 hours' END,
  CASE WHEN bt.state = 'returned' THEN bt.created_at + interval '8 hours' END,
  CASE WHEN bt.state = 'returned' THEN 'not_our_area' END,
  CASE WHEN bt.state IN ('resolved', 'feedback', 'closed') THEN bt.created_at + interval '3 days' END,
  CASE WHEN bt.state IN ('resolved', 'feedback', 'closed') THEN 'resolved' END
FROM bt JOIN orgs o ON o.id = bt.unit, p;
INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by, dispatched_at, accepted_at, done_at,
    outcome)
SELECT bt.id, o.id, o.path, false, 'done', p.specialist, bt.created_at + interval '5 hours',
  bt.created_at + interval '9 hours', bt.created_at + interval '2 days', 'contributed'
FROM bt JOIN orgs o ON o.id = bt.other, p WHERE bt.id % 5 = 0 AND bt.return_count = 0;

-- SLA clocks: accept for every assignment, contact and resolve for accepted leads, feedback and rating after
INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes, warn_at, deadline,
    supervise_at, stage, stopped_at, outcome, duration_minutes)
SELECT a.ticket_id, a.id, a.org_id, 'accept', 'working', a.dispatched_at, 480, a.dispatched_at + interval '6 hours',
  a.dispatched_at + interval '1 day', a.dispatched_at + interval '2 days',
  CASE WHEN a.id % 13 = 0 THEN 'supervised' WHEN a.id % 9 = 0 THEN 'overdue' ELSE 'running' END,
  coalesce(a.accepted_at, a.returned_at), CASE WHEN coalesce(a.accepted_at, a.returned_at) IS NULL THEN NULL
    WHEN a.id % 9 = 0 THEN 'missed' ELSE 'met' END,
  CASE WHEN coalesce(a.accepted_at, a.returned_at) IS NOT NULL THEN 120 END
FROM assignments a JOIN bt ON bt.id = a.ticket_id;
INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes, warn_at, deadline,
    supervise_at, stage, stopped_at, outcome, duration_minutes)
SELECT a.ticket_id, a.id, a.org_id, l.leg, 'working', a.accepted_at, l.allowed, a.accepted_at + interval '1 day',
  a.accepted_at + make_interval(days => l.days), a.accepted_at + make_interval(days => l.days + 1), 'running',
  CASE WHEN l.leg = 'contact' OR a.done_at IS NOT NULL THEN a.accepted_at + interval '20 hours' END,
  CASE WHEN l.leg = 'contact' OR a.done_at IS NOT NULL THEN CASE WHEN a.id % 6 = 0 THEN 'missed' ELSE 'met' END END,
  CASE WHEN l.leg = 'contact' OR a.done_at IS NOT NULL THEN 60 + (a.id * 37) % 2400 END
FROM assignments a JOIN bt ON bt.id = a.ticket_id,
  (VALUES ('contact', 480, 1), ('resolve', 2400, 7)) AS l (leg, allowed, days)
WHERE a.lead AND a.accepted_at IS NOT NULL;
INSERT INTO sla_clocks (ticket_id, org_id, leg, clock, started_at, allowed_minutes, warn_at, deadline, supervise_at,
    stage, stopped_at, outcome, duration_minutes)
SELECT bt.id, p.center, l.leg, 'working', bt.created_at + interval '3 days', 480, bt.created_at + interval '3 days 6 hours',
  bt.created_at + interval '4 days', bt.created_at + interval '5 days', 'running',
  CASE WHEN bt.state <> 'resolved' OR l.leg = 'feedback' THEN bt.created_at + interval '3 days 2 hours' END,
  CASE WHEN bt.state <> 'resolved' OR l.leg = 'feedback' THEN 'met' END,
  CASE WHEN bt.state <> 'resolved' OR l.leg = 'feedback' THEN 120 END
FROM bt, p, (VALUES ('feedback'), ('rating')) AS l (leg) WHERE bt.state IN ('resolved', 'feedback', 'closed');

INSERT INTO ratings (ticket_id, round, score, rated_by, excluded)
SELECT t.id, 1, 1 + t.id % 5, NULL, t.id % 17 = 0 FROM tickets t
WHERE t.number LIKE 'MH-B-%' AND (t.close_reason IN ('rated', 'ruled') OR (t.state = 'feedback' AND t.id % 2 = 0));
INSERT INTO extension_requests (ticket_id, assignment_id, days, reason, state, requested_at)
SELECT a.ticket_id, a.id, 3, '基准测试', CASE WHEN a.id % 2 = 0 THEN 'approved' ELSE 'denied' END, a.accepted_at
FROM assignments a JOIN bt ON bt.id = a.ticket_id WHERE a.lead AND a.accepted_at IS NOT NULL AND a.id % 19 = 0;
INSERT INTO ticket_events (ticket_id, actor_role, action, from_state, to_state, summary, created_at)
SELECT t.id, 'specialist', CASE WHEN k = 5 AND t.id % 97 = 0 THEN 'reopen' ELSE 'note' END, t.state, t.state,
  '基准测试事件', t.created_at + make_interval(hours => k)
FROM tickets t, generate_series(1, 5) k WHERE t.number LIKE 'MH-B-%';
ANALYZE;
SQL
fi
made=$(( $(date +%s) - start ))
counts=$(bench_psql -c "SELECT (SELECT count(*) FROM tickets) || ' tickets, ' || (SELECT count(*) FROM assignments)
  || ' assignments, ' || (SELECT count(*) FROM sla_clocks) || ' clocks, ' || (SELECT count(*) FROM ticket_events)
  || ' events, ' || (SELECT count(*) FROM ratings) || ' ratings'")
echo "data: $counts (made in ${made}s)"

bench_server_start
today=$(TZ=Asia/Shanghai date +%F)
year_ago=$(TZ=Asia/Shanghai date -d '364 days ago' +%F)
month_ago=$(TZ=Asia/Shanghai date -d '29 days ago' +%F)

# median seconds of $runs calls (after a warm-up) of a path as the logged-in user
time_path() {
  local path=$1 times=() status
  status=$(curl -s -o "$tmp/answer" -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$port$path")
  if [ "$status" != 200 ]; then # e.g. 503 query_timeout: say so in the table
    printf '%s %s' "$status" "$(sed -n 's/.*"code":"\([^"]*\)".*/\1/p' "$tmp/answer")"
    return
  fi
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$port$path")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.3f", a[int((NR + 1) / 2)]}'
}

printf '%-12s %-58s %s\n' user request "median s ($runs runs)"
for user in lingdao shichang xinzhuang; do
  bench_login "$user"
  for path in "/api/v1/stats/overview?from=$year_ago&to=$today" "/api/v1/stats/orgs?from=$year_ago&to=$today" \
      "/api/v1/stats/categories?from=$year_ago&to=$today" "/api/v1/stats/trend?granularity=month" \
      "/api/v1/stats/trend?granularity=week" "/api/v1/stats/overview?from=$month_ago&to=$today" \
      "/api/v1/stats/orgs?from=$month_ago&to=$today" "/api/v1/stats/overview?from=$year_ago&to=$today&format=csv"; do
    printf '%-12s %-58s %s\n' "$user" "$path" "$(time_path "$path")"
  done
done
bench_server_stop
