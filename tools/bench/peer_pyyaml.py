#!/usr/bin/env python3
"""Peer: the integration-response extraction as users write it today in Python.

PyYAML with the libyaml-backed CSafeLoader for YAML, the json module for JSON
(chosen by the .json extension).  Prints the records JSON (see
tools/README.md, "Benchmarks") on stdout.

Usage: peer_pyyaml.py FILE
"""

import json
import sys

import yaml

METHODS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
           "patch": "PATCH", "head": "HEAD", "options": "OPTIONS",
           "x-amazon-apigateway-any-method": "ANY"}


def load(path):
    if path.endswith(".json"):
        with open(path, "rb") as f:
            return json.load(f)
    with open(path, "rb") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


def records(doc):
    out = []
    paths = (doc or {}).get("paths") or {}
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for key, op in item.items():
            method = METHODS.get(key)
            if method is None or not isinstance(op, dict):
                continue
            integ = op.get("x-amazon-apigateway-integration")
            if not isinstance(integ, dict):
                continue
            responses = integ.get("responses")
            if not isinstance(responses, dict) or not responses:
                continue
            for sel, r in responses.items():
                r = r or {}
                rec = {"path": str(path), "httpMethod": method,
                       "statusCode": str(r.get("statusCode"))}
                sel = str(sel)
                if sel not in ("default", "", "-"):
                    rec["selectionPattern"] = sel
                params = r.get("responseParameters")
                if params:
                    rec["responseParameters"] = params
                tmpl = r.get("responseTemplates")
                if tmpl:
                    rec["responseTemplates"] = {k: ("" if v is None else v)
                                                for k, v in tmpl.items()}
                ch = r.get("contentHandling")
                if ch is not None:
                    rec["contentHandling"] = ch
                out.append(rec)
    return out


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: peer_pyyaml.py FILE\n")
        return 2
    recs = records(load(sys.argv[1]))
    out = sys.stdout
    json.dump(recs, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
