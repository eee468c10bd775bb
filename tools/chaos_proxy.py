#!/usr/bin/env python3
"""HTTP proxy in front of moto_server that behaves more like AWS.

Usage:
  chaos_proxy.py --upstream http://127.0.0.1:PORT [--port 0]
                 [--config JSON-or-FILE] [--access-key testing]
                 [--secret testing] [--log FILE]

Prints "PORT=<n>" as the first stdout line once listening and serves until
SIGTERM/SIGINT.  Every request except the control endpoint (/__chaos/...)
goes through: latency, SigV4 verification (moto never checks signatures),
token-bucket throttling, scheduled fault injection, then is forwarded
byte-for-byte to moto (path and query as received); GetResources is
paginated here because moto ignores limit/position.  Settings can be given
at start (--config) and changed at run time (POST /__chaos/config).
Documentation: tools/README.md.  Python 3 stdlib + botocore.
"""
import argparse
import base64
import copy
import datetime
import hashlib
import http.client
import http.server
import json
import math
import os
import random
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import uuid

from botocore.auth import SigV4Auth
from botocore.compat import HTTPHeaders
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import normalize_url_path
import botocore.loaders

MAX_BODY = 16 * 1024 * 1024          # request bodies (PutRestApi allows 6 MB)
MAX_UPSTREAM_BODY = 64 * 1024 * 1024
MAX_THREADS = 64
IDLE_TIMEOUT = 30                     # seconds a keep-alive connection may idle
MAX_WRITES = 10000                    # entries kept in stats["writes"]
MAX_LEARNED = 1000                    # temporary credentials learned from STS
CONTROL_PREFIX = '/__chaos/'

HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate',
              'proxy-authorization', 'te', 'trailer', 'trailers',
              'transfer-encoding', 'upgrade', 'expect', 'content-length',
              'proxy-connection'}
SECRET_HEADERS = {'authorization', 'x-amz-security-token'}
UNSIGNED_STS_ACTIONS = {'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'}

SIG_MISMATCH = ('The request signature we calculated does not match the '
                'signature you provided. Check your AWS Secret Access Key and '
                'signing method. Consult the service documentation for '
                'details.')
CONFLICT_MSG = ('Unable to complete operation due to concurrent modification.'
                ' Please try again later.')

# AWS API Gateway control-plane quotas (reference/apigateway.md section 9.3)
AWS_THROTTLE = {
    'rate': 10, 'burst': 40, 'retry_after': 1,
    'operations': {
        'PutRestApi': {'rate': 1, 'burst': 1},
        'ImportRestApi': {'rate': 1 / 3, 'burst': 1},
        'CreateRestApi': {'rate': 1 / 3, 'burst': 1},
        'GetResources': {'rate': 2.5, 'burst': 5},
        'CreateDeployment': {'rate': 0.2, 'burst': 1},
        'CreateResource': {'rate': 5, 'burst': 5},
        'DeleteResource': {'rate': 5, 'burst': 5},
        'DeleteRestApi': {'rate': 1 / 30, 'burst': 1},
    },
}

DEFAULTS = {
    'verify_signature': True,
    'credentials': {},
    'learn_sts_credentials': True,
    'max_skew': 300,
    'latency_ms': 0,
    'throttle': None,
    'faults': [],
    'seed': 0,
    'paginate': True,
    'page_size': 25,
    'error_type_suffix': False,
    'upstream_timeout': 120,
}

ACTIONS = {'conflict', 'limit', 'throttle', 'error', 'reset', 'delay',
           'status'}


class ConfigError(ValueError):
    pass


# ---------------------------------------------------------------- naming

class OperationNamer:
    """Operation name from method + path shape, using botocore's API Gateway
    model (requestUri templates); STS and others as "<service>:<Action>"."""

    def __init__(self):
        model = botocore.loaders.Loader().load_service_model(
            'apigateway', 'service-2')
        self.ops = []
        for name, op in model['operations'].items():
            uri = op['http']['requestUri']
            path, _, q = uri.partition('?')
            segs = [s for s in path.split('/') if s]
            self.ops.append((op['http']['method'], segs,
                             urllib.parse.parse_qsl(q), name))

    @staticmethod
    def _seg_match(tmpl, segs):
        """Returns a specificity key or None."""
        key = []
        for i, t in enumerate(tmpl):
            if t.startswith('{') and t.endswith('+}'):
                return tuple(key + [0]) if i < len(segs) else None
            if i >= len(segs):
                return None
            if t.startswith('{'):
                key.append(0)
            elif t == segs[i]:
                key.append(1)
            else:
                return None
        return tuple(key) if len(tmpl) == len(segs) else None

    def apigateway(self, method, path, query_pairs):
        segs = [s for s in path.split('/') if s]
        best = None
        qd = dict(query_pairs)
        for m, tmpl, req_q, name in self.ops:
            if m != method:
                continue
            if any(qd.get(k) != v for k, v in req_q):
                continue
            key = self._seg_match(tmpl, segs)
            if key is None:
                continue
            cand = (len(req_q), key)
            if best is None or cand > best[0]:
                best = (cand, name)
        if best:
            return best[1]
        shape = '/'.join(s if i % 2 == 0 else '{}' for i, s in enumerate(segs))
        return '%s /%s' % (method, shape)


