#!/usr/bin/env python3
"""Layers without cycles (issue #11, section 2): every #include "popsim/X.h" and "dir/x.h"
in src/ and include/ must point to the same layer or a lower one.

    core < demog < policy, services < engine < micro < io < run, plot < cli

The issue's order puts run below io; here run sits above io because a run takes a loaded
scenario (popsim/scenario.h) and writes the HDF5 file (popsim/h5out.h), and io needs
nothing of run. Layers of equal rank (policy and services, run and plot) may not include
each other. A header missing from HEADER_LAYER fails the test, so a new header is placed
on purpose.

usage: layers_test.py PROJECT_ROOT [--graph]   (--graph prints the folder graph)
"""
import os
import re
import sys

RANK = {"core": 0, "demog": 1, "policy": 2, "services": 2, "engine": 3, "micro": 4,
        "io": 5, "run": 6, "plot": 6, "cli": 7, "api": 8}

HEADER_LAYER = {
    "error": "core", "units": "core", "pop": "core", "inputs": "core", "result": "core",
    "memory": "core", "outfile": "core", "sha256": "core", "version": "core",
    "demog": "demog",
    "policy": "policy", "sweep": "policy", "range": "policy",
    "services": "services",
    "proj": "engine", "ensemble": "engine", "flows": "engine", "status": "engine",
    "prob": "engine", "svc_prob": "engine", "prob_policy": "engine", "parity": "engine",
    "micro": "micro",
    "scenario": "io", "builder": "io", "planner": "io", "wpp": "io", "h5out": "io",
    "h5read": "io", "io": "io", "wpp_pi": "io", "h5prob": "io",
    "uncertainty": "io",
    "family": "run", "run": "run", "run_unit": "run", "part": "io", "prob_family": "run",
    "plot": "plot",
    "popsim": "api",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of_include(name, own):
    """Layer of an included quoted header, or None for a generated or same-folder one."""
    if name.startswith("popsim/"):
        stem = name[len("popsim/"):-2]
        if stem not in HEADER_LAYER:
            raise KeyError(name)
        return HEADER_LAYER[stem]
    if "/" in name:
        folder = name.split("/")[0]
        if folder not in RANK:
            raise KeyError(name)
        return folder
    return own  # "csv_int.h" beside the file, "ps_git_commit.h" generated


def sources(root):
    inc = os.path.join(root, "include", "popsim")
    for f in sorted(os.listdir(inc)):
        if f.endswith(".h") or f.endswith(".h.in"):
            stem = f.split(".")[0]
            yield os.path.join(inc, f), HEADER_LAYER.get(stem), "include/popsim/" + f
    src = os.path.join(root, "src")
    for folder in sorted(os.listdir(src)):
        for dirpath, _, files in os.walk(os.path.join(src, folder)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    yield path, folder, os.path.relpath(path, root)


def main():
    root = sys.argv[1]
    errors, edges, n_files, n_includes = [], {}, 0, 0
    for path, layer, rel in sources(root):
        n_files += 1
        if layer not in RANK:
            errors.append(f"{rel}:1:1: error: no layer for this file; add it to HEADER_LAYER "
                          "or RANK in tests/layers_test.py")
            continue
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for m in INCLUDE.finditer(text):
            n_includes += 1
            line = text.count("\n", 0, m.start()) + 1
            try:
                target = layer_of_include(m.group(1), layer)
            except KeyError:
                errors.append(f'{rel}:{line}:1: error: "{m.group(1)}" has no layer; add it '
                              "to HEADER_LAYER in tests/layers_test.py")
                continue
            if target != layer:
                edges.setdefault((layer, target), []).append(f"{rel}:{line}")
            upward = RANK[target] > RANK[layer]
            sideways = RANK[target] == RANK[layer] and target != layer
            if upward or sideways:
                errors.append(f'{rel}:{line}:1: error: layer {layer} includes "{m.group(1)}" '
                              f"of layer {target}, expected only layers below "
                              f"{layer} (rank {RANK[layer]})")
    if "--graph" in sys.argv:
        for (a, b), where in sorted(edges.items(), key=lambda e: (RANK[e[0][0]], e[0])):
            print(f"{a} -> {b}  ({len(where)})")
    for e in errors:
        print(e, file=sys.stderr)
    if n_files < 20 or n_includes < 50:
        print(f"error: only {n_files} files and {n_includes} includes found under {root}",
              file=sys.stderr)
        return 1
    print(f"layers: {n_files} files, {n_includes} includes, {len(errors)} upward")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
