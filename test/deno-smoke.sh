#!/usr/bin/env bash
# edgelb under Deno, end to end: `deno check`, the Sock conformance cases on Deno's adapter, then
# `deno task run` with the default configuration (conf/edgelb.yaml) until its http frontend
# 127.0.0.1:8080 has answered from both demo servers, then SIGTERM and a clean exit.
# Needs `npm ci` first (the deno binary is a dev dependency). Bounded in time; exits non-zero on
# any failure. Run by .ci/run after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
deno=./node_modules/.bin/deno
"$deno" --version | head -1

echo "-- deno check src/main.ts"
timeout 120 "$deno" check --quiet src/main.ts

echo "-- Sock conformance under Deno"
timeout 180 "$deno" run --quiet --allow-all src/net/conformance-run.ts

echo "-- deno task run (conf/edgelb.yaml)"
if curl -s -m 1 -o /dev/null 127.0.0.1:8080/; then echo "127.0.0.1:8080 already answers: stop what serves it first"; exit 1; fi
log=$(mktemp)
setsid "$deno" task run >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
trap 'stop; rm -f "$log"' EXIT
seen1='' seen2=''
for _ in $(seq 1 300); do # 30 s at most: Deno's first start compiles the sources
  if ! kill -0 "$pid" 2>/dev/null; then echo "deno task run exited early:"; cat "$log"; exit 1; fi
  body=$(curl -s -m 2 127.0.0.1:8080/ || true)
  case "$body" in
    'hello from demo1'*) seen1=1 ;;
    'hello from demo2'*) seen2=1 ;;
  esac
  [ -n "$seen1" ] && [ -n "$seen2" ] && break
  sleep 0.1
done
if [ -z "$seen1" ] || [ -z "$seen2" ]; then echo "no answer from both demo servers within 30 s (demo1: ${seen1:-no}, demo2: ${seen2:-no}):"; cat "$log"; exit 1; fi
echo "both demo servers answered through 127.0.0.1:8080"
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then echo "deno task run still running 10 s after SIGTERM:"; cat "$log"; exit 1; fi
if pgrep -g "$pid" >/dev/null; then echo "processes left after edgelb stopped:"; pgrep -a -g "$pid"; exit 1; fi
grep -q 'web listening on 127.0.0.1:8080' "$log" || { echo "no listening line in the log:"; cat "$log"; exit 1; }
echo "deno smoke test passed"
