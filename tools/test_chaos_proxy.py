#!/usr/bin/env python3
"""Self-test of tools/chaos_proxy.py and tools/with-moto.

Run: python3 tools/test_chaos_proxy.py [-v] [unittest names...]
Uses the moto at $OAG_MOTO_ENDPOINT when set (e.g. under tools/with-moto),
otherwise starts its own moto_server.  Needs botocore.  The last output line
is "N passed, N failed"; the exit status is non-zero on any failure.
SigV4 vector tests read $OAG_SHARED_ROOT (default ../shared next to the
source tree) and are skipped visibly when it is absent.
"""
import base64
import datetime
import glob
import hashlib
import http.client
import importlib.machinery
import importlib.util
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('OAG_SOURCE_ROOT') or os.path.dirname(HERE)
SHARED_ROOT = os.environ.get('OAG_SHARED_ROOT') or os.path.join(
    SOURCE_ROOT, '..', 'shared')
WITH_MOTO = os.path.join(HERE, 'with-moto')
PROXY = os.path.join(HERE, 'chaos_proxy.py')

for _k, _v in (('AWS_CONFIG_FILE', '/dev/null'),
               ('AWS_SHARED_CREDENTIALS_FILE', '/dev/null'),
               ('AWS_EC2_METADATA_DISABLED', 'true')):
    os.environ[_k] = _v

import botocore.config                       # noqa: E402
import botocore.session                      # noqa: E402
from botocore.auth import SigV4Auth          # noqa: E402
from botocore.awsrequest import AWSRequest   # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

sys.path.insert(0, HERE)
import chaos_proxy as cp                     # noqa: E402


