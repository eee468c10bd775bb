#!/bin/sh
# Runs every testdata/hostile/ case at full size (generate full: the 500 MB
# scalar, the 1 000 000 paths) against a built binary and prints, per case,
# wall time, peak RSS and whether stderr and the exit status match
# `expected`.  Cases other than the size ones must finish in under a second.
#
# Usage: tools/fuzz/hostile_full.sh [BINARY]   (default build/oas2apigw)
# Needs GNU time (/usr/bin/time).  Generated inputs go to a temporary
# directory under $TMPDIR (the 500 MB one needs that much free space).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(cd "$(dirname "${1:-$root/build/oas2apigw}")" && pwd)/$(basename "${1:-oas2apigw}")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/oag-hostile-full.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
size_cases="paths-1000000 scalar-500mb"
status=0
printf "%-26s %8s %10s  %s\n" case seconds "peak RSS" result
for dir in "$root"/testdata/hostile/*/; do
    c=$(basename "$dir")
    run_dir=$dir
    if [ -x "$dir/generate" ]; then
        run_dir=$tmp/$c
        mkdir -p "$run_dir"
        (cd "$run_dir" && "$dir/generate" full)
    fi
    # shellcheck disable=SC2046
    (cd "$run_dir" && /usr/bin/time -f '%e %M' -o "$tmp/time" \
        "$bin" $(cat "$dir/args") >/dev/null 2>"$tmp/stderr") && rc=0 || rc=$?
    # GNU time writes "Command exited with non-zero status N" first
    read -r secs rss_kb <<EOT
$(tail -n 1 "$tmp/time")
EOT
    want=$(sed -n '1s/^exit //p' "$dir/expected")
    result=ok
    if [ "$rc" != "$want" ]; then
        result="FAIL exit $rc, want $want"
    elif ! tail -n +2 "$dir/expected" | cmp -s - "$tmp/stderr"; then
        result="FAIL stderr differs"
    fi
    case " $size_cases " in
        *" $c "*) ;;
        *) if awk -v s="$secs" 'BEGIN { exit !(s > 1) }'; then
               result="$result, SLOW"
           fi ;;
    esac
    case $result in ok) ;; *) status=1 ;; esac
    printf '%-26s %8s %7s MiB  %s\n' "$c" "$secs" "$((rss_kb / 1024))" \
        "$result"
    rm -rf "$tmp/$c"
done
exit $status
