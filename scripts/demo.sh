#!/usr/bin/env bash
# The demo: build DevFlow, lint every example pipeline, show one compiled graph, and plan two events.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build -c release --product devflow
swift build -c release --product devflow-lint
bin=.build/release

echo "== devflow-lint pipelines/ .devflow.yml"
"$bin/devflow-lint" pipelines/ .devflow.yml

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
"$bin/devflow-lint" Tests/DevFlowCompilerTests/Fixtures/err/acceptance-combined.yml || true
