#!/usr/bin/env bash
# Benchmark: notification delivery. Queues N outbox messages, starts a local
# webhook receiver (tests/integration/webhook_receiver.c, built here with -O2)
# and W release-build workers, and times until every message is delivered.
#   tests/bench/delivery.sh [messages=10000] [workers=1] [receiver mode=ok]
# e.g. tests/bench/delivery.sh 10000 2 fail-first=1 (each message fails once,
# then succeeds: twice the POSTs, and every retry waits its backoff).
# Loopback only; the receiver, the workers and PostgreSQL share the machine.
source "$(dirname "$0")/lib.sh"
messages=${1:-10000}
workers=${2:-1}
mode=${3:-ok}
bench_setup
secret="bench-webhook-secret-0123456789"
cc -O2 -o "$tmp/webhook_receiver" tests/integration/webhook_receiver.c \
  $(pkg-config --cflags --libs libevent libsodium jansson)
SUQIU_WEBHOOK_SECRET="$secret" "$tmp/webhook_receiver" --log "$tmp/posts.log" --mode "$mode" \
  >"$tmp/receiver.out" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 50); do grep -q listening "$tmp/receiver.out" && break; sleep 0.1; done
rport=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/receiver.out")
[ -n "$rport" ] || { echo "the receiver did not start" >&2; exit 1; }

bench_psql -c "INSERT INTO outbox (recipient_kind, recipient_id, kind, title, body, idempotency_key)
  SELECT (ARRAY['enterprise', 'org', 'user'])[1 + g % 3], g, 'bench', '诉求已受理',
         '您提交的诉求 MH-2026-' || lpad(g::text, 6, '0') || '「招用应届生社保补贴申请」已受理,我们将尽快分派办理。',
         'bench:' || g FROM generate_series(1, $messages) g"

pids=()
start=$(date +%s.%N)
for i in $(seq 1 "$workers"); do
  SUQIU_DATABASE_URL="$("$admin" db url app)" SUQIU_WEBHOOK_SECRET="$secret" SUQIU_OUTBOX_BACKOFF_MS=100 \
  SUQIU_WEBHOOK_ENTERPRISE_URL="http://127.0.0.1:$rport/sms" SUQIU_WEBHOOK_ORG_URL="http://127.0.0.1:$rport/im" \
    "$build/worker/suqiu-worker" >"$tmp/worker-$i.log" 2>&1 &
  pids+=($!)
done
left=$messages
while [ "$left" -gt 0 ]; do
  sleep 0.1
  left=$(bench_psql -c "SELECT count(*) FROM outbox WHERE kind = 'bench' AND state <> 'delivered'")
done
end=$(date +%s.%N)
for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p"; done
kill -TERM "$receiver_pid"; wait "$receiver_pid" || true

posts=$(wc -l <"$tmp/posts.log")
bad=$(awk -F'\t' '$3 != "ok"' "$tmp/posts.log" | wc -l)
keys=$(cut -f2 "$tmp/posts.log" | sort -u | wc -l)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
rate=$(awk -v n="$messages" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
echo "$messages messages, $workers worker(s), receiver mode $mode: all delivered in ${secs}s ($rate messages/s)"
echo "receiver: $posts POSTs, $keys distinct keys, $bad with a bad signature"
