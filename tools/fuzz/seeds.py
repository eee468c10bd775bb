#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets into OUTDIR/<target>/.

Usage: seeds.py OUTDIR

Sources (nothing big is committed; the seeds are made at run time):
  - OpenAPI documents: testdata/ (including testdata/hostile/ and
    testdata/fuzz/ inputs) and ../shared/testdata/external/, up to 256 KiB
    each, for fuzz_load, fuzz_extract, fuzz_validate and fuzz_merge (the
    latter also with edit scripts appended after the separator);
  - selection patterns, mapping expressions, header keys and media types
    taken from those documents, for fuzz_checks;
  - the SigV4 suite (../shared/testdata/sigv4/*/*.req) and the API Gateway
    vectors (../shared/testdata/sigv4-apigateway/*.json), for fuzz_sigv4;
  - recorded error responses (testdata/aws/errors/*/response.http), for
    fuzz_aws_responses;
  - the small hand-made seeds committed under tools/fuzz/seeds/<target>/.
"""
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
MAX_SEED = 256 * 1024
SEPARATOR = b'\n#%%FUZZ%%\n'
SCRIPTS = [b'', b'\x01\x00\x05', b'\x02\x00\x03\x03\x00\x07',
           b'\x08\x00\x11\x05\x01\x02', b'\x0a\x00\x00', b'\x00\x00\x00',
           b'\x03\x00\x14\x07\x00\x01\x09\x00\x01']


def put(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def documents():
    roots = [os.path.join(ROOT, 'testdata'),
             os.path.join(SHARED, 'testdata', 'external')]
    for top in roots:
        for dirpath, _, files in os.walk(top):
            for fn in sorted(files):
                if not re.search(r'\.(ya?ml|json)$', fn) and fn != 'input':
                    continue
                p = os.path.join(dirpath, fn)
                if os.path.getsize(p) <= MAX_SEED:
                    # hostile and fuzz inputs are not parsed for check
                    # seeds: alias bombs and self-aliases would hang it
                    trusted = os.sep + 'hostile' + os.sep not in p and \
                        os.sep + 'fuzz' + os.sep not in p
                    with open(p, 'rb') as f:
                        yield f.read(), trusted


class Budget(Exception):
    """Raised when a walk visits too many nodes (aliases expand)."""


def walk_values(node, out, budget=None):
    """Collects the checkable strings of integration responses."""
    budget = budget if budget is not None else [100000]
    budget[0] -= 1
    if budget[0] < 0:
        raise Budget()
    if isinstance(node, dict):
        integ = node.get('x-amazon-apigateway-integration')
        if isinstance(integ, dict) and isinstance(integ.get('responses'),
                                                  dict):
            for key, entry in integ['responses'].items():
                out.append(b'\x00' + str(key).encode())
                if not isinstance(entry, dict):
                    continue
                params = entry.get('responseParameters') or {}
                if isinstance(params, dict):
                    for k, v in params.items():
                        out.append(b'\x02' + str(k).encode())
                        out.append(b'\x01' + str(v).encode())
                tmpl = entry.get('responseTemplates') or {}
                if isinstance(tmpl, dict):
                    for k in tmpl:
                        out.append(b'\x03' + str(k).encode())
                out.append(b'\x04' + str(entry.get('statusCode')).encode())
                out.append(b'\x05' + str(entry.get('contentHandling'))
                           .encode())
        for v in node.values():
            walk_values(v, out, budget)
    elif isinstance(node, list):
        for v in node:
            walk_values(v, out, budget)


def check_seeds(doc):
    try:
        import yaml
        tree = yaml.load(doc, Loader=getattr(yaml, 'CSafeLoader',
                                              yaml.SafeLoader))
    except Exception:
        return []
    out = []
    try:
        walk_values(tree, out)
    except (RecursionError, Budget):
        pass
    return out


def sigv4_seeds():
    base = os.path.join(SHARED, 'testdata', 'sigv4')
    for dirpath, _, files in os.walk(base):
        for fn in files:
            if not fn.endswith('.req'):
                continue
            with open(os.path.join(dirpath, fn), 'rb') as f:
                raw = f.read()
            head, _, body = raw.partition(b'\n\n')
            lines = head.split(b'\n')
            parts = lines[0].split(b' ')
            if len(parts) < 3:
                continue
            target = b' '.join(parts[1:-1])
            path, _, query = target.partition(b'?')
            headers = [h for h in lines[1:]
                       if not h.lower().startswith(b'x-amz-date')]
            yield (parts[0] + b'\n' + path + b'\n' + query + b'\n' +
                   b'\n'.join(headers) + b'\n\n' + body)
    base = os.path.join(SHARED, 'testdata', 'sigv4-apigateway')
    if os.path.isdir(base):
        for fn in sorted(os.listdir(base)):
            if not fn.endswith('.json'):
                continue
            with open(os.path.join(base, fn)) as f:
                case = json.load(f)
            req = case.get('request', {})
            hs = [('%s:%s' % (n, v)).encode()
                  for n, v in req.get('headers', [])]
            yield (req.get('method', 'GET').encode() + b'\n' +
                   req.get('path', '/').encode() + b'\n' +
                   req.get('query', '').encode() + b'\n' + b'\n'.join(hs) +
                   b'\n\n' + req.get('body', '').encode())


def response_seeds():
    base = os.path.join(ROOT, 'testdata', 'aws', 'errors')
    if not os.path.isdir(base):
        return
    for case in sorted(os.listdir(base)):
        p = os.path.join(base, case, 'response.http')
        if not os.path.exists(p):
            continue
        with open(p, 'rb') as f:
            raw = f.read().replace(b'\r\n', b'\n')
        head, _, body = raw.partition(b'\n\n')
        lines = head.split(b'\n')
        m = re.match(rb'HTTP/\S+ (\d+)', lines[0])
        status = int(m.group(1)) if m else 500
        # the target maps two bytes to 100 + (x % 500)
        x = status - 100
        yield (b'\x00' + bytes([x >> 8, x & 0xff]) + b'\n'.join(lines[1:]) +
               b'\n\n' + body)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    n = {}
    for doc, trusted in documents():
        for t in ('fuzz_load', 'fuzz_extract', 'fuzz_validate'):
            put(outdir, t, doc)
        for s in SCRIPTS:
            put(outdir, 'fuzz_merge', doc + (SEPARATOR + s if s else b''))
        for c in check_seeds(doc) if trusted else []:
            put(outdir, 'fuzz_checks', c)
    for s in sigv4_seeds():
        put(outdir, 'fuzz_sigv4', s)
    for s in response_seeds():
        put(outdir, 'fuzz_aws_responses', s)
    committed = os.path.join(HERE, 'seeds')
    for target in sorted(os.listdir(committed)):
        d = os.path.join(committed, target)
        for fn in sorted(os.listdir(d)):
            with open(os.path.join(d, fn), 'rb') as f:
                put(outdir, target, f.read())
    for t in sorted(os.listdir(outdir)):
        n[t] = len(os.listdir(os.path.join(outdir, t)))
    print(' '.join('%s=%d' % kv for kv in sorted(n.items())))


if __name__ == '__main__':
    main()
