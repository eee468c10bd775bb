#!/usr/bin/env python3
"""Create a REST API skeleton from an OpenAPI document (e2e test infrastructure).

    make_skeleton.py DOC --endpoint URL [--name NAME] [--basepath MODE]
                     [--with-method-responses]

Creates, with botocore against URL (moto, or the chaos proxy in front of it),
a fresh REST API holding the document's resources, methods and integrations
-- type, uri, httpMethod, requestParameters, requestTemplates,
passthroughBehavior (and contentHandling, timeoutInMillis, cacheNamespace,
cacheKeyParameters, credentials when the document has them) -- but NO
integration responses, and no method responses unless
--with-method-responses is given (then one per 3-digit status code the
operation declares, with its headers declared as
method.response.header.X = false).  Prints the new API id on stdout.

Swagger 2.0 and OpenAPI 3.x alike; `x-amazon-apigateway-any-method` becomes
ANY.  Local `$ref`s (#/...) are followed.  Method request parameters are
declared from the path item's and operation's path/query/header parameters.
Resource paths follow --basepath (ignore, prepend, split) as API Gateway's
import does (src/convert/basepath.c).

Credentials come from the environment (AWS_ACCESS_KEY_ID, ...), the region
from AWS_REGION (default us-east-1).  This drives the emulator; it is not
a fake of AWS.  A value API Gateway cannot take as it stands (a
CloudFormation intrinsic such as {"Fn::Sub": ...} where a string belongs) is
an error naming the method: such a document has to be processed by
CloudFormation first.

Exit: 0 done, 1 the document cannot be turned into a skeleton or a call
failed (message on stderr), 2 usage.
"""

import argparse
import json
import os
import re
import sys

METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "x-amazon-apigateway-any-method")
STATUS = re.compile(r"^[1-5][0-9][0-9]$")


class SkeletonError(Exception):
    pass


