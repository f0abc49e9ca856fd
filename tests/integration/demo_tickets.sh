#!/usr/bin/env bash
# Integration: deploy/demo-tickets drives tickets through every state
# against a real server, so a change to the lifecycle that breaks the demo
# data shows here. Run by meson (./tests/run) with the test database.
set -euo pipefail
: "${SUQIU_TEST_BUILD:?run through ./tests/run}" "${SUQIU_TEST_ROOT:?}" "${SUQIU_TEST_DATABASE_URL:?}"
port=$((30000 + RANDOM % 20000))
log="${SUQIU_TEST_LOG_DIR:-/tmp}/server-demo-tickets-$$.log"
SUQIU_DATABASE_URL="$SUQIU_TEST_DATABASE_URL" SUQIU_LISTEN="127.0.0.1:$port" \
  "$SUQIU_TEST_BUILD/server/suqiu-server" >"$log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# a second run must create nothing (Idempotency-Key per demo ticket)
node "$SUQIU_TEST_ROOT/deploy/demo-tickets" --url "http://127.0.0.1:$port" --count 60 >"$log.first" 2>&1 ||
  { cat "$log.first"; exit 1; }
node "$SUQIU_TEST_ROOT/deploy/demo-tickets" --url "http://127.0.0.1:$port" --count 60 >"$log.second" 2>&1 ||
  { cat "$log.second"; exit 1; }
grep -q "this run: 0 created" "$log.second" || { echo "the second run created tickets:"; tail -3 "$log.second"; exit 1; }
trap - EXIT
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || { echo "the server exited with status $status (see $log)"; exit 1; }
echo "ok: $(grep 'this run:' "$log.first")"
