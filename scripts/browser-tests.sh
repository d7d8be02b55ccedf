#!/usr/bin/env bash
# The dashboard's browser tests: the component tests (Tests/Browser/components: log viewer, run graph, and the
# dashboard script's tests when they exist) against their fake servers, then the end-to-end tests
# (Tests/Browser/e2e/dashboard_e2e.py) against a real `devflow serve` started from BINARY.
# Usage: scripts/browser-tests.sh BINARY        (CI: scripts/browser-tests.sh .build/debug/devflow)
# Runs every suite, then exits non-zero if any failed. Screenshots: $SCREENSHOT_DIR/components and
# $SCREENSHOT_DIR/e2e (default /tmp/devflow-dashboard-shots).
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BINARY   (the devflow binary, e.g. .build/debug/devflow)" >&2
    exit 2
fi
if [ ! -x "$1" ] || [ -d "$1" ]; then
    echo "$1: not an executable devflow binary (build it first: swift build)" >&2
    exit 2
fi
devflow=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=("/usr/bin/chromium: apt-get install chromium")
[ -x /usr/bin/chromedriver ] || missing+=("/usr/bin/chromedriver: apt-get install chromium-driver")
python3 -c 'import selenium' 2>/dev/null ||
    missing+=("the selenium module for python3: apt-get install python3-selenium, or pip install selenium")
if [ ${#missing[@]} -gt 0 ]; then
    echo "browser tests need what is missing here:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 2
fi

shots=${SCREENSHOT_DIR:-/tmp/devflow-dashboard-shots}
failed=()
run() {
    local name=$1
    shift
    echo "== $name"
    local start=$SECONDS
    if "$@"; then
        echo "== $name: passed ($((SECONDS - start)) s)"
    else
        echo "== $name: FAILED ($((SECONDS - start)) s)"
        failed+=("$name")
    fi
}

for test in test_log_viewer.py test_run_graph.py test_dashboard_js.py; do
    path=Tests/Browser/components/$test
    if [ "$test" = test_dashboard_js.py ] && [ ! -f "$path" ]; then
        echo "== $test: not written yet, skipped"
        continue
    fi
    run "$test" env SCREENSHOT_DIR="$shots/components" python3 "$path"   # a missing required file fails here
done
run dashboard_e2e.py env SCREENSHOT_DIR="$shots/e2e" python3 Tests/Browser/e2e/dashboard_e2e.py "$devflow"

if [ ${#failed[@]} -gt 0 ]; then
    echo "browser tests FAILED: ${failed[*]}"
    exit 1
fi
echo "browser tests passed (screenshots in $shots)"
