#!/usr/bin/env bash
# Benchmark: GET /api/v1/me with a valid session, driven by wrk, against
# pgbench's select-only rate on the same database, same connection count.
#   tests/bench/me.sh [connections=64] [seconds=10]
# Prints both rates, their ratio and the server's p99. Target (issue 2):
# ratio >= 0.70 and p99 < 20 ms. Loopback only; takes about 2 x seconds + 15 s.
source "$(dirname "$0")/lib.sh"
conns=${1:-64}
secs=${2:-10}
# huge pages for the cluster's shared memory, as for a production database
# (README, Deployment): without them each of pgbench's 64 fresh backends
# page-faults its way through the table for the first seconds of its run
bench_huge_pages "${SUQIU_EMBEDDED_PG_SHARED_BUFFERS_MB:-128}"
bench_setup
huge_pages=$(bench_huge_pages_used)
"${as_pg[@]}" "$pgbin/createdb" -h "$sock" -U postgres pgbench
"${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1
bench_server_start
bench_login zhuanyuan
curl -fsS -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me" >/dev/null

# warm up, then measure
wrk -t2 -c"$conns" -d2s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me" >/dev/null
wrk_out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me")
bench_server_stop
pgb_out=$("${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -S -M prepared -c "$conns" -j 2 -T "$secs" pgbench 2>&1)

bench_wrk_figures "$wrk_out"
bench_pgbench_tps "$pgb_out"
ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN {printf "%.2f", a / b}')
echo "GET /api/v1/me (wrk, $conns connections, ${secs}s): $rps requests/s, p99 $p99${non2xx:+, non-2xx $non2xx}"
echo "pgbench -S -M prepared ($conns clients, ${secs}s):      $tps transactions/s"
echo "ratio server/pgbench: $ratio (target >= 0.70); p99 target < 20ms; huge pages $huge_pages, load average $(cut -d' ' -f1 /proc/loadavg)"
