#!/usr/bin/env bash
# Instructions per proxied request: gatewayd under callgrind, counters zeroed after a
# warm-up, N non-streaming and N streaming requests through the mock upstream.
set -euo pipefail
BIN=${1:?bin dir}; N=${2:-500}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$BIN/mock-upstream" --listen 127.0.0.1:19401 >/dev/null 2>&1 &
printf 'workers = 1\n' > "$work/gw.toml"
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$BIN/gatewayd" --config "$work/gw.toml" \
  --listen 127.0.0.1:19402 --data-dir "$work/data" --socket "$work/gw.sock" >"$work/gw.log" 2>&1 &
GW=$!
for i in $(seq 1 600); do [ -S "$work/gw.sock" ] && break; sleep 0.1; done
CTL="$BIN/gatewayctl --socket $work/gw.sock"
secret=$($CTL --json key create --name bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
echo -n k1 | $CTL account add --name a --type claude-code --auth api-key --api-key-stdin --base-url http://127.0.0.1:19401 >/dev/null
body='{"model":"claude-sonnet-mock","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
sbody='{"model":"claude-sonnet-mock","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
send() { curl -s -o /dev/null -H "x-api-key: $secret" -H 'content-type: application/json' -d "$1" http://127.0.0.1:19402/v1/messages; }
for i in $(seq 1 100); do send "$body"; send "$sbody"; done
pid=$(pgrep -f "callgrind-out-file=$work/cg.out" | head -1)
callgrind_control -z $pid >/dev/null
for i in $(seq 1 $N); do send "$body"; done
callgrind_control -d $pid >/dev/null; sleep 1
json=$(callgrind_annotate $(ls -t $work/cg.out* | head -1) 2>/dev/null | grep -m1 "PROGRAM TOTALS" | awk '{gsub(",","",$1); print $1}')
callgrind_control -z $pid >/dev/null
for i in $(seq 1 $N); do send "$sbody"; done
callgrind_control -d $pid >/dev/null; sleep 1
sse=$(callgrind_annotate $(ls -t $work/cg.out* | head -1) 2>/dev/null | grep -m1 "PROGRAM TOTALS" | awk '{gsub(",","",$1); print $1}')
echo "json: $((json / N)) instructions/request; sse: $((sse / N)) instructions/request"
kill $GW
