#!/usr/bin/env bash
# Lint throughput, side by side in one run.
#
# Generates three GitHub Actions corpora with gen_gha_corpus.py (one ~9 KB file;
# 100 files of 100 steps; one file of 1,000 steps), converts each to the
# equivalent DevFlow corpus with bench/gha_to_devflow.py, builds the libyaml
# floor (bench/yaml_parse.c), then times, interleaved round by round:
#
#   devflow-lint      --format json on the DevFlow corpus (shellcheck off by default:
#                     neither zizmor nor the libyaml floor runs it, and with it on the
#                     time measured is mostly shellcheck's)
#   yaml_parse        libyaml's bare event parse of the DevFlow corpus (the floor)
#   zizmor            --offline on the GitHub Actions corpus
#   check-jsonschema  Grammar/devflow.schema.json on the DevFlow corpus
#   actionlint        upstream actionlint (-shellcheck= -pyflakes=) on the GitHub Actions corpus, when
#                     ACTIONLINT names a binary (build recipe: ../shared/bench/actionlint.md)
#   devflow-lint (static)  the same linter built with --static-swift-stdlib, when DEVFLOW_LINT_STATIC names it
#                     (`swift build -c release --product devflow-lint --static-swift-stdlib --scratch-path .build-static`)
#
# and prints a markdown table per corpus: minimum and median wall time, files/s,
# MB/s and each tool's minimum time relative to devflow-lint. A missing tool is
# skipped with a note. Everything is written under bench-out/ (gitignored).
#
# Environment:
#   ROUNDS=5                                  timed rounds (after one untimed warm-up)
#   DEVFLOW_LINT=.build/release/devflow-lint  the linter under test
#   DEVFLOW_LINT_ARGS=--no-shellcheck         extra arguments (set empty to include shellcheck)
#   CORPORA="small medium large"              which corpora to run
#   BENCH_OUT=bench-out                       output directory
#   GEN_GHA_CORPUS=path/to/gen_gha_corpus.py  default: bench/, then ../shared/bench/
#   DEVFLOW_SCHEMA=Grammar/devflow.schema.json the schema check-jsonschema uses
#   ACTIONLINT=/path/to/actionlint            default: actionlint on PATH, then ../peers/bin/actionlint
#   DEVFLOW_LINT_STATIC=.build-static/release/devflow-lint  default: that path when it exists
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

ROUNDS="${ROUNDS:-5}"
DEVFLOW_LINT="${DEVFLOW_LINT:-.build/release/devflow-lint}"
DEVFLOW_LINT_ARGS="${DEVFLOW_LINT_ARGS---no-shellcheck}"
CORPORA="${CORPORA:-small medium large}"
OUT="${BENCH_OUT:-bench-out}"
SCHEMA="${DEVFLOW_SCHEMA:-Grammar/devflow.schema.json}"

note() { printf '%s\n' "lint-bench: $*" >&2; }

gen=""
for candidate in "${GEN_GHA_CORPUS:-}" bench/gen_gha_corpus.py ../shared/bench/gen_gha_corpus.py \
    /work/shared/bench/gen_gha_corpus.py; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then gen="$candidate"; break; fi
done
if [ -z "$gen" ]; then
    note "gen_gha_corpus.py not found (set GEN_GHA_CORPUS)"
    exit 2
fi

mkdir -p "$OUT"

# --- corpora -------------------------------------------------------------------

# small: one file of ~9 KB. --jobs 3 --steps 10 gives about that; if the generator
# changes, search the step count whose file is closest to 9 KiB.
make_small() {
    local dir="$OUT/gha-small" target=9216 best="" best_diff="" steps size diff
    for steps in 10 9 11 8 12 7 13 6 14; do
        rm -rf "$dir"
        python3 "$gen" --jobs 3 --steps "$steps" --count 1 --prefix small --out "$dir" >/dev/null
        size=$(wc -c < "$dir/small-0000.yml")
        diff=$(( size > target ? size - target : target - size ))
        if [ -z "$best" ] || [ "$diff" -lt "$best_diff" ]; then best=$steps; best_diff=$diff; fi
        if [ "$diff" -le $(( target / 10 )) ]; then break; fi
    done
    if [ "$steps" != "$best" ]; then
        rm -rf "$dir"
        python3 "$gen" --jobs 3 --steps "$best" --count 1 --prefix small --out "$dir" >/dev/null
    fi
    note "small corpus: 3 jobs / $best steps, $(wc -c < "$dir/small-0000.yml") bytes"
}

