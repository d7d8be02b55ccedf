#!/usr/bin/env bash
# Runner overhead, side by side in one run: devflow run vs go-task vs just vs the spawn floor.
#
# Builds bench-out/spawn_floor (/work/shared/bench/spawn_floor.c) and the release devflow,
# installs the peers from PyPI if missing (go-task-bin: `task`, rust-just: `just`), and
# generates the three 1,000-task DAGs of gen_taskfile.py (chain; fan-out of 1,000 under one
# root; 50 layers x 20 with full edges between consecutive layers), each task running
# /bin/true, as a Taskfile, a justfile and a DevFlow pipeline (bench/gen_devflow_dag.py,
# `defaults: {shell: sh, retry: none}`, validated with devflow-lint). /bin/true rather than
# `true`: go-task's embedded shell runs `true` as a builtin and would spawn nothing.
#
# Then times, as whole processes, interleaved round by round (floor, devflow, task, just;
# per shape):
#
#   floor    bench-out/spawn_floor 1000 /bin/true       (1,000 sequential posix_spawns)
#   floor-sh bench-out/spawn_floor 1000 /bin/sh -c /bin/true  (what a `run:` step costs at least:
#            devflow and just start the shell, which spawns /bin/true; reference only)
#   xargs    xargs -P J -n 1 -a NUMBERS /bin/true         (the parallel floor: the same 1,000 processes,
#            J at a time, J = DEVFLOW_JOBS; NUMBERS holds 1..1000, one a line, passed as an ignored argument)
#   xargs-sh xargs -P J -n 1 -a NUMBERS /bin/sh -c /bin/true  (the same through `sh -c`; reference only)
#   devflow  devflow run FILE --db bench-out/runner/SHAPE.sqlite -j J --events json >/dev/null
#            (J = 1 for the chain, DEVFLOW_JOBS for fanout and layered; a fresh database
#            every run, so every attempt is recorded into an empty store)
#   go-task  task -s -t Taskfile.yml root                (go-task's default concurrency: unbounded)
#   just     just -f justfile root                       (just runs dependencies one at a time)
#
# and prints markdown tables: minimum and median wall time, per-step overhead
# (tool - floor) / 1000, tool / floor and tool / xargs -P J from the minimums; peak RSS (wait4 ru_maxrss)
# of each tool; then the acceptance checks (devflow / floor on the chain <= 1.2x; devflow
# faster than go-task and just on every shape; devflow at -j J no slower than xargs -P J on the
# fan-out and layered graphs; devflow's peak RSS below go-task's on the layered graph).
#
# Store throughput: `devflow run` of one step printing 200,000 lines (`seq 200000`), as log
# lines recorded per second of wall time, and of a 1,000-step fan-out of `true`, as attempts
# recorded per second; both checked against the database afterwards.
#
# Environment:
#   ROUNDS=3                       timed rounds (after WARMUP untimed ones)
#   WARMUP=1                       untimed warm-up rounds (also check every tool runs)
#   SHAPES="chain fanout layered"  which graphs
#   DEVFLOW_JOBS=2                 -j for fanout, layered and the store fan-out (chain: -j 1)
#   DEVFLOW=.build/release/devflow the runner under test (SKIP_BUILD=1: do not build)
#   DEVFLOW_LINT=.build/release/devflow-lint
#   DEVFLOW_LINT_ARGS=--no-shellcheck  shellcheck on 1,001 copies of `/bin/true` takes about a minute
#   TASK_BIN, JUST_BIN             the peers (default: pip's scripts directory, then PATH)
#   TASK_ARGS                      extra go-task flags, e.g. "-C 2" to cap its concurrency
#   STORE_LINES=200000             lines printed by the store-throughput step
#   BENCH_OUT=bench-out            output directory (gitignored)
#   GEN_TASKFILE=path/to/gen_taskfile.py, SPAWN_FLOOR_C=path/to/spawn_floor.c
#                                  default: bench/, then ../shared/bench/, /work/shared/bench/
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-1}"
SHAPES="${SHAPES:-chain fanout layered}"
DEVFLOW_JOBS="${DEVFLOW_JOBS:-2}"
DEVFLOW="${DEVFLOW:-.build/release/devflow}"
DEVFLOW_LINT="${DEVFLOW_LINT:-.build/release/devflow-lint}"
DEVFLOW_LINT_ARGS="${DEVFLOW_LINT_ARGS---no-shellcheck}"
STORE_LINES="${STORE_LINES:-200000}"
TASK_ARGS="${TASK_ARGS:-}"
OUT="${BENCH_OUT:-bench-out}"
RUN_DIR="$OUT/runner"

