#!/usr/bin/env bash
# Git hooks, side by side (a benchmark, not a test): the same five pre-commit checks run by
# `devflow hooks run pre-commit`, `lefthook run pre-commit` and `pre-commit run`, each timed as a whole process by
# farm-bench, interleaved with DevFlow (A/B ratio pair by pair). The checks are shell commands on a small
# repository with one staged change: what a hook runner adds on top of them is what is measured.
#
#   bash bench/hooks-bench.sh [DEVFLOW]     (default .build/release/devflow; lefthook and pre-commit from PyPI)
set -euo pipefail
devflow=$(cd "$(dirname "${1:-.build/release/devflow}")" && pwd)/$(basename "${1:-.build/release/devflow}")
command -v lefthook >/dev/null || pip install -q lefthook
command -v pre-commit >/dev/null || pip install -q pre-commit
work=$(mktemp -d /tmp/devflow-hooks-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q -b main
git config user.name Bench && git config user.email bench@example.com
mkdir -p src docs
for i in $(seq 1 50); do echo "line $i" > "src/file$i.txt"; done
echo "# Readme" > README.md
checks=(
    "test -f README.md"
    "grep -q line src/file1.txt"
    "ls src > /dev/null"
    "test -d docs"
    "sh -c 'exit 0'"
)
{
    printf 'version: 1\nname: hooks\non: {hook: [pre-commit]}\ndefaults: {shell: sh -eu}\nsteps:\n'
    for i in "${!checks[@]}"; do printf '  check%d:\n    run: %s\n' "$i" "${checks[$i]}"; done
} > .devflow.yml
{
    printf 'pre-commit:\n  commands:\n'
    for i in "${!checks[@]}"; do printf '    check%d:\n      run: %s\n' "$i" "${checks[$i]}"; done
} > lefthook.yml
{
    printf 'repos:\n  - repo: local\n    hooks:\n'
    for i in "${!checks[@]}"; do
        printf '      - id: check%d\n        name: check%d\n        entry: sh -c "%s"\n        language: system\n        pass_filenames: false\n        always_run: true\n' \
            "$i" "$i" "${checks[$i]//\"/\\\"}"
    done
} > .pre-commit-config.yaml
git add . && git commit -q -m base
echo change >> src/file1.txt && git add src/file1.txt
"$devflow" hooks run pre-commit --output quiet >/dev/null
lefthook run pre-commit >/dev/null
pre-commit run >/dev/null
echo "devflow hooks run vs lefthook run (5 checks, one staged change; A = devflow, B = lefthook):"
farm-bench -n 15 --warmup 2 --vs "lefthook run pre-commit" -- "$devflow" hooks run pre-commit --output quiet
echo
echo "devflow hooks run vs pre-commit run (A = devflow, B = pre-commit):"
farm-bench -n 15 --warmup 2 --vs "pre-commit run" -- "$devflow" hooks run pre-commit --output quiet