for corpus in $CORPORA; do
    case "$corpus" in
        small) make_small ;;
        medium)
            rm -rf "$OUT/gha-medium"
            python3 "$gen" --size medium --count 100 --out "$OUT/gha-medium" >/dev/null ;;
        large)
            rm -rf "$OUT/gha-large"
            python3 "$gen" --size large --count 1 --out "$OUT/gha-large" >/dev/null ;;
        *) note "unknown corpus '$corpus' (small, medium, large)"; exit 2 ;;
    esac
    rm -rf "$OUT/devflow-$corpus"
    python3 bench/gha_to_devflow.py "$OUT/gha-$corpus" "$OUT/devflow-$corpus" 2>&1 | sed "s/^/lint-bench: $corpus: /" >&2
done

# --- the libyaml floor ---------------------------------------------------------

yaml_parse=""
if command -v gcc >/dev/null 2>&1 && gcc -O2 -o "$OUT/yaml_parse" bench/yaml_parse.c -lyaml 2>"$OUT/yaml_parse.log"; then
    yaml_parse="$OUT/yaml_parse"
else
    note "could not build bench/yaml_parse.c (need gcc and libyaml-dev); see $OUT/yaml_parse.log"
fi

# --- timing --------------------------------------------------------------------

ACTIONLINT="${ACTIONLINT:-$(command -v actionlint || true)}"
[ -n "$ACTIONLINT" ] || { [ -x ../peers/bin/actionlint ] && ACTIONLINT=../peers/bin/actionlint; } || true
DEVFLOW_LINT_STATIC="${DEVFLOW_LINT_STATIC:-.build-static/release/devflow-lint}"
export ROUNDS DEVFLOW_LINT DEVFLOW_LINT_ARGS CORPORA OUT SCHEMA ACTIONLINT DEVFLOW_LINT_STATIC
export YAML_PARSE="$yaml_parse"
exec python3 - <<'PY'
import os, shutil, statistics, subprocess, sys, time

rounds = max(1, int(os.environ["ROUNDS"]))
out = os.environ["OUT"]
schema = os.environ["SCHEMA"]
corpora = os.environ["CORPORA"].split()
lint = os.environ["DEVFLOW_LINT"]
lint_args = os.environ.get("DEVFLOW_LINT_ARGS", "").split()
yaml_parse = os.environ.get("YAML_PARSE", "")
actionlint = os.environ.get("ACTIONLINT", "")
lint_static = os.environ.get("DEVFLOW_LINT_STATIC", "")


def files_in(d):
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith((".yml", ".yaml")))


def which(cmd):
    if os.sep in cmd:
        return cmd if os.path.isfile(cmd) and os.access(cmd, os.X_OK) else None
    return shutil.which(cmd)


def tools_for(corpus):
    """(name, input label, argv, input files, accepted exit codes) or a skip note."""
    gha_dir, df_dir = os.path.join(out, "gha-" + corpus), os.path.join(out, "devflow-" + corpus)
    gha, df = files_in(gha_dir), files_in(df_dir)
    tools, notes = [], []
    if which(lint):
        tools.append(("devflow-lint", "devflow", [lint, "--format", "json"] + lint_args + [df_dir], df, {0, 1}))
    else:
        notes.append(f"devflow-lint skipped: `{lint}` not found (build with `swift build -c release` or set DEVFLOW_LINT)")
    if lint_static and which(lint_static):
        tools.append(("devflow-lint (static)", "devflow", [lint_static, "--format", "json"] + lint_args + [df_dir], df,
                      {0, 1}))
    else:
        notes.append("devflow-lint (static) skipped: build it with `swift build -c release --product devflow-lint "
                     "--static-swift-stdlib --scratch-path .build-static` (or set DEVFLOW_LINT_STATIC)")
    if actionlint and which(actionlint):
        # Files are passed explicitly: outside a repository actionlint finds no project.
        tools.append(("actionlint", "gha", [actionlint, "-shellcheck=", "-pyflakes=", "-no-color"] + gha, gha,
                      {0, 1}))
    else:
        notes.append("actionlint skipped: not found (build it as ../shared/bench/actionlint.md says and set ACTIONLINT)")
    if yaml_parse and which(yaml_parse):
        tools.append(("yaml_parse (libyaml floor)", "devflow", [yaml_parse, df_dir], df, {0}))
    else:
        notes.append("yaml_parse skipped: not built (needs gcc and libyaml-dev)")
    if which("zizmor"):
        tools.append(("zizmor --offline", "gha",
                      ["zizmor", "--offline", "--no-config", "--format", "json", "--color", "never",
                       "--no-progress", "-q"] + gha, gha, {0, 10, 11, 12, 13, 14}))
    else:
        notes.append("zizmor skipped: not installed (`pip install zizmor`)")
    if not which("check-jsonschema"):
        notes.append("check-jsonschema skipped: not installed (`pip install check-jsonschema`)")
    elif not os.path.isfile(schema):
        notes.append(f"check-jsonschema skipped: {schema} does not exist yet")
    else:
        tools.append(("check-jsonschema", "devflow",
                      ["check-jsonschema", "--schemafile", schema, "--color", "never", "-o", "text"] + df, df, {0, 1}))
    return tools, notes


