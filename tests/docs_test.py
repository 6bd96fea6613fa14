#!/usr/bin/python3
"""Every function that docs/*.md names as `path/file.c: function` exists in that file.

docs/model.md names the function behind each equation (issue #11, section 6); this keeps the
names true as code moves. A reference may break across lines inside its backticks. A
function counts as existing when its definition starts a line of the file (a return type,
the name and an opening parenthesis, with no semicolon before the line's end).
usage: docs_test.py PROJECT_ROOT
"""
import pathlib
import re
import sys

REF = re.compile(r"`((?:src|include|tests|bench|fuzz)/[\w/.-]+\.[ch]):\s+(\w+)`")


def defined(text, name):
    pattern = re.compile(r"^[A-Za-z_][^;\n]*?\b" + re.escape(name) + r"\s*\([^;]*$", re.M)
    return pattern.search(text) is not None


def main(root):
    root = pathlib.Path(root)
    refs, bad = 0, []
    for doc in sorted((root / "docs").glob("*.md")):
        text = re.sub(r"\s*\n\s*", " ", doc.read_text(encoding="utf-8"))
        for path, name in REF.findall(text):
            refs += 1
            src = root / path
            if not src.is_file():
                bad.append(f"{doc.name}: `{path}: {name}`: no file {path}")
            elif not defined(src.read_text(encoding="utf-8", errors="replace"), name):
                bad.append(f"{doc.name}: `{path}: {name}`: no function {name} in {path}")
    for line in bad:
        print("FAIL", line)
    model = (root / "docs" / "model.md").read_text(encoding="utf-8")
    if len(REF.findall(re.sub(r"\s*\n\s*", " ", model))) < 10:
        print("FAIL model.md names fewer than 10 functions")
        bad.append("model.md")
    print(f"docs: {refs - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
