#!/usr/bin/env bash
# The whole test suite: dependencies, a debug build, the grammar's own checks, swift test, and the dashboard's tests
# in Debian's headless Chromium (component tests, then a real devflow serve end to end; screenshots in
# $SCREENSHOT_DIR, default /tmp/devflow-dashboard-shots).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build
check-jsonschema --check-metaschema Grammar/devflow.schema.json
swift test
bash scripts/browser-tests.sh .build/debug/devflow
