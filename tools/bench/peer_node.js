#!/usr/bin/env node
/*
 * Peer: the integration-response extraction as users write it today in
 * Node.js: js-yaml (load, with json:true so that duplicate keys override like
 * JSON.parse instead of throwing) for YAML, JSON.parse for JSON (chosen by the
 * .json extension).  Prints the records JSON (see tools/README.md,
 * "Benchmarks") on stdout.
 *
 * Known limitation, kept on purpose because it is what users get: JavaScript
 * objects list integer-like keys ("404") first, so a responses map whose
 * selection patterns are plain integers comes out in a different order.
 *
 * Usage: node peer_node.js FILE
 */
'use strict';

const fs = require('fs');
const path = require('path');
const yaml = require(path.join(__dirname, 'node_modules', 'js-yaml'));

const METHODS = {
  get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', patch: 'PATCH',
  head: 'HEAD', options: 'OPTIONS', 'x-amazon-apigateway-any-method': 'ANY',
};

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function load(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    return JSON.parse(text);
  }
  return yaml.load(text, { json: true });
}

function records(doc) {
  const out = [];
  const paths = (doc && doc.paths) || {};
  for (const [p, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const [key, op] of Object.entries(item)) {
      const method = Object.prototype.hasOwnProperty.call(METHODS, key) ? METHODS[key] : undefined;
      if (method === undefined || !isObject(op)) continue;
      const integ = op['x-amazon-apigateway-integration'];
      if (!isObject(integ)) continue;
      const responses = integ.responses;
      if (!isObject(responses) || Object.keys(responses).length === 0) continue;
      for (const [sel, r0] of Object.entries(responses)) {
        const r = r0 || {};
        const rec = { path: p, httpMethod: method, statusCode: String(r.statusCode) };
        if (sel !== 'default' && sel !== '' && sel !== '-') rec.selectionPattern = sel;
        const params = r.responseParameters;
        if (isObject(params) && Object.keys(params).length > 0) rec.responseParameters = params;
        const tmpl = r.responseTemplates;
        if (isObject(tmpl) && Object.keys(tmpl).length > 0) {
          const t = {};
          for (const [k, v] of Object.entries(tmpl)) t[k] = v === null ? '' : v;
          rec.responseTemplates = t;
        }
        if (r.contentHandling !== undefined && r.contentHandling !== null) {
          rec.contentHandling = r.contentHandling;
        }
        out.push(rec);
      }
    }
  }
  return out;
}

function main() {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node peer_node.js FILE\n');
    process.exit(2);
  }
  const recs = records(load(process.argv[2]));
  process.stdout.write(JSON.stringify(recs, null, 1) + '\n');
}

main();