def load(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    if path.endswith(".json") or text.lstrip().startswith("{"):
        return json.loads(text)
    import yaml  # PyYAML; only for YAML documents
    return yaml.safe_load(text)


def resolve(doc, node, seen=None):
    """Follows a local $ref chain (#/a/b); other nodes are returned as is."""
    seen = seen or set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise SkeletonError("cannot follow $ref '%s'" % ref)
        seen.add(ref)
        target = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SkeletonError("unresolved $ref '%s'" % ref)
            target = target[part]
        node = target
    return node


def normalise_base(p):
    if p is None:
        return ""
    p = str(p)
    if not p.startswith("/"):
        p = "/" + p
    return p.rstrip("/")


def base_path(doc):
    if "swagger" in doc:
        return normalise_base(doc.get("basePath"))
    servers = doc.get("servers")
    if not isinstance(servers, list) or not servers:
        return ""
    for s in servers:
        default = (((s or {}).get("variables") or {}).get("basePath")
                   or {}).get("default")
        if isinstance(default, str):
            return normalise_base(default)
    first = servers[0] or {}
    url = first.get("url")
    if not isinstance(url, str):
        return ""
    variables = first.get("variables") or {}

    def subst(m):
        d = (variables.get(m.group(1)) or {}).get("default")
        return d if isinstance(d, str) else ""
    url = re.sub(r"\{([^}]*)\}", subst, url)
    if "://" in url:
        rest = url.split("://", 1)[1]
        path = rest[rest.index("/"):] if "/" in rest else ""
    elif url.startswith("/"):
        path = url
    else:
        path = ""
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    return normalise_base(path)


def resource_path(doc, path, mode):
    if mode == "ignore":
        return path
    base = base_path(doc)
    prefix = base
    if mode == "split":
        second = base.find("/", 1) if base else -1
        prefix = base[second:] if second >= 0 else ""
    if not prefix:
        return path
    if path in ("/", ""):
        return prefix
    return prefix + ("" if path.startswith("/") else "/") + path


def string_field(where, name, value):
    if not isinstance(value, str):
        raise SkeletonError(
            "%s: %s is not a string (%s); a CloudFormation or Terraform "
            "placeholder has to be resolved before API Gateway sees the "
            "document" % (where, name, json.dumps(value)[:80]))
    return value


def string_map(where, name, value):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise SkeletonError("%s: %s is not a map" % (where, name))
    out = {}
    for k, v in value.items():
        out[str(k)] = string_field(where, "%s.%s" % (name, k), v)
    return out


def request_parameters(doc, path_item, op):
    """method.request.{path,querystring,header}.NAME -> required."""
    where = {"path": "path", "query": "querystring", "header": "header"}
    out = {}
    for plist in (path_item.get("parameters"), op.get("parameters")):
        for p in plist or []:
            p = resolve(doc, p)
            if not isinstance(p, dict):
                continue
            loc = where.get(p.get("in"))
            if loc and isinstance(p.get("name"), str):
                out["method.request.%s.%s" % (loc, p["name"])] = bool(
                    p.get("required", loc == "path"))
    return out


def method_responses(doc, op):
    """[(statusCode, {method.response.header.X: False})] as declared."""
    out = []
    for code, resp in (op.get("responses") or {}).items():
        code = str(code)
        if not STATUS.match(code):
            continue
        resp = resolve(doc, resp) or {}
        headers = resp.get("headers") if isinstance(resp, dict) else None
        params = {}
        for h in headers or {}:
            params["method.response.header.%s" % h] = False
        out.append((code, params))
    return out


def operations(doc, mode):
    """Yields (resource path, HTTP method, path item, operation)."""
    paths = doc.get("paths") or {}
    for path, item in paths.items():
        item = resolve(doc, item)
        if not isinstance(item, dict):
            continue
        rpath = resource_path(doc, str(path), mode)
        for key, op in item.items():
            if key not in METHODS:
                continue
            op = resolve(doc, op)
            if not isinstance(op, dict):
                continue
            method = "ANY" if key == METHODS[-1] else key.upper()
            yield rpath, method, item, op


def integration_args(doc, where, integ):
    integ = resolve(doc, integ)
    if not isinstance(integ, dict):
        raise SkeletonError("%s: x-amazon-apigateway-integration is not a "
                            "map" % where)
    args = {}
    args["type"] = string_field(where, "type", integ.get("type")).upper()
    if "uri" in integ:
        args["uri"] = string_field(where, "uri", integ["uri"])
    if "httpMethod" in integ:
        args["integrationHttpMethod"] = string_field(
            where, "httpMethod", integ["httpMethod"]).upper()
    if "credentials" in integ:
        args["credentials"] = string_field(where, "credentials",
                                           integ["credentials"])
    for name in ("requestParameters", "requestTemplates"):
        m = string_map(where, name, integ.get(name))
        if m:
            args[name] = m
    if "passthroughBehavior" in integ:
        args["passthroughBehavior"] = string_field(
            where, "passthroughBehavior", integ["passthroughBehavior"]).upper()
    if "contentHandling" in integ:
        args["contentHandling"] = string_field(where, "contentHandling",
                                               integ["contentHandling"])
    if "timeoutInMillis" in integ:
        args["timeoutInMillis"] = int(integ["timeoutInMillis"])
    if "cacheNamespace" in integ:
        args["cacheNamespace"] = string_field(where, "cacheNamespace",
                                              integ["cacheNamespace"])
    if isinstance(integ.get("cacheKeyParameters"), list):
        args["cacheKeyParameters"] = [
            string_field(where, "cacheKeyParameters", v)
            for v in integ["cacheKeyParameters"]]
    return args


def plan(doc, mode, with_method_responses):
    """Everything to create, checked before the first call."""
    ops = []
    for rpath, method, item, op in operations(doc, mode):
        where = "%s %s" % (method, rpath)
        entry = {"path": rpath, "method": method,
                 "params": request_parameters(doc, item, op),
                 "integration": None, "responses": []}
        integ = op.get("x-amazon-apigateway-integration")
        if integ is not None:
            entry["integration"] = integration_args(doc, where, integ)
        if with_method_responses:
            entry["responses"] = method_responses(doc, op)
        ops.append(entry)
    return ops


def client(endpoint):
    import botocore.session
    from botocore.config import Config
    session = botocore.session.get_session()
    region = os.environ.get("AWS_REGION") or os.environ.get(
        "AWS_DEFAULT_REGION") or "us-east-1"
    return session.create_client(
        "apigateway", region_name=region, endpoint_url=endpoint,
        config=Config(retries={"max_attempts": 3, "mode": "standard"},
                      connect_timeout=10, read_timeout=60))


def create(api, name, ops):
    rest = api.create_rest_api(name=name)
    api_id = rest["id"]
    root = [r for r in api.get_resources(restApiId=api_id)["items"]
            if r["path"] == "/"][0]["id"]
    ids = {"/": root}

    def resource(path):
        if path in ids:
            return ids[path]
        parent, _, part = path.rpartition("/")
        pid = resource(parent or "/")
        r = api.create_resource(restApiId=api_id, parentId=pid, pathPart=part)
        ids[path] = r["id"]
        return r["id"]

    for e in ops:
        path = e["path"].rstrip("/") or "/"
        rid = resource(path)
        kw = {"restApiId": api_id, "resourceId": rid, "httpMethod": e["method"],
              "authorizationType": "NONE"}
        if e["params"]:
            kw["requestParameters"] = e["params"]
        api.put_method(**kw)
        for code, params in e["responses"]:
            kw = {"restApiId": api_id, "resourceId": rid,
                  "httpMethod": e["method"], "statusCode": code}
            if params:
                kw["responseParameters"] = params
            api.put_method_response(**kw)
        if e["integration"] is not None:
            api.put_integration(restApiId=api_id, resourceId=rid,
                                httpMethod=e["method"], **e["integration"])
    return api_id


def main(argv):
    ap = argparse.ArgumentParser(
        description="Create a REST API skeleton (resources, methods, "
        "integrations; no integration responses) from an OpenAPI document.")
    ap.add_argument("doc")
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--name")
    ap.add_argument("--basepath", choices=("ignore", "prepend", "split"),
                    default="ignore")
    ap.add_argument("--with-method-responses", action="store_true")
    a = ap.parse_args(argv)
    try:
        doc = load(a.doc)
        if not isinstance(doc, dict):
            raise SkeletonError("not an OpenAPI document")
        ops = plan(doc, a.basepath, a.with_method_responses)
        name = a.name or str((doc.get("info") or {}).get("title")
                             or "skeleton")
        api_id = create(client(a.endpoint), name, ops)
    except (OSError, ValueError, SkeletonError) as e:
        print("make_skeleton: %s: %s" % (a.doc, e), file=sys.stderr)
        return 1
    except Exception as e:  # botocore errors: report, do not trace
        if type(e).__module__.split(".")[0] in ("botocore", "yaml"):
            print("make_skeleton: %s: %s" % (a.doc, e), file=sys.stderr)
            return 1
        raise
    print(api_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
