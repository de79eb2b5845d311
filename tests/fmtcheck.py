#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/fmtcheck.py [FILE.c ...]: every format string given to ntpsync's own printf
(fmt.c's str_fmt and output.c's out) uses only what str_vfmt implements.

The printf format attribute makes the compiler check the arguments' types, but it
accepts every conversion of the C library's printf, and str_vfmt knows few of them:
an unknown one would print wrong or shift the arguments. Accepted: %% and
%[+0][width][.precision][l|ll|z](s|c|d|u|x|f), with a precision on %f only (at most 9)
and a size on d, u, x only. A format that is not a string literal is refused too.
Prints FILE:LINE: reason for each finding; exits 1 if there is one.
`--self-test` checks the checker on good and bad formats.
"""
import re
import sys

CALLS = re.compile(r'\b(str_fmt|out)\s*\(')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CONVERSION = re.compile(r'%([+0]*)([0-9]*)(\.[0-9]*)?(ll|l|z)?(.?)')


def check_format(fmt):
    """Return None if str_vfmt implements every conversion of fmt, else why not."""
    i = 0
    while True:
        i = fmt.find('%', i)
        if i < 0:
            return None
        m = CONVERSION.match(fmt, i)
        _, _, prec, size, conv = m.groups()
        if conv == '%' and m.group(0) == '%%':
            i = m.end()
            continue
        if conv not in 'scduxf' or conv == '':
            return 'unsupported conversion %r' % m.group(0)
        if prec is not None and (conv != 'f' or len(prec) < 2 or int(prec[1:]) > 9):
            return 'precision %r is only for %%f, 0 to 9' % m.group(0)
        if size is not None and conv not in 'dux':
            return 'size %r is only for d, u, x' % m.group(0)
        i = m.end()


def call_args(text, start):
    """The text between the parenthesis at start and its match."""
    depth, i, quote = 0, start, False
    while i < len(text):
        c = text[i]
        if quote:
            if c == '\\':
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return text[start + 1:]


def split_top(args):
    """Split a call's arguments at top-level commas."""
    parts, depth, cur, quote, i = [], 0, '', False, 0
    while i < len(args):
        c = args[i]
        cur += c
        if quote:
            if c == '\\' and i + 1 < len(args):
                cur += args[i + 1]
                i += 1
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif c == ',' and depth == 0:
            parts.append(cur[:-1])
            cur = ''
        i += 1
    parts.append(cur)
    return [p.strip() for p in parts]


def check_file(path):
    text = open(path, encoding='utf-8').read()
    findings = []
    for m in CALLS.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        before = text[text.rfind('\n', 0, m.start()) + 1:m.start()]
        if before == '' or before.startswith(('#', ' *', '/*')):
            continue    # a definition (style(9): at column 0) or a comment
        args = split_top(call_args(text, m.end() - 1))
        index = 2 if m.group(1) == 'str_fmt' else 1
        if len(args) <= index:
            findings.append('%s:%d: %s() without a format' % (path, line, m.group(1)))
            continue
        fmt_arg = args[index]
        pieces = LITERAL.findall(fmt_arg)
        if not pieces or LITERAL.sub('', fmt_arg).strip():
            findings.append('%s:%d: the format is not a string literal: %s'
                            % (path, line, fmt_arg))
            continue
        why = check_format(''.join(pieces))
        if why:
            findings.append('%s:%d: %s' % (path, line, why))
    return findings


def self_test():
    good = ['%s %c %d %u %x', '%+.6f', '%08x.%08x', '%016llx', '%zu', '%2d %02d',
            '%.9f', '%lld', '100%%', '%+d', '%.0f']
    bad = ['%-6s', '%.3s', '%i', '%p', '%e', '%.10f', '%ls', '%5.2d', 'end %', '%*d']
    failed = [f for f in good if check_format(f)] + [f for f in bad if not check_format(f)]
    for f in failed:
        print('fmtcheck self-test: wrong verdict on %r' % f)
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    findings = []
    for path in argv[1:]:
        findings += check_file(path)
    for f in findings:
        print(f)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
