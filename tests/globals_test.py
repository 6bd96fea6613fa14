#!/usr/bin/env python3
"""No process-wide mutable state in the library (issue #11, section 1): every variable of
static storage duration in src/ -- at file scope, or `static` inside a function -- must be
const (the object itself: `static const char *const names[]`, not `static const char *p`),
so that two runs in one process share nothing that either of them changes. Thread-local
variables count as mutable too.

A justified exception is listed in ALLOWED with its reason; an entry that no longer matches a
variable fails the test as well, so the list stays short and true.

usage: globals_test.py PROJECT_ROOT [--list]   (--list prints every static variable seen)
"""
import os
import re
import sys

# "path:name" -> why this variable may change at run time.
ALLOWED = {
    # The program, not the library: a signal handler can only reach a variable of static
    # storage (C11 7.14.1.1), and the CLI hands it to the library as a per-call callback
    # (cli_cancel), never as a process-wide flag.
    "src/cli/signals.c:caught":
        "SIGINT/SIGTERM handler's sig_atomic_t flag (popsim program only)",
}

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
LITERAL = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
PREPROC = re.compile(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", re.M)
IDENT = re.compile(r"[A-Za-z_]\w*")
SKIP_HEADS = ("typedef", "extern", "struct", "union", "enum", "return", "_Static_assert",
              "static_assert")


def strip(text):
    text = COMMENT.sub(lambda m: " " if "\n" not in m.group(0) else "\n" * m.group(0).count("\n"),
                       text)
    text = LITERAL.sub('""', text)
    return PREPROC.sub("", text)


def cut_initializer(decl):
    """The declarator part of `decl`: up to the first '=' outside parentheses and brackets."""
    depth = 0
    for i, ch in enumerate(decl):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "=" and depth == 0:
            return decl[:i]
    return decl


def split_top(text, sep=","):
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def variables(decl):
    """(name, is_const) of each variable a declaration defines; [] for anything else."""
    decl = " ".join(decl.split())
    if not decl or decl.split()[0] in SKIP_HEADS and not decl.startswith(("struct", "union",
                                                                           "enum")):
        return []
    pieces = split_top(decl)
    first = cut_initializer(pieces[0])
    while "{" in first:  # a struct, union or enum defined in place: its members go
        body = re.sub(r"\{[^{}]*\}", " ", first)
        if body == first:
            return []
        first = body
    # specifiers: the words before the first declarator
    m = re.match(r"((?:(?:static|const|volatile|_Thread_local|__thread|unsigned|signed|"
                 r"struct|union|enum|long|short|register|_Atomic)\s+)*)([A-Za-z_]\w*)", first)
    if m is None:
        return []
    spec = m.group(1) + m.group(2)
    rest_first = first[m.end():]
    spec_const = re.search(r"\bconst\b", spec) is not None or rest_first.lstrip().startswith(
        "const ")
    thread = re.search(r"\b(_Thread_local|__thread)\b", spec) is not None
    out = []
    for k, piece in enumerate(pieces):
        d = cut_initializer(rest_first if k == 0 else piece)
        if re.search(r"\(\s*\*", d):  # pointer to function (or array of them)
            name = re.search(r"\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)", d)
            if name is None:
                continue
            const = re.search(r"\*\s*const\s+" + name.group(1), d) is not None
        elif "(" in d:
            return []  # a function prototype
        else:
            names = [n for n in IDENT.findall(re.sub(r"\[[^\]]*\]", "", d))
                     if n not in ("const", "volatile", "restrict")]
            if not names:
                continue
            name = names[-1]
            stars = d.rfind("*")
            if stars >= 0:
                const = re.search(r"\bconst\b", d[stars:]) is not None
            else:
                const = spec_const
            out.append((name, const and not thread))
            continue
        out.append((name.group(1), const and not thread))
    return out


def until_semicolon(text, i):
    """Index of the ';' that ends the declaration starting at i (braces balanced)."""
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == ";" and depth == 0:
            return i
        i += 1
    return len(text)


def statics(text):
    """(line, name, is_const, scope) of each variable of static storage in a stripped file:
    the declarations at file scope, and the `static` ones at the start of a statement inside
    a function body."""
    found = []
    depth, i, n = 0, 0, len(text)
    start = 0  # start of the current file-scope statement
    in_function = False
    while i < n:
        ch = text[i]
        if depth == 0 and ch == ";":
            stmt = text[start:i]
            line = text.count("\n", 0, start + len(stmt) - len(stmt.lstrip())) + 1
            for name, const in variables(stmt.strip()):
                found.append((line, name, const, "file"))
            start = i + 1
        elif depth == 0 and ch == "{" and "=" in text[start:i]:
            i = until_semicolon(text, start)  # a file-scope initializer: the whole declaration
            continue
        elif ch == "{":
            if depth == 0:
                in_function = text[start:i].rstrip().endswith(")")
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and in_function:
                start = i + 1  # a function body ends a statement; a struct body does not
        elif depth > 0 and ch == "s" and text.startswith("static", i) and \
                re.match(r"static\b", text[i:]) and re.search(r"[;{}]\s*$", text[:i]):
            end = until_semicolon(text, i)
            line = text.count("\n", 0, i) + 1
            for name, const in variables(text[i:end].strip()):
                found.append((line, name, const, "local"))
            i = end
        i += 1
    return found


# The checker checks itself first, so that a parser slip cannot pass every file.
SELF_TEST = """
static int counter;                                  /* mutable */
static const volatile sig_atomic_t *flag_ptr;        /* mutable pointer to const */
static const char *const names[] = { "a", "b" };
const double table[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
static struct opt { int a; } opts = { 1 };           /* mutable */
static void (*hook)(int);                            /* mutable */
static _Thread_local int per_thread;                 /* mutable */
int f(int x)
{
    static const int steps[] = { 1, 2 };
    static int calls = 0;                            /* mutable */
    for (int i = 0; i < x; ++i) {
        static double sink[1];                       /* mutable */
        (void)sink;
    }
    return steps[0] + calls;
}
"""
SELF_EXPECT = {("counter", False), ("flag_ptr", False), ("names", True), ("table", True),
               ("opts", False), ("hook", False), ("per_thread", False), ("steps", True),
               ("calls", False), ("sink", False)}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    got = {(name, const) for _, name, const, _ in statics(strip(SELF_TEST))}
    if got != SELF_EXPECT:
        print(f"globals: the checker misreads its own sample: {sorted(got ^ SELF_EXPECT)}")
        return 1
    root = sys.argv[1]
    listing = "--list" in sys.argv[2:]
    errors, seen, n_vars = [], set(), 0
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "src"))):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = strip(fh.read())
            for line, name, const, scope in statics(text):
                n_vars += 1
                key = f"{rel}:{name}"
                if listing:
                    print(f"{rel}:{line}: {scope} {name} {'const' if const else 'MUTABLE'}")
                if const:
                    continue
                if key in ALLOWED:
                    seen.add(key)
                    continue
                errors.append(f"{rel}:{line}:1: error: '{name}' is a mutable variable of "
                              f"static storage ({scope} scope); make it const, or carry it in "
                              "the run's or the call's options (or justify it in ALLOWED in "
                              "tests/globals_test.py)")
    for key in sorted(set(ALLOWED) - seen):
        errors.append(f"tests/globals_test.py:1:1: error: ALLOWED entry '{key}' matches no "
                      "mutable variable any more; remove it")
    for e in errors:
        print(e)
    print(f"globals: {n_vars} static variables, {len(errors)} not allowed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
