#!/usr/bin/env python3
"""Prints 'N passed, N failed[, N skipped]' for a meson test log.

Criterion suites report through TAP, so each of their test cases counts;
other tests count once.  Usage: test_summary.py build/meson-logs/testlog.json
"""
import json
import re
import sys


def main():
    passed = failed = skipped = 0
    with open(sys.argv[1]) as f:
        for line in f:
            t = json.loads(line)
            out = t.get('stdout') or ''
            oks = re.findall(r'^(not ok|ok)\b(.*)$', out, re.M)
            if oks:
                for status, rest in oks:
                    if status == 'not ok':
                        failed += 1
                    elif '# SKIP' in rest.upper():
                        skipped += 1
                    else:
                        passed += 1
                if t.get('result') not in ('OK', 'EXPECTEDFAIL', 'SKIP') and \
                        not any(s == 'not ok' for s, _ in oks):
                    failed += 1
            elif t.get('result') in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif t.get('result') == 'SKIP':
                skipped += 1
            else:
                failed += 1
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
