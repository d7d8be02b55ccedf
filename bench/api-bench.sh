#!/usr/bin/env bash
# The API under load (issue: API): `GET /api/v1/runs?limit=50` and `GET /api/v1/runs/{id}` (a random run of the
# store) on a store of 100,000 runs and 1,000,000 attempts, at a steady rate from wrk on loopback, beside the same
# server's `/healthz` (no store, no JSON) at the same rate: the floor of HTTP on this machine. Prints wrk's latency
# percentiles and each route's p50/p99 over the floor's. A benchmark, not a test: numbers go to BENCHMARKS.md.
#
#   bench/api-bench.sh [RATE [SECONDS [RUNS]]]     (default 2000 requests/s, 20 s per route, 100000 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-2000}
seconds=${2:-20}
runs=${3:-100000}
devflow=${DEVFLOW:-$PWD/.build/release/devflow}
command -v wrk > /dev/null || { echo "api-bench.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -x "$devflow" ] || { echo "api-bench.sh: build it first: swift build -c release --product devflow" >&2; exit 2; }

work=$(mktemp -d /tmp/devflow-api-bench.XXXXXX)
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
python3 bench/api_seed.py "$work/devflow.sqlite" "$runs" 10
HOOK_SECRET=x "$devflow" serve --config "$work/devflow-server.yml" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done

# wrk has no fixed rate: each connection waits `delay` ms after an answer, so CONNECTIONS / (delay + latency) is the
# rate. Each route is first run for 3 s to learn its mean latency, and the delay is set from it; the achieved rate is
# printed with the numbers.
connections=24
write_script() { # DELAY-MS
    cat > "$work/paced.lua" << LUA
wrk.headers["Authorization"] = "Bearer $token"
local paths = {}
function init(args) for i = 1, #args do paths[i] = args[i] end end
function delay() return $1 end
request = function()
  local path = paths[1]
  if path == "random-run" then path = "/api/v1/runs/" .. math.random(1, $runs) end
  return wrk.format("GET", path)
end
LUA
}
measure() { # NAME PATH
    write_script "$(python3 -c "print($connections * 1000 / $rate)")"
    wrk -t 2 -c "$connections" -d 3s -s "$work/paced.lua" "http://127.0.0.1:$port" -- "$2" > "$work/route.txt"
    local mean
    mean=$(awk '$1 == "Latency" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else {sub(/s/,"",v); v*=1000}; print v}' "$work/route.txt")
    write_script "$(python3 -c "print(max(0.0, $connections * 1000 / $rate - $mean))")"
    wrk -t 2 -c "$connections" -d "${seconds}s" --latency -s "$work/paced.lua" "http://127.0.0.1:$port" -- "$2" \
        > "$work/route.txt"
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/route.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$work/route.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/route.txt")
    grep -E "Non-2xx|Socket errors" "$work/route.txt" || true
    printf '%-28s %8s req/s  p50 %8s  p90 %8s  p99 %8s\n' "$1" "$rps" "$p50" \
        "$(awk '$1 == "90%" {print $2}' "$work/route.txt")" "$p99"
    echo "$1 $p50 $p99" >> "$work/summary"
}
echo "== $runs runs, $(( runs * 10 )) attempts; target $rate requests/s for ${seconds}s per route, $connections connections"
measure "healthz (floor)" /healthz
measure "runs?limit=50" "/api/v1/runs?limit=50"
measure "runs/{random id}" random-run
measure "runs?status=failed&limit=50" "/api/v1/runs?status=failed&limit=50"
python3 - "$work/summary" << 'PY'
import sys
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit): return float(text[: -len(unit)]) * factor
rows = [line.rsplit(" ", 2) for line in open(sys.argv[1]).read().splitlines()]
floor = rows[0]
for name, p50, p99 in rows[1:]:
    print("%-28s p50 %.2fx the floor, p99 %.2fx the floor (p99 %.2f ms; target < 10 ms)" % (
        name, ms(p50) / ms(floor[1]), ms(p99) / ms(floor[2]), ms(p99)))
PY
echo "server RSS after: $(ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}')"
