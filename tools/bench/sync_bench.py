#!/usr/bin/env python3
"""Sync benchmark: oas2apigw import through the chaos proxy, next to the AWS CLI.

Run it through tools/bench/sync_bench.sh, which starts moto and one chaos
proxy (AWS's throttle preset, 20 ms latency) with tools/with-moto --proxy and
then runs this script.  Needs OAG_MOTO_ENDPOINT and OAG_CHAOS_ENDPOINT.

    sync_bench.py [--methods 100] [--responses 3] [--no-cli] [--work DIR]

1. writes a document with METHODS methods x RESPONSES integration responses
   (OAS 3, JSON), checks `oas2apigw validate` accepts it, and builds the API
   skeleton with tools/make_skeleton.py --with-method-responses straight
   against moto (so the proxy sees only the measured calls);
2. times `oas2apigw import --rest-api-id ID --endpoint-url PROXY DOC`, reads
   /__chaos/stats: calls, PutIntegrationResponse writes, 429s, failures;
   ideal time = calls / 10 s (the account-wide steady rate);
3. runs the same import again: it must make GetResources page reads only;
4. on a fresh skeleton, the same puts with the AWS CLI, one
   `aws apigateway put-integration-response` process per item, in sequence;
5. prints the table.  The live state after steps 2 and 4 is compared with
   the document (`oas2apigw export` + `extract`, as record sets).

Nothing asserts on time.  Exit 0, or 1 when a tool failed or the calls or
the data are wrong (each reason printed under the table), 2 usage.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STEADY_RATE = 10.0  # account-wide requests per second (throttle "aws")
METHODS = ("get", "post", "put", "delete")

problems = []


def problem(msg):
    problems.append(msg)
    sys.stderr.write("sync_bench: %s\n" % msg)


# ------------------------------------------------------------------ document

def response_set(i, n):
    """n integration responses for method i, and the method responses."""
    tmpl_ok = ("#set($b = $input.path('$'))\n"
               "{\"id\": \"$b.id\", \"n\": %d, \"note\": \"caf\u00e9 \u2713 \u6771\u4eac\",\n"
               " \"quote\": \"it's \\\"ok\\\"\"}" % i)
    kinds = [
        ("default", {
            "statusCode": "200",
            "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin": "'*'"},
            "responseTemplates": {"application/json": tmpl_ok}}),
        ("4\\d{2}", {
            "statusCode": "400",
            "responseTemplates": {
                "application/json":
                    "{\"error\": \"$input.path('$.errorMessage')\", \"m\": %d}" % i}}),
        (".*Error.*", {
            "statusCode": "500",
            "responseParameters": {
                "method.response.header.X-Error": "integration.response.header.X-Err"},
            "responseTemplates": {
                "application/json": "{\"fault\": \"internal\", \"m\": %d}" % i}}),
        ("(?s).*NotFound.*", {
            "statusCode": "404",
            "responseTemplates": {"text/plain": "not found %d" % i}}),
        ("5\\d{2}", {"statusCode": "503", "contentHandling": "CONVERT_TO_TEXT"}),
        ("3\\d{2}", {"statusCode": "302",
                     "responseParameters": {
                         "method.response.header.Location":
                             "integration.response.body.location"}}),
    ]
    if n > len(kinds):
        raise SystemExit("sync_bench: at most %d responses per method" % len(kinds))
    if i % 7 == 3 and n >= 3:
        kinds[2][1]["contentHandling"] = "CONVERT_TO_TEXT"
    integ = {}
    declared = {}
    for key, resp in kinds[:n]:
        integ[key] = resp
        headers = {}
        for p in resp.get("responseParameters", {}):
            name = p[len("method.response.header."):]
            headers[name] = {"schema": {"type": "string"}}
        declared[resp["statusCode"]] = {"description": "r", "headers": headers} \
            if headers else {"description": "r"}
    return integ, declared


def build_document(methods, responses):
    """OAS 3: paths /svc/rNN and /svc/rNN/{id}, 2 methods each."""
    paths = {}
    per_path = 2
    npaths = (methods + per_path - 1) // per_path
    count = 0
    for p in range(npaths):
        base = p // 2
        path = "/svc/r%02d" % base if p % 2 == 0 else "/svc/r%02d/{id}" % base
        item = {}
        for m in range(per_path):
            if count == methods:
                break
            integ, declared = response_set(count, responses)
            kind = count % 3
            if kind == 0:
                integration = {"type": "http", "httpMethod": "GET",
                               "uri": "http://example.com/backend/%d" % count}
            elif kind == 1:
                integration = {"type": "mock",
                               "requestTemplates": {
                                   "application/json": "{\"statusCode\": 200}"}}
            else:
                integration = {
                    "type": "aws", "httpMethod": "POST",
                    "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/"
                           "functions/arn:aws:lambda:us-east-1:123456789012:"
                           "function:bench%d/invocations" % count}
            integration["passthroughBehavior"] = "when_no_match"
            integration["responses"] = integ
            op = {"operationId": "op%d" % count, "responses": declared,
                  "x-amazon-apigateway-integration": integration}
            if "{id}" in path:
                op["parameters"] = [{"name": "id", "in": "path", "required": True,
                                     "schema": {"type": "string"}}]
            item[METHODS[m]] = op
            count += 1
        paths[path] = item
    return {"openapi": "3.0.1",
            "info": {"title": "sync-bench", "version": "1"},
            "paths": paths}


# ------------------------------------------------------------------ helpers

def run(argv, what, env=None, capture=True):
    """Runs a tool; records a problem and returns None when it fails."""
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        problem("%s failed (exit %d): %s" % (what, r.returncode,
                                            r.stderr.strip()[-800:]))
        return None
    return r


def chaos(endpoint, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(endpoint + "/__chaos/" + path, data=data,
                                 method="GET" if body is None else "POST")
    with urllib.request.urlopen(req, timeout=30) as f:
        return json.load(f)


def skeleton(doc, moto):
    r = run([sys.executable, os.path.join(ROOT, "tools", "make_skeleton.py"), doc,
             "--endpoint", moto, "--name", "sync-bench", "--with-method-responses"],
            "make_skeleton.py")
    if r is None:
        raise SystemExit(1)
    return r.stdout.strip()


def normalise(records):
    """The model's equivalences: absent, null and {} maps are the same; a
    null template is the empty one; order does not matter."""
    out = []
    for r in records:
        r = dict(r)
        for k in ("responseParameters", "responseTemplates"):
            if not r.get(k):
                r.pop(k, None)
        if "responseTemplates" in r:
            r["responseTemplates"] = {k: ("" if v is None else v)
                                      for k, v in r["responseTemplates"].items()}
        if r.get("contentHandling") is None:
            r.pop("contentHandling", None)
        out.append(json.dumps(r, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def extract(binary, path, what):
    r = run([binary, "extract", path], "extract of " + what)
    return None if r is None else json.loads(r.stdout)


def check_live(binary, moto, api, expected, work, label):
    """export (straight from moto) + extract == the document's records."""
    out = os.path.join(work, "export-%s.json" % label)
    if run([binary, "export", "--rest-api-id", api, "--endpoint-url", moto,
            "--format", "json", "-o", out], "export after " + label) is None:
        return False
    live = extract(binary, out, "export after " + label)
    if live is None:
        return False
    a, b = normalise(expected), normalise(live)
    if a != b:
        missing = [x for x in a if x not in b][:2]
        extra = [x for x in b if x not in a][:2]
        problem("%s: live state differs from the document (%d vs %d records);"
                " missing %s; unexpected %s" % (label, len(b), len(a), missing, extra))
        return False
    return True


