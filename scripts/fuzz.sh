#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (Swift's -sanitize=fuzzer,address), one target per parser of untrusted bytes.
#
#   scripts/fuzz.sh TARGET [SECONDS]     fuzz one target (default 60 s): fuzz-compiler, fuzz-expressions,
#                                        fuzz-server-config, fuzz-manual-inputs, fuzz-outputs-file,
#                                        fuzz-agent-answer, fuzz-webhooks, fuzz-api-requests
#   scripts/fuzz.sh --all SECONDS        every target, SECONDS in all (the CI smoke: --all 60)
#   scripts/fuzz.sh --replay             run every target's committed corpus and kept crashes through the
#                                        replay build (no sanitizer), as regression cases
#
# The targets are built only here (DEVFLOW_FUZZ=1, scratch path .build-fuzz), never by the default swift build.
# Each run starts from the committed seeds (fuzz/corpus/TARGET) plus what earlier runs found (fuzz/work/TARGET, not
# committed), with a dictionary, -timeout=10 and -rss_limit_mb=2048. A crash, a hang or an input over the memory
# limit leaves its input under fuzz/crashes/ and makes the script fail. Inputs that once broke a target are kept under
# fuzz/regressions/TARGET/ and run first, once each.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(fuzz-compiler fuzz-expressions fuzz-server-config fuzz-manual-inputs fuzz-outputs-file fuzz-agent-answer
    fuzz-webhooks fuzz-api-requests)
declare -A dictionaries=([fuzz-compiler]=yaml [fuzz-expressions]=expressions [fuzz-server-config]=server-config
    [fuzz-manual-inputs]=json [fuzz-outputs-file]=outputs-file [fuzz-agent-answer]=agent-answer [fuzz-webhooks]=webhooks
    [fuzz-api-requests]=api-requests)

build() {
    DEVFLOW_FUZZ=1 swift build -c release --scratch-path .build-fuzz "$@" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDEVFLOW_FUZZ
}

fuzz() {
    local target=$1 seconds=$2
    mkdir -p "fuzz/work/$target" fuzz/crashes
    # Every input that once broke the target runs first, once each, under the sanitizers.
    local kept=(fuzz/regressions/"$target"/*)
    if [ -e "${kept[0]}" ]; then
        if ! ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" ".build-fuzz/release/$target" -detect_leaks=0 "${kept[@]}" \
            > "fuzz/work/$target.regressions.log" 2>&1; then
            tail -20 "fuzz/work/$target.regressions.log"
            echo "fuzz.sh: $target fails an input under fuzz/regressions/$target again"
            return 1
        fi
        echo "== $target: ${#kept[@]} regression input(s) pass"
    fi
    echo "== $target for ${seconds}s"
    local log="fuzz/work/$target.log"
    # -detect_leaks=0: LeakSanitizer takes Swift's lazily initialised globals (reachable for the whole process) for
    # leaks; unbounded growth is still caught by -rss_limit_mb and -malloc_limit_mb.
    if ! ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" ".build-fuzz/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=2048 -detect_leaks=0 \
        -dict="fuzz/dictionaries/${dictionaries[$target]}.dict" -artifact_prefix="fuzz/crashes/$target-" \
        -print_final_stats=1 "fuzz/work/$target" "fuzz/corpus/$target" > "$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz.sh: $target failed; its input is under fuzz/crashes/ (replay: .build-fuzz/release/$target FILE)"
        return 1
    fi
    grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|cov:" "$log" \
        | tail -4
}

case "${1:-}" in
    --all)
        seconds=${2:-60}
        each=$(( seconds / ${#targets[@]} ))
        [ "$each" -ge 1 ] || each=1
        for target in "${targets[@]}"; do build --product "$target"; done
        status=0
        for target in "${targets[@]}"; do fuzz "$target" "$each" || status=1; done
        exit $status
        ;;
    --replay)
        for target in "${targets[@]}"; do
            DEVFLOW_FUZZ=1 swift build --scratch-path .build-fuzz-replay --product "$target"
            inputs=("fuzz/corpus/$target")
            for crash in fuzz/crashes/"$target"-* fuzz/regressions/"$target"/*; do [ -e "$crash" ] && inputs+=("$crash"); done
            ".build-fuzz-replay/debug/$target" "${inputs[@]}"
        done
        ;;
    ""|-h|--help) sed -n '2,17p' "$0"; exit 2 ;;
    *)
        target=$1
        [[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target '$target'; one of: ${targets[*]}"; exit 2; }
        build --product "$target"
        fuzz "$target" "${2:-60}"
        ;;
esac
