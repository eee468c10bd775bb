#!/usr/bin/env python3
"""Seeded generator of realistic API Gateway OpenAPI documents (benchmark input).

Writes Swagger 2.0 or OpenAPI 3.0 documents carrying the API Gateway extensions
(x-amazon-apigateway-integration with every integration type, integration
responses with regex selection patterns, static and mapped response parameters,
multi-line VTL templates), as YAML (block style, literal blocks for multi-line
templates) and/or JSON (pretty or minified), with the Python standard library
only.

The same seed gives the same API: path i is generated from its own RNG seeded
with (seed, i), so the YAML and the JSON written in one run (or in two runs with
the same --paths) describe the same API.  With --size the generator keeps adding
paths until the FIRST output reaches the size; it prints the path count on
stderr so another run can reproduce the same API with --paths.

Usage:
  gen_openapi.py --size 10M -o api.yaml -o api.json
  gen_openapi.py --paths 200 --spec swagger2 -o api.yaml
  gen_openapi.py --size 100M --json-style minified -o api.min.json
"""

import argparse
import json
import random
import re
import sys
import zlib

# --------------------------------------------------------------------------
# YAML emitter (block style)
# --------------------------------------------------------------------------

_U = "\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_PLAIN_OK = re.compile(r"[A-Za-z_/$(" + _U + r"][A-Za-z0-9_/$(){}.,:;=+*@~?&%<>'\" " + _U + r"-]*\Z")
_RESERVED = frozenset(
    "y yes n no true false on off null".split()
)
_DQ_NEEDED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff\ud800-\udfff]")
_FLOATISH = re.compile(r"[-+]?(\.[0-9]|[0-9])")


def _plain_ok(s):
    if not _PLAIN_OK.match(s):
        return False
    if s[-1] in " :" or ": " in s or " #" in s:
        return False
    if s.lower() in _RESERVED:
        return False
    return True


def _dq(s):
    """Double-quoted YAML scalar (JSON escapes are a subset of YAML's, except
    that we never produce \\/ and we escape non-BMP as raw UTF-8)."""
    return json.dumps(s, ensure_ascii=False)


def _sq(s):
    return "'" + s.replace("'", "''") + "'"


_scalar_cache = {}


def yaml_scalar(s):
    """Flow scalar for a string used as a key or a single-line value."""
    r = _scalar_cache.get(s)
    if r is not None:
        return r
    if s and _plain_ok(s):
        r = s
    elif "\n" in s or _DQ_NEEDED.search(s) or s[:1] == " " or s[-1:] == " ":
        r = _dq(s)
    else:
        # Both quoting styles occur in real documents: pick one from the text
        # itself so that the output stays deterministic.
        r = _sq(s) if zlib.crc32(s.encode("utf-8")) & 1 else _dq(s)
    if len(_scalar_cache) < 200000:
        _scalar_cache[s] = r
    return r


def _literal_ok(s):
    if "\n" not in s or _DQ_NEEDED.search(s) or "\r" in s or "\t" in s:
        return False
    for line in s.split("\n"):
        if line != line.rstrip(" "):
            return False
    return True


def yaml_block_literal(s, indent):
    """Literal block for a multi-line value; indent = content indentation."""
    if s.endswith("\n\n"):
        chomp = "+"
        body = s[:-1]
    elif s.endswith("\n"):
        chomp = ""
        body = s[:-1]
    else:
        chomp = "-"
        body = s
    ind = "2" if s[:1] in " \n" else ""
    pad = " " * indent
    lines = body.split("\n")
    out = ["|" + ind + chomp]
    for line in lines:
        out.append("\n" + (pad + line if line else ""))
    return "".join(out)


def yaml_emit(node, indent, out):
    """Emit a mapping or sequence node in block style at the given indent.
    The caller has already written the key (or '- ') and a newline is due."""
    pad = " " * indent
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(pad)
            out.append(yaml_scalar(k))
            out.append(":")
            _yaml_value(v, indent, out)
    else:
        for v in node:
            out.append(pad)
            out.append("-")
            if isinstance(v, dict) and v:
                # compact "- key: value" form
                first = True
                for k, vv in v.items():
                    if first:
                        out.append(" ")
                        first = False
                    else:
                        out.append(pad + "  ")
                    out.append(yaml_scalar(k))
                    out.append(":")
                    _yaml_value(vv, indent + 2, out)
            else:
                _yaml_value(v, indent, out)


def _yaml_value(v, indent, out):
    if isinstance(v, str):
        if "\n" in v and _literal_ok(v):
            out.append(" ")
            out.append(yaml_block_literal(v, indent + 2))
            out.append("\n")
        else:
            out.append(" ")
            out.append(yaml_scalar(v))
            out.append("\n")
    elif isinstance(v, bool):
        out.append(" true\n" if v else " false\n")
    elif isinstance(v, int):
        out.append(" %d\n" % v)
    elif v is None:
        out.append(" null\n")
    elif isinstance(v, dict):
        if not v:
            out.append(" {}\n")
        else:
            out.append("\n")
            yaml_emit(v, indent + 2, out)
    elif isinstance(v, list):
        if not v:
            out.append(" []\n")
        else:
            out.append("\n")
            # block sequences under a mapping key are written at the key's
            # indentation + 2 (the other common style, same indent, is also
            # valid; we use it for 'tags' to exercise both).
            yaml_emit(v, indent + 2, out)
    else:
        raise TypeError(type(v))


# --------------------------------------------------------------------------
# JSON emitter (pretty, indent 2, or minified)
# --------------------------------------------------------------------------

_jstr = json.encoder.encode_basestring  # C accelerated, keeps UTF-8 raw


def json_emit(node, indent, out, pretty):
    if isinstance(node, dict):
        if not node:
            out.append("{}")
            return
        if pretty:
            pad = "\n" + " " * (indent + 2)
            out.append("{")
            first = True
            for k, v in node.items():
                if first:
                    first = False
                    out.append(pad)
                else:
                    out.append("," + pad)
                out.append(_jstr(k))
                out.append(": ")
                json_emit(v, indent + 2, out, pretty)
            out.append("\n" + " " * indent + "}")
        else:
            out.append("{")
            first = True
            for k, v in node.items():
                if first:
                    first = False
                else:
                    out.append(",")
                out.append(_jstr(k))
                out.append(":")
                json_emit(v, indent, out, pretty)
            out.append("}")
    elif isinstance(node, list):
        if not node:
            out.append("[]")
            return
        if pretty:
            pad = "\n" + " " * (indent + 2)
            out.append("[")
            first = True
            for v in node:
                if first:
                    first = False
                    out.append(pad)
                else:
                    out.append("," + pad)
                json_emit(v, indent + 2, out, pretty)
            out.append("\n" + " " * indent + "]")
        else:
            out.append("[")
            first = True
            for v in node:
                if first:
                    first = False
                else:
                    out.append(",")
                json_emit(v, indent, out, pretty)
            out.append("]")
    elif isinstance(node, str):
        out.append(_jstr(node))
    elif isinstance(node, bool):
        out.append("true" if node else "false")
    elif isinstance(node, int):
        out.append(str(node))
    elif node is None:
        out.append("null")
    else:
        raise TypeError(type(node))


# --------------------------------------------------------------------------
# The API model
# --------------------------------------------------------------------------

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
           "ap-northeast-1", "sa-east-1"]