def summarise(stats):
    ops = stats.get("operations", {})
    responses = stats.get("responses", {})
    failed = sum(n for code, n in responses.items()
                 if int(code) >= 400 and int(code) != 429)
    failed += stats.get("resets", 0) + stats.get("upstream_errors", 0)
    writes = stats.get("writes", [])
    return {
        "requests": stats.get("requests", 0),
        "status_429": stats.get("status_429", 0),
        "throttled": stats.get("throttled", 0),
        "failed": failed,
        "ops": ops,
        "responses": responses,
        "writes": len(writes),
        "write_ops": [w.get("operation") for w in writes],
        "writes_ok": sum(1 for w in writes if w.get("forwarded")
                         and isinstance(w.get("status"), int)
                         and 200 <= w["status"] < 300),
        "pir": ops.get("PutIntegrationResponse", 0),
        "get_resources": ops.get("GetResources", 0),
    }


# ------------------------------------------------------------------ phases

def resource_ids(moto, api):
    import botocore.session
    s = botocore.session.get_session()
    c = s.create_client("apigateway", endpoint_url=moto,
                        region_name=os.environ.get("AWS_REGION", "us-east-1"))
    ids = {}
    for page in c.get_paginator("get_resources").paginate(restApiId=api):
        for item in page["items"]:
            ids[item["path"]] = item["id"]
    return ids


