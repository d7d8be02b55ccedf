#!/usr/bin/env bash
# The whole test suite: dependencies, a debug build, the grammar's own checks, and swift test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build
check-jsonschema --check-metaschema Grammar/devflow.schema.json
swift test
