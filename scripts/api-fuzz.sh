#!/usr/bin/env bash
# Property-based tests of /api/v1 against its OpenAPI document, with schemathesis: a real `devflow serve` on a
# private loopback port with a temporary store, seeded with runs (local `devflow run`s with logs, outputs, retries,
# a circuit breaker and an agent's findings), webhook deliveries (a push whose queued run is then cancelled through
# the API, and an ignored ping) and an admin token. Schemathesis reads the document the server serves and checks
# every answer: no 5xx, status codes, headers, content types and bodies as documented, invalid input refused and
# valid input accepted.
#
#   scripts/api-fuzz.sh [EXAMPLES [SCHEMATHESIS-ARGS...]]
#       at most EXAMPLES cases per operation and phase (default 1000: about 10,000 cases, 1.5 minutes); any further
#       arguments go to `schemathesis run` (--continue-on-failure, --exclude-checks …). The exit code is
#       schemathesis's: non-zero when it found anything.
#
# Deterministic: schemathesis runs with --generation-deterministic (no randomness, so no seed) and one worker, on the
# same seed data. Needs schemathesis (pinned: python3 -m pip install schemathesis==4.32.5). The server and its store
# live in a temporary directory removed at exit (SCHEMATHESIS_KEEP=1 keeps it and prints where); the JUnit report goes
# to API_FUZZ_REPORT_DIR if set (a CI artifact), else into that directory.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-1000}
shift $(($# > 0 ? 1 : 0))
schemathesis_version=4.32.5

if ! command -v schemathesis > /dev/null || [ "$(schemathesis --version | awk '{print $NF}')" != "$schemathesis_version" ]; then
    echo "api-fuzz.sh: needs schemathesis $schemathesis_version: python3 -m pip install schemathesis==$schemathesis_version" >&2
    exit 2
fi
if ! build_log=$(swift build --product devflow 2>&1); then
    echo "$build_log" >&2
    exit 1
fi
devflow=$PWD/.build/debug/devflow

work=$(mktemp -d /tmp/devflow-api-fuzz.XXXXXX)
server_pid=""
fuzz_pid=""
# shellcheck disable=SC2317 # called by the traps
cleanup() {
    if [ -n "$fuzz_pid" ] && kill -0 "$fuzz_pid" 2> /dev/null; then
        kill "$fuzz_pid" 2> /dev/null || true
        wait "$fuzz_pid" 2> /dev/null || true
    fi
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
        kill "$server_pid" 2> /dev/null || true
        wait "$server_pid" 2> /dev/null || true
    fi
    if [ "${SCHEMATHESIS_KEEP:-}" = 1 ]; then echo "api-fuzz.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
db=$work/server/devflow.sqlite
mkdir -p "$work/server" "$work/local"
HOOK_SECRET="fuzz-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export HOOK_SECRET

# Seed runs: a local pipeline whose nodes log to both streams, write outputs and a summary, retry, trip a breaker
# and report an agent's finding; and one that fails.
cat > "$work/local/agent.sh" << 'AGENT'
#!/bin/sh
cat > /dev/null
echo '{"version":1,"status":"failure","findings":[{"rule":"line-length","severity":"medium","file":"app.swift","line":3,"column":2,"endLine":3,"endColumn":9,"message":"line is too long","fix":"--- a/app.swift\n+++ b/app.swift\n"}],"outputs":{"checked":"1"},"summary":"1 finding"}'
AGENT
chmod +x "$work/local/agent.sh"
cat > "$work/local/seed.yml" << 'PIPELINE'
version: 1
name: seed
on:
  manual: {}
policies:
  circuit_breakers:
    llm:
      failure_rate: 50%
      minimum_calls: 1
      window: {calls: 2}
      open_for: 5m
      when_open: skip
agents:
  style: {command: ./agent.sh}
steps:
  hello:
    run: |
      echo hi
      echo "greeting=hello" >> "$DEVFLOW_OUTPUT"
      echo "# done" >> "$DEVFLOW_SUMMARY"
      echo oops >&2
  test:
    needs: [hello]
    matrix: {suite: [Core, "a b/c"]}
    run: printf 'suite %s\nline two\n' "${{ matrix.suite }}"
  flaky:
    run: exit 3
    continue_on_error: true
    retry: {attempts: 2, on: [failure], backoff: {initial: 10ms}}
    circuit_breaker: llm
  review:
    agent: style
    continue_on_error: true
PIPELINE
cat > "$work/local/broken.yml" << 'PIPELINE'
version: 1
name: broken
on:
  manual: {}
steps:
  build:
    run: echo building && exit 7
PIPELINE
(
    cd "$work/local"
    "$devflow" run seed.yml --db "$db" --output quiet > /dev/null
    "$devflow" run seed.yml --db "$db" --output quiet > /dev/null
    "$devflow" run broken.yml --db "$db" --output quiet > /dev/null || true
)
token=$("$devflow" tokens create schemathesis-admin --role admin --db "$db" 2> /dev/null)

cat > "$work/devflow-server.yml" << YAML
listen: 127.0.0.1:$port
data: $work/server
db: $db
workers: 0
repositories:
  - name: acme/app
    forge: github
    clone_url: $work/nowhere.git
    webhook_secret: {env: HOOK_SECRET}
api:
  rate_limit: 100000
  burst: 100000
  anonymous_rate_limit: 100000
  anonymous_burst: 100000
YAML
"$devflow" serve --config "$work/devflow-server.yml" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    curl -sf "$base/healthz" > /dev/null && break
    kill -0 "$server_pid" 2> /dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
done

# Deliveries: a push (its run stays queued with no workers, and is cancelled below so that every log stream of the
# store ends) and a ping (ignored).
hook() {
    local event=$1 delivery=$2 body=$3 signature
    signature=$(printf '%s' "$body" | python3 -c 'import hmac, hashlib, os, sys
print(hmac.new(os.environ["HOOK_SECRET"].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())')
    curl -sf -o /dev/null -X POST "$base/hooks/github" -H "Content-Type: application/json" -H "X-GitHub-Event: $event" \
        -H "X-GitHub-Delivery: $delivery" -H "X-Hub-Signature-256: sha256=$signature" --data-binary "$body"
}
commit=0123456789abcdef0123456789abcdef01234567
hook push fuzz-push "{\"ref\":\"refs/heads/main\",\"before\":\"0000000000000000000000000000000000000000\",\"after\":\"$commit\",\"created\":false,\"deleted\":false,\"repository\":{\"full_name\":\"acme/app\",\"name\":\"app\"},\"pusher\":{\"name\":\"ada\"},\"head_commit\":{\"id\":\"$commit\",\"timestamp\":\"2026-12-01T12:00:00Z\",\"message\":\"fuzz\"}}"
hook ping fuzz-ping '{"zen":"Keep it logically awesome.","hook_id":1,"repository":{"full_name":"acme/app","name":"app"}}'
queued=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/runs?status=queued" \
    | python3 -c 'import json, sys; print(" ".join(str(run["id"]) for run in json.load(sys.stdin)["runs"]))')
for run in $queued; do
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
        -d '{"reason":"seeded by api-fuzz.sh"}' "$base/api/v1/runs/$run/cancel"
done

# A hook keeps schemathesis from revoking its own token (a listing shows it, and stateful tests follow listings).
mkdir -p "$work/hooks"
cat > "$work/hooks/api_fuzz_hooks.py" << 'HOOKS'
import json
import os
import urllib.request

import schemathesis

OWN_TOKEN = os.environ["API_FUZZ_TOKEN_NAME"]


@schemathesis.hook
def before_call(context, case, **kwargs):
    if case.method.upper() == "DELETE" and (case.path_parameters or {}).get("name") == OWN_TOKEN:
        case.path_parameters["name"] = OWN_TOKEN + "-spared"


# A manual run, a rerun and a redelivery queue new runs, which no worker takes here (workers: 0): cancel them, so
# that every log stream of the store still ends.
@schemathesis.hook
def after_call(context, case, response):
    path = case.operation.path
    if path.endswith("/redeliver") and response.status_code == 202:
        runs = response.json().get("runs", [])
    elif (path.endswith("/rerun") or path.startswith("/api/v1/repos/")) and response.status_code == 201:
        runs = [response.json()["id"]]
    else:
        return
    for run in runs:
        request = urllib.request.Request(
            f"{os.environ['API_FUZZ_BASE']}/api/v1/runs/{run}/cancel", method="POST",
            data=json.dumps({"reason": "redelivered by schemathesis"}).encode(),
            headers={"Authorization": f"Bearer {os.environ['API_FUZZ_TOKEN']}", "Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
HOOKS

cat > "$work/schemathesis.toml" << 'TOML'
# A cursor is opaque and signed: one schemathesis makes up is refused (400) however well-formed it looks, so
# schema-valid input may be refused on this operation (the same `since` is held to the check on GET /api/v1/audit).
[[operations]]
include-operation-id = "listRuns"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]

# A rerun's `node` is any string to the schema; one the run does not have is a 422 (`unknown_node`, did-you-mean).
[[operations]]
include-operation-id = "rerunRun"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
TOML

# /api/v1/events never ends (a dashboard keeps it open), so schemathesis, which reads each answer whole, would time
# out on every case: it is left to APILogsTests.stateEvents.
echo "== schemathesis $schemathesis_version against $base/api/v1/openapi.json ($examples examples per operation)"
started=$(date +%s)
status=0
# From the temporary directory, so that schemathesis's cache (.schemathesis/) lands there; in the background, so that
# an interrupt stops it (and the server) at once instead of after the run.
(cd "$work" && API_FUZZ_TOKEN_NAME=schemathesis-admin API_FUZZ_TOKEN="$token" API_FUZZ_BASE="$base" PYTHONPATH="$work/hooks" SCHEMATHESIS_HOOKS=api_fuzz_hooks \
    exec schemathesis --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --exclude-path /api/v1/events \
    --max-examples "$examples" \
    --generation-deterministic \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report junit --report-dir "${API_FUZZ_REPORT_DIR:-$work/report}" "$@") &
fuzz_pid=$!
wait "$fuzz_pid" || status=$?
fuzz_pid=""
echo "== schemathesis exited $status after $(($(date +%s) - started)) s"
if ! kill -0 "$server_pid" 2> /dev/null; then
    echo "api-fuzz.sh: the server died; the end of its log:"
    tail -40 "$work/server.log"
    status=1
elif grep -q "API request .* failed" "$work/server.log"; then
    echo "api-fuzz.sh: the server logged failed API requests:"
    grep "API request .* failed" "$work/server.log" | sort | uniq -c | head -20
fi
exit "$status"
