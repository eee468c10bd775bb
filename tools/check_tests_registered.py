#!/usr/bin/env python3
"""Fails (exit 1) when a tests/**/*.c file is not registered in meson.

Usage: check_tests_registered.py TESTS_DIR REGISTERED_FILE...
Called by tests/meson.build at configure time (git's t/meson.build does the
same), so a test file nobody builds cannot go unnoticed.
"""
import os
import sys


def main():
    tests_dir = os.path.realpath(sys.argv[1])
    registered = {os.path.realpath(p) for p in sys.argv[2:]}
    missing = []
    for root, _dirs, files in os.walk(tests_dir):
        for name in files:
            if name.endswith('.c'):
                path = os.path.realpath(os.path.join(root, name))
                if path not in registered:
                    missing.append(os.path.relpath(path, tests_dir))
    if missing:
        sys.stderr.write('test files not registered in tests/*/meson.build: '
                         + ', '.join(sorted(missing)) + '\n')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
