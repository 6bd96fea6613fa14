#!/usr/bin/env python3
"""Make hostile result files from a real one (issue #17, tests/h5_hostile_test.sh).

usage: h5_hostile.py GOOD.h5 OUT_DIR FIFO_PATH

Each file breaks one rule of the result-file readers: years near INT_MAX, coordinate lengths
in the billions with no data behind them (unwritten chunks), external storage pointing at
/etc/passwd or at a FIFO, a virtual dataset, wrong types and ranks, and global heaps whose
lengths were patched. Nothing here is committed: the files are made at test time.
"""
import os
import shutil
import struct
import sys

import h5py
import numpy as np

good, out, fifo = sys.argv[1], sys.argv[2], sys.argv[3]
INT32_MAX = 2**31 - 1


def copy(name):
    path = os.path.join(out, name + ".h5")
    shutil.copyfile(good, path)
    return path


def scenario(f):
    return f["scenarios"][list(f["scenarios"].keys())[0]]


def replace(grp, name, **kw):
    """Replace dataset `name` of grp by a new one (dimension scales are left behind)."""
    del grp[name]
    return grp.create_dataset(name, **kw)


# Years near INT_MAX: the loops over years in plot, report and compare used to overflow.
with h5py.File(copy("year_int_max"), "r+") as f:
    for obj in [scenario(f)] + [g for g in scenario(f).values() if isinstance(g, h5py.Group)]:
        if "year" in obj:
            n = obj["year"].shape[0]
            obj["year"][...] = np.arange(INT32_MAX - n + 1, INT32_MAX + 1, dtype=np.int32)
# A year outside 1500..3000 in an otherwise sane coordinate.
with h5py.File(copy("year_9999"), "r+") as f:
    y = scenario(f)["year"]
    y[...] = np.arange(9999 - y.shape[0] + 1, 10000, dtype=np.int32)

# Coordinate lengths in the billions, with no chunk ever written: a tiny file.
with h5py.File(copy("huge_age"), "r+") as f:
    replace(scenario(f), "age", shape=(2**31 - 2,), dtype="i4", chunks=(1 << 16,))
with h5py.File(copy("huge_region"), "r+") as f:
    replace(scenario(f), "region", shape=(10**9,), dtype=h5py.string_dtype(), chunks=(1 << 12,))
with h5py.File(copy("huge_variable"), "r+") as f:
    g = scenario(f)
    shape = (g["population"].shape[0], 2**20, 2, 2**12)
    replace(g, "population", shape=shape, dtype="f8", chunks=(1, 1, 2, 64))

# External storage: the data of `population` (and of a service variable) read from another
# file (/etc/passwd) or from a FIFO that would block forever.
for name, target in (("external_passwd", "/etc/passwd"), ("external_fifo", fifo)):
    with h5py.File(copy(name), "r+") as f:
        g = scenario(f)
        shape = g["population"].shape
        nbytes = int(np.prod(shape)) * 8
        replace(g, "population", shape=shape, dtype="f8", external=[(target, 0, nbytes)])
        svc = g["services"][list(g["services"].keys())[0]]
        shape = svc["demand"].shape
        replace(svc, "demand", shape=shape, dtype="f8",
                external=[(target, 0, int(np.prod(shape)) * 8)])

# Only a service variable (read by the generic reader of plot, report and targets) external.
with h5py.File(copy("external_service"), "r+") as f:
    svc = scenario(f)["services"]
    svc = svc[list(svc.keys())[0]]
    shape = svc["demand"].shape
    replace(svc, "demand", shape=shape, dtype="f8",
            external=[("/etc/passwd", 0, int(np.prod(shape)) * 8)])
# External links (HDF5 opens the other file: a FIFO hangs it) and a soft link through one.
with h5py.File(copy("external_link_variable"), "r+") as f:
    g = scenario(f)
    del g["population"]
    g["population"] = h5py.ExternalLink(fifo, "/population")
with h5py.File(copy("external_link_services"), "r+") as f:
    g = scenario(f)
    del g["services"]
    g["services"] = h5py.ExternalLink(fifo, "/services")
with h5py.File(copy("soft_link_variable"), "r+") as f:
    g = scenario(f)
    g["elsewhere"] = h5py.ExternalLink(fifo, "/population")
    del g["population"]
    g["population"] = h5py.SoftLink(g.name + "/elsewhere")

# A virtual dataset mapping `population` onto another file.
with h5py.File(copy("virtual"), "r+") as f:
    g = scenario(f)
    shape = g["population"].shape
    layout = h5py.VirtualLayout(shape=shape, dtype="f8")
    layout[...] = h5py.VirtualSource("/etc/passwd", "population", shape=shape)
    del g["population"]
    g.create_virtual_dataset("population", layout, fillvalue=0)

# Wrong types and ranks.
with h5py.File(copy("population_strings"), "r+") as f:
    g = scenario(f)
    replace(g, "population", data=np.array([b"x"] * 4, dtype="S1"))
