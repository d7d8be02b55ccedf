#!/usr/bin/env bash
# test-generator on a real repository's recent history: the last N commits as one pull request.
#
#   bash bench/test-generator-bench.sh REPO [N]      (N = 30; DEVFLOW=.build/debug/devflow by default)
#
# REPO is a clone with at least N+1 commits on its checked-out branch (fetched separately, never committed
# here). The script runs `devflow agent run test-generator --base HEAD~N --format json` in REPO (compare with the
# merge base of HEAD~N, i.e. HEAD~N itself), and prints the number of changed paths, the findings (file, rule,
# message) and their count, for a person to judge each one: would a reviewer accept "this source changed without
# its tests"? The judgement goes into BENCHMARKS.md by hand.
set -euo pipefail
repo=$1
count=${2:-30}
devflow=${DEVFLOW:-$(cd "$(dirname "$0")/.." && pwd)/.build/debug/devflow}
base=$(git -C "$repo" rev-parse "HEAD~$count")
head=$(git -C "$repo" rev-parse HEAD)
changed=$(git -C "$repo" diff --name-only --diff-filter=d "$base" "$head" | wc -l)
echo "repository: $(basename "$repo")  base: ${base:0:12} (HEAD~$count)  head: ${head:0:12}  changed paths: $changed"
json=$(cd "$repo" && "$devflow" agent run test-generator --base "$base" --format json || true)
python3 - "$json" <<'PY'
import json, sys
data = json.loads(sys.argv[1] or "[]")
findings = data if isinstance(data, list) else data.get("findings", [])
for finding in findings:
    print(f"  {finding.get('file')}:{finding.get('line')} {finding.get('rule')}: {finding.get('message')}")
print(f"findings: {len(findings)}")
PY
(cd "$repo" && "$devflow" agent run test-generator --base "$base" --format text | grep -E '^- (not |skipped)' || true)