# ---------------------------------------------------------------- SigV4

class _Verifier(SigV4Auth):
    """SigV4Auth computing over exactly the headers the client signed, the
    path bytes as received and a strictly canonicalised query."""

    def __init__(self, credentials, service, region, signed, query):
        super().__init__(credentials, service, region)
        self._signed = signed      # list of (lname, [values])
        self._query = query        # raw query string

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name, values in self._signed:
            for v in values:
                hm[name] = v
        return hm

    def canonical_query_string(self, request):
        return canonical_query(self._query)

    def _normalize_url_path(self, path):
        norm = normalize_url_path(path) or '/'
        return urllib.parse.quote_from_bytes(norm.encode('latin-1'),
                                             safe='/~')


def _qdecode(s):
    """Percent-decodes a query piece; s holds the wire bytes as latin-1
    (how http.server decodes the request line)."""
    return urllib.parse.unquote_to_bytes(
        s.replace('+', ' ').encode('latin-1', 'replace'))


def query_pairs(raw_query):
    """Raw query -> [(name, value)] decoded (a raw "+" is a space)."""
    out = []
    for piece in raw_query.split('&') if raw_query else []:
        if not piece:
            continue
        k, _, v = piece.partition('=')
        out.append((_qdecode(k).decode('utf-8', 'replace'),
                    _qdecode(v).decode('utf-8', 'replace')))
    return out


def canonical_query(raw_query):
    pairs = []
    for piece in raw_query.split('&') if raw_query else []:
        if not piece:
            continue
        k, _, v = piece.partition('=')
        pairs.append((urllib.parse.quote_from_bytes(_qdecode(k), safe='-_.~'),
                      urllib.parse.quote_from_bytes(_qdecode(v), safe='-_.~')))
    pairs.sort()
    return '&'.join('%s=%s' % p for p in pairs)


class SigError(Exception):
    def __init__(self, status, etype, message):
        super().__init__(message)
        self.status = status
        self.etype = etype
        self.message = message


def _fmt_amz(ts):
    return datetime.datetime.fromtimestamp(
        ts, datetime.timezone.utc).strftime('%Y%m%dT%H%M%SZ')


def parse_authorization(value):
    if value is None:
        raise SigError(403, 'IncompleteSignatureException',
                       'Request is missing Authentication Token')
    algo, _, rest = value.strip().partition(' ')
    if algo != 'AWS4-HMAC-SHA256':
        raise SigError(403, 'IncompleteSignatureException',
                       'Authorization header requires the '
                       'AWS4-HMAC-SHA256 algorithm.')
    fields = {}
    for part in rest.split(','):
        k, eq, v = part.strip().partition('=')
        if eq:
            fields[k] = v
    for need in ('Credential', 'SignedHeaders', 'Signature'):
        if not fields.get(need):
            raise SigError(403, 'IncompleteSignatureException',
                           "Authorization header requires '%s' parameter."
                           % need)
    scope = fields['Credential'].split('/')
    if len(scope) != 5 or scope[4] != 'aws4_request':
        raise SigError(403, 'IncompleteSignatureException',
                       'Credential should be scoped to a valid region, '
                       'service and terminator aws4_request.')
    return {'access_key': scope[0], 'date': scope[1], 'region': scope[2],
            'service': scope[3],
            'signed': fields['SignedHeaders'].split(';'),
            'signature': fields['Signature']}