def run(argv):
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0, p.returncode, p.stderr.decode(errors="replace")


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


print(f"# Lint throughput ({rounds} interleaved rounds after a warm-up; minimum and median wall time)\n")
print(f"devflow-lint: `{' '.join([lint, '--format', 'json'] + lint_args)} DIR`  ")
if lint in ("/bin/true", "/usr/bin/true", "true"):
    print("**note: devflow-lint is a stand-in (`true`), its numbers mean nothing**  ")
print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}\n")

for corpus in corpora:
    tools, notes = tools_for(corpus)
    sizes = {}
    for label in ("gha", "devflow"):
        fs = files_in(os.path.join(out, f"{label}-{corpus}"))
        sizes[label] = (len(fs), sum(os.path.getsize(f) for f in fs))
    # warm-up: also checks that each tool runs; one that fails is dropped with a note
    live = []
    for t in tools:
        dt, rc, err = run(t[2])
        if rc in t[4]:
            live.append(t)
        else:
            first = (err.strip().splitlines() or ["(no stderr)"])[-1][:200]
            notes.append(f"{t[0]} dropped: exit code {rc} on warm-up: {first}")
    times = {t[0]: [] for t in live}
    for r in range(rounds):
        for t in live:                          # A B C D, A B C D, ...
            dt, rc, err = run(t[2])
            times[t[0]].append(dt)
        print(f"lint-bench: {corpus}: round {r + 1}/{rounds} done", file=sys.stderr)

    gf, gb = sizes["gha"]
    df, db = sizes["devflow"]
    print(f"## {corpus}: GHA {gf} file(s), {gb / 1e6:.3f} MB; DevFlow {df} file(s), {db / 1e6:.3f} MB "
          f"({db / gb:.2f}x the GHA bytes)\n" if gb else f"## {corpus}\n")
    print("| tool | input | files | min | median | files/s (min) | MB/s (min) | min ÷ devflow-lint |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    base = min(times["devflow-lint"]) if "devflow-lint" in times else None
    for name, label, argv, fs, ok in live:
        ts = times[name]
        lo, med = min(ts), statistics.median(ts)
        n, b = sizes[label]
        ratio = f"{lo / base:.2f}x" if base else "n/a"
        print(f"| {name} | {label} | {n} | {fmt_s(lo)} | {fmt_s(med)} | {n / lo:,.1f} | {b / 1e6 / lo:,.2f} | {ratio} |")
    print()
    if base and "yaml_parse (libyaml floor)" in times:
        floor = min(times["yaml_parse (libyaml floor)"])
        verdict = "meets" if base <= 3 * floor else "misses"
        print(f"- devflow-lint ÷ libyaml floor: **{base / floor:.2f}x** ({verdict} the ≤ 3x target)")
    if base and "actionlint" in times:
        a = min(times["actionlint"])
        print(f"- devflow-lint ÷ actionlint: **{base / a:.2f}x** (below 1 means devflow-lint is faster)")
        if "devflow-lint (static)" in times:
            print(f"- devflow-lint (static) ÷ actionlint: **{min(times['devflow-lint (static)']) / a:.2f}x**")
    if base and "zizmor --offline" in times:
        z = min(times["zizmor --offline"])
        print(f"- zizmor ÷ devflow-lint: **{z / base:.2f}x** (above 1 means devflow-lint is faster)")
    for n_ in notes:
        print(f"- {n_}")
    print()
PY
