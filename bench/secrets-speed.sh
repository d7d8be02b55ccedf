#!/usr/bin/env bash
# security-guardian's detection core before and after a change, in-process, interleaved.
#
# Usage: bash bench/secrets-speed.sh [OLD_REV] [ROUNDS]    (OLD_REV defaults to the commit before
#        the rules were split out of SecurityGuardian.swift, ROUNDS to 3)
#
# Builds two tiny release packages in a temporary directory, each with the SecurityGuardian sources of
# one revision (OLD_REV from git, the new one from the work tree) plus Finding.swift and
# bench/secrets_speed_main.swift, so no process start-up, file listing or JSON output is timed: only
# `SecurityGuardian.scan` over files already read, best of 5 per round. Corpora: 1 MB of non-test Go
# source (as bench/secrets-coverage.py takes it from the fetched mirrors), this repository's Swift
# sources, the own labelled corpus (bench/secrets_corpus.py) and gitleaks' samples
# (bench/gitleaks_samples.py, when the gitleaks mirror is there).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# Default: the revision just before the rules were split out of one file.
SPLIT=$(git -C "$ROOT" log -1 --format=%H --diff-filter=D -- Sources/DevFlowAgents/SecurityGuardian.swift)
OLD_REV=${1:-${SPLIT}^}
ROUNDS=${2:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

package() { # DIR
    mkdir -p "$1/Sources/sg"
    printf '%s\n' '// swift-tools-version:6.0' 'import PackageDescription' \
        'let package = Package(name: "sg", targets: [.executableTarget(name: "sg", path: "Sources/sg")])' >"$1/Package.swift"
    cp "$ROOT/bench/secrets_speed_main.swift" "$1/Sources/sg/main.swift"
}
package "$TMP/old"
package "$TMP/new"
# The old revision: one file (before the split) or the SecurityGuardian/ folder.
if git -C "$ROOT" cat-file -e "$OLD_REV:Sources/DevFlowAgents/SecurityGuardian.swift" 2>/dev/null; then
    git -C "$ROOT" show "$OLD_REV:Sources/DevFlowAgents/SecurityGuardian.swift" >"$TMP/old/Sources/sg/SecurityGuardian.swift"
else
    git -C "$ROOT" archive "$OLD_REV" Sources/DevFlowAgents/SecurityGuardian | tar -x -C "$TMP/old/Sources/sg" --strip-components=3
fi
git -C "$ROOT" show "$OLD_REV:Sources/DevFlowAgents/Finding.swift" >"$TMP/old/Sources/sg/Finding.swift"
cp "$ROOT"/Sources/DevFlowAgents/SecurityGuardian/*.swift "$ROOT/Sources/DevFlowAgents/Finding.swift" "$TMP/new/Sources/sg/"
for side in old new; do
    (cd "$TMP/$side" && flock /tmp/swift-build.lock swift build -c release -q)
done

ROOT="$ROOT" python3 -c "
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location('cov', os.path.join(os.environ['ROOT'], 'bench/secrets-coverage.py'))
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
dirs = [d for d in (os.path.join(m.MIRRORS, n + '/repo') for n in m.CLEAN_DEFAULT) if os.path.isdir(d)]
print(m.clean_corpus('$TMP/clean', dirs, 1_000_000), file=sys.stderr)
"
python3 "$ROOT/bench/secrets_corpus.py" "$TMP/own" 2>/dev/null
GITLEAKS=/work/.mirror/gitleaks+gitleaks/repo
[ -d "$GITLEAKS" ] && python3 "$ROOT/bench/gitleaks_samples.py" "$GITLEAKS" "$TMP/heldout" 2>/dev/null
find "$TMP/clean" -type f >"$TMP/clean.list"
find "$ROOT/Sources" -name '*.swift' >"$TMP/sources.list"
find "$TMP/own" -type f ! -name labels.tsv >"$TMP/own.list"
[ -d "$TMP/heldout" ] && find "$TMP/heldout" -type f ! -name manifest.tsv >"$TMP/heldout.list"

echo "| round | corpus | old ($OLD_REV) | new (work tree) | new / old |"
echo "|---:|---|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
    for corpus in clean sources own heldout; do
        [ -f "$TMP/$corpus.list" ] || continue
        old=$("$TMP/old/.build/release/sg" --repeat 5 "@$TMP/$corpus.list" 2>&1 >/dev/null | sed 's/.*, \([0-9.]*\) MB\/s/\1/')
        new=$("$TMP/new/.build/release/sg" --repeat 5 "@$TMP/$corpus.list" 2>&1 >/dev/null | sed 's/.*, \([0-9.]*\) MB\/s/\1/')
        echo "| $round | $corpus | $old MB/s | $new MB/s | $(python3 -c "print(f'{$new / $old:.2f}×')") |"
    done
done
