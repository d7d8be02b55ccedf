#!/usr/bin/env bash
# SSE fan-out of the API: CLIENTS followers of one node whose log grows by RATE lines/s (written straight into the
# store, as a runner's log chunks are), through `devflow serve` (release build). A benchmark, not a test.
#
#   bench/sse-bench.sh [CLIENTS [RATE [SECONDS]]]     (default 1000 clients, 10000 lines/s, 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
rate=${2:-10000}
seconds=${3:-10}
devflow=${DEVFLOW:-$PWD/.build/release/devflow}
[ -x "$devflow" ] || { echo "sse-bench.sh: build it first: swift build -c release --product devflow" >&2; exit 2; }
ulimit -n 65536 2> /dev/null || true
work=$(mktemp -d /tmp/devflow-sse-bench.XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/devflow-server.yml" << YAML
listen: 127.0.0.1:$port
data: $work/data
db: $work/devflow.sqlite
workers: 0
api: {rate_limit: 1000000, burst: 1000000}
repositories:
  - {name: acme/app, forge: github, clone_url: /nonexistent, webhook_secret: {env: HOOK_SECRET}}
YAML
token=$("$devflow" tokens create bench --role viewer --db "$work/devflow.sqlite" 2> /dev/null)
python3 - "$work/devflow.sqlite" << 'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
with c:
    c.execute("INSERT INTO run (id, pipeline, file, graphHash, graphJSON, event, status, queuedAt, startedAt, pid, host,"
              " heartbeatAt) VALUES (1, 'ci', '.devflow.yml', 'h', '{}', '{\"kind\":\"push\"}', 'running',"
              " '2026-12-02 00:00:00.000', '2026-12-02 00:00:00.000', 1, 'bench', '2026-12-02 00:00:00.000')")
    c.execute("INSERT INTO node (runId, nodeId, status, attempts) VALUES (1, 'build', 'running', 1)")
PY
HOOK_SECRET=x "$devflow" serve --config "$work/devflow-server.yml" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}'; }
echo "== $clients clients, $rate lines/s for ${seconds}s; server RSS before: $(rss)"
( sleep $(( ${seconds%.*} / 2 + 1 )); echo "server RSS mid-run: $(rss)" ) &
python3 bench/sse-fanout.py "$work/devflow.sqlite" "http://127.0.0.1:$port" "$token" 1 "$clients" "$rate" "$seconds"
wait %1 2> /dev/null || true
echo "server RSS after: $(rss)"