def verify_sigv4(method, path, raw_query, headers, body, lookup, now=None,
                 max_skew=300):
    """Verifies one request.  headers: [(name, value)] as received;
    lookup(access_key) -> (secret, token-or-None) or None; now: epoch
    seconds (None = no clock check).  Returns the parsed Authorization;
    raises SigError."""
    hdrs = {}
    for n, v in headers:
        hdrs.setdefault(n.lower(), []).append(v)
    auth_vals = hdrs.get('authorization')
    auth = parse_authorization(auth_vals[0] if auth_vals else None)
    amz = (hdrs.get('x-amz-date') or [None])[0]
    if amz is None:
        raise SigError(403, 'IncompleteSignatureException',
                       "Authorization header requires existence of either a "
                       "'X-Amz-Date' or a 'Date' header.")
    try:
        ts = datetime.datetime.strptime(amz, '%Y%m%dT%H%M%SZ').replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        raise SigError(403, 'IncompleteSignatureException',
                       "X-Amz-Date must be in the ISO8601 Long Format "
                       "(yyyyMMdd'T'HHmmss'Z')")
    if auth['date'] != amz[:8]:
        raise SigError(403, 'InvalidSignatureException',
                       "Date in Credential scope does not match YYYYMMDD from "
                       "ISO-8601 version of date from HTTP: '%s' != '%s', from"
                       " '%s'." % (auth['date'], amz[:8], amz))
    if now is not None and max_skew is not None:
        if ts < now - max_skew:
            raise SigError(403, 'InvalidSignatureException',
                           'Signature expired: %s is now earlier than %s '
                           '(%s - %d sec.)' % (amz, _fmt_amz(now - max_skew),
                                               _fmt_amz(now), max_skew))
        if ts > now + max_skew:
            raise SigError(403, 'InvalidSignatureException',
                           'Signature not yet current: %s is still later than'
                           ' %s (%s + %d sec.)' % (amz,
                                                   _fmt_amz(now + max_skew),
                                                   _fmt_amz(now), max_skew))
    if 'host' not in auth['signed']:
        raise SigError(403, 'IncompleteSignatureException',
                       "'Host' or ':authority' must be a 'SignedHeader' in "
                       "the AWS Authorization.")
    known = lookup(auth['access_key'])
    if known is None:
        raise SigError(403, 'UnrecognizedClientException',
                       'The security token included in the request is '
                       'invalid.')
    secret, token = known
    if token is not None and (hdrs.get('x-amz-security-token') or
                              [None])[0] != token:
        raise SigError(403, 'UnrecognizedClientException',
                       'The security token included in the request is '
                       'invalid.')
    signed = []
    for name in auth['signed']:
        if name != name.lower() or name not in hdrs:
            raise SigError(403, 'InvalidSignatureException',
                           SIG_MISMATCH + " (signed header '%s' is not "
                           "present)" % name)
        signed.append((name, hdrs[name]))
    if auth['signed'] != sorted(auth['signed']):
        raise SigError(403, 'InvalidSignatureException',
                       SIG_MISMATCH + ' (SignedHeaders is not sorted)')
    sha_hdr = (hdrs.get('x-amz-content-sha256') or [None])[0]
    if sha_hdr is not None and sha_hdr != hashlib.sha256(body).hexdigest():
        raise SigError(400, 'InvalidSignatureException',
                       'x-amz-content-sha256 does not match the payload')
    host = hdrs['host'][0]
    if re.search(r'[\s/?#@]', host):
        raise SigError(400, 'BadRequestException', 'Invalid Host header')
    req = AWSRequest(method=method, url='http://' + host + path,
                     data=body or None)
    req.headers = HTTPHeaders()
    if sha_hdr is not None and 'x-amz-content-sha256' in auth['signed']:
        req.headers['X-Amz-Content-SHA256'] = sha_hdr
    req.context['timestamp'] = amz
    signer = _Verifier(Credentials(auth['access_key'], secret),
                       auth['service'], auth['region'], signed, raw_query)
    creq = signer.canonical_request(req)
    sts = signer.string_to_sign(req, creq)
    expected = signer.signature(sts, req)
    if not _consteq(expected, auth['signature']):
        shown = creq
        if 'x-amz-security-token' in auth['signed']:
            shown = re.sub(r'(?m)^(x-amz-security-token:).*$', r'\1<redacted>',
                           shown)
        raise SigError(403, 'InvalidSignatureException',
                       SIG_MISMATCH + "\n\nThe Canonical String for this "
                       "request should have been\n'" + shown + "'\n\nThe "
                       "String-to-Sign should have been\n'" + sts + "'\n")
    return auth


def _consteq(a, b):
    import hmac
    return hmac.compare_digest(a.encode(), b.encode('latin-1', 'replace'))


# ---------------------------------------------------------------- pagination

_TOKEN_MAGIC = b'\xfb\xff\xbf'     # base64 "+/+/": tokens always need encoding


def make_position(api_id, offset):
    raw = _TOKEN_MAGIC + ('%s:%d:' % (api_id, offset)).encode()
    raw += b'~' * ((1 - len(raw)) % 3)      # length % 3 == 1 -> "==" padding
    return base64.b64encode(raw).decode('ascii')


def parse_position(token, api_id):
    try:
        raw = base64.b64decode(token.encode('ascii'), validate=True)
        if not raw.startswith(_TOKEN_MAGIC):
            return None
        tid, off, _ = raw[len(_TOKEN_MAGIC):].decode('ascii').split(':')
        if tid != api_id or not off.isdigit():
            return None
        return int(off)
    except (ValueError, UnicodeError):
        return None


# ---------------------------------------------------------------- state

class Bucket:
    def __init__(self, rate, burst, now):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = self.burst
        self.t = now

    def take(self, now):
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def give_back(self):
        self.tokens = min(self.burst, self.tokens + 1.0)


