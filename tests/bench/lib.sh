# Shared by the benchmark scripts (source it): builds a release build,
# starts a throwaway embedded cluster with the demo data and a server on a
# random loopback port, logs in, and cleans everything up on exit.
#   bench_huge_pages MIB             (before bench_setup) reserves huge pages for a
#                                    cluster with MIB of shared_buffers -> $huge_pages
#   bench_setup                      -> $root $build $tmp $admin $sock $port $as_pg $pgbin
#   bench_server_start               -> $server_pid
#   bench_login USER                 -> $cookie $csrf
#   bench_server_stop
#   bench_wrk_figures "$wrk_output"  -> $rps $p99 $non2xx
#   bench_pgbench_tps "$pgbench_out" -> $tps
set -euo pipefail

bench_setup() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$root"
  deploy/install-deps --test
  build="$root/build-bench"
  [ -f "$build/build.ninja" ] || meson setup "$build" "$root" -Dbuildtype=release -Dtests=false >/dev/null
  local out
  out=$(ninja -C "$build" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
  tmp=$(mktemp -d /tmp/suqiu-bench.XXXXXX)
  chmod 755 "$tmp"
  export SUQIU_STATE_DIR="$tmp/state"
  unset SUQIU_DATABASE_URL SUQIU_MIGRATE_DATABASE_URL
  admin="$build/admin/suqiu-admin"
  server_pid=""
  trap bench_cleanup EXIT
  "$admin" db start >/dev/null
  "$admin" migrate >/dev/null
  "$admin" seed-demo >/dev/null
  sock="$SUQIU_STATE_DIR/pg/run"
  pgbin=/usr/lib/postgresql/15/bin
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi
  port=$((20000 + RANDOM % 20000))
}

bench_cleanup() {
  bench_server_stop
  if [ -n "${admin:-}" ]; then "$admin" db stop >/dev/null 2>&1 || true; fi
  if [ -n "${tmp:-}" ]; then rm -rf "$tmp"; fi
  # give back the huge pages reserved for the cluster, once it has stopped
  if [ -n "${hugepages_before:-}" ]; then sysctl -qw vm.nr_hugepages="$hugepages_before" || true; fi
}

# PostgreSQL maps shared_buffers with huge pages when the kernel has them
# reserved (huge_pages = try, the default): with GiBs of shared_buffers the
# 4 KiB pages cost every backend a page fault the first time it touches a
# buffer and a TLB miss on most touches after, which PostgreSQL's docs
# advise against. As root (and unless HUGE_PAGES=0), reserve what a cluster of $1 MiB needs (plus 6 %
# for the rest of its shared memory); the previous count is restored on exit.
bench_huge_pages() {
  huge_pages=off
  [ "$(id -u)" -eq 0 ] && [ "${HUGE_PAGES:-1}" != 0 ] || return 0
  local page_kb want
  page_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
  [ -n "$page_kb" ] || return 0
  want=$(( ($1 * 1024 * 106 / 100) / page_kb + 16 ))
  hugepages_before=$(cat /proc/sys/vm/nr_hugepages)
  trap bench_cleanup EXIT
  [ "$hugepages_before" -ge "$want" ] || sysctl -qw vm.nr_hugepages="$want" || true
  if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$want" ]; then huge_pages=on; fi
}

# Whether the running cluster's shared memory sits in huge pages.
bench_huge_pages_used() {
  awk '/^HugePages_Total:/ {t = $2} /^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2}
       END {print (t - f + r > 0) ? "on" : "off"}' /proc/meminfo
}

bench_server_start() {
  SUQIU_LISTEN="127.0.0.1:$port" SUQIU_DB_POOL_SIZE="${SUQIU_DB_POOL_SIZE:-8}" \
    "$build/server/suqiu-server" >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "the server did not start" >&2
  return 1
}

bench_server_stop() {
  if [ -n "${server_pid:-}" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

bench_login() {
  local head
  head=$(curl -fsS -D - -o "$tmp/login.json" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Demo@2026\"}" "http://127.0.0.1:$port/api/v1/auth/login" | tr -d '\r')
  cookie=$(sed -n 's/^Set-Cookie: \(suqiu_session=[^;]*\).*/\1/p' <<<"$head")
  csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$tmp/login.json")
  [ -n "$cookie" ] && [ -n "$csrf" ] || { echo "login as $1 failed" >&2; return 1; }
}

bench_wrk_figures() {
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$1")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$1")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$1")
}

bench_pgbench_tps() {
  tps=$(awk '/^tps = .*without initial/ {print $3}' <<<"$1")
}

bench_psql() {
  "${as_pg[@]}" "$pgbin/psql" -h "$sock" -U postgres -d suqiu -qAtX -v ON_ERROR_STOP=1 "$@"
}
