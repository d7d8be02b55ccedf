#!/usr/bin/env bash
# Mirror fetch of one new commit + checkout of it into a fresh workspace: DevFlowGit (libgit2, GitMirror) against
# the git CLI, side by side in one run, interleaved round by round (a benchmark, not a test).
#
# Generates a 1,000-commit upstream (git fast-import: FILES files in 40 directories, each commit editing 3 of
# them), then, once untimed, clones it into three bare mirrors: devflow's (GitMirror.update()) and one per git
# peer (`git clone --mirror`). Each round adds one commit to the upstream (untimed) and times, as whole
# processes:
#
#   devflow    devflow-git-bench update file://UPSTREAM MIRROR        (GitMirror.update: fetch + prune)
#              devflow-git-bench checkout MIRROR SHA WORKSPACE        (rm -rf, init, alternates, detached HEAD)
#   worktree   git -C MIRROR fetch --prune -q origin                  (git's fetch into its mirror)
#              git -C MIRROR worktree add -q --detach WORKSPACE SHA   (after `git worktree remove`, untimed)
#   clone      git -C MIRROR fetch --prune -q origin
#              git clone -q --local --no-checkout MIRROR WORKSPACE;
#              git -C WORKSPACE checkout -q --detach SHA              (timed together)
#
# Each workspace is removed before its timed phase (untimed, for every tool alike). Prints minimum and median of
# each phase and of their sum, each peer's minimum ÷ devflow's, and devflow's time inside its process (the
# GitMirror call alone, without the start of a Swift process).
#
# Environment:
#   ROUNDS=15          timed rounds (after one untimed warm-up round)
#   COMMITS=1000       history length of the upstream
#   FILES=400          files in the upstream's tree
#   BENCH=.build/release/devflow-git-bench  (SKIP_BUILD=1: do not build it)
#   BENCH_OUT=bench-out
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-15}"
COMMITS="${COMMITS:-1000}"
FILES="${FILES:-400}"
BENCH="${BENCH:-.build/release/devflow-git-bench}"
OUT="${BENCH_OUT:-bench-out}/checkout"

mkdir -p "$(dirname "$OUT")"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    build=(swift build -c release --product devflow-git-bench)
    command -v wtswift >/dev/null && build=(wtswift "$root" build -c release --product devflow-git-bench)
    "${build[@]}" >"$OUT.build.log" 2>&1 || { tail -n 30 "$OUT.build.log" >&2; exit 3; }
fi
BENCH="$(cd "$(dirname "$BENCH")" && pwd)/$(basename "$BENCH")"

rm -rf "$OUT"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench
export GIT_COMMITTER_EMAIL=bench@example.com