ACCOUNT = "123456789012"
RESOURCES = ["users", "orders", "items", "pets", "photos", "invoices", "payments",
             "accounts", "sessions", "devices", "reports", "tickets", "comments",
             "products", "carts", "shipments", "notifications", "files", "tenants",
             "webhooks", "jobs", "metrics", "events", "subscriptions", "coupons"]
SUBRES = ["history", "status", "attachments", "settings", "members", "tags",
          "summary", "audit", "preview", "export", "refunds", "thumbnails"]
VERSIONS = ["v1", "v2", "api", "internal", "public", "beta"]
METHODS = ["get", "post", "put", "delete", "patch", "head", "options"]
ANY = "x-amazon-apigateway-any-method"
DESCR = [
    "Returns the requested resource.",
    "Creates a new entry; the payload is validated by the backend.",
    "Größe und Maße – ändert den Eintrag (café, naïve, 東京, Ελληνικά).",
    "Deletes the resource. Idempotent: deleting twice returns 404.",
    "Proxy for the legacy backend \"orders-v1\"; see runbook #42.",
    "Lists entries, paginated with ?nextToken=…",
    "Emoji status 🚀 – returns 200 with an empty body",
]
HEADERS_STATIC = [
    ("Access-Control-Allow-Origin", "'*'"),
    ("Access-Control-Allow-Methods", "'GET,OPTIONS,POST,PUT,DELETE'"),
    ("Access-Control-Allow-Headers",
     "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'"),
    ("Cache-Control", "'no-store, max-age=0'"),
    ("Strict-Transport-Security", "'max-age=63072000; includeSubDomains'"),
    ("Content-Type", "'application/json'"),
    ("X-Frame-Options", "'DENY'"),
]
HEADERS_MAPPED = [
    ("X-Request-Id", "integration.response.header.x-amzn-RequestId"),
    ("ETag", "integration.response.header.ETag"),
    ("Location", "integration.response.body.location"),
    ("X-Total-Count", "integration.response.body.total"),
    ("Content-Type", "integration.response.header.Content-Type"),
    ("Last-Modified", "integration.response.header.Last-Modified"),
    ("X-RateLimit-Remaining", "integration.response.header.X-RateLimit-Remaining"),
]
ERROR_PATTERNS = [
    ("400", r".*\[BadRequest\].*"),
    ("400", r"4\d{2}"),
    ("400", r".*\"errorType\":\s*\"ValidationError\".*"),
    ("401", r".*Unauthorized.*"),
    ("403", r"(?i).*forbidden.*|.*AccessDenied.*"),
    ("404", r".*Not ?Found.*"),
    ("404", r"404|410"),
    ("409", r".*'ConditionalCheckFailedException'.*"),
    ("422", r"^\{\"code\":\s*422.*\}$"),
    ("429", r".*(Throttl|TooManyRequests).*"),
    ("500", r".*Error.*"),
    ("500", r"5\d{2}"),
    ("502", r"Task timed out after \d+\.\d+ seconds"),
    ("503", r"^\[(ServiceUnavailable|Retry)\]\s.+"),
    ("504", r"(\n|.)*timeout(\n|.)*"),
]
SUCCESS_PATTERNS = [("200", r"2\d{2}"), ("201", r"201|202"), ("204", r"204|\s*"),
                    ("200", r"(?s)^\{.*\}$")]
