#!/usr/bin/env bash
# Benchmark: SLA escalation by suqiu-worker (issue 4).
#   1. throughput: N due timers (default 100,000), each a warning with its
#      event and outbox notice, escalated by W workers (default 2) from
#      their start until none is due;
#   2. one sweep amid a big backlog: OPEN open tickets (default 1,000,000),
#      each with a running clock due in the future, of which 100 are due:
#      the time of the one batch that escalates those 100, as the worker
#      logs it (claim + escalation + commit).
#   tests/bench/timers.sh [timers=100000] [workers=2] [open=1000000]   (timers=0: the sweep only;
#   SWEEPS=n sweeps, default 7, the median is reported; HUGE_PAGES=0: no huge pages)
# Targets: >= 5,000 escalations per second; the sweep under 50 ms.
# Loopback only (a throwaway cluster over a unix socket); about 5 minutes.
source "$(dirname "$0")/lib.sh"
# a server sized for a big district: the 1,000,000 open tickets (about
# 900 MB with their indexes) fit in shared_buffers, mapped with huge pages
# as PostgreSQL advises for GiBs of shared_buffers (README, Deployment)
export SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB=${SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB:-2048}
n=${1:-100000}
workers=${2:-2}
open=${3:-1000000}
bench_huge_pages "$SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB"
bench_setup
huge_pages=$(bench_huge_pages_used)
category=$(bench_psql -c "SELECT id FROM categories WHERE code = 'RS01'")
specialist=$(bench_psql -c "SELECT id FROM users WHERE username = 'zhuanyuan'")
bureau=$(bench_psql -c "SELECT id FROM orgs WHERE name = '区市场监管局'")

# count, label, due (SQL expression of g) -> tickets in progress, each with
# its lead assignment and a running resolve clock whose timer is due
make_clocks() {
  bench_psql -c "
    WITH t AS (INSERT INTO tickets (number, enterprise_id, channel, category_id, urgency, title, description,
          state, version, created_by)
        SELECT 'MH-2026-' || '$2' || lpad(g::text, 8, '0'), 1 + g % 40, 'visit', $category, 'normal', '压测:时限',
          '基准测试准备的办理中工单', 'in_progress', 3, $specialist
        FROM generate_series(1, $1) g RETURNING id),
    a AS (INSERT INTO assignments (ticket_id, org_id, org_path, lead, state, dispatched_by)
        SELECT t.id, o.id, o.path, true, 'accepted', $specialist FROM t, orgs o WHERE o.id = $bureau
        RETURNING id, ticket_id)
    INSERT INTO sla_clocks (ticket_id, assignment_id, org_id, leg, clock, started_at, allowed_minutes, warn_at,
        deadline, supervise_at, due_at)
    SELECT a.ticket_id, a.id, $bureau, 'resolve', 'working', now() - interval '4 days', 2100,
        x.due, x.due + interval '1 day', x.due + interval '2 days', x.due
    FROM a, LATERAL (SELECT $3 AS due) x"
  bench_psql -c "VACUUM ANALYZE tickets" -c "VACUUM ANALYZE assignments" -c "VACUUM ANALYZE sla_clocks"
}

run_workers() { # count -> starts them, pids in worker_pids
  worker_pids=()
  for i in $(seq 1 "$1"); do
    SUQIU_WORKER_BATCH="${SUQIU_WORKER_BATCH:-500}" "$build/worker/suqiu-worker" >"$tmp/worker-$i.log" 2>&1 &
    worker_pids+=($!)
  done
}

stop_workers() {
  for p in "${worker_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${worker_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

due() { bench_psql -c "SELECT count(*) FROM sla_clocks WHERE due_at <= now()"; }

if [ "$n" -gt 0 ]; then
  echo "preparing $n due timers..." >&2
  make_clocks "$n" T "now() - interval '1 minute'"
  start=$(date +%s.%N)
  run_workers "$workers"
  while [ "$(due)" -gt 0 ]; do sleep 0.05; done
  end=$(date +%s.%N)
  stop_workers
  escalated=$(bench_psql -c "SELECT count(*) FROM ticket_events WHERE action = 'sla_warning'")
  queued=$(bench_psql -c "SELECT count(*) FROM outbox WHERE kind = 'sla_warning'")
  [ "$escalated" -eq "$n" ] || { echo "expected $n warnings, found $escalated" >&2; exit 1; }
  rate=$(awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')
  secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  echo "escalation throughput: $n warnings (event + outbox notice each) by $workers workers in ${secs}s = $rate escalations/s (target >= 5000); $queued notices queued"
fi

echo "preparing $open open tickets with future timers..." >&2
make_clocks "$open" O "now() + interval '1 day' + (a.id % 86400) * interval '1 second'"
bench_psql -c "ANALYZE sla_clocks"
# a database that has been serving its open tickets has them in memory;
# freshly loaded ones are still on disk: read them in first (pg_prewarm),
# so that the sweep is timed as it runs in a district's steady state
bench_psql -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
  -c "SELECT sum(pg_prewarm(oid)) FROM pg_class WHERE relkind IN ('r', 'i') AND relnamespace = 'public'::regnamespace" >/dev/null
# a worker that has been running (connected, statements prepared) is what
# sweeps in production; it sweeps $sweeps times, 100 timers falling due each time
sweeps=${SWEEPS:-7}
: >"$tmp/worker-1.log"
run_workers 1
sleep 2
swept() { grep -c '"event":"escalated".*"timers":100,' "$tmp/worker-1.log" || true; }
done_sweeps=0
for _ in $(seq 1 "$sweeps"); do
  bench_psql -c "UPDATE sla_clocks SET due_at = now() - interval '1 second', warn_at = now() - interval '1 second'
                 WHERE id IN (SELECT id FROM sla_clocks WHERE outcome IS NULL AND stage = 'running'
                              AND due_at > now() ORDER BY random() LIMIT 100)" \
             -c "NOTIFY suqiu_worker"
  # wait for the batch in the worker's log, not by asking the database:
  # a psql every 50 ms would compete with the sweep for the 2 cores
  for _ in $(seq 1 200); do [ "$(swept)" -gt "$done_sweeps" ] && break; sleep 0.05; done
  done_sweeps=$(swept)
  sleep 0.3
done
stop_workers
batches=$(grep '"event":"escalated".*"timers":100,' "$tmp/worker-1.log" || true)
[ "$(printf '%s\n' "$batches" | grep -c timers)" -eq "$sweeps" ] ||
  { echo "expected $sweeps batches of 100 in the worker's log:" >&2; cat "$tmp/worker-1.log" >&2; exit 1; }
field() { printf '%s\n' "$batches" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" | sort -n; }
median() { field "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }'; }
echo "one sweep with $open open tickets, 100 due (median of $sweeps; shared_buffers ${SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB} MiB, huge pages $huge_pages, load average $(cut -d' ' -f1 /proc/loadavg)): $(median ms) ms (target < 50):" \
  "claim $(median claim_ms) ms, escalation $(median apply_ms) ms, commit $(median commit_ms) ms;" \
  "all: $(field ms | paste -sd ' ')"
