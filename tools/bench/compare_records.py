#!/usr/bin/env python3
"""Compare records JSON files (the extraction output) on their parsed JSON.

Usage: compare_records.py REFERENCE OTHER...
Exit 0 when every OTHER equals REFERENCE (same array, same records in the same
order; key order inside a record does not matter), 1 otherwise, 2 when a file
is not JSON.  For each difference it prints the first record that differs.
"""

import json
import sys


def load(path):
    with open(path, "rb") as f:
        return json.load(f)


def first_difference(a, b):
    if not isinstance(a, list) or not isinstance(b, list):
        return "not a JSON array (%s vs %s)" % (type(a).__name__, type(b).__name__)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            keys = sorted(set(x) | set(y)) if isinstance(x, dict) and isinstance(y, dict) else []
            diff = [k for k in keys if x.get(k) != y.get(k)]
            return "record %d differs in %s:\n  %s\n  %s" % (
                i, ",".join(diff) or "type",
                json.dumps(x, ensure_ascii=False)[:400],
                json.dumps(y, ensure_ascii=False)[:400])
    if len(a) != len(b):
        return "record counts differ: %d vs %d" % (len(a), len(b))
    return None


def same_multiset(a, b):
    key = lambda r: json.dumps(r, sort_keys=True)
    return isinstance(a, list) and isinstance(b, list) and \
        sorted(map(key, a)) == sorted(map(key, b))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        ref = load(argv[1])
    except (OSError, ValueError) as e:
        print("%s: cannot read records: %s" % (argv[1], e))
        return 2
    rc = 0
    for other in argv[2:]:
        try:
            got = load(other)
        except (OSError, ValueError) as e:
            print("%s: cannot read records: %s" % (other, e))
            rc = max(rc, 2)
            continue
        d = first_difference(ref, got)
        if d is None:
            print("agree: %s = %s (%d records)" % (other, argv[1], len(ref)))
        else:
            print("DISAGREE: %s vs %s: %s" % (argv[1], other, d))
            if same_multiset(ref, got):
                print("  (same records in another order: integer-like keys"
                      " reordered by a JavaScript object?)")
            rc = max(rc, 1)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
