#!/usr/bin/env bash
# Two commands timed in turns (A, B, A, B, ...), for a ratio on a machine
# whose speed drifts from minute to minute: run.sh times each row's runs one
# after the other, so a slow minute lands on one tool; here both share it.
#
#   tools/bench/turns.sh N 'CMD_A' 'CMD_B'
#   tools/bench/turns.sh 8 '/tmp/oag-bench/bin/ref_libyaml_parse doc.yaml' \
#       'build/oas2apigw extract doc.yaml'
#
# Prints each pair's wall times, then the means and mean(B) / mean(A).
# Output of the commands goes to /dev/null; it never asserts on time.
set -eu -o pipefail
if [ $# -ne 3 ]; then
    sed -n '2,12p' "$0" >&2
    exit 2
fi
n=$1 a=$2 b=$3
wall() { # CMD -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    bash -c "$1" >/dev/null 2>&1 || { echo "failed: $1" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.4f", $2 - $1 }'
}
for _ in $(seq 1 "$n"); do
    echo "$(wall "$a") $(wall "$b")"
done | awk '{ print; sa += $1; sb += $2 }
    END { printf "mean A %.4f s  mean B %.4f s  B/A %.3f\n", sa / NR, sb / NR, sb / sa }'