class Rule:
    def __init__(self, spec, index):
        if not isinstance(spec, dict):
            raise ConfigError('fault rule %d: not an object' % index)
        known = {'name', 'method', 'path', 'query', 'operation', 'action',
                 'status', 'error_type', 'message', 'body', 'retry_after',
                 'delay_ms', 'phase', 'nth', 'skip', 'count', 'probability',
                 'max_fires'}
        extra = set(spec) - known
        if extra:
            raise ConfigError('fault rule %d: unknown keys %s'
                              % (index, sorted(extra)))
        self.spec = spec
        self.name = str(spec.get('name') or 'rule%d' % index)
        self.methods = _str_set(spec.get('method'), upper=True)
        self.operations = _str_set(spec.get('operation'))
        try:
            self.path = re.compile(spec['path']) if spec.get('path') else None
            self.query = (re.compile(spec['query']) if spec.get('query')
                          else None)
        except re.error as e:
            raise ConfigError('fault rule %s: bad regex: %s' % (self.name, e))
        self.action = spec.get('action', 'error')
        if self.action not in ACTIONS:
            raise ConfigError('fault rule %s: action must be one of %s'
                              % (self.name, sorted(ACTIONS)))
        default_status = {'conflict': 409, 'limit': 429, 'throttle': 429,
                          'error': 500, 'status': 500}.get(self.action)
        self.status = int(spec.get('status') or default_status or 0)
        if self.action in ('error', 'status') and not (
                100 <= self.status <= 599):
            raise ConfigError('fault rule %s: bad status' % self.name)
        if 'retry_after' in spec:
            self.retry_after = spec['retry_after']
        else:
            self.retry_after = 1 if self.action == 'throttle' else None
        _check_retry_after(self.retry_after, 'fault rule ' + self.name)
        self.delay_ms = _num(spec.get('delay_ms', 0), 'delay_ms')
        self.phase = spec.get('phase', 'before')
        if self.phase not in ('before', 'after'):
            raise ConfigError('fault rule %s: phase must be before|after'
                              % self.name)
        nth = spec.get('nth')
        if nth is None:
            self.nth = None
        else:
            self.nth = set(nth if isinstance(nth, list) else [nth])
            if not all(isinstance(n, int) and n >= 1 for n in self.nth):
                raise ConfigError('fault rule %s: nth must be integers >= 1'
                                  % self.name)
        self.skip = int(spec.get('skip', 0))
        self.count = spec.get('count')
        if self.count is not None:
            self.count = int(self.count)
        self.probability = spec.get('probability')
        if self.probability is not None:
            self.probability = _num(self.probability, 'probability')
            if self.probability > 1:
                raise ConfigError('probability must be <= 1')
        self.max_fires = spec.get('max_fires')
        self.matches = 0
        self.fires = 0

    def matches_request(self, method, path, query, op):
        if self.methods and method not in self.methods:
            return False
        if self.operations and op not in self.operations:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.query and not self.query.search(query):
            return False
        return True

    def decide(self, rng):
        """Called for each matching request (under the state lock)."""
        self.matches += 1
        n = self.matches
        scheduled = (self.nth is not None or self.count is not None
                     or self.probability is not None)
        fire = not scheduled
        if self.nth is not None and n in self.nth:
            fire = True
        if self.count is not None and self.skip < n <= self.skip + self.count:
            fire = True
        if self.probability is not None and rng.random() < self.probability:
            fire = True
        if fire and self.max_fires is not None and \
                self.fires >= self.max_fires:
            fire = False
        return fire


def _str_set(v, upper=False):
    if v is None:
        return None
    vals = v if isinstance(v, list) else [v]
    return {str(x).upper() if upper else str(x) for x in vals}


