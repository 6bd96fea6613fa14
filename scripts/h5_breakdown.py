#!/usr/bin/env python3
"""The HDF5 writer's time by HDF5 call (issue #18), from `perf script -F ip,sym` output of
`perf record -g --call-graph dwarf` runs of popsim (read on stdin, any number of runs).

A sample counts for the writer when a ps_h5_write* function is on its stack; it is charged to
the outermost HDF5 API function on the stack (H5Dcreate2, H5Acreate2, H5Fclose, ...: the
call popsim made), else to the leaf function (popsim's own code, libc). Also printed: the
writer's share of all samples and the share of its samples in page faults and malloc/free.
Usage: perf script -i perf.data -F ip,sym | h5_breakdown.py [LABEL] [TOP]
"""
import collections
import re
import sys

API = re.compile(r"^H5[A-Z]+[a-z0-9_]*[0-9a-z]$")  # H5Dcreate2, H5DSattach_scale; not H5D__x, H5C_y


def is_api(name):
    return bool(API.match(name)) and "__" not in name and not re.match(r"^H5[A-Z]+_", name)


def stacks(lines):
    cur = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                yield cur
            cur = []
        elif line[0] not in " \t":
            cur = []  # a sample's header line (perf script prints one when fields ask for it)
        else:
            parts = line.split()
            if len(parts) >= 2:
                cur.append(parts[1].split("+")[0])
    if cur:
        yield cur


def main():
    label = sys.argv[1] if len(sys.argv) > 1 else ""
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    total = writer = faults = alloc = 0
    by_call = collections.Counter()
    for st in stacks(sys.stdin):  # innermost frame first
        total += 1
        if not any(f.startswith("ps_h5_write") for f in st):
            continue
        writer += 1
        faults += any(f == "asm_exc_page_fault" for f in st)
        alloc += any(f in ("_int_malloc", "_int_free", "malloc_consolidate") for f in st)
        api = next((f for f in reversed(st) if is_api(f)), None)
        by_call[api if api else "(not in HDF5) " + st[0]] += 1
    if writer == 0:
        print(f"{label}: no writer samples in {total} (ps_h5_write* not on any stack)")
        return
    print(f"{label}: writer {writer} of {total} samples ({100 * writer / total:.1f} %); "
          f"of the writer's: page faults {100 * faults / writer:.1f} %, "
          f"malloc/free {100 * alloc / writer:.1f} %")
    for call, n in by_call.most_common(top):
        print(f"  {100 * n / writer:5.1f} %  {call}")


if __name__ == "__main__":
    main()
