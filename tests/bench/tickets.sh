#!/usr/bin/env bash
# Benchmark: ticket creation and the accept transition under wrk, each
# beside pgbench running the same SQL writes in one transaction on the same
# database with the same number of connections.
#   tests/bench/tickets.sh [connections=64] [seconds=10]
# Target (issue 3): the server reaches at least 60% of pgbench's rate.
# Loopback only; takes about 5 x seconds + 40 s.
source "$(dirname "$0")/lib.sh"
conns=${1:-64}
secs=${2:-10}
bench_setup
here="$root/tests/bench"
category=$(bench_psql -c "SELECT id FROM categories WHERE code = 'RS01'")
specialist=$(bench_psql -c "SELECT id || ' ' || org_id FROM users WHERE username = 'zhuanyuan'")
handler=$(bench_psql -c "SELECT id || ' ' || org_id FROM users WHERE username = 'shichang'")
bureau=$(bench_psql -c "SELECT id FROM orgs WHERE name = '区市场监管局'")

# Dispatched tickets for the accept runs, one per request (enough for ~8000/s),
# made in SQL: preparing them is not what is measured.
prepare_dispatched() { # count -> prints the first id
  bench_psql -c "WITH t AS (INSERT INTO tickets (number, enterprise_id, channel, category_id, urgency, title,
        description, state, version, created_by)
      SELECT 'MH-2026-B' || lpad(nextval('ticket_number_seq')::text, 7, '0'), 1 + g % 40, 'visit', $category,
        'normal', '压测:待签收', '基准测试准备的待签收工单', 'dispatched', 2, ${specialist%% *}
      FROM generate_series(1, $1) g RETURNING id)
    , a AS (INSERT INTO assignments (ticket_id, org_id, org_path, lead, dispatched_by)
      SELECT t.id, o.id, o.path, true, ${specialist%% *} FROM t, orgs o WHERE o.id = $bureau)
    SELECT min(id) FROM t"
}
per_run=$(( secs * 8000 + 20000 ))

bench_server_start
bench_login zhuanyuan
export COOKIE="$cookie" CSRF="$csrf" CATEGORY="$category"
wrk -t2 -c"$conns" -d2s -s "$here/create.lua" "http://127.0.0.1:$port" >/dev/null
create_out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/create.lua" "http://127.0.0.1:$port")
bench_wrk_figures "$create_out"
create_rps=$rps create_p99=$p99 create_bad=${non2xx:-0}

bench_login shichang
export COOKIE="$cookie" CSRF="$csrf" THREADS=2
FIRST_ID=$(prepare_dispatched 4000) wrk -t2 -c"$conns" -d2s -s "$here/accept.lua" "http://127.0.0.1:$port" >/dev/null
first=$(prepare_dispatched "$per_run")
accept_out=$(FIRST_ID=$first wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/accept.lua" "http://127.0.0.1:$port")
bench_wrk_figures "$accept_out"
accept_rps=$rps accept_p99=$p99 accept_bad=${non2xx:-0}
first=$(prepare_dispatched "$per_run")
minimal_out=$(PREFER=return=minimal FIRST_ID=$first wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/accept.lua" \
  "http://127.0.0.1:$port")
bench_wrk_figures "$minimal_out"
minimal_rps=$rps minimal_p99=$p99 minimal_bad=${non2xx:-0}
bench_server_stop

pgb() { "${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -n -M prepared -c "$conns" -j 2 -T "$secs" "$@" suqiu 2>&1; }
cp "$here/create.pgb" "$here/accept.pgb" "$tmp/"
chmod 644 "$tmp"/*.pgb
bench_pgbench_tps "$(pgb -f "$tmp/create.pgb" -D category="$category" -D uid="${specialist%% *}" -D org="${specialist##* }")"
create_tps=$tps
first=$(prepare_dispatched "$per_run")
bench_pgbench_tps "$(pgb -f "$tmp/accept.pgb" -D first="$first" -D last=$((first + per_run - 1)) \
  -D uid="${handler%% *}" -D org="${handler##* }")"
accept_tps=$tps

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "POST /api/v1/tickets (create, wrk, $conns connections, ${secs}s): $create_rps requests/s, p99 $create_p99, non-2xx $create_bad"
echo "  pgbench, the same writes:                              $create_tps transactions/s; ratio $(ratio "$create_rps" "$create_tps") (target >= 0.60)"
echo "POST /api/v1/tickets/{id}/actions/accept (wrk, $conns connections, ${secs}s): $accept_rps requests/s, p99 $accept_p99, non-2xx $accept_bad"
echo "  with Prefer: return=minimal (no reload of the ticket):  $minimal_rps requests/s, p99 $minimal_p99, non-2xx $minimal_bad"
echo "  pgbench, the same writes:                              $accept_tps transactions/s; ratio $(ratio "$accept_rps" "$accept_tps"), minimal $(ratio "$minimal_rps" "$accept_tps") (target >= 0.60)"