def cli_argv(api, rid, rec, proxy):
    argv = ["aws", "apigateway", "put-integration-response",
            "--endpoint-url", proxy, "--rest-api-id", api,
            "--resource-id", rid, "--http-method", rec["httpMethod"],
            "--status-code", rec["statusCode"], "--output", "json"]
    if "selectionPattern" in rec:
        argv += ["--selection-pattern", rec["selectionPattern"]]
    if rec.get("responseParameters"):
        argv += ["--response-parameters", json.dumps(rec["responseParameters"])]
    if rec.get("responseTemplates"):
        argv += ["--response-templates", json.dumps(
            {k: ("" if v is None else v) for k, v in rec["responseTemplates"].items()})]
    if rec.get("contentHandling"):
        argv += ["--content-handling", rec["contentHandling"]]
    return argv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--methods", type=int, default=100)
    ap.add_argument("--responses", type=int, default=3)
    ap.add_argument("--no-cli", action="store_true", help="skip the AWS CLI row")
    ap.add_argument("--work", default=os.path.join(
        os.environ.get("OAG_BENCH_DIR", "/tmp/oag-bench"), "sync"))
    args = ap.parse_args()
    moto = os.environ.get("OAG_MOTO_ENDPOINT")
    proxy = os.environ.get("OAG_CHAOS_ENDPOINT")
    if not moto or not proxy:
        sys.stderr.write("sync_bench.py: run through tools/bench/sync_bench.sh "
                         "(needs OAG_MOTO_ENDPOINT and OAG_CHAOS_ENDPOINT)\n")
        return 2
    os.makedirs(args.work, exist_ok=True)
    # a private copy: someone may rebuild build/ during the run
    src_bin = os.environ.get("OAG_BIN") or os.path.join(ROOT, "build", "oas2apigw")
    if not os.access(src_bin, os.X_OK):
        sys.stderr.write("sync_bench.py: no binary at %s (set OAG_BIN)\n" % src_bin)
        return 1
    binary = os.path.join(args.work, "oas2apigw")
    shutil.copy2(src_bin, binary)

    cfg = chaos(proxy, "config")
    thr = cfg.get("throttle") or {}
    print("proxy: throttle rate %s burst %s, latency %s ms" % (
        thr.get("rate"), thr.get("burst"), cfg.get("latency_ms")), flush=True)

    # 1. document and skeleton
    doc = os.path.join(args.work, "sync-%dx%d.json" % (args.methods, args.responses))
    with open(doc, "w", encoding="utf-8") as f:
        json.dump(build_document(args.methods, args.responses), f,
                  indent=2, ensure_ascii=False)
    if run([binary, "validate", "-q", doc], "validate of the document") is None:
        return 1
    expected = extract(binary, doc, "the document")
    if expected is None:
        return 1
    nrec = len(expected)
    if nrec != args.methods * args.responses:
        problem("the document has %d records, not %d" % (nrec, args.methods * args.responses))
    t0 = time.monotonic()
    api = skeleton(doc, moto)
    print("document %s: %d records; skeleton %s in %.1f s" % (
        doc, nrec, api, time.monotonic() - t0), flush=True)

    rows = []

    # 2. the import
    chaos(proxy, "reset", {})
    t0 = time.monotonic()
    r = run([binary, "import", "--rest-api-id", api, "--endpoint-url", proxy, doc],
            "oas2apigw import")
    wall = time.monotonic() - t0
    s = summarise(chaos(proxy, "stats"))
    if r is not None:
        with open(os.path.join(args.work, "import.out"), "w", encoding="utf-8") as f:
            f.write(r.stdout)
    calls = s["requests"] - s["status_429"]
    s.update(tool="oas2apigw import", wall=wall, calls=calls, exit_ok=r is not None)
    rows.append(s)
    if s["writes_ok"] != nrec or set(s["write_ops"]) - {"PutIntegrationResponse"}:
        problem("import: %d writes executed (%s), %d PutIntegrationResponse expected"
                % (s["writes_ok"], ",".join(sorted(set(s["write_ops"]))), nrec))
    if s["failed"]:
        problem("import: %d failed calls" % s["failed"])
    check_live(binary, moto, api, expected, args.work, "import")

    # 3. no-change re-run
    chaos(proxy, "reset", {})
    t0 = time.monotonic()
    r = run([binary, "import", "--rest-api-id", api, "--endpoint-url", proxy, doc],
            "oas2apigw import (re-run)")
    wall = time.monotonic() - t0
    s = summarise(chaos(proxy, "stats"))
    s.update(tool="oas2apigw import, no change", wall=wall,
             calls=s["requests"] - s["status_429"], exit_ok=r is not None)
    rows.append(s)
    others = {k: v for k, v in s["ops"].items() if k != "GetResources"}
    if s["writes"] or others:
        problem("re-run: expected GetResources reads only, got %s" % s["ops"])

    # 4. the AWS CLI, one process per item
    if not args.no_cli:
        if not shutil.which("aws"):
            problem("aws (the AWS CLI) is not on PATH; use --no-cli to skip its row")
        else:
            api2 = skeleton(doc, moto)
            ids = resource_ids(moto, api2)
            argvs = []
            for rec in expected:
                if rec["path"] not in ids:
                    problem("no resource %s in the CLI skeleton" % rec["path"])
                    break
                argvs.append(cli_argv(api2, ids[rec["path"]], rec, proxy))
            chaos(proxy, "reset", {})
            cli_fail = 0
            t0 = time.monotonic()
            for argv in argvs:
                p = subprocess.run(argv, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
                if p.returncode != 0:
                    cli_fail += 1
                    if cli_fail <= 3:
                        sys.stderr.write("aws: exit %d: %s\n" % (
                            p.returncode, p.stderr.strip()[-300:]))
            wall = time.monotonic() - t0
            s = summarise(chaos(proxy, "stats"))
            s.update(tool="aws CLI, 1 process per put", wall=wall,
                     calls=s["requests"] - s["status_429"], exit_ok=cli_fail == 0)
            s["failed_processes"] = cli_fail
            rows.append(s)
            if cli_fail:
                problem("AWS CLI: %d of %d processes failed" % (cli_fail, len(argvs)))
            check_live(binary, moto, api2, expected, args.work, "AWS CLI")

    # 5. the table
    print()
    print("Sync benchmark: %d methods x %d integration responses = %d records; "
          "throttle %s rps burst %s, latency %s ms" % (
              args.methods, args.responses, nrec, thr.get("rate"), thr.get("burst"),
              cfg.get("latency_ms")))
    hdr = ("tool", "wall s", "calls", "PIR", "GetRes", "429s", "failed",
           "ideal s", "wall/ideal", "floor s", "wall/floor")
    burst = thr.get("burst") or 0
    lines = []
    for s in rows:
        ideal = s["calls"] / STEADY_RATE
        floor = max(0, s["calls"] - burst) / STEADY_RATE
        lines.append((s["tool"], "%.2f" % s["wall"], str(s["calls"]), str(s["pir"]),
                      str(s["get_resources"]), str(s["status_429"]),
                      str(s["failed"]) + ("" if s["exit_ok"] else " (exit!)"),
                      "%.1f" % ideal, "%.2f" % (s["wall"] / ideal) if ideal else "-",
                      "%.1f" % floor, "%.2f" % (s["wall"] / floor) if floor else "-"))
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(hdr)]
    fmt = "  ".join("%%-%ds" % w if i == 0 else "%%%ds" % w for i, w in enumerate(widths))
    print(fmt % hdr)
    for l in lines:
        print(fmt % l)
    print()
    print("calls = requests that got an answer other than 429; PIR = "
          "PutIntegrationResponse requests (429s included); ideal = calls / %g s;\n"
          "floor = (calls - burst) / %g s, the least the token bucket allows when it "
          "starts full" % (STEADY_RATE, STEADY_RATE))
    for s in rows:
        print("%s: operations %s, answers %s" % (
            s["tool"], json.dumps(s["ops"], sort_keys=True),
            json.dumps(s["responses"], sort_keys=True)))
    if problems:
        print()
        for i, p in enumerate(problems, 1):
            print("%d. %s" % (i, p))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
