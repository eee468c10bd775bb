#!/usr/bin/env bash
# Demonstrates where libyaml (a YAML 1.1 parser) and JSON disagree: feeds
# small JSON documents to the reference libyaml event parser and, for
# comparison, to jansson (a JSON parser), and prints what each says.
# Findings are written up in tools/README.md, "Benchmarks".
#
#   tools/bench/json_quirks.sh            # all cases, the 100 MB one included
#   tools/bench/json_quirks.sh --quick    # without the 100 MB minified case
#
# Uses $OAG_BENCH_DIR (default /tmp/oag-bench) for binaries and files.  It
# reports only; it exits 0 unless it cannot run.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${OAG_BENCH_DIR:-/tmp/oag-bench}
quick=0
[ "${1:-}" = --quick ] && quick=1
mkdir -p "$work/bin" "$work/quirks" || exit 2
q=$work/quirks
for p in ref_libyaml_parse:-lyaml ref_jansson_load:-ljansson; do
    name=${p%%:*}
    if [ ! -x "$work/bin/$name" ] || [ "$here/$name.c" -nt "$work/bin/$name" ]; then
        cc -O2 -o "$work/bin/$name" "$here/$name.c" "${p#*:}" || exit 2
    fi
done

# show NAME FILE: one line per parser (libyaml, jansson), result or error
show() {
    local name=$1 file=$2 out rc
    printf '%s  (%s bytes)\n' "$name" "$(stat -c %s "$file")"
    for parser in ref_libyaml_parse ref_jansson_load; do
        out=$("$work/bin/$parser" "$file" 2>&1)
        rc=$?
        out=${out//$file: /}
        if [ $rc -eq 0 ]; then
            printf '  %-8s ok      %s\n' "${parser#ref_}" "$out" | sed 's/_parse\|_load//'
        else
            printf '  %-8s FAILS   %s\n' "${parser#ref_}" "$out" | sed 's/_parse\|_load//'
        fi
    done
}

py() { python3 -c "$1" "${@:2}"; }

# 1. long keys: libyaml limits a simple key to 1024 characters
py 'import sys; open(sys.argv[1],"w").write("{\"" + "k"*1022 + "\": 1}\n")' "$q/key-1024.json"
show "key of 1022 chars (1024 with its quotes)" "$q/key-1024.json"
py 'import sys; open(sys.argv[1],"w").write("{\"" + "k"*1023 + "\": 1}\n")' "$q/key-1025.json"
show "key of 1023 chars (1025 with its quotes)" "$q/key-1025.json"
py 'import sys; open(sys.argv[1],"w").write("{\"a\": {\"b\": [1, 2], \"" + "k"*2000 + "\": 1}}\n")' "$q/key-2000-nested.json"
show "nested key of 2000 chars" "$q/key-2000-nested.json"

# 2. the \/ escape (valid JSON, not a YAML 1.1 escape)
printf '{"uri": "https:\\/\\/example.com\\/a"}\n' >"$q/escaped-slash.json"
show 'escaped slash "https:\/\/example.com\/a"' "$q/escaped-slash.json"

# 3. no space after the colon
printf '{"a":1,"b":"x","c":{"d":[1,2]}}\n' >"$q/no-space.json"
show '"a":1 without a space' "$q/no-space.json"
printf '{a:1}\n' >"$q/no-space-plain.yaml"
show '(YAML, not JSON) {a:1}: plain key, no space' "$q/no-space-plain.yaml"

# 4. deeply nested arrays: no depth limit in libyaml, but time grows with the
#    square of the depth (each token re-checks every open flow level's simple
#    key): 10k deep 0.2 s, 100k deep 24 s, 300k deep 277 s on the bench machine
for depth in 1000 10000 30000; do
    py 'import sys; d=int(sys.argv[2]); open(sys.argv[1],"w").write("["*d + "]"*d + "\n")' \
        "$q/nested-$depth.json" "$depth"
    show "arrays nested $depth deep" "$q/nested-$depth.json"
    /usr/bin/time -f '  libyaml  %e s, peak RSS %M KiB' "$work/bin/ref_libyaml_parse" \
        "$q/nested-$depth.json" >/dev/null
done

# 5. more: surrogate pairs, tabs, BOM, control characters
printf '{"emoji": "\\ud83d\\ude80"}\n' >"$q/surrogate-pair.json"
show 'surrogate pair escape "\ud83d\ude80"' "$q/surrogate-pair.json"
printf '{\n\t"a": 1,\n\t"b": [\n\t\t2\n\t]\n}\n' >"$q/tab-indent.json"
show 'tab-indented JSON' "$q/tab-indent.json"
printf '\xef\xbb\xbf{"a": 1}\n' >"$q/bom.json"
show 'UTF-8 BOM' "$q/bom.json"
printf '{"a": "x\x7fy"}\n' >"$q/del-char.json"
show 'raw DEL (0x7f) inside a string' "$q/del-char.json"
printf '{"a": 1, "a": 2}\n' >"$q/duplicate-key.json"
show 'duplicate key (events only: not an error for either)' "$q/duplicate-key.json"

# 6. a 100 MB single-line (minified) JSON document
if [ $quick = 0 ]; then
    f=$q/minified-100M.json
    if [ ! -s "$f" ]; then
        python3 "$here/gen_openapi.py" --size 100M --json-style minified -o "$f" 2>/dev/null || exit 2
    fi
    show "minified JSON on one line, $(($(stat -c %s "$f") / 1048576)) MiB" "$f"
    /usr/bin/time -f '  libyaml  %e s, peak RSS %M KiB' "$work/bin/ref_libyaml_parse" "$f" >/dev/null
    /usr/bin/time -f '  jansson  %e s, peak RSS %M KiB' "$work/bin/ref_jansson_load" "$f" >/dev/null
fi
exit 0