# Selection patterns that are plain integers.  JavaScript objects list such
# keys first, so a JS peer reorders them: only with --numeric-patterns.
NUMERIC_ERROR_PATTERNS = [("404", "404"), ("500", "500"), ("400", "400")]
NUMERIC_SUCCESS_PATTERNS = [("201", "201")]
CONTENT_HANDLING = ["CONVERT_TO_TEXT", "CONVERT_TO_BINARY"]
MEDIA = ["application/json", "application/xml", "text/html", "text/plain"]


def vtl_template(rng, res, status):
    """A response mapping template (VTL); several shapes, most multi-line."""
    k = rng.randrange(9)
    field = res[:-1] if res.endswith("s") else res
    if k == 0:
        return "$input.json('$')"
    if k == 1:
        return "{\"message\": $input.json('$.errorMessage')}"
    if k == 2:
        return ("#set($inputRoot = $input.path('$'))\n"
                "{\n"
                "  \"" + field + "Id\": \"$inputRoot." + field + "Id\",\n"
                "  \"name\": \"$util.escapeJavaScript($inputRoot.name)\",\n"
                "  \"note\": \"Größe – café ✓ \\\"quoted\\\" 'single'\",\n"
                "  \"items\": [\n"
                "#foreach($elem in $inputRoot.items)\n"
                "    {\n"
                "      \"sku\": \"$elem.sku\",\n"
                "      \"qty\": $elem.qty\n"
                "    }#if($foreach.hasNext),#end\n"
                "#end\n"
                "  ]\n"
                "}\n")
    if k == 3:
        return ("#set($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n"
                "#set($context.responseOverride.status = " + status + ")\n"
                "{\n"
                "  \"type\" : \"$errorMessageObj.errorType\",\n"
                "  \"message\" : \"$errorMessageObj.message\",\n"
                "  \"request-id\" : \"$errorMessageObj.requestId\"\n"
                "}")
    if k == 4:
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "#set($root = $input.path('$'))\n"
                "<" + field + " id=\"$root.id\">\n"
                "  <name>$util.escapeJavaScript($root.name).replaceAll(\"\\\\'\",\"'\")</name>\n"
                "  <emoji>🚀 東京</emoji>\n"
                "</" + field + ">\n")
    if k == 5:
        return ("#set($allParams = $input.params())\n"
                "{\n"
                "\"params\" : {\n"
                "#foreach($type in $allParams.keySet())\n"
                "  #set($params = $allParams.get($type))\n"
                "  \"$type\" : {\n"
                "  #foreach($paramName in $params.keySet())\n"
                "    \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n"
                "    #if($foreach.hasNext),#end\n"
                "  #end\n"
                "  }\n"
                "  #if($foreach.hasNext),#end\n"
                "#end\n"
                "},\n"
                "\"stage\" : \"$context.stage\"\n"
                "}\n\n")
    if k == 6:
        return "{\"statusCode\": " + status + ", \"body\": $input.json('$.body')}"
    if k == 7:
        return ("  #set($body = $input.path('$'))\n"
                "  $body.Payload\n")
    return ("## comment: \\ backslash, {braces}, $dollar\n"
            "#if($input.path('$.errorType') == \"NotFound\")\n"
            "#set($context.responseOverride.status = 404)\n"
            "#end\n"
            "$input.path('$')")