def _load_with_moto():
    loader = importlib.machinery.SourceFileLoader('with_moto', WITH_MOTO)
    spec = importlib.util.spec_from_loader('with_moto', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


wm = _load_with_moto()

MOTO = {}       # endpoint, proc, log
PROXIES = []    # processes to stop at the end


def setUpModule():
    ep = os.environ.get('OAG_MOTO_ENDPOINT')
    if ep:
        MOTO['endpoint'] = ep
        return
    fd, log = tempfile.mkstemp(prefix='oag-moto-selftest-', suffix='.log')
    os.close(fd)
    proc, port = wm.start_moto(log)
    MOTO.update(endpoint='http://127.0.0.1:%d' % port, proc=proc, log=log)


def tearDownModule():
    for p in PROXIES:
        wm.stop(p, grace=2)
    if MOTO.get('proc'):
        wm.stop(MOTO['proc'])
        try:
            os.unlink(MOTO['log'])
        except OSError:
            pass


def start_proxy(*extra):
    """Starts chaos_proxy.py against moto; returns (proc, port)."""
    proc = subprocess.Popen(
        [sys.executable, PROXY, '--upstream', MOTO['endpoint'], '--port',
         '0'] + list(extra), stdout=subprocess.PIPE, start_new_session=True)
    PROXIES.append(proc)
    line = proc.stdout.readline().decode()
    assert line.startswith('PORT='), line
    return proc, int(line.strip()[5:])


def client(port, secret='testing', access='testing', token=None,
           service='apigateway'):
    s = botocore.session.Session()
    s.set_credentials(access, secret, token)
    return s.create_client(
        service, region_name='us-east-1',
        endpoint_url='http://127.0.0.1:%d' % port,
        config=botocore.config.Config(retries={'total_max_attempts': 1,
                                               'mode': 'standard'},
                                      read_timeout=30, connect_timeout=5))


def moto_client():
    port = urllib.parse.urlsplit(MOTO['endpoint']).port
    return client(port)


def amz_now(offset=0):
    return datetime.datetime.fromtimestamp(
        time.time() + offset, datetime.timezone.utc).strftime(
        '%Y%m%dT%H%M%SZ')


def signed_request(port, method, path_query, body=b'', headers=None,
                   secret='testing', amz_date=None, sign=True,
                   region='us-east-1'):
    """Signs with botocore's SigV4Auth (own timestamp) and sends with
    http.client exactly as given; returns (status, headers dict, body)."""
    host = '127.0.0.1:%d' % port
    hdrs = {'Host': host, 'Accept': 'application/json'}
    hdrs.update(headers or {})
    if sign:
        amz = amz_date or amz_now()
        req = AWSRequest(method=method, url='http://%s%s' % (host, path_query),
                         data=body or None, headers=dict(hdrs))
        req.headers['X-Amz-Date'] = amz
        req.context['timestamp'] = amz
        auth = SigV4Auth(Credentials('testing', secret), 'apigateway', region)
        creq = auth.canonical_request(req)
        sig = auth.signature(auth.string_to_sign(req, creq), req)
        hdrs['X-Amz-Date'] = amz
        hdrs['Authorization'] = (
            'AWS4-HMAC-SHA256 Credential=testing/%s/%s/apigateway/'
            'aws4_request, SignedHeaders=%s, Signature=%s'
            % (amz[:8], region, auth.signed_headers(
                auth.headers_to_sign(req)), sig))
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
    try:
        conn.putrequest(method, path_query, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.putheader('Content-Length', str(len(body)))
        conn.endheaders(body or None)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def control(port, what, obj=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        if obj is None and what == 'stats':
            conn.request('GET', '/__chaos/stats')
        else:
            conn.request('POST', '/__chaos/' + what,
                         body=json.dumps(obj or {}).encode(),
                         headers={'Content-Type': 'application/json'})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b'{}')
    finally:
        conn.close()


def err(e):
    return (e.response['Error']['Code'],
            e.response['ResponseMetadata']['HTTPStatusCode'],
            e.response['ResponseMetadata']['HTTPHeaders'])


OPENAPI = {
    'openapi': '3.0.1',
    'info': {'title': 'selftest', 'version': '1', 'description': 'd'},
    'paths': {'/pets': {'get': {
        'responses': {'200': {'description': 'ok'}},
        'x-amazon-apigateway-integration': {
            'type': 'MOCK', 'uri': 'http://example.invalid/',
            'httpMethod': 'GET',
            'requestTemplates': {'application/json': '{"statusCode": 200}'},
            'responses': {'default': {'statusCode': '200'}}}}}},
}


class ProxyTest(unittest.TestCase):
    """All tests share one proxy; setUp restores defaults and zeroes
    counters through the control endpoint."""

    @classmethod
    def setUpClass(cls):
        cls.proc, cls.port = start_proxy()

    def setUp(self):
        st, body = control(self.port, 'config', {
            'faults': [], 'throttle': None, 'latency_ms': None,
            'seed': None, 'page_size': None, 'verify_signature': None,
            'max_skew': None})
        self.assertEqual(st, 200, body)
        self.assertEqual(control(self.port, 'reset')[0], 200)
        self.c = client(self.port)

    def stats(self):
        st, body = control(self.port, 'stats')
        self.assertEqual(st, 200)
        return body

    # -------------------------------------------------------- signatures
    def test_signed_create_rest_api_passes_and_lands_in_moto(self):
        api = self.c.create_rest_api(name='landed')['id']
        got = moto_client().get_rest_api(restApiId=api)
        self.assertEqual(got['name'], 'landed')
        s = self.stats()
        self.assertEqual(s['operations'], {'CreateRestApi': 1})
        self.assertEqual(s['forwarded'], {'CreateRestApi': 1})
        self.assertEqual(s['signature_failures'], 0)
        self.assertEqual([(w['method'], w['path'], w['operation'],
                           w['forwarded']) for w in s['writes']],
                         [('POST', '/restapis', 'CreateRestApi', True)])

    def test_wrong_secret_gets_403_invalid_signature_and_is_not_forwarded(self):
        before = len(moto_client().get_rest_apis(limit=500)['items'])
        bad = client(self.port, secret='not-the-secret')
        with self.assertRaises(ClientError) as cm:
            bad.create_rest_api(name='must-not-land')
        code, status, headers = err(cm.exception)
        self.assertEqual((code, status), ('InvalidSignatureException', 403))
        self.assertEqual(headers['x-amzn-errortype'],
                         'InvalidSignatureException')
        self.assertIn('The request signature we calculated does not match',
                      cm.exception.response['Error']['Message'])
        after = len(moto_client().get_rest_apis(limit=500)['items'])
        self.assertEqual(before, after)
        s = self.stats()
        self.assertEqual(s['signature_failures'], 1)
        self.assertEqual(s['forwarded'], {})
        self.assertEqual(s['writes'][0]['status'], 403)
        self.assertFalse(s['writes'][0]['forwarded'])

    def test_missing_authorization_gets_403_incomplete_signature(self):
        st, h, body = signed_request(self.port, 'GET', '/restapis',
                                     sign=False)
        self.assertEqual(st, 403)
        self.assertEqual(h['x-amzn-errortype'], 'IncompleteSignatureException')
        self.assertIn('message', json.loads(body))

    def test_unknown_access_key_gets_unrecognized_client(self):
        bad = client(self.port, access='AKIDUNKNOWN')
        with self.assertRaises(ClientError) as cm:
            bad.get_rest_apis()
        self.assertEqual(err(cm.exception)[:2],
                         ('UnrecognizedClientException', 403))

    def test_stale_timestamp_is_rejected_and_can_be_allowed(self):
        st, h, body = signed_request(self.port, 'GET', '/restapis',
                                     amz_date=amz_now(-600))
        self.assertEqual(st, 403)
        self.assertEqual(h['x-amzn-errortype'], 'InvalidSignatureException')
        self.assertIn('Signature expired', json.loads(body)['message'])
        control(self.port, 'config', {'max_skew': 3600})
        st, _, _ = signed_request(self.port, 'GET', '/restapis',
                                  amz_date=amz_now(-600))
        self.assertEqual(st, 200)

    def test_body_changed_after_signing_is_rejected(self):
        # sign one body, send another: the payload hash must not match
        host = '127.0.0.1:%d' % self.port
        amz = amz_now()
        req = AWSRequest(method='POST', url='http://%s/restapis' % host,
                         data=b'{"name":"a"}',
                         headers={'Host': host, 'X-Amz-Date': amz})
        req.context['timestamp'] = amz
        auth = SigV4Auth(Credentials('testing', 'testing'), 'apigateway',
                         'us-east-1')
        sig = auth.signature(auth.string_to_sign(
            req, auth.canonical_request(req)), req)
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        conn.request('POST', '/restapis', body=b'{"name":"b"}', headers={
            'Host': host, 'X-Amz-Date': amz,
            'Authorization': 'AWS4-HMAC-SHA256 Credential=testing/%s/'
            'us-east-1/apigateway/aws4_request, SignedHeaders=host;'
            'x-amz-date, Signature=%s' % (amz[:8], sig)})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.getheader('x-amzn-ErrorType'),
                         'InvalidSignatureException')

    def test_sts_temporary_credentials_are_learned_and_token_checked(self):
        sts = client(self.port, service='sts')
        creds = sts.get_session_token()['Credentials']
        self.assertEqual(self.stats()['operations'],
                         {'sts:GetSessionToken': 1})
        tmp = client(self.port, access=creds['AccessKeyId'],
                     secret=creds['SecretAccessKey'],
                     token=creds['SessionToken'])
        tmp.get_rest_apis()
        wrong = client(self.port, access=creds['AccessKeyId'],
                       secret=creds['SecretAccessKey'], token='bogus')
        with self.assertRaises(ClientError) as cm:
            wrong.get_rest_apis()
        self.assertEqual(err(cm.exception)[:2],
                         ('UnrecognizedClientException', 403))

    # -------------------------------------------------------- throttling
    def test_token_bucket_answers_429_with_retry_after(self):
        st, cfg = control(self.port, 'config', {'throttle': {
            'rate': 0.001, 'burst': 2, 'retry_after': 1}})
        self.assertEqual(st, 200, cfg)
        self.c.get_rest_apis()
        self.c.get_rest_apis()
        with self.assertRaises(ClientError) as cm:
            self.c.get_rest_apis()
        code, status, headers = err(cm.exception)
        self.assertEqual((code, status), ('TooManyRequestsException', 429))
        self.assertEqual(headers['retry-after'], '1')
        self.assertEqual(cm.exception.response['Error']['Message'],
                         'Too Many Requests')
        s = self.stats()
        self.assertEqual((s['throttled'], s['status_429']), (1, 1))
        self.assertEqual(s['forwarded'], {'GetRestApis': 2})

    def test_per_operation_bucket_only_limits_that_operation(self):
        api = moto_client().create_rest_api(name='perop')['id']
        control(self.port, 'config', {'throttle': {'operations': {
            'GetRestApi': {'rate': 0.001, 'burst': 1, 'retry_after': 3}}}})
        self.c.get_rest_api(restApiId=api)
        with self.assertRaises(ClientError) as cm:
            self.c.get_rest_api(restApiId=api)
        self.assertEqual(err(cm.exception)[2]['retry-after'], '3')
        for _ in range(5):
            self.c.get_rest_apis()
        # the bucket refills at `rate`: after a reset it is full again
        control(self.port, 'reset')
        self.c.get_rest_api(restApiId=api)

    def test_aws_preset_limits_put_rest_api_to_one_per_second(self):
        api = moto_client().create_rest_api(name='preset')['id']
        st, cfg = control(self.port, 'config', {'throttle': 'aws'})
        self.assertEqual(st, 200, cfg)
        self.assertEqual(cfg['throttle']['operations']['PutRestApi'],
                         {'rate': 1, 'burst': 1})
        body = json.dumps(OPENAPI).encode()
        self.c.put_rest_api(restApiId=api, mode='overwrite', body=body)
        with self.assertRaises(ClientError) as cm:
            self.c.put_rest_api(restApiId=api, mode='overwrite', body=body)
        self.assertEqual(err(cm.exception)[:2],
                         ('TooManyRequestsException', 429))
        time.sleep(1.05)
        self.c.put_rest_api(restApiId=api, mode='overwrite', body=body)

    # -------------------------------------------------------- faults
    def _outcomes(self, n, call):
        out = []
        for _ in range(n):
            try:
                call()
                out.append('ok')
            except ClientError as e:
                code, status, _ = err(e)
                out.append('%d:%s' % (status, code))
        return out

    def test_nth_rule_fires_exactly_on_the_listed_requests(self):
        control(self.port, 'config', {'faults': [
            {'name': 'c', 'operation': 'GetRestApis', 'action': 'conflict',
             'nth': [2, 4]}]})
        self.assertEqual(self._outcomes(5, self.c.get_rest_apis),
                         ['ok', '409:ConflictException', 'ok',
                          '409:ConflictException', 'ok'])
        s = self.stats()
        self.assertEqual(s['rules'], [{'name': 'c', 'matches': 5,
                                       'fires': 2}])
        self.assertEqual((s['faults'], s['faults_by_rule']), (2, {'c': 2}))

    def test_conflict_carries_the_concurrent_modification_message(self):
        control(self.port, 'config', {'faults': [
            {'method': 'GET', 'path': '^/restapis$', 'action': 'conflict'}]})
        with self.assertRaises(ClientError) as cm:
            self.c.get_rest_apis()
        self.assertEqual(cm.exception.response['Error']['Message'],
                         'Unable to complete operation due to concurrent '
                         'modification. Please try again later.')

    def test_next_k_rule_fails_k_requests_after_skip(self):
        control(self.port, 'config', {'faults': [
            {'operation': 'GetRestApis', 'action': 'error', 'status': 503,
             'skip': 1, 'count': 2}]})
        self.assertEqual(self._outcomes(4, self.c.get_rest_apis),
                         ['ok', '503:ServiceUnavailableException',
                          '503:ServiceUnavailableException', 'ok'])

    def test_error_statuses_500_and_502(self):
        control(self.port, 'config', {'faults': [
            {'operation': 'GetRestApis', 'action': 'error', 'status': 500,
             'nth': 1},
            {'operation': 'GetRestApis', 'action': 'error', 'status': 502,
             'nth': 2}]})
        st1, h1, _ = signed_request(self.port, 'GET', '/restapis')
        st2, h2, b2 = signed_request(self.port, 'GET', '/restapis')
        st3, _, _ = signed_request(self.port, 'GET', '/restapis')
        self.assertEqual((st1, st2, st3), (500, 502, 200))
        self.assertEqual(h1['x-amzn-errortype'], 'InternalFailure')
        self.assertNotIn('x-amzn-errortype', h2)
        self.assertIn(b'502', b2)

    def test_limit_exceeded_with_and_without_retry_after(self):
        control(self.port, 'config', {'faults': [
            {'operation': 'GetRestApis', 'action': 'limit', 'nth': 1},
            {'operation': 'GetRestApis', 'action': 'limit', 'nth': 2,
             'retry_after': 2}]})
        st1, h1, b1 = signed_request(self.port, 'GET', '/restapis')
        st2, h2, _ = signed_request(self.port, 'GET', '/restapis')
        self.assertEqual((st1, st2), (429, 429))
        self.assertEqual(h1['x-amzn-errortype'], 'LimitExceededException')
        self.assertNotIn('retry-after', h1)
        self.assertIsNone(json.loads(b1)['retryAfterSeconds'])
        self.assertEqual(h2['retry-after'], '2')
        self.assertEqual(self.stats()['status_429'], 2)

    def test_probability_rule_follows_the_seeded_rng(self):
        control(self.port, 'config', {'seed': 42, 'faults': [
            {'operation': 'GetRestApis', 'action': 'error', 'status': 503,
             'probability': 0.5}]})
        rng = random.Random(42)
        expected = ['503:ServiceUnavailableException'
                    if rng.random() < 0.5 else 'ok' for _ in range(12)]
        self.assertIn('ok', expected)
        self.assertEqual(self._outcomes(12, self.c.get_rest_apis), expected)
        control(self.port, 'reset')      # re-seeds: same sequence again
        self.assertEqual(self._outcomes(12, self.c.get_rest_apis), expected)

    def test_reset_rule_closes_the_connection_without_answer(self):
        control(self.port, 'config', {'faults': [
            {'operation': 'GetRestApis', 'action': 'reset', 'nth': 1}]})
        with self.assertRaises(ConnectionResetError):
            signed_request(self.port, 'GET', '/restapis')
        st, _, _ = signed_request(self.port, 'GET', '/restapis')
        self.assertEqual(st, 200)
        s = self.stats()
        self.assertEqual(s['resets'], 1)
        self.assertEqual(s['responses'], {'200': 1})

    def test_fault_after_forward_lands_the_write_but_fails_the_call(self):
        control(self.port, 'config', {'faults': [
            {'operation': 'CreateRestApi', 'action': 'error', 'status': 500,
             'phase': 'after'}]})
        name = 'after-%d' % os.getpid()
        with self.assertRaises(ClientError):
            self.c.create_rest_api(name=name)
        names = [a['name'] for a in
                 moto_client().get_rest_apis(limit=500)['items']]
        self.assertIn(name, names)
        w = self.stats()['writes']
        self.assertEqual((w[0]['status'], w[0]['forwarded']), (500, True))

    def test_delay_and_latency_slow_the_answer(self):
        control(self.port, 'config', {'latency_ms': 100, 'faults': [
            {'operation': 'GetRestApis', 'action': 'delay', 'delay_ms': 300,
             'nth': 1}]})
        t = time.monotonic()
        self.c.get_rest_apis()
        self.assertGreaterEqual(time.monotonic() - t, 0.4)
        t = time.monotonic()
        self.c.get_rest_apis()
        self.assertGreaterEqual(time.monotonic() - t, 0.1)
        self.assertEqual(self.stats()['rules'][0]['fires'], 1)

    # -------------------------------------------------------- pagination
    def test_get_resources_is_paginated_with_encoded_position_tokens(self):
        m = moto_client()
        api = m.create_rest_api(name='paged')['id']
        root = m.get_resources(restApiId=api)['items'][0]['id']
        want = {root}
        for i in range(30):
            want.add(m.create_resource(restApiId=api, parentId=root,
                                       pathPart='r%02d' % i)['id'])
        first = self.c.get_resources(restApiId=api)
        self.assertEqual(len(first['items']), 25)          # AWS default
        self.assertNotIn('position', self.c.get_resources(
            restApiId=api, limit=500))
        seen, pos, pages = [], None, 0
        while True:
            kw = {'restApiId': api, 'limit': 7}
            if pos:
                kw['position'] = pos
            page = self.c.get_resources(**kw)
            pages += 1
            self.assertLessEqual(len(page['items']), 7)
            seen += [r['id'] for r in page['items']]
            pos = page.get('position')
            if not pos:
                break
            for ch in '+/=':
                self.assertIn(ch, pos)
        self.assertEqual(pages, 5)
        self.assertEqual(len(seen), 31)
        self.assertEqual(set(seen), want)
        # a token sent without percent-encoding: its signature (computed
        # over the raw text) does not verify, since a raw "+" is a space
        tok = first['position']
        raw = '/restapis/%s/resources?position=%s' % (api, tok)
        st, h, _ = signed_request(self.port, 'GET', raw)
        self.assertEqual((st, h['x-amzn-errortype']),
                         (403, 'InvalidSignatureException'))
        # ... and without signature checks the token itself is refused
        control(self.port, 'config', {'verify_signature': False})
        st, h, _ = signed_request(self.port, 'GET', raw)
        self.assertEqual((st, h['x-amzn-errortype']),
                         (400, 'BadRequestException'))
        control(self.port, 'config', {'verify_signature': True})
        st, _, body = signed_request(
            self.port, 'GET', '/restapis/%s/resources?limit=10&position=%s'
            % (api, urllib.parse.quote(tok, safe='')))
        self.assertEqual(st, 200)
        self.assertEqual(len(json.loads(body)['item']), 6)
        st, h, _ = signed_request(self.port, 'GET',
                                  '/restapis/%s/resources?limit=501' % api)
        self.assertEqual(st, 400)

    # -------------------------------------------------------- counters
    def test_stats_name_and_count_operations(self):
        m = moto_client()
        c = self.c
        api = c.import_rest_api(body=json.dumps(OPENAPI).encode())['id']
        c.put_rest_api(restApiId=api, mode='overwrite',
                       body=json.dumps(OPENAPI).encode())
        c.get_rest_apis()
        c.get_rest_api(restApiId=api)
        res = [r for r in c.get_resources(restApiId=api)['items']
               if r['path'] == '/pets'][0]['id']
        c.get_method(restApiId=api, resourceId=res, httpMethod='GET')
        c.put_method_response(restApiId=api, resourceId=res,
                              httpMethod='GET', statusCode='404')
        c.put_integration_response(restApiId=api, resourceId=res,
                                   httpMethod='GET', statusCode='404',
                                   selectionPattern='.*missing.*')
        c.get_integration_response(restApiId=api, resourceId=res,
                                   httpMethod='GET', statusCode='404')
        try:      # moto: not implemented (500); only the name matters here
            c.update_method_response(restApiId=api, resourceId=res,
                                     httpMethod='GET', statusCode='404',
                                     patchOperations=[])
        except ClientError:
            pass
        c.delete_integration_response(restApiId=api, resourceId=res,
                                      httpMethod='GET', statusCode='404')
        c.create_deployment(restApiId=api, stageName='s')
        c.get_export(restApiId=api, stageName='s', exportType='oas30')
        self.assertTrue(m.get_rest_api(restApiId=api))
        s = self.stats()
        self.assertEqual(s['operations'], {
            'ImportRestApi': 1, 'PutRestApi': 1, 'GetRestApis': 1,
            'GetRestApi': 1, 'GetResources': 1, 'GetMethod': 1,
            'PutMethodResponse': 1, 'PutIntegrationResponse': 1,
            'GetIntegrationResponse': 1, 'UpdateMethodResponse': 1,
            'DeleteIntegrationResponse': 1, 'CreateDeployment': 1,
            'GetExport': 1})
        self.assertEqual(s['requests'], 13)
        base = '/restapis/%s' % api
        mpath = '%s/resources/%s/methods/GET' % (base, res)
        self.assertEqual([(w['method'], w['path']) for w in s['writes']], [
            ('POST', '/restapis'), ('PUT', base),
            ('PUT', mpath + '/responses/404'),
            ('PUT', mpath + '/integration/responses/404'),
            ('PATCH', mpath + '/responses/404'),
            ('DELETE', mpath + '/integration/responses/404'),
            ('POST', base + '/deployments')])
        self.assertEqual(s['writes'][0]['query'], 'mode=import')

    def test_control_endpoint_rejects_bad_config_and_is_not_counted(self):
        st, body = control(self.port, 'config', {'no_such_key': 1})
        self.assertEqual(st, 400)
        st, body = control(self.port, 'config', {'faults': [
            {'action': 'explode'}]})
        self.assertEqual(st, 400)
        st, body = control(self.port, 'config', {'throttle': {'rate': -1}})
        self.assertEqual(st, 400)
        s = self.stats()
        self.assertEqual((s['requests'], s['operations']), (0, {}))
        self.assertEqual(s['config']['credentials'],
                         {'testing': '<redacted>'})


class VectorTest(unittest.TestCase):
    """verify_sigv4 against signatures computed by others."""

    def setUp(self):
        if not os.path.isdir(os.path.join(SHARED_ROOT, 'testdata')):
            self.skipTest('shared testdata not found at %s' % SHARED_ROOT)

    def test_apigateway_vectors_verify_and_tampering_fails(self):
        files = sorted(glob.glob(os.path.join(
            SHARED_ROOT, 'testdata', 'sigv4-apigateway', '*.json')))
        self.assertGreater(len(files), 10)
        for f in files:
            v = json.load(open(f, encoding='utf-8'))
            r, c = v['request'], v['credentials']
            body = base64.b64decode(r['body_base64'])
            hdrs = [tuple(h) for h in v['signed_request_headers']]

            def lookup(ak, secret=c['secret_access_key']):
                if ak == c['access_key_id']:
                    return secret, c['session_token']
                return None
            with self.subTest(v['name']):
                cp.verify_sigv4(r['method'], r['path'], r['query'], hdrs,
                                body, lookup)
                with self.assertRaises(cp.SigError):
                    cp.verify_sigv4(r['method'], r['path'], r['query'], hdrs,
                                    body, lambda ak: ('x', None))
                with self.assertRaises(cp.SigError):
                    cp.verify_sigv4(r['method'], r['path'] + 'x', r['query'],
                                    hdrs, body, lookup)
                with self.assertRaises(cp.SigError):
                    cp.verify_sigv4(r['method'], r['path'],
                                    r['query'] + '&x=1', hdrs, body, lookup)

    def test_aws_suite_signed_requests_verify(self):
        cases = sorted(glob.glob(os.path.join(
            SHARED_ROOT, 'testdata', 'sigv4', '**', '*.sreq'),
            recursive=True))
        self.assertGreater(len(cases), 20)
        for f in cases:
            with open(f, 'rb') as fh:
                text = fh.read().decode('latin-1')
            with open(f[:-5] + '.authz', 'rb') as fh:
                authz = fh.read().decode('latin-1').strip()
            head, _, body = text.partition('\n\n')
            lines = head.split('\n')
            first = lines[0].split(' ')
            method, target = first[0], ' '.join(first[1:-1])
            hdrs = []
            for line in lines[1:]:
                if line[:1] in (' ', '\t') and hdrs:
                    hdrs[-1] = (hdrs[-1][0], hdrs[-1][1] + ' ' + line.strip())
                else:
                    n, _, val = line.partition(':')
                    if n.lower() != 'authorization':
                        hdrs.append((n, val))
            hdrs.append(('Authorization', authz))
            path, _, query = target.partition('?')
            token = dict((k.lower(), v) for k, v in hdrs).get(
                'x-amz-security-token')
            with self.subTest(os.path.basename(f)):
                cp.verify_sigv4(
                    method, path, query, hdrs, body.encode('latin-1'),
                    lambda ak: ('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
                                token))

    def test_position_tokens_need_percent_encoding(self):
        for off in (1, 25, 499, 12345):
            tok = cp.make_position('a1b2c3', off)
            for ch in '+/=':
                self.assertIn(ch, tok)
            self.assertEqual(cp.parse_position(tok, 'a1b2c3'), off)
            self.assertIsNone(cp.parse_position(tok, 'other'))
            self.assertIsNone(cp.parse_position(tok.replace('+', ' '),
                                                'a1b2c3'))


class WithMotoTest(unittest.TestCase):
    def setUp(self):
        # with-moto keeps its log after a non-zero exit: keep it ours
        fd, self.log = tempfile.mkstemp(prefix='oag-moto-selftest-')
        os.close(fd)
        os.environ['OAG_MOTO_LOG'] = self.log

    def tearDown(self):
        os.environ.pop('OAG_MOTO_LOG', None)
        try:
            os.unlink(self.log)
        except OSError:
            pass

    def test_exports_environment_and_propagates_exit_status(self):
        fd, pf = tempfile.mkstemp()
        os.close(fd)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('AWS_', 'OAG_MOTO_E', 'OAG_MOTO_P'))}
        code = ('import json,os,sys;json.dump({k:v for k,v in os.environ.'
                'items() if k.startswith(("AWS_","OAG_"))},sys.stdout);'
                'sys.exit(7)')
        t = time.monotonic()
        p = subprocess.run([WITH_MOTO, '--port-file', pf, '--',
                            sys.executable, '-c', code], env=env,
                           stdout=subprocess.PIPE, timeout=60)
        elapsed = time.monotonic() - t
        self.assertEqual(p.returncode, 7)
        got = json.loads(p.stdout)
        port = int(open(pf).read())
        os.unlink(pf)
        self.assertEqual(got['OAG_MOTO_ENDPOINT'], 'http://127.0.0.1:%d'
                         % port)
        for k, v in (('AWS_ACCESS_KEY_ID', 'testing'),
                     ('AWS_SECRET_ACCESS_KEY', 'testing'),
                     ('AWS_REGION', 'us-east-1'),
                     ('AWS_DEFAULT_REGION', 'us-east-1'),
                     ('AWS_EC2_METADATA_DISABLED', 'true'),
                     ('AWS_CONFIG_FILE', '/dev/null'),
                     ('AWS_SHARED_CREDENTIALS_FILE', '/dev/null')):
            self.assertEqual(got[k], v)
        self.assertFalse(wm.answers(port, 0.5), 'moto still running')
        sys.stderr.write('[with-moto round trip %.2f s] ' % elapsed)

    def test_caller_settings_are_kept(self):
        env = dict(os.environ, AWS_REGION='eu-west-1')
        env.pop('OAG_MOTO_ENDPOINT', None)
        p = subprocess.run([WITH_MOTO, '--', sys.executable, '-c',
                            'import os;print(os.environ["AWS_REGION"])'],
                           env=env, stdout=subprocess.PIPE, timeout=60)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, b'eu-west-1'))

    def test_missing_command_exits_127(self):
        p = subprocess.run([WITH_MOTO, '--', '/nonexistent/cmd'],
                           stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 127)

    def test_sigterm_stops_command_and_moto(self):
        fd, pf = tempfile.mkstemp()
        os.close(fd)
        os.unlink(pf)
        p = subprocess.Popen([WITH_MOTO, '--port-file', pf, '--', 'sleep',
                              '60'], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(pf) or not open(pf).read().strip():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        port = int(open(pf).read())
        os.unlink(pf)
        t = time.monotonic()
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=10), 128 + signal.SIGTERM)
        self.assertLess(time.monotonic() - t, 5.0)
        self.assertFalse(wm.answers(port, 0.5), 'moto still running')

    def test_proxy_option_starts_chaos_proxy(self):
        code = ('import os,urllib.request;print(urllib.request.urlopen('
                'os.environ["OAG_CHAOS_ENDPOINT"]+"/__chaos/stats").status)')
        env = dict(os.environ)
        env.pop('OAG_MOTO_ENDPOINT', None)
        p = subprocess.run([WITH_MOTO, '--proxy', '--proxy-config',
                            '{"latency_ms": 1}', '--', sys.executable, '-c',
                            code], env=env, stdout=subprocess.PIPE,
                           timeout=60)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, b'200'))


