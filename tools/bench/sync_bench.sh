#!/bin/sh
# Sync benchmark (issue 7): oas2apigw import of 300 integration responses
# through tools/chaos_proxy.py with AWS's throttle (10 rps, burst 40) and
# 20 ms latency, a no-change re-run, and the AWS CLI doing the same puts.
# See tools/README.md, "Sync benchmark".  Arguments go to sync_bench.py
# (--methods N, --responses N, --no-cli, --work DIR).  Environment: OAG_BIN
# (default build/oas2apigw), OAG_BENCH_DIR (default /tmp/oag-bench).
# Reports only: exit 1 when a tool fails or the calls or data are wrong.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
exec "$root/tools/with-moto" --proxy \
    --proxy-config '{"throttle": "aws", "latency_ms": 20}' \
    -- python3 "$here/sync_bench.py" "$@"
