#!/usr/bin/env bash
# The whole test suite: dependencies, a debug build, the grammar's own checks, swift test (the store suite on SQLite
# and on a private PostgreSQL), and the dashboard's tests
# in Debian's headless Chromium (component tests, then a real devflow serve end to end; screenshots in
# $SCREENSHOT_DIR, default /tmp/devflow-dashboard-shots).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build
check-jsonschema --check-metaschema Grammar/devflow.schema.json
# The shared store suite runs on SQLite and on PostgreSQL: a private cluster on a free port, stopped however the
# tests end (unless DEVFLOW_TEST_POSTGRES_URL already names a server).
if [[ -z ${DEVFLOW_TEST_POSTGRES_URL:-} ]]; then
    pg_dir=$(mktemp -d /tmp/devflow-test-pg.XXXXXX)
    pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    trap 'bash scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
    DEVFLOW_TEST_POSTGRES_URL=$(bash scripts/postgres.sh start "$pg_dir" "$pg_port")
    export DEVFLOW_TEST_POSTGRES_URL
fi
swift test
# Then every test that touches a store again, each store a new PostgreSQL database (see Tests/DevFlowStoreTestSupport).
DEVFLOW_TEST_STORE=postgres swift test --skip-build --filter "DevFlowServerTests|DevFlowRunnerTests|DevFlowAnalyticsTests"
# The language server as an editor meets it: the built binary over stdio, through pygls's LSP client.
python3 Tests/LanguageServer/test_lsp_client.py .build/debug/devflow
bash scripts/browser-tests.sh .build/debug/devflow