def _num(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ConfigError('%s must be a non-negative number' % what)
    return v


def _check_retry_after(v, what):
    if v is not None and (isinstance(v, bool) or not isinstance(v, int)
                          or v < 0):
        raise ConfigError('%s: retry_after must be an integer >= 0 or null'
                          % what)


def deep_merge(base, patch):
    out = dict(base)
    for k, v in patch.items():
        if v is None:
            out[k] = copy.deepcopy(DEFAULTS.get(k))
            if k not in DEFAULTS:
                out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


class State:
    def __init__(self, config):
        self.lock = threading.Lock()
        self.config = copy.deepcopy(DEFAULTS)
        self.rules = []
        self.buckets = None
        self.op_buckets = {}
        self.learned = {}
        self.rng = random.Random(0)
        self.apply(config or {})
        self.zero()

    # configuration -------------------------------------------------------
    def apply(self, patch):
        if not isinstance(patch, dict):
            raise ConfigError('config must be a JSON object')
        unknown = set(patch) - set(DEFAULTS)
        if unknown:
            raise ConfigError('unknown config keys: %s' % sorted(unknown))
        with self.lock:
            base = self.config
            if patch.get('throttle') == 'aws':
                # the preset replaces the throttle settings as a whole
                patch = dict(patch, throttle=copy.deepcopy(AWS_THROTTLE))
                base = dict(base, throttle=None)
            new = deep_merge(base, patch)
            rules = ([Rule(r, i) for i, r in enumerate(new['faults'])]
                     if 'faults' in patch else self.rules)
            if not isinstance(new['faults'], list):
                raise ConfigError('faults must be a list')
            self._check(new)
            self.config = new
            self.rules = rules
            if 'throttle' in patch:
                self._build_buckets()
            if 'seed' in patch:
                self.rng = random.Random(new['seed'])
        return self.public_config()

    @staticmethod
    def _check(c):
        for k in ('latency_ms', 'upstream_timeout'):
            _num(c[k], k)
        if c['max_skew'] is not None:
            _num(c['max_skew'], 'max_skew')
        if not isinstance(c['page_size'], int) or not \
                1 <= c['page_size'] <= 500:
            raise ConfigError('page_size must be 1..500')
        if not isinstance(c['credentials'], dict) or not all(
                isinstance(v, str) for v in c['credentials'].values()):
            raise ConfigError('credentials must map access key -> secret')
        t = c['throttle']
        if t is not None:
            if not isinstance(t, dict):
                raise ConfigError('throttle must be an object, "aws" or null')
            bad = set(t) - {'rate', 'burst', 'retry_after', 'operations'}
            if bad:
                raise ConfigError('unknown throttle keys: %s' % sorted(bad))
            _check_retry_after(t.get('retry_after', 1), 'throttle')
            specs = [t] if t.get('rate') is not None else []
            ops = t.get('operations') or {}
            if not isinstance(ops, dict):
                raise ConfigError('throttle.operations must be an object')
            specs += [s for s in ops.values() if s is not None]
            for s in specs:
                if not isinstance(s, dict):
                    raise ConfigError('throttle entries must be objects')
                _num(s.get('rate', 0), 'rate')
                _num(s.get('burst', 1), 'burst')
                _check_retry_after(s.get('retry_after'), 'throttle')

    def _build_buckets(self):
        now = time.monotonic()
        t = self.config['throttle'] or {}

        def mk(s):
            rate = s.get('rate', 0)
            burst = s.get('burst', max(1, math.ceil(rate)))
            return Bucket(rate, max(burst, 1), now)
        self.buckets = mk(t) if t.get('rate') is not None else None
        self.op_buckets = {op: mk(s) for op, s in
                           (t.get('operations') or {}).items() if s}

    def public_config(self):
        c = copy.deepcopy(self.config)
        c['credentials'] = {k: '<redacted>' for k in c['credentials']}
        return c

    # counters ------------------------------------------------------------
    def zero(self):
        with self.lock:
            self.stats = {
                'requests': 0, 'operations': {}, 'forwarded': {},
                'responses': {}, 'signature_failures': 0, 'throttled': 0,
                'status_429': 0, 'faults': 0, 'faults_by_rule': {},
                'resets': 0, 'upstream_errors': 0, 'writes': [],
                'writes_dropped': 0,
            }
            for r in self.rules:
                r.matches = 0
                r.fires = 0
            self.rng = random.Random(self.config['seed'])
            self._build_buckets()

    def snapshot(self):
        with self.lock:
            s = copy.deepcopy(self.stats)
            s['rules'] = [{'name': r.name, 'matches': r.matches,
                           'fires': r.fires} for r in self.rules]
            s['learned_credentials'] = len(self.learned)
            s['config'] = self.public_config()
            return s

    def count(self, key, sub=None, n=1):
        with self.lock:
            if sub is None:
                self.stats[key] += n
            else:
                d = self.stats[key]
                d[sub] = d.get(sub, 0) + n

    # decisions -----------------------------------------------------------
    def lookup(self, access_key):
        with self.lock:
            secret = self.config['credentials'].get(access_key)
            if secret is not None:
                return secret, None
            return self.learned.get(access_key)

    def learn(self, access_key, secret, token):
        with self.lock:
            if len(self.learned) >= MAX_LEARNED:
                self.learned.pop(next(iter(self.learned)))
            self.learned[access_key] = (secret, token)

    def throttle(self, op):
        """Returns None (pass) or the Retry-After value (int or None)."""
        with self.lock:
            t = self.config['throttle']
            if not t:
                return None
            now = time.monotonic()
            ob = self.op_buckets.get(op)
            if ob is not None and not ob.take(now):
                spec = (t.get('operations') or {}).get(op) or {}
                return ('throttled',
                        spec.get('retry_after', t.get('retry_after', 1)))
            if self.buckets is not None and not self.buckets.take(now):
                if ob is not None:
                    ob.give_back()
                return ('throttled', t.get('retry_after', 1))
            return None

    def pick_fault(self, method, path, query, op):
        with self.lock:
            winner = None
            for r in self.rules:
                if r.matches_request(method, path, query, op):
                    if r.decide(self.rng) and winner is None:
                        winner = r
                        r.fires += 1
            return winner


# ---------------------------------------------------------------- server

class ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, state, upstream, log):
        super().__init__(addr, handler)
        self.state = state
        self.upstream = upstream
        self.log = log
        self.log_lock = threading.Lock()
        self.namer = OperationNamer()
        self.slots = threading.BoundedSemaphore(MAX_THREADS)
        self.tls = threading.local()

    def process_request(self, request, client_address):
        if not self.slots.acquire(timeout=10):
            sys.stderr.write('chaos_proxy: too many connections, '
                             'dropping one\n')
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def shutdown_request(self, request):
        if getattr(self.tls, 'reset', False):
            self.tls.reset = False
            try:
                request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack('ii', 1, 0))
            except OSError:
                pass
            request.close()          # no FIN: linger 0 sends RST
            return
        super().shutdown_request(request)

    def write_log(self, entry):
        if self.log is None:
            return
        line = json.dumps(entry, sort_keys=True) + '\n'
        with self.log_lock:
            self.log.write(line)
            self.log.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'chaos_proxy'
    sys_version = ''
    timeout = IDLE_TIMEOUT

    def log_message(self, fmt, *args):      # quiet; the JSON log is --log
        pass

    def do_ANY(self):
        t0 = time.monotonic()
        self.entry = {'method': self.command}
        self.out_status = None
        self.out_bytes = 0
        self.proxied = False
        self._head_length = 0
        try:
            self._dispatch()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            e = self.entry
            e['status'] = self.out_status
            e['ms'] = round((time.monotonic() - t0) * 1000, 1)
            e['bytes_out'] = self.out_bytes
            e['time'] = datetime.datetime.now(
                datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')
            self.server.write_log(e)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = \
        do_OPTIONS = do_ANY

    # ---- helpers
    def _send(self, status, headers, body, reason=None):
        self.send_response_only(status, reason)
        have_date = False
        for n, v in headers:
            if n.lower() == 'date':
                have_date = True
            self.send_header(n, v)
        if not have_date:
            self.send_header('Date', self.date_time_string())
        if self.command == 'HEAD':
            self.send_header('Content-Length', str(self._head_length))
        else:
            self.send_header('Content-Length', str(len(body)))
        if self.close_connection:
            self.send_header('Connection', 'close')
        self.end_headers()
        if self.command != 'HEAD' and body:
            self.wfile.write(body)
        self.wfile.flush()
        self.out_status = status
        self.out_bytes = len(body)
        st = self.server.state
        if getattr(self, 'proxied', False):
            st.count('responses', str(status))
            if status == 429:
                st.count('status_429')

    _head_length = 0

    def _json(self, status, obj):
        body = (json.dumps(obj, indent=1, sort_keys=True) + '\n').encode()
        self._send(status, [('Content-Type', 'application/json')], body)

    def _error(self, status, etype, message, retry_after=None, extra=None,
               body=None):
        headers = [('Content-Type', 'application/json'),
                   ('x-amzn-RequestId', str(uuid.uuid4()))]
        if etype:
            if self.server.state.config['error_type_suffix']:
                etype += (':http://internal.amazon.com/coral/'
                          'com.amazon.coral.service/')
            headers.append(('x-amzn-ErrorType', etype))
        if retry_after is not None:
            headers.append(('Retry-After', str(retry_after)))
        if body is None:
            obj = {'message': message}
            obj.update(extra or {})
            body = json.dumps(obj).encode()
        elif isinstance(body, str):
            body = body.encode()
        self._send(status, headers, body)

    def _read_body(self):
        te = (self.headers.get('Transfer-Encoding') or '').lower()
        if 'chunked' in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b';')[0].strip(), 16)
                except ValueError:
                    raise ValueError('bad chunk header')
                if size == 0:
                    while self.rfile.readline(8192) not in (b'\r\n', b'\n',
                                                            b''):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise OverflowError()
                chunks.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b''.join(chunks)
        cl = self.headers.get('Content-Length')
        if cl is None:
            return b''
        if not cl.strip().isdigit():
            raise ValueError('bad Content-Length')
        n = int(cl)
        if n > MAX_BODY:
            raise OverflowError()
        body = self.rfile.read(n)
        if len(body) != n:
            raise ValueError('short body')
        return body

    # ---- main flow
    def _dispatch(self):
        raw = self.path
        if raw.startswith('http://') or raw.startswith('https://'):
            raw = '/' + raw.split('/', 3)[3] if raw.count('/') >= 3 else '/'
        path, _, query = raw.partition('?')
        self.entry.update(path=path, query=_redact_query(query),
                          client=self.client_address[1])
        try:
            body = self._read_body()
        except OverflowError:
            self.close_connection = True
            self._error(413, 'RequestEntityTooLargeException',
                        'Request body exceeds %d bytes' % MAX_BODY)
            return
        except ValueError as e:
            self.close_connection = True
            self._error(400, 'BadRequestException', str(e))
            return
        self.entry['bytes_in'] = len(body)
        if path.startswith(CONTROL_PREFIX):
            self.entry['outcome'] = 'control'
            self._control(path[len(CONTROL_PREFIX):], body)
            return
        self.proxied = True
        st = self.server.state
        cfg = st.config
        headers = list(self.headers.items())
        op, service = self._operation(path, query, body, headers)
        self.entry['op'] = op
        st.count('requests')
        st.count('operations', op)
        try:
            self._pipeline(path, query, body, headers, op, service, cfg)
        finally:
            if self.command not in ('GET', 'HEAD', 'OPTIONS') and \
                    not op.startswith('sts:'):
                with st.lock:
                    w = st.stats['writes']
                    if len(w) < MAX_WRITES:
                        w.append({'method': self.command, 'path': path,
                                  'query': _redact_query(query),
                                  'operation': op,
                                  'status': self.out_status or 'reset',
                                  'forwarded': bool(
                                      self.entry.get('forwarded'))})
                    else:
                        st.stats['writes_dropped'] += 1

    def _pipeline(self, path, query, body, headers, op, service, cfg):
        st = self.server.state
        if cfg['latency_ms']:
            time.sleep(cfg['latency_ms'] / 1000.0)
        if cfg['verify_signature'] and not self._unsigned_ok(op):
            try:
                auth = verify_sigv4(self.command, path, query, headers, body,
                                    st.lookup, now=time.time(),
                                    max_skew=cfg['max_skew'])
                self.entry['akid'] = auth['access_key']
            except SigError as e:
                st.count('signature_failures')
                self.entry['outcome'] = 'signature:' + e.etype
                self._error(e.status, e.etype, e.message)
                return
        verdict = st.throttle(op)
        if verdict is not None:
            st.count('throttled')
            self.entry['outcome'] = 'throttled'
            self._error(429, 'TooManyRequestsException', 'Too Many Requests',
                        retry_after=verdict[1])
            return
        rule = st.pick_fault(self.command, path, query, op)
        if rule is not None:
            st.count('faults')
            st.count('faults_by_rule', rule.name)
            self.entry['outcome'] = 'fault:' + rule.name
            if rule.delay_ms:
                time.sleep(rule.delay_ms / 1000.0)
            if rule.action == 'delay':
                self._forward(path, query, body, headers, op, service, cfg)
                return
            if rule.phase == 'after':
                self._forward(path, query, body, headers, op, service, cfg,
                              relay=False)
            self._fault(rule)
            return
        self.entry['outcome'] = 'forwarded'
        self._forward(path, query, body, headers, op, service, cfg)

    def _unsigned_ok(self, op):
        return op.startswith('sts:') and op[4:] in UNSIGNED_STS_ACTIONS

    def _operation(self, path, query, body, headers):
        """(operation name, service)"""
        auth = self.headers.get('Authorization') or ''
        m = re.search(r'Credential=[^/,\s]*/[^/]*/[^/]*/([^/,\s]*)/', auth)
        service = m.group(1) if m else None
        action = None
        qp = query_pairs(query)
        for k, v in qp:
            if k == 'Action':
                action = v
        ctype = (self.headers.get('Content-Type') or '').lower()
        if action is None and ctype.startswith(
                'application/x-www-form-urlencoded') and len(body) < 65536:
            for k, v in query_pairs(body.decode('latin-1')):
                if k == 'Action':
                    action = v
        if service is None:
            service = 'sts' if action is not None and path in ('', '/') \
                else 'apigateway'
        if service == 'apigateway':
            return self.server.namer.apigateway(self.command, path, qp), \
                service
        return '%s:%s' % (service, action or '%s %s' % (self.command, path)), \
            service

    def _fault(self, rule):
        a = rule.action
        msg = rule.spec.get('message')
        etype = rule.spec.get('error_type')
        body = rule.spec.get('body')
        if a == 'reset':
            st = self.server.state
            st.count('resets')
            self.close_connection = True
            self.server.tls.reset = True
            self.out_status = 'reset'
            return
        if a == 'conflict':
            self._error(409, etype or 'ConflictException',
                        msg or CONFLICT_MSG, rule.retry_after, body=body)
        elif a == 'limit':
            self._error(429, etype or 'LimitExceededException',
                        msg or 'Limit Exceeded', rule.retry_after,
                        extra={'retryAfterSeconds': rule.retry_after},
                        body=body)
        elif a == 'throttle':
            self._error(429, etype or 'TooManyRequestsException',
                        msg or 'Too Many Requests', rule.retry_after,
                        body=body)
        else:
            s = rule.status
            if etype is None and s == 503:
                etype = 'ServiceUnavailableException'
            if etype is None and s == 500 and a == 'error':
                etype = 'InternalFailure'
            if body is None and s in (502, 504) and a == 'error':
                self._send(s, [('Content-Type', 'text/html')],
                           ('<html><body><h1>%d %s</h1></body></html>\n'
                            % (s, http.client.responses.get(s, ''))).encode())
                return
            self._error(s, etype, msg or http.client.responses.get(
                s, 'Error'), rule.retry_after, body=body)

    # ---- forwarding
    def _forward(self, path, query, body, headers, op, service, cfg,
                 relay=True):
        st = self.server.state
        page = None
        fwd_query = query
        if op == 'GetResources' and cfg['paginate'] and \
                self.command == 'GET':
            page = self._page_request(path, query, cfg)
            if page is None:
                return
            fwd_query = page['query']
        target = path + ('?' + fwd_query if fwd_query else '')
        try:
            status, reason, rheaders, rbody = self._upstream(
                target, body, headers, cfg)
        except (OSError, http.client.HTTPException) as e:
            st.count('upstream_errors')
            self.entry['outcome'] = 'upstream_error'
            if relay:
                self._error(502, None, 'chaos_proxy: upstream error: %s' % e)
            return
        self.entry['forwarded'] = True
        st.count('forwarded', op)
        if page is not None and status == 200:
            rbody = self._slice(rbody, page, path)
        if service == 'sts' and status == 200 and \
                cfg['learn_sts_credentials']:
            self._learn(rbody)
        if not relay:
            return
        out = [(n, v) for n, v in rheaders if n.lower() not in HOP_BY_HOP]
        if self.command == 'HEAD':
            self._head_length = next((v for n, v in rheaders
                                      if n.lower() == 'content-length'), 0)
        self._send(status, out, rbody, reason)

    def _upstream(self, target, body, headers, cfg):
        u = self.server.upstream
        conn = http.client.HTTPConnection(u.hostname, u.port,
                                          timeout=cfg['upstream_timeout'])
        try:
            conn.putrequest(self.command, target, skip_host=True,
                            skip_accept_encoding=True)
            for n, v in headers:
                if n.lower() not in HOP_BY_HOP:
                    conn.putheader(n, v)
            if body or self.command in ('POST', 'PUT', 'PATCH'):
                conn.putheader('Content-Length', str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            rbody = resp.read(MAX_UPSTREAM_BODY + 1)
            if len(rbody) > MAX_UPSTREAM_BODY:
                raise http.client.HTTPException('upstream body too large')
            return resp.status, resp.reason, resp.getheaders(), rbody
        finally:
            conn.close()

    def _page_request(self, path, query, cfg):
        """Parses limit/position; returns dict or None (error sent)."""
        api_id = [s for s in path.split('/') if s][1]
        limit = cfg['page_size']
        offset = 0
        keep = []
        for piece in query.split('&') if query else []:
            k = _qdecode(piece.partition('=')[0]).decode('utf-8', 'replace')
            v = _qdecode(piece.partition('=')[2]).decode('utf-8', 'replace')
            if k == 'limit':
                if not re.fullmatch(r'-?[0-9]{1,9}', v):
                    self._error(400, 'BadRequestException',
                                'Invalid limit value: %s' % v[:40])
                    return None
                limit = int(v)
                if not 1 <= limit <= 500:
                    self._error(400, 'BadRequestException',
                                "1 validation error detected: Value '%d' at "
                                "'limit' failed to satisfy constraint: Member "
                                "must have value %s" % (
                                    limit, 'less than or equal to 500'
                                    if limit > 500 else
                                    'greater than or equal to 1'))
                    return None
            elif k == 'position':
                off = parse_position(v, api_id)
                if off is None:
                    self._error(400, 'BadRequestException',
                                'Invalid position parameter')
                    return None
                offset = off
            else:
                keep.append(piece)
        self.entry['page'] = {'limit': limit, 'offset': offset}
        return {'query': '&'.join(keep), 'limit': limit, 'offset': offset,
                'api_id': api_id}

    def _slice(self, rbody, page, path):
        try:
            doc = json.loads(rbody)
            items = doc['item']
            if not isinstance(items, list):
                return rbody
        except (ValueError, KeyError, TypeError):
            return rbody
        lo, n = page['offset'], page['limit']
        doc['item'] = items[lo:lo + n]
        doc.pop('position', None)
        if lo + n < len(items):
            doc['position'] = make_position(page['api_id'], lo + n)
        return json.dumps(doc).encode()

    def _learn(self, rbody):
        text = rbody.decode('utf-8', 'replace')

        def tag(name):
            m = re.search(r'<%s>([^<]*)</%s>' % (name, name), text)
            return m.group(1).strip() if m else None
        ak, sk = tag('AccessKeyId'), tag('SecretAccessKey')
        if ak and sk:
            self.server.state.learn(ak, sk, tag('SessionToken'))

    # ---- control endpoint
    def _control(self, what, body):
        st = self.server.state
        if what == 'stats' and self.command == 'GET':
            self._json(200, st.snapshot())
        elif what == 'config' and self.command == 'GET':
            with st.lock:
                c = st.public_config()
            self._json(200, c)
        elif what == 'config' and self.command == 'POST':
            try:
                patch = _load_config(body.decode('utf-8')) if body.strip() \
                    else {}
                self._json(200, st.apply(patch))
            except (ConfigError, ValueError, TypeError) as e:
                self._json(400, {'message': 'invalid config: %s' % e})
        elif what == 'reset' and self.command == 'POST':
            st.zero()
            self._json(200, {'reset': True})
        else:
            self._json(404, {'message': 'unknown control request'})


def _redact_query(q):
    return re.sub(r'(?i)((?:^|&)X-Amz-(?:Security-Token|Signature|Credential)'
                  r'=)[^&]*', r'\1<redacted>', q)


def _load_config(text):
    text = text.strip()
    if not text:
        return {}
    if not text.startswith('{'):
        with open(text, 'r', encoding='utf-8') as f:
            text = f.read()
    return json.loads(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description='chaos proxy in front of moto')
    ap.add_argument('--upstream', required=True,
                    help='moto endpoint, e.g. http://127.0.0.1:5000')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--config', default=None, help='JSON text or file')
    ap.add_argument('--access-key', default='testing')
    ap.add_argument('--secret', default='testing')
    ap.add_argument('--log', default=None, help='JSON-lines request log')
    args = ap.parse_args(argv)
    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != 'http' or not upstream.hostname or \
            not upstream.port:
        ap.error('--upstream must be http://HOST:PORT')
    try:
        cfg = _load_config(args.config) if args.config else {}
        cfg = dict(cfg)
        creds = dict(cfg.get('credentials') or {})
        creds.setdefault(args.access_key, args.secret)
        cfg['credentials'] = creds
        state = State(cfg)
    except (OSError, ValueError, ConfigError) as e:
        sys.stderr.write('chaos_proxy: bad --config: %s\n' % e)
        return 2
    log = open(args.log, 'a', encoding='utf-8') if args.log else None
    server = ProxyServer(('127.0.0.1', args.port), Handler, state, upstream,
                         log)

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write('PORT=%d\n' % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
        if log:
            log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