# The upstream: COMMITS commits over FILES files of ~2 KB.
git init -q -b main "$OUT/upstream"
python3 - "$COMMITS" "$FILES" <<'PY' | git -C "$OUT/upstream" fast-import --quiet
import sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
def blob(name, version):
    line = f"// {name} version {version}\n".encode()
    return line * (2048 // len(line))
for number in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(f"committer Bench <bench@example.com> {1700000000 + number * 60} +0000\n".encode())
    message = f"commit {number}\n".encode()
    out.write(b"data %d\n%s" % (len(message), message))
    touched = range(files) if number == 0 else [(number * 7 + k * 131) % files for k in range(3)]
    for index in touched:
        name = f"dir{index % 40:02d}/file{index:04d}.swift"
        data = blob(name, number)
        out.write(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
PY
git -C "$OUT/upstream" checkout -q -f main
upstream_url="file://$OUT/upstream"

"$BENCH" update "$upstream_url" "$OUT/devflow.git" >/dev/null
git clone -q --mirror "$upstream_url" "$OUT/worktree.git"
git clone -q --mirror "$upstream_url" "$OUT/clone.git"

now() { date +%s%N; }
declare -A times
record() { times[$1]+="$2 "; }

new_commit() {
    local round=$1
    echo "round $round" >>"$OUT/upstream/dir00/file0000.swift"
    git -C "$OUT/upstream" commit -q -a -m "round $round"
    git -C "$OUT/upstream" rev-parse HEAD
}

run_devflow() {
    local sha=$1 start middle end fetched checked
    rm -rf "$OUT/ws-devflow"
    start=$(now)
    fetched=$("$BENCH" update "$upstream_url" "$OUT/devflow.git")
    middle=$(now)
    checked=$("$BENCH" checkout "$OUT/devflow.git" "$sha" "$OUT/ws-devflow")
    end=$(now)
    [ "${checked% *}" = "$sha" ] || { echo "devflow checked out the wrong commit" >&2; exit 1; }
    record devflow.fetch $((middle - start)); record devflow.checkout $((end - middle))
    record devflow.fetch_call "${fetched#* }"; record devflow.checkout_call "${checked#* }"
}

run_worktree() {
    local sha=$1 start middle end
    git -C "$OUT/worktree.git" worktree remove --force "$OUT/ws-worktree" 2>/dev/null || rm -rf "$OUT/ws-worktree"
    git -C "$OUT/worktree.git" worktree prune
    start=$(now)
    git -C "$OUT/worktree.git" fetch --prune -q origin
    middle=$(now)
    git -C "$OUT/worktree.git" worktree add -q --detach "$OUT/ws-worktree" "$sha"
    end=$(now)
    [ "$(git -C "$OUT/ws-worktree" rev-parse HEAD)" = "$sha" ] || { echo "worktree checked out the wrong commit" >&2; exit 1; }
    record worktree.fetch $((middle - start)); record worktree.checkout $((end - middle))
}

run_clone() {
    local sha=$1 start middle end
    rm -rf "$OUT/ws-clone"
    start=$(now)
    git -C "$OUT/clone.git" fetch --prune -q origin
    middle=$(now)
    git clone -q --local --no-checkout "$OUT/clone.git" "$OUT/ws-clone"
    git -C "$OUT/ws-clone" checkout -q --detach "$sha"
    end=$(now)
    [ "$(git -C "$OUT/ws-clone" rev-parse HEAD)" = "$sha" ] || { echo "clone checked out the wrong commit" >&2; exit 1; }
    record clone.fetch $((middle - start)); record clone.checkout $((end - middle))
}

tools=(devflow worktree clone)
for round in $(seq 0 "$ROUNDS"); do
    sha=$(new_commit "$round")
    # Each tool fetches the same new commit; the order rotates so that none always runs first.
    for offset in 0 1 2; do
        tool=${tools[$(((round + offset) % 3))]}
        "run_$tool" "$sha"
    done
    if [ "$round" = 0 ]; then times=(); fi  # warm-up
done

python3 - "$ROUNDS" "$COMMITS" "$FILES" <<PY
import statistics, sys
rounds, commits, files = sys.argv[1:4]
raw = {
$(for key in "${!times[@]}"; do echo "    '$key': [${times[$key]// /, }],"; done)
}
def ms(ns): return ns / 1e6
labels = {"devflow": "devflow (GitMirror, libgit2)", "worktree": "git fetch + git worktree add",
          "clone": "git fetch + git clone --local"}
print(f"{rounds} rounds, {commits} commits, {files} files; one new commit per round\n")
print("| tool | fetch min | fetch median | checkout min | checkout median | total min | total median | total min ÷ devflow |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
base = None
for tool in ["devflow", "worktree", "clone"]:
    fetch, checkout = raw[f"{tool}.fetch"], raw[f"{tool}.checkout"]
    total = [a + b for a, b in zip(fetch, checkout)]
    if base is None: base = min(total)
    print(f"| {labels[tool]} | {ms(min(fetch)):.1f} ms | {ms(statistics.median(fetch)):.1f} ms "
          f"| {ms(min(checkout)):.1f} ms | {ms(statistics.median(checkout)):.1f} ms "
          f"| {ms(min(total)):.1f} ms | {ms(statistics.median(total)):.1f} ms | {min(total) / base:.2f}x |")
fetch_call, checkout_call = raw["devflow.fetch_call"], raw["devflow.checkout_call"]
print(f"\ndevflow inside its process: update() min {ms(min(fetch_call)):.1f} ms, median "
      f"{ms(statistics.median(fetch_call)):.1f} ms; checkout() min {ms(min(checkout_call)):.1f} ms, median "
      f"{ms(statistics.median(checkout_call)):.1f} ms")
PY