def response_params(rng, headers_out):
    params = {}
    n = rng.randrange(0, 4)
    for _ in range(n):
        if rng.random() < 0.5:
            name, val = rng.choice(HEADERS_STATIC)
        else:
            name, val = rng.choice(HEADERS_MAPPED)
        params["method.response.header." + name] = val
        headers_out.add(name)
    return params


def integration_responses(rng, res, declared, numeric):
    """1-6 integration responses; declared: status -> set of header names."""
    out = {}
    n = rng.randrange(1, 7)
    pats = []
    if rng.random() < 0.8:
        pats.append(("default", rng.choice(["200", "200", "201", "204"])))
    else:
        code, pat = rng.choice(SUCCESS_PATTERNS + (NUMERIC_SUCCESS_PATTERNS if numeric else []))
        pats.append((pat, code))
    # API Gateway keeps one integration response per status code, so a valid
    # document uses each status code once per integration.
    used = {pats[0][1]}
    pool = ERROR_PATTERNS + (NUMERIC_ERROR_PATTERNS if numeric else [])
    for code, pat in rng.sample(pool, len(pool)):
        if len(pats) >= n:
            break
        if code not in used:
            used.add(code)
            pats.append((pat, code))
    if rng.random() < 0.03:
        # the other spellings of "no selection pattern" (rare)
        pats[0] = (rng.choice(["", "-"]), pats[0][1])
    for key, code in pats:
        headers = declared.setdefault(code, set())
        r = {}
        r["statusCode"] = int(code) if rng.random() < 0.1 else code
        if rng.random() < 0.75:
            p = response_params(rng, headers)
            if p or rng.random() < 0.05:
                r["responseParameters"] = p
        elif rng.random() < 0.05:
            r["responseParameters"] = None
        t = rng.random()
        if t < 0.7:
            tmpl = {}
            for mt in rng.sample(MEDIA, rng.choice([1, 1, 1, 2])):
                tmpl[mt] = vtl_template(rng, res, code)
            if rng.random() < 0.03:
                tmpl["text/plain"] = None
            r["responseTemplates"] = tmpl
        elif t < 0.73:
            r["responseTemplates"] = {}
        if rng.random() < 0.1:
            r["contentHandling"] = rng.choice(CONTENT_HANDLING)
        elif rng.random() < 0.02:
            r["contentHandling"] = None
        out[key] = r
    return out


def lambda_uri(region, rng, name):
    fn = "arn:aws:lambda:%s:%s:function:%s" % (region, ACCOUNT, name)
    if rng.random() < 0.15:
        fn += ":${stageVariables.alias}"
    return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
            % (region, fn))


def aws_service_uri(rng, region, res):
    k = rng.randrange(6)
    if k == 0:
        return "arn:aws:apigateway:%s:dynamodb:action/%s" % (
            region, rng.choice(["PutItem", "GetItem", "Query", "UpdateItem", "DeleteItem"]))
    if k == 1:
        return "arn:aws:apigateway:%s:s3:path/%s-bucket/{key}" % (region, res)
    if k == 2:
        return "arn:aws:apigateway:%s:sqs:path/%s/%s-queue" % (region, ACCOUNT, res)
    if k == 3:
        return "arn:aws:apigateway:%s:kinesis:action/PutRecord" % region
    if k == 4:
        return "arn:aws:apigateway:%s:states:action/StartExecution" % region
    return "arn:aws:apigateway:%s:sns:action/Publish" % region


