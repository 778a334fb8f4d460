#!/usr/bin/env bash
# Instructions per proxied request: gatewayd (at the benchmark's log level, warn) under
# callgrind, counters zeroed after a warm-up, N non-streaming and N streaming requests
# through the mock upstream; then the same for nginx as a plain reverse proxy (the
# benchmark's reference: one process, a keep-alive pool to the mock, answers unbuffered)
# when nginx is installed.
set -euo pipefail
BIN=${1:?bin dir}; N=${2:-500}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$BIN/mock-upstream" --listen 127.0.0.1:19401 >/dev/null 2>&1 &
body='{"model":"claude-sonnet-mock","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
sbody='{"model":"claude-sonnet-mock","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}'

# measure NAME OUT_FILE URL KEY: warm-up, then N of each request counted, sent over one
# keep-alive connection as the benchmark's load does (curl reuses its connection from one
# URL to the next); then N requests of one connection each, for what a connection costs.
measure() {
  local name=$1 out=$2 url=$3 key=$4
  local urls; urls=$(for i in $(seq 1 "$N"); do printf '%s/v1/messages ' "$url"; done)
  send() { curl -s -H "x-api-key: $key" -H 'content-type: application/json' -d "$1" $2 >/dev/null; }
  for i in $(seq 1 20); do send "$body" "$url/v1/messages"; send "$sbody" "$url/v1/messages"; done
  local pid; pid=$(pgrep -f "callgrind-out-file=$out" | head -1)
  local counted=()
  sleep "${SETTLE:-0}"   # the warm-up's records are written before counting starts
  for run in keepalive:"$body" keepalive:"$sbody" fresh:"$body"; do
    callgrind_control -z "$pid" >/dev/null
    case $run in
      keepalive:*) send "${run#keepalive:}" "$urls" ;;
      fresh:*) for i in $(seq 1 "$N"); do send "${run#fresh:}" "$url/v1/messages"; done ;;
    esac
    sleep "${SETTLE:-0}"   # and the counted ones are written before counting stops
    callgrind_control -d "$pid" >/dev/null; sleep 1
    counted+=("$(callgrind_annotate $(ls -t "$out"* | head -1) 2>/dev/null | grep -m1 "PROGRAM TOTALS" | awk '{gsub(",","",$1); print $1}')")
  done
  if [ -n "${KEEP:-}" ]; then cp "$out"* "$KEEP"/; fi   # KEEP=DIR keeps the profiles
  echo "$name instructions/request, keep-alive: json $((counted[0] / N)), sse $((counted[1] / N));" \
    "json on a new connection each: $((counted[2] / N))"
}

# The recorder writes every second, under callgrind later: each count waits 4 s on either
# side so that it holds the writing of its own requests and nothing else's; the periodic
# housekeeping (every 30 s by default) is moved out of the way.
printf 'workers = 1\n[record]\nflush_interval = "1s"\nhousekeeping_interval = "1h"\n' > "$work/gw.toml"
RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$BIN/gatewayd" --config "$work/gw.toml" \
  --listen 127.0.0.1:19402 --data-dir "$work/data" --socket "$work/gw.sock" >"$work/gw.log" 2>&1 &
GW=$!
for i in $(seq 1 600); do [ -S "$work/gw.sock" ] && break; sleep 0.1; done
CTL="$BIN/gatewayctl --socket $work/gw.sock"
secret=$($CTL --json key create --name bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
echo -n k1 | $CTL account add --name a --type claude-code --auth api-key --api-key-stdin --base-url http://127.0.0.1:19401 >/dev/null
SETTLE=4 measure gatewayd "$work/cg.out" http://127.0.0.1:19402 "$secret"
kill $GW

[ -n "${NO_NGINX:-}" ] && exit 0   # NO_NGINX=1: gatewayd only
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then echo "nginx is not installed: no reference figures"; exit 0; fi
mkdir -p "$work/ng"
cat > "$work/ng/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1;
pid $work/ng/nginx.pid; error_log $work/ng/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/ng/body; proxy_temp_path $work/ng/proxy;
  fastcgi_temp_path $work/ng/fastcgi; uwsgi_temp_path $work/ng/uwsgi; scgi_temp_path $work/ng/scgi;
  upstream mock { server 127.0.0.1:19401; keepalive 128; }
  server {
    listen 127.0.0.1:19403;
    client_body_buffer_size 64k;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
EOF
valgrind --tool=callgrind --callgrind-out-file="$work/ng.out" "$nginx" -p "$work/ng" -c "$work/ng/nginx.conf" >"$work/ng.log" 2>&1 &
for i in $(seq 1 600); do curl -s -o /dev/null http://127.0.0.1:19403/ && break; sleep 0.1; done
measure nginx "$work/ng.out" http://127.0.0.1:19403 k1
