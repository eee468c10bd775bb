#!/usr/bin/env python3
"""Keeps README.md's command reference equal to the binary's --help.

Usage: gen_readme_commands.py BINARY README [--check]
The text between '<!-- commands:begin -->' and '<!-- commands:end -->' is
the --help of every command (the option tables are the single source).
--check exits 1 when the README differs (a meson test runs it).
"""
import subprocess
import sys

COMMANDS = ['extract', 'validate', 'merge', 'import', 'plan', 'export']
BEGIN = '<!-- commands:begin -->'
END = '<!-- commands:end -->'


def reference(binary):
    parts = []
    for c in COMMANDS:
        out = subprocess.run([binary, c, '--help'], capture_output=True,
                             text=True, check=True).stdout
        parts.append('### `oas2apigw %s`\n\n```\n%s```\n' % (c, out))
    return '\n'.join(parts)


def main():
    binary, readme = sys.argv[1], sys.argv[2]
    text = open(readme).read()
    a = text.index(BEGIN) + len(BEGIN)
    b = text.index(END)
    new = text[:a] + '\n' + reference(binary) + text[b:]
    if '--check' in sys.argv:
        if new != text:
            sys.stderr.write('README.md command reference is out of date: '
                             'run tools/gen_readme_commands.py %s %s\n'
                             % (binary, readme))
            return 1
        print('1 passed, 0 failed')
        return 0
    open(readme, 'w').write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
