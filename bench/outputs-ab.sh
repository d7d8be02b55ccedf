#!/usr/bin/env bash
# Step outputs: what reading $DEVFLOW_OUTPUT, $DEVFLOW_ENV and $DEVFLOW_SUMMARY costs the runner, before and after,
# side by side in one run.
#
#   bash bench/outputs-ab.sh BEFORE_DEVFLOW AFTER_DEVFLOW
#
# Two 1,000-step chains (-j 1, a fresh database each run), interleaved round by round (before, after):
#   chain     every step runs /bin/true (exec'd directly: no file is written; three failed opens after, one before)
#   outputs   every step runs `echo "v=$i" >> "$DEVFLOW_OUTPUT"` under sh, and step i+1 reads step i's output
#             through ${{ steps.<id>.outputs.v }} (a file written, read and parsed per step)
# Prints the minimum and median wall time of each and after ÷ before from the minimums.
# Environment: ROUNDS=5, WARMUP=1, BENCH_OUT=bench-out.
set -euo pipefail
shopt -s inherit_errexit
before="${1:?usage: outputs-ab.sh BEFORE_DEVFLOW AFTER_DEVFLOW}"
after="${2:?usage: outputs-ab.sh BEFORE_DEVFLOW AFTER_DEVFLOW}"
ROUNDS="${ROUNDS:-5}"
WARMUP="${WARMUP:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${BENCH_OUT:-$root/bench-out}/outputs-ab"
rm -rf "$out" && mkdir -p "$out"

python3 "$root/bench/gen_devflow_dag.py" --shape chain --n 1000 --cmd /bin/true -o "$out/chain.devflow.yml"
python3 - "$out/outputs.devflow.yml" <<'PY'
import sys
lines = ["version: 1", "name: outputs-chain", "on: {manual: {}}", "defaults: {shell: sh, retry: none}", "steps:"]
for i in range(1000):
    step = f"t{i:04d}"
    previous = f"t{i-1:04d}"
    value = f"${{{{ steps.{previous}.outputs.v }}}}" if i else "start"
    lines.append(f"  {step}:")
    if i:
        lines.append(f"    needs: [{previous}]")
    lines.append(f"    run: 'echo \"v={i}-{value}\" | cut -c1-40 >> \"$DEVFLOW_OUTPUT\"'")
print("\n".join(lines), file=open(sys.argv[1], "w"))
PY

time_run() {  # binary shape -> seconds
    local db="$out/$2-$$.sqlite"
    rm -f "$db"*
    local start end
    start=$(date +%s.%N)
    "$1" run "$out/$2.devflow.yml" --db "$db" -j 1 --events json >/dev/null
    end=$(date +%s.%N)
    rm -f "$db"*
    echo "$end - $start" | bc
}

declare -A times
for shape in chain outputs; do
    for ((round = 0; round < WARMUP + ROUNDS; round++)); do
        for side in before after; do
            binary=$before
            [ "$side" = after ] && binary=$after
            seconds=$(time_run "$binary" "$shape")
            if ((round >= WARMUP)); then times[$shape-$side]+="$seconds "; fi
        done
    done
done

echo "| chain (1,000 steps, -j 1) | before min | before median | after min | after median | after ÷ before |"
echo "|---|---|---|---|---|---|"
for shape in chain outputs; do
    python3 - "$shape" "${times[$shape-before]}" "${times[$shape-after]}" <<'PY'
import statistics, sys
shape, before, after = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
print(f"| {shape} | {min(before):.3f} s | {statistics.median(before):.3f} s | {min(after):.3f} s | "
      f"{statistics.median(after):.3f} s | {min(after) / min(before):.3f}x |")
PY
done