with h5py.File(copy("population_rank2"), "r+") as f:
    g = scenario(f)
    replace(g, "population", data=np.zeros((3, 3)))
with h5py.File(copy("year_float_strings"), "r+") as f:
    g = scenario(f)
    replace(g, "year", data=np.array([b"2025"], dtype="S4"))
with h5py.File(copy("age_out_of_range"), "r+") as f:
    g = scenario(f)
    ages = g["age"][...]
    ages[-1] = 100000
    g["age"][...] = ages


# 4-byte file addresses and lengths (legal HDF5, never written by popsim): the heap checks
# assume 8, so such a file is refused rather than misread.
fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
fcpl.set_sizes(4, 4)
with h5py.File(h5py.h5f.create(os.path.join(out, "small_addresses.h5").encode(),
                               h5py.h5f.ACC_TRUNC, fcpl=fcpl)) as f:
    f.create_group("scenarios/x")


# Global heaps (where variable-length strings live) with patched lengths.
def patch_heap(name, patch):
    path = copy(name)
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    at = data.find(b"GCOL\x01")
    patch(data, at)
    with open(path, "wb") as fh:
        fh.write(data)


def object_offset(data, at, index):
    pos = at + 16
    while True:
        idx, _, _, size = struct.unpack_from("<HHIQ", data, pos)
        if idx == index:
            return pos
        pos += 16 + (size + 7) // 8 * 8


def set_object_size(index, size):
    def patch(data, at):
        struct.pack_into("<Q", data, object_offset(data, at, index) + 8, size)
    return patch


patch_heap("heap_object_8k", set_object_size(3, 8192))
patch_heap("heap_object_huge", set_object_size(5, 2**64 - 1))
patch_heap("heap_object_shifted", set_object_size(2, 60))
patch_heap("heap_collection_huge", lambda d, at: struct.pack_into("<Q", d, at + 8, 2**62))
# Object 4 turned into free space of length 0: HDF5 would walk the collection forever.
patch_heap("heap_free_zero", lambda d, at: struct.pack_into(
    "<HHIQ", d, object_offset(d, at, 4), 0, 0, 0, 0))


# References to the heap (length, collection address, object index; 16 bytes stored in the
# dataset) patched while the heap stays intact: the `sex` label "male".
def patch_reference(name, text, new_len=None, new_index=None):
    path = copy(name)
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    at = data.find(b"GCOL\x01")
    while at >= 0:
        size = struct.unpack_from("<Q", data, at + 8)[0]
        pos = at + 16
        while pos + 16 <= at + size:
            idx, _, _, osize = struct.unpack_from("<HHIQ", data, pos)
            if idx == 0:
                break
            if data[pos + 16:pos + 16 + osize] == text:
                ref = struct.pack("<IQI", osize, at, idx)
                where = data.find(ref)
                if where >= 0:
                    struct.pack_into("<IQI", data, where, osize if new_len is None else new_len,
                                     at, idx if new_index is None else new_index)
                    with open(path, "wb") as fh:
                        fh.write(data)
                    return
            pos += 16 + (osize + 7) // 8 * 8
        at = data.find(b"GCOL\x01", at + size)
    raise SystemExit("h5_hostile.py: no reference to %r found" % text)


patch_reference("reference_length", b"male", new_len=1)
patch_reference("reference_index", b"male", new_index=60000)


# Chunked storage (as a probabilistic file's summaries are: one year a chunk, deflated). HDF5
# sizes a chunk's read buffer from the stored size in the chunk index (a v1 B-tree key: 4-byte
# size, 4-byte filter mask, offsets) and from the chunk shape, before it reads: found by
# fuzzing, a flipped bit 30 of the size asked malloc for 1 GiB.
def chunked_population(name, **kw):
    path = copy(name)
    with h5py.File(path, "r+") as f:
        g = scenario(f)
        values = g["population"][...]
        replace(g, "population", data=values, **kw)
    return path


with h5py.File(good, "r") as f:
    one_year = (1,) + scenario(f)["population"].shape[1:]
path = chunked_population("chunk_size_huge", chunks=one_year, compression="gzip", shuffle=True)
with open(path, "rb") as fh:
    data = bytearray(fh.read())
trees = [at for at in range(len(data)) if data.startswith(b"TREE\x01", at)
         and struct.unpack_from("<H", data, at + 6)[0] > 0]
if len(trees) != 1:
    raise SystemExit("h5_hostile.py: expected one chunk index, found %d" % len(trees))
size = struct.unpack_from("<I", data, trees[0] + 24)[0]  # signature, type, level, entries, siblings
struct.pack_into("<I", data, trees[0] + 24, size | 1 << 30)
with open(path, "wb") as fh:
    fh.write(data)
# A chunk shape of 160 MB (deflated to a small file) on a dataset that may grow (HDF5 allows
# chunks past the extent then).
with h5py.File(good, "r") as f:
    shape = scenario(f)["population"].shape
chunked_population("chunk_shape_huge", chunks=(100000,) + shape[1:], maxshape=(None,) + shape[1:],
                  compression="gzip")