note() { printf '%s\n' "runner-bench: $*" >&2; }

find_input() {  # find_input OVERRIDE NAME: the first existing candidate
    local candidate
    for candidate in "$1" "bench/$2" "../shared/bench/$2" "/work/shared/bench/$2"; do
        if [ -n "$candidate" ] && [ -f "$candidate" ]; then printf '%s\n' "$candidate"; return 0; fi
    done
    return 1
}

gen_taskfile="$(find_input "${GEN_TASKFILE:-}" gen_taskfile.py)" || { note "gen_taskfile.py not found (set GEN_TASKFILE)"; exit 2; }
spawn_floor_c="$(find_input "${SPAWN_FLOOR_C:-}" spawn_floor.c)" || { note "spawn_floor.c not found (set SPAWN_FLOOR_C)"; exit 2; }

mkdir -p "$OUT" "$RUN_DIR"

# --- builds --------------------------------------------------------------------

gcc -O2 -o "$OUT/spawn_floor" "$spawn_floor_c"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    note "building devflow and devflow-lint (release; may wait for the build lock)"
    swift build -c release --product devflow >"$OUT/runner-build.log" 2>&1 \
        || { tail -n 30 "$OUT/runner-build.log" >&2; note "swift build --product devflow failed"; exit 3; }
    swift build -c release --product devflow-lint >>"$OUT/runner-build.log" 2>&1 \
        || { tail -n 30 "$OUT/runner-build.log" >&2; note "swift build --product devflow-lint failed"; exit 3; }
fi
for bin in "$DEVFLOW" "$DEVFLOW_LINT"; do
    [ -x "$bin" ] || { note "$bin not found"; exit 3; }
done

# --- peers ---------------------------------------------------------------------

pip_scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"

