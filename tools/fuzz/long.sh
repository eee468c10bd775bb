#!/bin/sh
# The long fuzz run: each target for $OAG_FUZZ_RUNS executions (default
# 10 000 000, what issue 7 asks before it is resolved) with $OAG_FUZZ_JOBS
# parallel jobs (default 1; each job runs its own share of the runs), over
# the corpora kept in $OAG_FUZZ_WORK/corpus/ (they grow from run to run),
# with inputs of up to $OAG_FUZZ_MAX_LEN bytes (default 65536).  Job i
# runs with libFuzzer's -seed=$OAG_FUZZ_SEED+i*1000003 (default seed 1; a
# seed of 0 has libFuzzer take job 0's from the clock).  The prime stride
# keeps apart the jobs of runs with different seeds (with a stride of 1,
# seed 1 with two jobs and seed 2 would both run seed 2), so runs that add
# up to one count only need different seeds.
# Prints the executions and the findings of each target; crash inputs land
# in $OAG_FUZZ_WORK/artifacts/.  Exits non-zero if anything was found.
#
# Usage: tools/fuzz/long.sh [TARGET...]       (default: every target)
# At 500-10000 executions per second per core (fuzz_aws_pages and
# fuzz_merge are the slow ones, see tools/README.md), 10 million executions
# of one target take from 20 minutes to 5.5 hours per core.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${OAG_FUZZ_BUILD:-/tmp/oag-fuzz-build}
work=${OAG_FUZZ_WORK:-/tmp/oag-fuzz-work}
runs=${OAG_FUZZ_RUNS:-10000000}
jobs=${OAG_FUZZ_JOBS:-1}
max_len=${OAG_FUZZ_MAX_LEN:-65536} # largest input libFuzzer builds
seed=${OAG_FUZZ_SEED:-1}
seed_stride=1000003 # prime; job i's libFuzzer seed is seed + i * stride
for v in "OAG_FUZZ_RUNS=$runs" "OAG_FUZZ_JOBS=$jobs" "OAG_FUZZ_MAX_LEN=$max_len" \
    "OAG_FUZZ_SEED=$seed"; do
    case ${v#*=} in
    '' | *[!0-9]*)
        echo "long.sh: ${v%%=*} must be a whole number, not '${v#*=}'" >&2
        exit 2
        ;;
    ???????????*) # over 10 digits: past what shell arithmetic holds safely
        echo "long.sh: ${v%%=*}=${v#*=} is too large" >&2
        exit 2
        ;;
    esac
done
if [ "$jobs" -lt 1 ]; then
    echo "long.sh: OAG_FUZZ_JOBS must be at least 1, not $jobs" >&2
    exit 2
fi
if [ $((seed + (jobs - 1) * seed_stride)) -gt 4294967295 ]; then
    echo "long.sh: OAG_FUZZ_JOBS=$jobs with OAG_FUZZ_SEED=$seed does not fit libFuzzer's 32-bit seeds" >&2
    exit 2
fi
export OAG_FUZZ_BUILD="$build"

"$here/build.sh" >/dev/null
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/artifacts" "$work/logs"
python3 "$here/seeds.py" "$work/seeds" >/dev/null

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# malloc_context_size=0: no stack unwinding on every allocation, a sixth
# less CPU for the allocation-heavy targets; the checks are the same, and a
# report without allocation stacks gets them by replaying its saved input
# (smoke.sh, or the target binary with the input as argument).
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:malloc_context_size=0
if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(cd "$here" && ls fuzz_*.c | grep -v '^fuzz_common' | sed 's/\.c$//')
fi
status=0
for t in $targets; do
    mkdir -p "$work/corpus/$t"
    dict=""
    if [ -f "$here/$t.dict" ]; then
        dict="-dict=$here/$t.dict" # libFuzzer dictionary (tokens of the format)
    fi
    per_job=$(( (runs + jobs - 1) / jobs ))
    rm -f "$work/logs/$t".*.log
    start=$(date +%s)
    i=0
    pids=""
    while [ $i -lt "$jobs" ]; do
        # shellcheck disable=SC2086
        "$build/$t" $dict -runs="$per_job" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$max_len" -print_final_stats=1 -seed=$((seed + i * seed_stride)) \
            -artifact_prefix="$work/artifacts/$t-" \
            "$work/corpus/$t" "$work/seeds/$t" \
            >"$work/logs/$t.$i.log" 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    failed=0
    for p in $pids; do
        wait "$p" || failed=1
    done
    execs=$(cat "$work/logs/$t".*.log |
            sed -n 's/^stat::number_of_executed_units: *//p' |
            awk '{ s += $1 } END { print s + 0 }')
    findings=$(grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|property failed' \
               "$work/logs/$t".*.log 2>/dev/null | wc -l)
    echo "$t: $execs executions in $(( $(date +%s) - start )) s," \
         "$findings finding(s), corpus $(ls "$work/corpus/$t" | wc -l) inputs"
    if [ "$failed" -ne 0 ] || [ "$findings" -ne 0 ]; then
        grep -h -E 'ERROR|property failed|runtime error|Test unit written' \
            "$work/logs/$t".*.log | head -n 5
        status=1
    fi
done
exit $status
