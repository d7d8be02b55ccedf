#!/usr/bin/env bash
# The demo: build DevFlow, lint every example pipeline, plan an event, run the runner demo for real with the
# embedded SQLite store, and show the recorded run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Only what the demo needs, and one debug build of the one binary it runs: the same build the test command
# (scripts/test.sh) starts from, and about half the time of a release build on two cores (docs in BENCHMARKS.md).
# `devflow lint` is `devflow-lint`. DEVFLOW_DEMO_RELEASE=1 builds -c release instead.
bash scripts/install-deps.sh --demo
if [[ ${DEVFLOW_DEMO_RELEASE:-} == 1 ]]; then configuration=release; else configuration=debug; fi
swift build -c "$configuration" --product devflow
bin=.build/$configuration

echo "== devflow lint pipelines/ .devflow.yml   (the same as devflow-lint)"
"$bin/devflow" lint pipelines/ .devflow.yml

echo
echo "== devflow graph pipelines/matrix-fan-out.yml --format mermaid"
"$bin/devflow" graph pipelines/matrix-fan-out.yml --format mermaid

echo "== devflow plan pipelines/monorepo.yml --event push --branch main --changed services/api/main.go"
"$bin/devflow" plan pipelines/monorepo.yml --event push --branch main --changed services/api/main.go

echo
echo "== devflow plan pipelines/pr-review.yml --event pull_request --branch feature/login --base main"
"$bin/devflow" plan pipelines/pr-review.yml --event pull_request --branch feature/login --base main

echo
echo "== a broken pipeline: every problem in one run"
"$bin/devflow" lint Tests/DevFlowCompilerTests/Fixtures/err/acceptance-combined.yml || true

db=.devflow/demo.sqlite
rm -f "$db" "$db-wal" "$db-shm"
echo
echo "== devflow run pipelines/runner-demo.yml (fan-out, a flaky step retried, outputs, a breaker that opens)"
"$bin/devflow" run pipelines/runner-demo.yml --db "$db"

echo
echo "== devflow runs show 1"
"$bin/devflow" runs show 1 --db "$db"
echo "== devflow breakers list"
"$bin/devflow" breakers list --db "$db"

echo
echo "== the server: a push runs on devflow serve"
bash scripts/demo-server.sh "$bin/devflow"
