#!/usr/bin/env bash
# Benchmark: GET /api/v1/me with a valid session, driven by wrk, against
# pgbench's select-only rate on the same database, same connection count.
#   tests/bench/me.sh [connections=64] [seconds=10]
# Prints both rates, their ratio and the server's p99. Target (issue 2):
# ratio >= 0.70 and p99 < 20 ms. Loopback only; takes about 2 x seconds + 15 s.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
conns=${1:-64}
secs=${2:-10}
cd "$root"
deploy/install-deps --test

build="$root/build-bench"
[ -f "$build/build.ninja" ] || meson setup "$build" "$root" -Dbuildtype=release -Dtests=false >/dev/null
ninja -C "$build" >/dev/null

tmp=$(mktemp -d /tmp/suqiu-bench.XXXXXX)
chmod 755 "$tmp"
export SUQIU_STATE_DIR="$tmp/state"
unset SUQIU_DATABASE_URL SUQIU_MIGRATE_DATABASE_URL
admin="$build/admin/suqiu-admin"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$admin" db stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$admin" db start >/dev/null
"$admin" migrate >/dev/null
"$admin" seed-demo >/dev/null
sock="$SUQIU_STATE_DIR/pg/run"
pgbin=/usr/lib/postgresql/15/bin
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
"${as_pg[@]}" "$pgbin/createdb" -h "$sock" -U postgres pgbench
"${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1

port=$((20000 + RANDOM % 20000))
SUQIU_LISTEN="127.0.0.1:$port" SUQIU_DB_POOL_SIZE="${SUQIU_DB_POOL_SIZE:-8}" \
  "$build/server/suqiu-server" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

cookie=$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"username":"zhuanyuan","password":"Demo@2026"}' "http://127.0.0.1:$port/api/v1/auth/login" |
  tr -d '\r' | sed -n 's/^Set-Cookie: \(suqiu_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login failed" >&2; exit 1; }
curl -fsS -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me" >/dev/null

# warm up, then measure
wrk -t2 -c"$conns" -d2s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me" >/dev/null
wrk_out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me")
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

pgb_out=$("${as_pg[@]}" "$pgbin/pgbench" -h "$sock" -U postgres -S -M prepared -c "$conns" -j 2 -T "$secs" pgbench 2>&1)

server_rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$wrk_out")
p99=$(awk '$1 == "99%" {print $2}' <<<"$wrk_out")
non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$wrk_out")
pg_tps=$(awk '/^tps = .*without initial/ {print $3}' <<<"$pgb_out")
ratio=$(awk -v a="$server_rps" -v b="$pg_tps" 'BEGIN {printf "%.2f", a / b}')

echo "GET /api/v1/me (wrk, $conns connections, ${secs}s): $server_rps requests/s, p99 $p99${non2xx:+, non-2xx $non2xx}"
echo "pgbench -S -M prepared ($conns clients, ${secs}s):      $pg_tps transactions/s"
echo "ratio server/pgbench: $ratio (target >= 0.70); p99 target < 20ms"
