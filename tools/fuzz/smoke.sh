#!/bin/sh
# CI smoke run of every fuzz target (about a minute in total): builds the
# targets (build.sh), makes the seed corpora (seeds.py), replays the
# regression inputs of testdata/fuzz/, then fuzzes each target for
# $OAG_FUZZ_SECONDS (default 7) seconds.  Exits non-zero on any crash,
# leak, timeout or failed property.
#
# Environment: OAG_FUZZ_BUILD (default /tmp/oag-fuzz-build), OAG_FUZZ_WORK
# (corpora and artifacts, default /tmp/oag-fuzz-work), OAG_FUZZ_SECONDS.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${OAG_FUZZ_BUILD:-/tmp/oag-fuzz-build}
work=${OAG_FUZZ_WORK:-/tmp/oag-fuzz-work}
seconds=${OAG_FUZZ_SECONDS:-7}
export OAG_FUZZ_BUILD="$build"

"$here/build.sh" >/dev/null
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/artifacts"
python3 "$here/seeds.py" "$work/seeds" >/dev/null

# halt_on_error: UBSan findings count as crashes
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
opts="-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1"
status=0
for t in $(cd "$here" && ls fuzz_*.c | grep -v '^fuzz_common' | sed 's/\.c$//'); do
    # regression inputs first: each must pass
    cases=""
    for d in "$root"/testdata/fuzz/*/; do
        [ -f "$d/target" ] && [ "$(cat "$d/target")" = "$t" ] || continue
        cases="$cases $d/input"
    done
    if [ -n "$cases" ]; then
        # shellcheck disable=SC2086
        if ! "$build/$t" $opts $cases >"$work/$t.replay.log" 2>&1; then
            echo "FAIL $t: a testdata/fuzz regression input fails" \
                 "(see $work/$t.replay.log)"
            status=1
            continue
        fi
    fi
    mkdir -p "$work/corpus/$t"
    dict=""
    if [ -f "$here/$t.dict" ]; then
        dict="-dict=$here/$t.dict"
    fi
    # shellcheck disable=SC2086
    if "$build/$t" $opts $dict -max_total_time="$seconds" \
        -artifact_prefix="$work/artifacts/$t-" \
        "$work/corpus/$t" "$work/seeds/$t" >"$work/$t.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
        echo "ok   $t: $execs executions"
    else
        echo "FAIL $t: see $work/$t.log; input in $work/artifacts/"
        grep -E 'ERROR|property failed|runtime error' "$work/$t.log" | head -n 3
        status=1
    fi
done
exit $status
