#!/usr/bin/python3
"""Copy the answer subset of a popsim result file into an answer file (tests/answers/).

Kept: every numeric dataset of every scenario except the per-age arrays, which make up most
of a file; of those, each file keeps the first scenario's `population`
Values are stored exactly (float64, gzip +
shuffle); attributes and dimension scales are not copied: tests/answers_test.sh compares the
values with h5diff, dataset by dataset. Coordinates are kept, so a changed axis shows.
usage: select.py RESULT.h5 ANSWER.h5
"""
import sys

import h5py
import numpy as np

KEEP_PER_AGE_FIRST = {"population"}
N_AGES = 101


def main(src_path, dst_path):
    src = h5py.File(src_path, "r")
    scenarios = list(src["scenarios"].keys())
    first = scenarios[0]
    with h5py.File(dst_path, "w") as dst:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.dtype.kind not in "iuf":
                return
            parts = name.split("/")
            if len(parts) > 2 and parts[0] == "scenarios":
                per_age = N_AGES in obj.shape and obj.ndim >= 2
                if per_age and not (parts[1] == first and parts[-1] in KEEP_PER_AGE_FIRST):
                    return
                if parts[2] == "micro" and obj.ndim == 1 and parts[-1] != "replicate":
                    return  # person records of replicate 0: their sums are kept elsewhere
            data = obj[()]
            kw = {}
            if data.size > 4096:
                kw = dict(compression="gzip", compression_opts=9, shuffle=True)
            dst.create_dataset(name, data=data, **kw)
        src.visititems(visit)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
