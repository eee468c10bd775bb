#!/usr/bin/env bash
# Benchmark: oas2apigw against the parser floors (libyaml, jansson) and the
# peer extractions users run today (PyYAML, Node js-yaml).  See tools/README.md,
# "Benchmarks".
#
#   tools/bench/run.sh                 # 1M and 10M documents (quick)
#   tools/bench/run.sh --full          # 1M, 10M and 100M
#   tools/bench/run.sh --sizes 1M      # only some sizes
#
# Options:
#   --sizes LIST     comma-separated sizes (default 1M,10M; 50K, 1M, 10M, 100M ...)
#   --full           add 100M to the sizes
#   --formats LIST   yaml,json (default both)
#   --spec S         oas3 (default) or swagger2
#   --seed S         generator seed (default 1)
#   --tools LIST     only these rows (libyaml,libyaml-fast,jansson,extract,pyyaml,node,validate,merge,startup)
#   --no-check       skip the records agreement check (still runs each tool once)
#   -h, --help
# Environment:
#   OAG_BENCH_DIR    work dir for documents, binaries and results (default /tmp/oag-bench)
#   OAG_BIN          oas2apigw binary (default build/oas2apigw in the repository)
#   OAG_BENCH_RUNS   hyperfine runs per row at every size (default: by size,
#                    10+ for small documents, 3 for ~10M, 1 for ~100M)
#
# It never asserts on time: it only reports.  It exits 1 when a tool failed on
# a document or when the tools' records disagree, 0 otherwise.
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${OAG_BENCH_DIR:-/tmp/oag-bench}
oag=${OAG_BIN:-$root/build/oas2apigw}
case $oag in /*) ;; *) oag=$root/$oag ;; esac

sizes=1M,10M
formats=yaml,json
spec=oas3
seed=1
only=
check=1
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --full) full=1; shift ;;
    --formats) formats=$2; shift 2 ;;
    --spec) spec=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --tools) only=$2; shift 2 ;;
    --no-check) check=0; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "${full:-0}" = 1 ] && ! [[ ",$sizes," == *,100M,* ]]; then
    sizes=$sizes,100M
fi
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a format_list <<<"$formats"

want() { [ -z "$only" ] || [[ ",$only," == *,$1,* ]]; }
say() { printf '%s\n' "$*" >&2; }

rm -rf "$work/out"
mkdir -p "$work/bin" "$work/out" || exit 2
results=$work/out/results.tsv
: >"$results"
failures=0

# ---- prerequisites -------------------------------------------------------
for t in cc python3 hyperfine; do
    command -v "$t" >/dev/null || { say "run.sh: $t is required"; exit 2; }
done
gnutime=/usr/bin/time
if ! "$gnutime" -v true >/dev/null 2>&1; then
    say "note: GNU time (/usr/bin/time) missing: peak RSS not measured (apt-get install time)"
    gnutime=
fi

# reference programs, compiled here with cc -O2 (not part of the meson build)
build_ref() { # name lib [extra sources and flags...]
    local src=$here/$1.c bin=$work/bin/$1
    if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
        cc -O2 -o "$bin" "$src" "${@:3}" "$2" || { say "run.sh: cannot build $1"; return 1; }
    fi
}
build_ref ref_libyaml_parse -lyaml || exit 2
build_ref ref_jansson_load -ljansson || exit 2
# the same libyaml loop with oas2apigw's input decoder (src/doc/yaml_input.c)
# interposed: how much of extract's lead comes from decoding alone
bin=$work/bin/ref_libyaml_parse_fast
if [ ! -x "$bin" ] || [ "$root/src/doc/yaml_input.c" -nt "$bin" ]; then
    cc -O2 -o "$bin" "$here/ref_libyaml_parse.c" "$root/src/doc/yaml_input.c" \
        -I"$root/src" -lyaml -ldl || { say "run.sh: cannot build ref_libyaml_parse_fast"; exit 2; }
fi

have_pyyaml=0
if python3 -c 'import yaml; yaml.CSafeLoader' 2>/dev/null; then
    have_pyyaml=1
else
    say "note: PyYAML with libyaml (CSafeLoader) missing: pyyaml rows skipped"
fi
have_node=0
if command -v node >/dev/null; then
    if [ ! -f "$here/node_modules/js-yaml/package.json" ]; then
        say "installing js-yaml into tools/bench/node_modules (npm ci)"
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
    [ -f "$here/node_modules/js-yaml/package.json" ] && have_node=1
fi
[ $have_node = 1 ] || say "note: node or js-yaml missing: node rows skipped"
have_oag=0
if [ -x "$oag" ]; then
    have_oag=1
else
    say "note: $oag not built: oas2apigw rows skipped (set OAG_BIN or build it)"
fi

# ---- documents (cached; the cache key includes the generator's hash) ------
genhash=$(sha256sum "$here/gen_openapi.py" | cut -c1-10)
docs=$work/docs-$genhash-$spec-seed$seed
mkdir -p "$docs" || exit 2
gen() { # size -> $docs/api-SIZE.yaml and .json (same API, sized on the YAML)
    local y=$docs/api-$1.yaml j=$docs/api-$1.json
    if [ ! -s "$y" ] || [ ! -s "$j" ]; then
        say "generating $spec documents of $1 (seed $seed)"
        python3 "$here/gen_openapi.py" --size "$1" --seed "$seed" --spec "$spec" \
            -o "$docs/tmp-$1.yaml" -o "$docs/tmp-$1.json" || exit 2
        mv "$docs/tmp-$1.yaml" "$y" && mv "$docs/tmp-$1.json" "$j"
    fi
}
for s in "${size_list[@]}"; do gen "$s"; done
gen 50K

# ---- running ------------------------------------------------------------
# tool command lines, FILE substituted
cmd_for() { # tool file -> prints the command (words separated by spaces)
    case $1 in
    libyaml) echo "$work/bin/ref_libyaml_parse $2" ;;
    libyaml-fast) echo "$work/bin/ref_libyaml_parse_fast $2" ;;
    jansson) echo "$work/bin/ref_jansson_load $2" ;;
    extract) echo "$oag extract $2" ;;
    pyyaml) echo "python3 $here/peer_pyyaml.py $2" ;;
    node) echo "node $here/peer_node.js $2" ;;
    validate) echo "$oag validate $2" ;;
    merge) echo "$oag merge $3 $2 -o /dev/null" ;;
    version) echo "$oag --version" ;;
    esac
}

# hyperfine settings by document size: many runs for small, one for 100M
hf_opts() { # bytes
    if [ -n "${OAG_BENCH_RUNS:-}" ]; then
        echo "--warmup 1 --runs $OAG_BENCH_RUNS"
    elif [ "$1" -lt 4000000 ]; then
        echo "--warmup 2 --min-runs 10"
    elif [ "$1" -lt 40000000 ]; then
        echo "--warmup 1 --runs 3"
    else
        echo "--runs 1"
    fi
}

# run_one TOOL LABEL FILE [MERGE_RECORDS] : one probe run under GNU time
# (records to $last_out, peak RSS), then hyperfine; appends a TSV row.
# Returns 0 when the tool succeeded.
run_one() {
    local tool=$1 label=$2 file=$3 extra=${4:-}
    local bytes=0 base out err rss=- status=ok mean=- sd=- runs=- note=
    [ -f "$file" ] && bytes=$(stat -c %s "$file")
    base=$work/out/$tool-${label//[^A-Za-z0-9._-]/_}
    out=$base.out
    last_out=$out
    err=$base.err
    local cmd
    cmd=$(cmd_for "$tool" "$file" "$extra")
    say "  $tool $label"
    if [ -n "$gnutime" ]; then
        # shellcheck disable=SC2086
        "$gnutime" -v -o "$base.time" $cmd >"$out" 2>"$err"
    else
        # shellcheck disable=SC2086
        $cmd >"$out" 2>"$err"
    fi
    local rc=$?
    if [ -n "$gnutime" ] && [ -f "$base.time" ]; then
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time")
    fi
    if [ $rc -eq 0 ]; then
        case $tool in
        extract|pyyaml|node)
            if ! python3 -c '
import json, sys
sys.exit(not isinstance(json.load(open(sys.argv[1], "rb")), list))' "$out" 2>/dev/null; then
                rc="0, bad output"
                echo "not a records JSON array: $(head -c 80 "$out")" >>"$err"
            fi ;;
        esac
    fi
    if [ "$rc" != 0 ]; then
        status=FAILED
        note="exit $rc: $(grep -v '^\s*$' "$err" | tail -1 | cut -c1-120)"
        failures=$((failures + 1))
    else
        # shellcheck disable=SC2046
        hyperfine -N --style none $(hf_opts "$bytes") --export-json "$base.hf.json" \
            "$cmd" >/dev/null 2>"$base.hf.err" || { status=FAILED; note="hyperfine failed"; }
        if [ -f "$base.hf.json" ]; then
            read -r mean sd runs < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["mean"], r["stddev"] if r["stddev"] is not None else 0, len(r["times"]))
' "$base.hf.json")
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$label" "$bytes" "$status" \
        "$mean" "$sd" "$runs" "$rss" "$note" >>"$results"
    [ $status = ok ]
}

disagree=0
for s in "${size_list[@]}"; do
    size_recs=()
    for fmt in "${format_list[@]}"; do
        file=$docs/api-$s.$fmt
        label=api-$s.$fmt
        say "== $label ($(stat -c %s "$file") bytes)"
        want libyaml && run_one libyaml "$label" "$file"
        want libyaml-fast && run_one libyaml-fast "$label" "$file"
        [ "$fmt" = json ] && want jansson && run_one jansson "$label" "$file"
        recs=()
        if [ $have_oag = 1 ] && want extract && run_one extract "$label" "$file"; then
            recs+=("$last_out")
        fi
        if [ $have_pyyaml = 1 ] && want pyyaml && run_one pyyaml "$label" "$file"; then
            recs+=("$last_out")
        fi
        if [ $have_node = 1 ] && want node && run_one node "$label" "$file"; then
            recs+=("$last_out")
        fi
        if [ $have_oag = 1 ] && want validate; then
            run_one validate "$label" "$file"
        fi
        if [ $have_oag = 1 ] && want merge && [ ${#recs[@]} -gt 0 ]; then
            # a 1-record change: edit one record of the extraction, merge it back
            edited=$work/out/merge-input-$label.json
            python3 - "${recs[0]}" "$edited" <<'EOF'
import json, sys
recs = json.load(open(sys.argv[1]))
i = len(recs) // 2
recs[i]["responseTemplates"] = {"application/json": "$input.json('$.edited')"}
json.dump(recs, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
            run_one merge "$label" "$file" "$edited"
        fi
        size_recs+=("${recs[@]}")
    done
    # agreement: every tool's records, YAML and JSON of the same API, against
    # the first (oas2apigw extract on the YAML when it ran, else PyYAML)
    if [ $check = 1 ] && [ ${#size_recs[@]} -ge 2 ]; then
        python3 "$here/compare_records.py" "${size_recs[@]}" >"$work/out/agree-$s.txt"
        rc=$?
        sed "s|$work/out/||g" "$work/out/agree-$s.txt" >&2
        [ $rc -eq 0 ] || disagree=1
    fi
done

if [ $have_oag = 1 ] && want startup; then
    say "== startup"
    run_one version "(none)" ""
    run_one libyaml "api-50K.yaml" "$docs/api-50K.yaml"
    run_one extract "api-50K.yaml" "$docs/api-50K.yaml"
fi

# ---- report ---------------------------------------------------------------
python3 "$here/report.py" "$results" | tee "$work/out/results.txt"
echo
echo "documents: $docs"
echo "outputs:   $work/out (records *.out, stderr *.err, GNU time *.time, hyperfine *.hf.json)"
if [ $disagree = 1 ]; then
    echo "RECORDS DISAGREE (see above)"
fi
if [ $failures -gt 0 ]; then
    echo "$failures tool run(s) FAILED (see the table)"
fi
[ $disagree = 0 ] && [ $failures = 0 ]
