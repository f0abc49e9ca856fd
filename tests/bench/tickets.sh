#!/usr/bin/env bash
# Benchmark: ticket creation and the accept transition under wrk, each
# beside pgbench running the same SQL writes in one transaction on the same
# database with the same number of connections: the server's own
# statements (ticket_create, ticket_apply), taken from its log
# (SUQIU_LOG_STATEMENTS=1) by replay.mjs with literal parameters.
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

export SUQIU_LOG_STATEMENTS=1
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

# pgbench in simple mode PREPAREs the server's statement once per client (ready=0) and
# EXECUTEs it with literal parameters (its extended modes would take the
# ":MI" of the statement's to_char formats for pgbench variables)
pgb() { "${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -n -M simple -D ready=0 -c "$conns" -j 2 -T "$secs" "$@" suqiu 2>&1; }
script() { # statement name, then the lines to run per transaction
  local stmt=$1; shift
  printf '\\if :ready = 0\nPREPARE bench_stmt AS\n'
  node "$here/replay.mjs" "$tmp/server.log" "$stmt"
  printf ';\n\\set ready 1\n\\endif\n'
  printf '%s\n' "$@"
}
uid=${specialist%% *} org=${specialist##* } huid=${handler%% *} horg=${handler##* }
script ticket_create '\set e random(1, 40)' \
  "EXECUTE bench_stmt(:e, $category, 'visit', NULL, NULL, '走访记录 用工补贴咨询', '企业反映新招员工的社保补贴申请流程不清楚,请协助。',
     NULL, NULL, $uid, NULL, 'specialist', $org, '{\"channel\": \"visit\"}', '王晓燕(企业服务专员)通过走访登记诉求', 'all', '');" \
  >"$tmp/create.pgb"
first=$(prepare_dispatched "$per_run")
bench_psql -c "CREATE SEQUENCE bench_accept_ids START $first"
script ticket_apply "SELECT t.id, a.id AS aid FROM (SELECT nextval('bench_accept_ids') AS id) t
     JOIN assignments a ON a.ticket_id = t.id AND a.lead \\gset" \
  "EXECUTE bench_stmt(:id, 2, 'dispatched', 'in_progress', '{}',
     jsonb_build_object('update', jsonb_build_array(jsonb_build_object('id', :aid, 'state', 'accepted',
       'handler_id', $huid))),
     jsonb_build_object('actor_id', $huid, 'actor_role', 'bureau_handler', 'actor_org', $horg, 'action', 'accept',
       'payload', jsonb_build_object('note', '已签收'), 'summary', '李建国(承办人)签收 主办 区市场监管局'),
     jsonb_build_array(jsonb_build_object('recipient_kind', 'enterprise', 'recipient_id', 1, 'kind', 'accepted',
       'title', '工单签收', 'body', '您的诉求已由区市场监管局签收办理。')), '{}');" >"$tmp/accept.pgb"
chmod 644 "$tmp"/*.pgb
bench_pgbench_tps "$(pgb -f "$tmp/create.pgb")"
create_tps=$tps
bench_pgbench_tps "$(pgb -f "$tmp/accept.pgb")"
accept_tps=$tps
[ -n "$create_tps" ] && [ -n "$accept_tps" ] || { echo "pgbench failed:" >&2; pgb -f "$tmp/create.pgb" -T 1 | grep -m3 error >&2; pgb -f "$tmp/accept.pgb" -T 1 | grep -m3 error >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "POST /api/v1/tickets (create, wrk, $conns connections, ${secs}s): $create_rps requests/s, p99 $create_p99, non-2xx $create_bad"
echo "  pgbench, the server's ticket_create statement:          $create_tps transactions/s; ratio $(ratio "$create_rps" "$create_tps") (target >= 0.60)"
echo "POST /api/v1/tickets/{id}/actions/accept (wrk, $conns connections, ${secs}s): $accept_rps requests/s, p99 $accept_p99, non-2xx $accept_bad"
echo "  with Prefer: return=minimal (no reload of the ticket):  $minimal_rps requests/s, p99 $minimal_p99, non-2xx $minimal_bad"
echo "  pgbench, the server's ticket_apply statement:           $accept_tps transactions/s; ratio $(ratio "$accept_rps" "$accept_tps"), minimal $(ratio "$minimal_rps" "$accept_tps") (target >= 0.60)"
