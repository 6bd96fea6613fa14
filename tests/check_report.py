#!/usr/bin/env python3
"""Check a `popsim report` page without a browser.

usage: check_report.py REPORT.html CHART [CHART ...] [--width W --height H] [--text T ...]

The page must parse as HTML (python's html.parser, with every element that needs a closing
tag closed in order), be self-contained (no external URL, no script element), embed every
named chart as a figure whose <img> is a base64 PNG data: URI of the given pixel size, and
contain each --text string literally in its visible text. Exit status 0 when all hold.
"""
import base64
import struct
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.images, self.figures = [], [], [], []
        self.text, self.scripts, self.urls = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "figure":
            self.figures.append(attrs.get("data-chart"))
        if tag == "img":
            self.images.append((self.figures[-1] if self.figures else None, attrs.get("src", "")))
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if value.startswith(("http:", "https:", "//", "file:")):
                self.urls.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def png_size(src):
    prefix = "data:image/png;base64,"
    if not src.startswith(prefix):
        raise ValueError("not a base64 PNG data: URI")
    data = base64.b64decode(src[len(prefix):], validate=True)
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def main(argv):
    args, charts, texts, width, height = argv[2:], [], [], None, None
    while args:
        a = args.pop(0)
        if a == "--width":
            width = int(args.pop(0))
        elif a == "--height":
            height = int(args.pop(0))
        elif a == "--text":
            texts.append(args.pop(0))
        else:
            charts.append(a)
    page = Page()
    with open(argv[1], encoding="utf-8") as f:
        page.feed(f.read())
    page.close()
    problems = list(page.errors)
    if page.stack:
        problems.append(f"unclosed elements: {page.stack}")
    if page.scripts:
        problems.append(f"{page.scripts} script element(s)")
    if page.urls:
        problems.append(f"external references: {page.urls[:3]}")
    embedded = {}
    for chart, src in page.images:
        try:
            embedded[chart] = png_size(src)
        except ValueError as e:
            problems.append(f"image of {chart}: {e}")
    for chart in charts:
        if chart not in embedded:
            problems.append(f"chart {chart} is not embedded")
        elif width and embedded[chart] != (width, height):
            problems.append(f"chart {chart} is {embedded[chart]}, expected {(width, height)}")
    if set(embedded) - set(charts):
        problems.append(f"unexpected charts: {sorted(set(embedded) - set(charts))}")
    visible = "".join(page.text)
    for t in texts:
        if t not in visible:
            problems.append(f"text not shown literally: {t!r}")
    for p in problems:
        print("check_report:", p)
    print(f"check_report: {len(embedded)} charts embedded, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