class LogTest(unittest.TestCase):
    def test_log_has_one_line_per_request_without_secrets(self):
        fd, log = tempfile.mkstemp(suffix='.jsonl')
        os.close(fd)
        proc, port = start_proxy('--log', log, '--config',
                                 '{"verify_signature": false}')
        secret_token = 'TOKEN-must-not-appear-%d' % os.getpid()
        st, _, _ = signed_request(port, 'GET', '/restapis', headers={
            'X-Amz-Security-Token': secret_token})
        self.assertEqual(st, 200)
        control(port, 'stats')
        wm.stop(proc, grace=5)
        self.assertEqual(proc.returncode, 0)   # clean exit on SIGTERM
        text = open(log).read()
        os.unlink(log)
        lines = [json.loads(x) for x in text.splitlines()]
        self.assertEqual([x.get('op') for x in lines], ['GetRestApis', None])
        self.assertEqual(lines[0]['status'], 200)
        self.assertNotIn(secret_token, text)
        self.assertNotIn('Signature=', text)


def main():
    argv = [a for a in sys.argv[1:] if a != '-v']
    verbosity = 2 if '-v' in sys.argv[1:] else 1
    loader = unittest.TestLoader()
    mod = sys.modules[__name__]
    suite = (loader.loadTestsFromNames(argv, mod) if argv
             else loader.loadTestsFromModule(mod))
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=verbosity
                                  ).run(suite)
    failed = len(res.failures) + len(res.errors) + len(
        res.unexpectedSuccesses)
    passed = res.testsRun - failed - len(res.skipped)
    if res.skipped:
        print('%d skipped' % len(res.skipped))
    print('%d passed, %d failed' % (passed, failed))
    sys.stdout.flush()
    return 1 if failed or res.testsRun == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
