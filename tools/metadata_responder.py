#!/usr/bin/env python3
"""A local stand-in for the ECS container credentials endpoint and IMDSv2.

Usage: metadata_responder.py --port-file F [options]

Listens on 127.0.0.1 on a free port (written to F once it accepts
connections), answers like the services that hand out credentials inside
AWS (../shared/reference/aws-conventions.md 2.6), and exits on SIGTERM or
after --lifetime seconds.  Used by tests/e2e/test_cred_e2e.c; Python 3
stdlib only.

IMDSv2:
  PUT /latest/api/token            needs X-aws-ec2-metadata-token-ttl-seconds
                                   (1..21600) -> the session token
  GET /latest/meta-data/iam/security-credentials/        -> role name
  GET /latest/meta-data/iam/security-credentials/ROLE    -> credentials JSON
  The GETs need X-aws-ec2-metadata-token unless --allow-v1; --v1-only
  answers the PUT with 403 (a service with IMDSv2 switched off).
Container:
  GET --container-path             -> credentials JSON; with
                                   --container-auth the Authorization header
                                   must equal it (else 401)
--hang accepts connections and never answers (timeout tests).
Every request is appended to --log as "METHOD PATH name=value;..." with the
headers the test may check (token values are logged as their length only).
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = 'imds-session-token-0123456789'
SECURITY_CREDENTIALS = '/latest/meta-data/iam/security-credentials/'


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--port-file', required=True)
    p.add_argument('--log')
    p.add_argument('--lifetime', type=float, default=120.0)
    p.add_argument('--role', default='oag-test-role')
    p.add_argument('--access-key-id', default='ASIAMETADATAEXAMPLE')
    p.add_argument('--secret-access-key', default='metadata-secret-example')
    p.add_argument('--session-token', default='metadata-session-token')
    p.add_argument('--expiration', default='2030-01-01T00:00:00Z')
    p.add_argument('--container-path', default='/v2/credentials/oag')
    p.add_argument('--container-auth')
    p.add_argument('--allow-v1', action='store_true')
    p.add_argument('--v1-only', action='store_true')
    p.add_argument('--no-role', action='store_true')
    p.add_argument('--hang', action='store_true')
    return p.parse_args(argv)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    opts = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):  # quiet on stderr
        pass

    def record(self):
        if not self.opts.log:
            return
        fields = []
        for name in ('X-aws-ec2-metadata-token-ttl-seconds',
                     'X-aws-ec2-metadata-token', 'Authorization'):
            v = self.headers.get(name)
            if v is None:
                continue
            if name == 'X-aws-ec2-metadata-token-ttl-seconds':
                fields.append('%s=%s' % (name.lower(), v))
            else:
                fields.append('%s=len%d%s' % (name.lower(), len(v),
                              ',match' if v in (TOKEN, self.opts.container_auth)
                              else ''))
        with self.log_lock:
            with open(self.opts.log, 'a') as f:
                f.write('%s %s %s\n' % (self.command, self.path,
                                        ';'.join(fields)))

    def reply(self, status, body, ctype='text/plain'):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def credentials(self, imds):
        doc = {
            'AccessKeyId': self.opts.access_key_id,
            'SecretAccessKey': self.opts.secret_access_key,
            'Token': self.opts.session_token,
            'Expiration': self.opts.expiration,
        }
        if imds:
            doc = dict({'Code': 'Success', 'LastUpdated': '2023-11-14T22:00:00Z',
                        'Type': 'AWS-HMAC'}, **doc)
        else:
            doc['RoleArn'] = 'arn:aws:iam::123456789012:role/' + self.opts.role
        return json.dumps(doc)

    def token_ok(self):
        t = self.headers.get('X-aws-ec2-metadata-token')
        if t is None:
            return self.opts.allow_v1 or self.opts.v1_only
        return t == TOKEN

    def do_PUT(self):
        self.record()
        if self.path != '/latest/api/token':
            return self.reply(404, 'not found')
        if self.opts.v1_only:
            return self.reply(403, 'forbidden')
        ttl = self.headers.get('X-aws-ec2-metadata-token-ttl-seconds')
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, 'missing or invalid ttl')
        self.reply(200, TOKEN)

    def do_GET(self):
        self.record()
        if self.path == self.opts.container_path:
            if (self.opts.container_auth is not None and
                    self.headers.get('Authorization') != self.opts.container_auth):
                return self.reply(401, json.dumps(
                    {'Code': 'Unauthorized', 'Message': 'bad token'}),
                    'application/json')
            return self.reply(200, self.credentials(False), 'application/json')
        if self.path.startswith(SECURITY_CREDENTIALS):
            if not self.token_ok():
                return self.reply(401, 'unauthorized')
            role = self.path[len(SECURITY_CREDENTIALS):]
            if self.opts.no_role:
                return self.reply(404, 'not found')
            if role == '':
                return self.reply(200, self.opts.role)
            if role == self.opts.role:
                return self.reply(200, self.credentials(True),
                                  'application/json')
        return self.reply(404, 'not found')


def hang_forever(sock):
    conns = []
    while True:
        c, _ = sock.accept()
        conns.append(c)  # keep it open, never answer


def write_port(path, port):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % port)
    os.rename(tmp, path)


def main(argv):
    opts = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(opts.lifetime, lambda: os._exit(0)).start()
    if opts.hang:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(('127.0.0.1', 0))
        sock.listen(16)
        write_port(opts.port_file, sock.getsockname()[1])
        hang_forever(sock)
        return 0
    Handler.opts = opts
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    write_port(opts.port_file, server.server_address[1])
    server.serve_forever()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