class Api:
    def __init__(self, seed, spec, numeric=False):
        self.seed = seed
        self.spec = spec
        self.numeric = numeric
        self.schemas = set()

    def path(self, i):
        """(path key, path item) for path number i; depends only on seed, i."""
        rng = random.Random("%s:%d" % (self.seed, i))
        region = rng.choice(REGIONS)
        res = rng.choice(RESOURCES)
        ver = rng.choice(VERSIONS)
        proxy = rng.random() < 0.08
        params = []
        if proxy:
            key = "/%s/%s%d/{proxy+}" % (ver, res, i)
            params = ["proxy"]
        else:
            shape = rng.randrange(4)
            field = (res[:-1] if res.endswith("s") else res) + "Id"
            if shape == 0:
                key = "/%s/%s%d" % (ver, res, i)
            elif shape == 1:
                key = "/%s/%s%d/{%s}" % (ver, res, i, field)
                params = [field]
            elif shape == 2:
                sub = rng.choice(SUBRES)
                key = "/%s/%s%d/{%s}/%s" % (ver, res, i, field, sub)
                params = [field]
            else:
                sub = rng.choice(SUBRES)
                sub1 = sub[:-1] if sub.endswith("s") and sub != "status" else sub
                key = "/%s%d/{%s}/%s/{%sId}" % (res, i, field, sub, sub1)
                params = [field, sub1 + "Id"]
        item = {}
        if rng.random() < 0.15:
            item["summary"] = "Operations on %s" % res
        if params and rng.random() < 0.3:
            item["parameters"] = [self.param(p, "path") for p in params]
        if proxy:
            methods = [ANY] if rng.random() < 0.7 else [ANY, "options"]
        else:
            m = rng.sample(METHODS, rng.randrange(1, 6))
            if rng.random() < 0.1:
                m.insert(rng.randrange(len(m) + 1), ANY)
            methods = m
        for meth in methods:
            item[meth] = self.operation(rng, region, res, meth, params, proxy, i)
        if rng.random() < 0.05:
            item["x-amazon-apigateway-documentation"] = {"note": "not a method"}
        return key, item

    def param(self, name, where, required=True):
        if self.spec == "swagger2":
            return {"name": name, "in": where, "required": required, "type": "string"}
        return {"name": name, "in": where, "required": required,
                "schema": {"type": "string"}}

    def operation(self, rng, region, res, meth, params, proxy, i):
        op = {}
        if rng.random() < 0.6:
            op["tags"] = [res]
        op["summary"] = "%s %s" % (meth.upper() if meth != ANY else "ANY", res)
        if rng.random() < 0.4:
            op["description"] = rng.choice(DESCR)
        op["operationId"] = "%s%s%d" % (meth.replace("-", "_") if meth != ANY else "any",
                                        res.capitalize(), i)
        plist = [self.param(p, "path") for p in params]
        if rng.random() < 0.4:
            plist.append(self.param("limit", "query", False))
        if rng.random() < 0.2:
            plist.append(self.param("X-Correlation-Id", "header", False))
        model = res.capitalize() + "Model"
        self.schemas.add(model)
        if self.spec == "swagger2":
            op["consumes"] = ["application/json"]
            op["produces"] = ["application/json"]
            if meth in ("post", "put", "patch"):
                plist.append({"in": "body", "name": model, "required": True,
                              "schema": {"$ref": "#/definitions/" + model}})
        elif meth in ("post", "put", "patch"):
            op["requestBody"] = {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/" + model}}}, "required": True}
        if plist:
            op["parameters"] = plist

        # integration
        if proxy:
            itype = "aws_proxy" if rng.random() < 0.7 else "http_proxy"
        elif meth == "options":
            itype = "mock"
        else:
            itype = rng.choices(["aws", "aws_proxy", "http", "http_proxy", "mock", "awsservice"],
                                [30, 25, 15, 10, 10, 10])[0]
        integ = {}
        declared = {}
        fname = "%s-%s-%d" % (res, meth if meth != ANY else "any", i)
        if itype in ("aws", "aws_proxy"):
            integ["type"] = itype
            integ["httpMethod"] = "POST"
            integ["uri"] = lambda_uri(region, rng, fname)
            if rng.random() < 0.3:
                integ["credentials"] = "arn:aws:iam::%s:role/apigw-invoke-%s" % (ACCOUNT, res)
        elif itype == "awsservice":
            integ["type"] = "aws"
            integ["httpMethod"] = "POST"
            integ["uri"] = aws_service_uri(rng, region, res)
            integ["credentials"] = "arn:aws:iam::%s:role/apigw-%s-role" % (ACCOUNT, res)
            integ["requestParameters"] = {
                "integration.request.header.Content-Type": "'application/x-amz-json-1.0'"}
        elif itype in ("http", "http_proxy"):
            integ["type"] = itype
            integ["httpMethod"] = meth.upper() if meth != ANY else "ANY"
            path = "/".join("{%s}" % p for p in params)
            integ["uri"] = "https://backend-%d.example.com/%s/%s" % (i % 7, res, path)
            if params:
                integ["requestParameters"] = {
                    "integration.request.path.%s" % p: "method.request.path.%s" % p
                    for p in params}
            integ["connectionType"] = "INTERNET"
        else:
            integ["type"] = "mock"
            integ["requestTemplates"] = {"application/json": "{\"statusCode\": 200}"}
        if itype in ("aws", "awsservice", "http"):
            integ["requestTemplates"] = {"application/json": (
                "#set($inputRoot = $input.path('$'))\n"
                "{\n  \"body\": $input.json('$'),\n"
                "  \"requestId\": \"$context.requestId\",\n"
                "  \"caller\": \"$util.escapeJavaScript($context.identity.caller)\"\n}\n")}
        integ["passthroughBehavior"] = rng.choice(["when_no_match", "when_no_templates", "never"])
        if rng.random() < 0.5:
            integ["timeoutInMillis"] = rng.choice([29000, 10000, 5000])
        if rng.random() < 0.1:
            integ["contentHandling"] = "CONVERT_TO_TEXT"
        if itype in ("aws", "awsservice", "http") or (itype == "mock" and rng.random() < 0.9):
            if rng.random() < 0.04:
                integ["responses"] = {}
            else:
                integ["responses"] = integration_responses(rng, res, declared, self.numeric)
        elif rng.random() < 0.3:
            integ["responses"] = {"default": {"statusCode": "200"}}  # ignored by AWS for proxies
            declared.setdefault("200", set())

        # method responses (declare every status and header the integration uses)
        responses = {}
        if not declared:
            declared["200"] = set()
        for code in sorted(declared):
            r = {"description": "%s response" % code}
            if self.spec == "swagger2":
                if code != "204":
                    r["schema"] = {"$ref": "#/definitions/" + (model if code < "300" else "Error")}
                if declared[code]:
                    r["headers"] = {h: {"type": "string"} for h in sorted(declared[code])}
            else:
                if declared[code]:
                    r["headers"] = {h: {"schema": {"type": "string"}}
                                    for h in sorted(declared[code])}
                if code != "204":
                    r["content"] = {"application/json": {"schema": {
                        "$ref": "#/components/schemas/" + (model if code < "300" else "Error")}}}
            responses[code] = r
        op["responses"] = responses
        if rng.random() < 0.3:
            op["security"] = [{"api_key": []}]
        op["x-amazon-apigateway-integration"] = integ
        return op

    def head(self):
        info = {"title": "bench-api-%s" % self.seed, "version": "2024-05-01T10:00:00Z",
                "description": "Generated benchmark API (seed %s) – ünïcödé ✓" % self.seed}
        if self.spec == "swagger2":
            return {"swagger": "2.0", "info": info,
                    "host": "abc123defg.execute-api.us-east-1.amazonaws.com",
                    "basePath": "/prod", "schemes": ["https"]}
        return {"openapi": "3.0.1", "info": info,
                "servers": [{"url": "https://abc123defg.execute-api.us-east-1.amazonaws.com/{basePath}",
                             "variables": {"basePath": {"default": "prod"}}}]}

    def tail(self):
        schemas = {}
        for name in sorted(self.schemas) + ["Error"]:
            schemas[name] = {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "name": {"type": "string"},
                "count": {"type": "integer", "format": "int32"}}}
        sec = {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
        t = {}
        if self.spec == "swagger2":
            t["securityDefinitions"] = sec
            t["definitions"] = schemas
        else:
            t["components"] = {"schemas": schemas, "securitySchemes": sec}
        t["x-amazon-apigateway-binary-media-types"] = ["image/png", "application/octet-stream"]
        t["x-amazon-apigateway-request-validators"] = {
            "all": {"validateRequestBody": True, "validateRequestParameters": True}}
        # gateway responses carry responseParameters/Templates too: not records
        t["x-amazon-apigateway-gateway-responses"] = {
            "DEFAULT_4XX": {"responseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                "responseTemplates": {"application/json": "{\"message\":$context.error.messageString}"}},
        }
        return t


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

class YamlWriter:
    def __init__(self, f):
        self.f = f
        self.size = 0

    def _w(self, s):
        b = s.encode("utf-8")
        self.f.write(b)
        self.size += len(b)

    def head(self, head):
        out = []
        yaml_emit(head, 0, out)
        out.append("paths:\n")
        self._w("".join(out))

    def path(self, key, item, first):
        out = ["  ", yaml_scalar(key), ":\n"]
        yaml_emit(item, 4, out)
        self._w("".join(out))

    def tail(self, tail, empty):
        if empty:
            # "paths:" followed by nothing would be null
            self._w("  {}\n")
        out = []
        yaml_emit(tail, 0, out)
        self._w("".join(out))


class JsonWriter:
    def __init__(self, f, pretty):
        self.f = f
        self.pretty = pretty
        self.size = 0

    def _w(self, s):
        b = s.encode("utf-8")
        self.f.write(b)
        self.size += len(b)

    def head(self, head):
        out = []
        json_emit(head, 0, out, self.pretty)
        s = "".join(out)[:-2 if self.pretty else -1]  # drop the closing brace
        self._w(s + (',\n  "paths": {' if self.pretty else ',"paths":{'))

    def path(self, key, item, first):
        out = []
        if self.pretty:
            out.append("\n    " if first else ",\n    ")
            out.append(_jstr(key))
            out.append(": ")
            json_emit(item, 4, out, True)
        else:
            if not first:
                out.append(",")
            out.append(_jstr(key))
            out.append(":")
            json_emit(item, 0, out, False)
        self._w("".join(out))

    def tail(self, tail, empty):
        out = []
        json_emit(tail, 0, out, self.pretty)
        s = "".join(out)
        if self.pretty:
            self._w(("\n  }" if not empty else "}") + ",\n  " + s[4:] + "\n")
        else:
            self._w("}," + s[1:])


def parse_size(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KkMmGg]?)B?", s)
    if not m:
        raise argparse.ArgumentTypeError("bad size: %r (e.g. 50K, 10M)" % s)
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--size", type=parse_size, help="target size of the first output (50K, 1M, 100M)")
    g.add_argument("--paths", type=int, help="number of paths")
    ap.add_argument("--seed", default="1", help="seed (default 1)")
    ap.add_argument("--spec", choices=["oas3", "swagger2"], default="oas3")
    ap.add_argument("--json-style", choices=["pretty", "minified"], default="pretty")
    ap.add_argument("--numeric-patterns", action="store_true",
                    help="also use plain-integer selection patterns (\"404\"); "
                         "JavaScript peers reorder those")
    ap.add_argument("-o", "--output", action="append", required=True,
                    help="output file; .json => JSON, anything else => YAML; repeatable")
    a = ap.parse_args(argv)

    api = Api(a.seed, a.spec, a.numeric_patterns)
    files, writers = [], []
    for path in a.output:
        f = open(path, "wb")
        files.append(f)
        if path.endswith(".json"):
            writers.append(JsonWriter(f, a.json_style == "pretty"))
        else:
            writers.append(YamlWriter(f))
    head = api.head()
    for w in writers:
        w.head(head)
    n = 0
    while True:
        if a.paths is not None:
            if n >= a.paths:
                break
        elif writers[0].size >= a.size:
            break
        key, item = api.path(n)
        for w in writers:
            w.path(key, item, n == 0)
        n += 1
    tail = api.tail()
    for w in writers:
        w.tail(tail, n == 0)
    for f in files:
        f.close()
    sys.stderr.write("paths=%d %s\n" % (n, " ".join(
        "%s=%d" % (p, w.size) for p, w in zip(a.output, writers))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
