#!/usr/bin/env bash
# Instructions the proxy's main thread executes per request, counted by valgrind (callgrind): repeatable within
# about 0.1% whatever else the machine does, where requests a second swing by 5% between runs. For weighing one
# change against another (bench/PROXY.md, "Third pass"); throughput itself is bench/proxy.mjs.
#
#   bash bench/proxy-instructions.sh <generated proxy folder>   (made with --base-url openai=http://127.0.0.1:18101/openai)
#   bash bench/proxy-instructions.sh pass-through                (the (b) of bench/proxy.mjs)
#   WARM=8000 MEASURE=4000 bash bench/proxy-instructions.sh ...  (the defaults)
#   KEEP=<file> bash bench/proxy-instructions.sh ...              (keeps the measured dump: callgrind_annotate <file>)
#   PROVIDER=google bash bench/proxy-instructions.sh <folder>     (or anthropic: that provider's route, key header and
#                                                                 key length; generate with --base-url google=http://...)
#
# Needs valgrind and curl (apt-get install valgrind curl) and the repository's devDependencies (autocannon).
set -euo pipefail
target=${1:?usage: bash bench/proxy-instructions.sh <generated proxy folder> | pass-through}
for tool in valgrind curl; do
  command -v "$tool" >/dev/null || { echo "proxy-instructions: $tool is missing: run apt-get install $tool" >&2; exit 2; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$target" != pass-through ] && [ ! -f "$target/server.js" ]; then
  echo "proxy-instructions: $target has no server.js: give a folder generated with --pattern proxy" >&2
  exit 2
fi
warm=${WARM:-8000}
provider=${PROVIDER:-openai}
case "$provider" in
  # The route, the key header and a key of the provider's usual length (made up here, never a real one).
  openai) route=/openai/v1/chat/completions; key_header="authorization: 'Bearer sk-bench-' + 'x'.repeat(40)" ;;
  anthropic) route=/anthropic/v1/messages; key_header="'x-api-key': 'sk-ant-bench-' + 'x'.repeat(95), 'anthropic-version': '2023-06-01'" ;;
  google) route=/google/v1beta/models/gemini-2.0-flash:generateContent; key_header="'x-goog-api-key': 'bench-' + 'x'.repeat(33)" ;;
  *) echo "proxy-instructions: PROVIDER is openai, anthropic or google" >&2; exit 2 ;;
esac
measure=${MEASURE:-4000}
upstream_port=18101
port=18240
scratch=$(mktemp -d)
children=()
cleanup() {
  pkill -f "callgrind-out-file=$scratch" 2>/dev/null || true
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The next run needs the ports: wait for the servers to be gone.
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then
  echo "proxy-instructions: port $port is already taken (a run still going?)" >&2
  exit 2
fi
node "$root/bench/proxy.mjs" upstream "$upstream_port" >/dev/null &
children+=($!)
profile=(valgrind --tool=callgrind --callgrind-out-file="$scratch/callgrind.%p")
if [ "$target" = pass-through ]; then
  "${profile[@]}" node "$root/bench/proxy.mjs" pass-through "$port" "$upstream_port" >"$scratch/server.log" 2>&1 &
else
  (cd "$target" && PORT=$port RATE_LIMIT_BURST=1000000000 RATE_LIMIT_PER_MINUTE=1000000000 \
    IP_RATE_LIMIT_BURST=1000000000 exec "${profile[@]}" node server.js >"$scratch/server.log" 2>&1) &
fi
server=$!
children+=("$server")
for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.2
done
if ! curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then
  echo "proxy-instructions: the server did not answer on port $port within 60 s; its output:" >&2
  tail -20 "$scratch/server.log" >&2
  exit 1
fi

load() {
  node --input-type=module -e "
    import { createRequire } from 'node:module';
    const autocannon = createRequire('$root/package.json')('autocannon');
    const run = await autocannon({
      url: 'http://127.0.0.1:$port$route',
      method: 'POST',
      headers: { $key_header, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
      connections: 10,
      amount: $1,
    });
    if (run.non2xx || run.errors) { console.error('proxy-instructions:', run.non2xx, 'non-2xx,', run.errors, 'errors'); process.exit(1); }"
}

load "$warm"
valgrind_pid=$(pgrep -f "callgrind-out-file=$scratch" | head -1)
callgrind_control -z "$valgrind_pid" >/dev/null 2>&1
load "$measure"
callgrind_control -d "$valgrind_pid" >/dev/null 2>&1
dump=$(ls "$scratch"/callgrind.*.1)
callgrind_annotate --inclusive=yes "$dump" >"$scratch/annotated.txt"
main=$(awk '/SpinEventLoopInternal/ { gsub(",", "", $1); print $1; exit }' "$scratch/annotated.txt")
all=$(awk '/^summary/ { print $2; exit }' "$dump")
if [ -n "${KEEP:-}" ]; then cp "$dump" "$KEEP"; fi
echo "$target: $((main / measure)) instructions per request on the main thread ($((all / measure)) with V8's background threads), $measure requests after $warm"