# resolve NAME: the real executable, not a pyenv shim (a shim is a bash script that
# costs tens of milliseconds per call and would be timed with the tool)
resolve() {
    local name="$1" path=""
    if [ -x "$pip_scripts/$name" ]; then
        path="$pip_scripts/$name"
    elif path="$(command -v "$name" 2>/dev/null)"; then
        case "$path" in
            */shims/*) path="$(pyenv which "$name" 2>/dev/null || true)" ;;
        esac
    fi
    printf '%s\n' "$path"
}

TASK_BIN="${TASK_BIN:-$(resolve task)}"
JUST_BIN="${JUST_BIN:-$(resolve just)}"
if [ -z "$TASK_BIN" ] || [ -z "$JUST_BIN" ]; then
    note "installing the peers: python3 -m pip install go-task-bin rust-just"
    python3 -m pip install --quiet go-task-bin rust-just >&2 || note "pip install failed; missing peers are skipped"
    TASK_BIN="$(resolve task)"
    JUST_BIN="$(resolve just)"
fi

# --- inputs --------------------------------------------------------------------

for shape in $SHAPES; do
    case "$shape" in chain | fanout | layered) ;; *) note "unknown shape '$shape' (chain, fanout, layered)"; exit 2 ;; esac
    dir="$RUN_DIR/$shape"
    mkdir -p "$dir"
    python3 "$gen_taskfile" --shape "$shape" --format task --cmd /bin/true --silent -o "$dir/Taskfile.yml"
    python3 "$gen_taskfile" --shape "$shape" --format just --cmd /bin/true --silent -o "$dir/justfile"
    python3 bench/gen_devflow_dag.py --shape "$shape" --cmd /bin/true -o "$dir/pipeline.devflow.yml"
done
python3 bench/gen_devflow_dag.py --shape lines --lines "$STORE_LINES" -o "$RUN_DIR/store-lines.devflow.yml"
python3 bench/gen_devflow_dag.py --shape fanout --cmd true -o "$RUN_DIR/store-fanout.devflow.yml"

for file in "$RUN_DIR"/*/pipeline.devflow.yml "$RUN_DIR"/store-*.devflow.yml; do
    # shellcheck disable=SC2086 # DEVFLOW_LINT_ARGS is a word list
    if ! "$DEVFLOW_LINT" $DEVFLOW_LINT_ARGS "$file" >"$OUT/runner-lint.log" 2>&1; then
        cat "$OUT/runner-lint.log" >&2
        note "devflow-lint rejects $file"
        exit 3
    fi
done
note "inputs in $RUN_DIR/ (all DevFlow pipelines pass devflow-lint)"

# --- timing --------------------------------------------------------------------

export ROUNDS WARMUP SHAPES DEVFLOW_JOBS DEVFLOW STORE_LINES TASK_ARGS RUN_DIR TASK_BIN JUST_BIN
export SPAWN_FLOOR="$OUT/spawn_floor"
exec python3 - <<'PY'
import glob, os, sqlite3, statistics, subprocess, sys, tempfile, time

rounds = max(1, int(os.environ["ROUNDS"]))
warmup = max(0, int(os.environ["WARMUP"]))
shapes = os.environ["SHAPES"].split()
jobs = int(os.environ["DEVFLOW_JOBS"])
devflow = os.path.abspath(os.environ["DEVFLOW"])
floor_bin = os.path.abspath(os.environ["SPAWN_FLOOR"])
run_dir = os.path.abspath(os.environ["RUN_DIR"])
store_lines = int(os.environ["STORE_LINES"])
task_bin, just_bin = os.environ.get("TASK_BIN", ""), os.environ.get("JUST_BIN", "")
task_args = os.environ.get("TASK_ARGS", "").split()
N = 1000
notes, leaked = [], [0]
numbers = os.path.join(run_dir, "numbers.txt")  # xargs's input: one (ignored) argument per process
with open(numbers, "w") as f:
    f.write("".join(f"{i}\n" for i in range(1, N + 1)))
xargs_bin = "/usr/bin/xargs" if os.path.exists("/usr/bin/xargs") else "xargs"
XARGS = f"xargs -P {jobs}"
gnu_time = "/usr/bin/time"
if not os.path.exists(gnu_time) or subprocess.run([gnu_time, "-f", "%M", "true"], capture_output=True).returncode:
    gnu_time = ""
if not gnu_time:
    notes.append("GNU time not found: peak RSS is wait4's ru_maxrss, which includes this Python's ~16 MiB")
# devflow runs with TMPDIR set to a private directory, so its leftovers can be counted
df_tmp = os.path.join(run_dir, "tmp")
os.makedirs(df_tmp, exist_ok=True)
df_env = dict(os.environ, TMPDIR=df_tmp)


def fresh(db):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(db + suffix)
        except FileNotFoundError:
            pass


def run(argv, cwd=None, before=None, env=None):
    """(seconds, peak RSS KiB, exit code, stderr) of one whole process.

    Peak RSS comes from GNU time's %M: wait4's ru_maxrss of a child forked by this
    Python process would include the interpreter's own ~16 MiB (the high-water mark
    of the address space the child starts with), so a small C parent reports it.
    Wall time is measured here; the ~1 ms of /usr/bin/time is in every tool's time,
    the floor's included, and cancels out of tool - floor."""
    if before:
        before()
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rssf:
        wrapped = ([gnu_time, "-f", "%M", "-o", rssf.name] if gnu_time else []) + argv
        t0 = time.perf_counter()
        p = subprocess.Popen(wrapped, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
        kb = usage.ru_maxrss
        if gnu_time:
            last = (rssf.read().strip().splitlines() or [""])[-1]
            kb = int(last) if last.isdigit() else 0
    return dt, kb, p.returncode, text


def scratch_dirs():
    """devflow leaves an empty scratch directory $TMPDIR/devflow-PID-RUN per run; count and remove them."""
    for d in glob.glob(os.path.join(df_tmp, "devflow-*")):
        leaked[0] += 1
        try:
            os.rmdir(d)
        except OSError:
            pass


def tools_for(shape):
    d = os.path.join(run_dir, shape)
    db = os.path.join(run_dir, f"runner-{shape}.sqlite")
    j = 1 if shape == "chain" else jobs
    tools = [("floor", [floor_bin, str(N), "/bin/true"], None, None),
             ("floor-sh (`sh -c /bin/true`)", [floor_bin, str(N), "/bin/sh", "-c", "/bin/true"], None, None),
             (XARGS, [xargs_bin, "-P", str(jobs), "-n", "1", "-a", numbers, "/bin/true"], None, None),
             (f"xargs-sh -P {jobs} (`sh -c /bin/true`)",
              [xargs_bin, "-P", str(jobs), "-n", "1", "-a", numbers, "/bin/sh", "-c", "/bin/true"], None, None),
             (f"devflow -j {j}", [devflow, "run", os.path.join(d, "pipeline.devflow.yml"), "--db", db,
                                  "-j", str(j), "--events", "json"], d, lambda: fresh(db))]
    if task_bin:
        tools.append(("go-task", [task_bin, "-s"] + task_args + ["-t", os.path.join(d, "Taskfile.yml"), "root"], d, None))
    else:
        notes.append("go-task skipped: not installed (`pip install go-task-bin`)")
    if just_bin:
        tools.append(("just", [just_bin, "-f", os.path.join(d, "justfile"), "root"], d, None))
    else:
        notes.append("just skipped: not installed (`pip install rust-just`)")
    return tools


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 10 else f"{s:.2f} s"


def fail_note(name, what, rc, err):
    lines = err.strip().splitlines() or ["(no stderr)"]
    return f"{name} {what}: exit code {rc}: " + " / ".join(lines[-5:])[:600]


plan = {s: tools_for(s) for s in shapes}
store_db_l = os.path.join(run_dir, "store-lines.sqlite")
store_db_f = os.path.join(run_dir, "store-fanout.sqlite")
store = [("lines", [devflow, "run", os.path.join(run_dir, "store-lines.devflow.yml"), "--db", store_db_l,
                    "-j", "1", "--events", "json"], run_dir, lambda: fresh(store_db_l)),
         ("fanout", [devflow, "run", os.path.join(run_dir, "store-fanout.devflow.yml"), "--db", store_db_f,
                     "-j", str(jobs), "--events", "json"], run_dir, lambda: fresh(store_db_f)),
         ("seq floor", ["sh", "-c", f"seq {store_lines}"], run_dir, None)]

times = {(s, t[0]): [] for s in shapes for t in plan[s]}
rss = {(s, t[0]): [] for s in shapes for t in plan[s]}
stimes = {t[0]: [] for t in store}
dead = set()

for r in range(warmup + rounds):
    timed = r >= warmup
    for s in shapes:
        for name, argv, cwd, before in plan[s]:
            if (s, name) in dead:
                continue
            dt, kb, rc, err = run(argv, cwd, before, df_env if argv[0] == devflow else None)
            if argv[0] == devflow:
                scratch_dirs()
            if rc != 0:
                dead.add((s, name))
                notes.append(fail_note(f"{s}: {name}", "failed and was dropped", rc, err))
                if name.startswith("devflow"):
                    notes.append(f"{s}: devflow stderr, in full:\n\n```\n{err.strip()}\n```\n")
                continue
            if timed:
                times[(s, name)].append(dt)
                rss[(s, name)].append(kb)
    for name, argv, cwd, before in store:
        if ("store", name) in dead:
            continue
        dt, kb, rc, err = run(argv, cwd, before, df_env if argv[0] == devflow else None)
        if argv[0] == devflow:
            scratch_dirs()
        if rc != 0:
            dead.add(("store", name))
            notes.append(fail_note(f"store {name}", "failed", rc, err))
            continue
        if timed:
            stimes[name].append(dt)
    print(f"runner-bench: {'warm-up' if not timed else 'round'} "
          f"{r + 1 - (warmup if timed else 0)}/{rounds if timed else warmup} done", file=sys.stderr)

print(f"# Runner overhead ({rounds} interleaved round(s) after {warmup} warm-up; wall time of whole processes)\n")
print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, python {sys.version.split()[0]}  ")
print(f"devflow: `{devflow} run FILE --db FRESH.sqlite -j J --events json >/dev/null` (chain -j 1, fanout and layered -j {jobs})  ")
if task_bin:
    v = subprocess.run([task_bin, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"go-task {v}: `task -s {' '.join(task_args) + ' ' if task_args else ''}-t Taskfile.yml root` (deps run concurrently, unbounded unless TASK_ARGS caps it)  ")
if just_bin:
    v = subprocess.run([just_bin, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{v}: `just -f justfile root` (recipes @-silenced; dependencies run one at a time)  ")
print(f"floor: `spawn_floor {N} /bin/true` (posix_spawn + waitpid, sequential); "
      f"floor-sh: `spawn_floor {N} /bin/sh -c /bin/true` (two execs per task, as a shell step needs)  ")
print(f"parallel floor: `xargs -P {jobs} -n 1 -a NUMBERS /bin/true` (the same {N} processes, {jobs} at a time); "
      f"xargs-sh: the same with `/bin/sh -c /bin/true`  ")
print(f"every graph has {N} tasks plus `root`, each running /bin/true (just through `sh -c`; devflow execs a step that is one simple command directly, as a shell would)\n")

summary = {}
for s in shapes:
    live = [t for t in plan[s] if times[(s, t[0])]]
    fl = times.get((s, "floor")) or []
    floor = min(fl) if fl else None
    xl = times.get((s, XARGS)) or []
    xfloor = min(xl) if xl else None
    print(f"## {s}\n")
    print(f"| tool | min | median | overhead per step (min − floor) / 1000 | min ÷ floor | min ÷ {XARGS} "
          "| peak RSS (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, *_ in live:
        ts, ks = times[(s, name)], rss[(s, name)]
        lo, med = min(ts), statistics.median(ts)
        over = f"{(lo - floor) / N * 1e6:,.0f} µs" if floor and name != "floor" else "—"
        ratio = f"{lo / floor:.2f}x" if floor else "n/a"
        xratio = f"{lo / xfloor:.2f}x" if xfloor else "n/a"
        print(f"| {name} | {fmt_s(lo)} | {fmt_s(med)} | {over} | {ratio} | {xratio} "
              f"| {statistics.median(ks) / 1024:.1f} MiB |")
        summary[(s, name.split()[0])] = (lo, statistics.median(ks))
    print()

print("## Peak RSS (MiB, median over rounds; GNU time %M, the largest single process of the tree)\n")
print("| tool | " + " | ".join(shapes) + " |")
print("|---|" + "---:|" * len(shapes))
for tool in ("floor", "xargs", "devflow", "go-task", "just"):
    cells = [f"{summary[(s, tool)][1] / 1024:.1f}" if (s, tool) in summary else "—" for s in shapes]
    print(f"| {tool} | " + " | ".join(cells) + " |")
print()

print("## Store throughput (devflow run, fresh database per run)\n")
print("| workload | min | median | rate (min) |")
print("|---|---:|---:|---:|")
checks = {}
try:
    c = sqlite3.connect(store_db_l)
    n, nl = c.execute("select count(*), coalesce(sum(length(text) - length(replace(text, char(10), ''))), 0) "
                      "from logChunk").fetchone()
    checks["lines"] = n + nl   # chunks hold lines joined by \n, no trailing newline
    c.close()
    c = sqlite3.connect(store_db_f)
    checks["fanout"] = c.execute("select count(*) from attempt").fetchone()[0]
    c.close()
except sqlite3.Error as e:
    notes.append(f"could not read the store databases: {e}")
if stimes["lines"]:
    lo, med = min(stimes["lines"]), statistics.median(stimes["lines"])
    got = checks.get("lines", "?")
    print(f"| 1 step, `seq {store_lines}` (-j 1): log lines | {fmt_s(lo)} | {fmt_s(med)} | "
          f"{store_lines / lo:,.0f} lines/s ({got} lines in the store) |")
if stimes["seq floor"]:
    lo = min(stimes["seq floor"])
    print(f"| `sh -c 'seq {store_lines}' >/dev/null` (reference) | {fmt_s(lo)} | "
          f"{fmt_s(statistics.median(stimes['seq floor']))} | {store_lines / lo:,.0f} lines/s |")
if stimes["fanout"]:
    lo, med = min(stimes["fanout"]), statistics.median(stimes["fanout"])
    got = checks.get("fanout", "?")
    print(f"| {N}-step fan-out of `true` + root (-j {jobs}): attempts | {fmt_s(lo)} | {fmt_s(med)} | "
          f"{(N + 1) / lo:,.0f} attempts/s ({got} attempts in the store) |")
print()

print("## Acceptance\n")
if ("chain", "devflow") in summary and ("chain", "floor") in summary:
    ratio = summary[("chain", "devflow")][0] / summary[("chain", "floor")][0]
    print(f"- devflow ÷ floor on the chain (-j 1): **{ratio:.2f}x** "
          f"({'meets' if ratio <= 1.2 else 'misses'} the ≤ 1.2x target)")
    if ("chain", "floor-sh") in summary:
        sh = summary[("chain", "floor-sh")][0]
        print(f"- for reference, devflow ÷ floor-sh on the chain: {summary[('chain', 'devflow')][0] / sh:.2f}x; "
              f"floor-sh ÷ floor: {sh / summary[('chain', 'floor')][0]:.2f}x (the cost of `sh -c` alone)")
for s in shapes:
    if s != "chain" and (s, "devflow") in summary and (s, "xargs") in summary:
        x = summary[(s, "devflow")][0] / summary[(s, "xargs")][0]
        print(f"- devflow -j {jobs} ÷ {XARGS} on {s}: **{x:.2f}x** "
              f"({'meets' if x <= 1.0 else 'misses'} the no-slower-than-xargs target)")
for peer in ("just", "go-task"):
    verdicts = []
    for s in shapes:
        if (s, "devflow") in summary and (s, peer) in summary:
            d, p = summary[(s, "devflow")][0], summary[(s, peer)][0]
            verdicts.append((s, d < p, p / d))
    if verdicts:
        all_ok = all(v[1] for v in verdicts) and len(verdicts) == len(shapes)
        detail = ", ".join(f"{s} {'yes' if ok else 'no'} ({peer} ÷ devflow {x:.2f}x)" for s, ok, x in verdicts)
        print(f"- devflow faster than {peer} on all shapes: **{'yes' if all_ok else 'no'}** — {detail}")
if ("layered", "devflow") in summary and ("layered", "go-task") in summary:
    d, t = summary[("layered", "devflow")][1], summary[("layered", "go-task")][1]
    print(f"- devflow peak RSS below go-task's on layered: **{'yes' if d < t else 'no'}** "
          f"({d / 1024:.1f} MiB vs {t / 1024:.1f} MiB)")
if leaked[0]:
    notes.append(f"devflow left {leaked[0]} scratch directories `$TMPDIR/devflow-PID-RUN` behind, one per run "
                 f"(TMPDIR={df_tmp}; removed by this script)")
for n_ in notes:
    print(f"- {n_}")
print()
PY
