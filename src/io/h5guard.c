/*
 * h5guard.c - checks that stand between a hostile result file and the HDF5 library or our
 * allocations (issue #17). A result file may come from anywhere, so nothing read from it
 * sizes an allocation, bounds a loop or names another file before it is checked here.
 *
 * Global heaps: variable-length strings are stored in "global heap collections" (HDF5 file
 * format spec, sec. III.E: "GCOL", version 1, 3 reserved bytes, 8-byte collection size, then
 * objects of 2-byte index, 2-byte reference count, 4 reserved bytes, 8-byte size and data
 * padded to 8 bytes; index 0 is the free space). HDF5 1.10 walks a collection by those sizes
 * without bounds checks and copies objects by them, so a corrupted size overruns its
 * buffers. We walk every collection of the file the same way first, with bounds checks.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "h5guard_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Global heap collection layout (HDF5 file format spec, version 1 collections). */
enum {
    GCOL_HEADER = 16,    /* signature 4, version 1, reserved 3, collection size 8 */
    GCOL_OBJ_HEADER = 16, /* index 2, references 2, reserved 4, object size 8 */
    GCOL_ALIGN = 8,
    GCOL_VERSION = 1,
};
static const unsigned char gcol_sig[4] = { 'G', 'C', 'O', 'L' };
/* A variable-length reference in the file with 8-byte addresses: length, address, index. */
enum { REF_SIZE = 16 };
#define REF_MAX ((uint64_t)1 << 20) /* references per object (16 MiB of them), e.g. regions */
static const char ref_conv_name[] = "popsim raw vlen references";

/* Dataset size limits (docs/errors.md): a floor for small files, a ratio for the rest. */
static const uint64_t bytes_floor = (uint64_t)64 << 20;
static const uint64_t bytes_per_file_byte = 100;
static const uint64_t bytes_hard = (uint64_t)4 << 30;

/* H5Ewalk2 callback: keep the innermost (most specific) description of the failure. */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc != NULL) {
        snprintf(data, 256, "%s", e->desc);
    }
    return 0;
}

static uint64_t le_uint(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) {
        v = (v << 8) | p[k];
    }
    return v;
}

/* Check the collection at byte `at` of the file image; *len_out is its length. The objects
 * must tile it exactly as HDF5 will walk them: each one (and the free space) inside. */
static ps_status check_collection(uint64_t *len_out, const unsigned char *img, uint64_t size,
                                  uint64_t at, ps_error *err)
{
    uint64_t len = size - at >= GCOL_HEADER ? le_uint(img + at + 8, 8) : 0;
    if (len < GCOL_HEADER || len > size - at) {
        return ps_error_set(err, PS_EIO, "corrupted global heap at byte %llu: its length %llu "
                            "does not fit in the file (%llu bytes)", (unsigned long long)at,
                            (unsigned long long)len, (unsigned long long)size);
    }
    uint64_t pos = GCOL_HEADER;
    while (len - pos >= GCOL_OBJ_HEADER) {
        const unsigned char *obj = img + at + pos;
        uint64_t index = le_uint(obj, 2), osize = le_uint(obj + 8, 8), room = len - pos;
        uint64_t need = index == 0 ? osize
                        : osize > room ? room + 1
                                       : GCOL_OBJ_HEADER + (osize + GCOL_ALIGN - 1) / GCOL_ALIGN *
                                                               GCOL_ALIGN;
        if (need > room || (index == 0 && need < GCOL_OBJ_HEADER)) {
            return ps_error_set(err, PS_EIO, "corrupted global heap at byte %llu: object %llu "
                                "of %llu bytes does not fit in the collection (%llu bytes left)",
                                (unsigned long long)at, (unsigned long long)index,
                                (unsigned long long)osize, (unsigned long long)room);
        }
        pos += need;
    }
    *len_out = len;
    return PS_OK;
}

/* Size of object `index` of the (checked) collection at byte `at`, or -1 if it has none. */
static int64_t collection_object(const unsigned char *img, uint64_t at, uint64_t index)
{
    uint64_t len = le_uint(img + at + 8, 8), pos = GCOL_HEADER;
    int64_t found = -1;
    while (len - pos >= GCOL_OBJ_HEADER) {
        const unsigned char *obj = img + at + pos;
        uint64_t idx = le_uint(obj, 2), osize = le_uint(obj + 8, 8);
        if (idx == index && index != 0) {
            found = (int64_t)osize; /* HDF5 keeps the last object of an index */
        }
        pos += idx == 0 ? osize : GCOL_OBJ_HEADER + (osize + GCOL_ALIGN - 1) / GCOL_ALIGN * GCOL_ALIGN;
    }
    return found;
}

/* Every collection of the image, found by its signature and version. */
static ps_status check_heaps(const unsigned char *img, uint64_t size, ps_error *err)
{
    ps_status rc = PS_OK;
    uint64_t at = 0;
    while (rc == PS_OK && size >= GCOL_HEADER && at <= size - GCOL_HEADER) {
        const unsigned char *hit = memchr(img + at, gcol_sig[0], (size_t)(size - GCOL_HEADER - at + 1));
        if (hit == NULL) {
            break;
        }
        at = (uint64_t)(hit - img);
        uint64_t len = 1;
        if (memcmp(hit, gcol_sig, sizeof gcol_sig) == 0 && hit[4] == GCOL_VERSION) {
            rc = check_collection(&len, img, size, at, err);
        }
        at += len;
    }
    return rc;
}

/* The heap layouts above assume 8-byte addresses and lengths, as every HDF5 file popsim (and
 * HDF5 by default) writes; anything else is refused rather than misread. */
static ps_status check_sizes(hid_t file, ps_error *err)
{
    size_t sizeof_addr = 0, sizeof_size = 0;
    hid_t fcpl = H5Fget_create_plist(file);
    ps_status rc = PS_OK;
    if (fcpl < 0 || H5Pget_sizes(fcpl, &sizeof_addr, &sizeof_size) < 0 ||
        sizeof_addr != sizeof(uint64_t) || sizeof_size != sizeof(uint64_t)) {
        rc = ps_error_set(err, PS_EIO, "uses %zu-byte file addresses and %zu-byte lengths; "
                          "result files use 8 and 8", sizeof_addr, sizeof_size);
    }
    if (fcpl >= 0) {
        H5Pclose(fcpl);
    }
    return rc;
}

ps_status ps_h5__open_file(hid_t *file_out, const char *path, ps_error *err)
{
    struct stat st;
    void *img = MAP_FAILED;
    int fd = -1;
    ps_status rc = PS_OK;
    *file_out = H5I_INVALID_HID;
    /* The system's reason ("No such file or directory") reads better than HDF5's. */
    if ((fd = open(path, O_RDONLY | O_NONBLOCK)) < 0 || fstat(fd, &st) != 0) {
        rc = ps_error_set(err, PS_EIO, "cannot open: %s", strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ps_error_set(err, PS_EIO, "is not a regular file, expected an HDF5 result file");
        goto done;
    }
    if (st.st_size > 0 && (uintmax_t)st.st_size <= SIZE_MAX &&
        (img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        rc = ps_error_set(err, PS_EIO, "cannot read: %s", strerror(errno));
        goto done;
    }
    if (img != MAP_FAILED && (rc = check_heaps(img, (uint64_t)st.st_size, err)) != PS_OK) {
        goto done;
    }
    if ((*file_out = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0) {
        char reason[256] = "no detail from HDF5";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, reason);
        rc = ps_error_set(err, PS_EIO, "cannot open as an HDF5 file: %s", reason);
    } else {
        rc = check_sizes(*file_out, err);
    }
done:
    if (rc != PS_OK && *file_out >= 0) {
        H5Fclose(*file_out);
        *file_out = H5I_INVALID_HID;
    }
    if (img != MAP_FAILED) {
        munmap(img, (size_t)st.st_size);
    }
    if (fd >= 0) {
        close(fd);
    }
    return rc;
}

int ps_h5__local_path(hid_t loc, const char *path)
{
    char prefix[1024];
    size_t len = strlen(path);
    if (len >= sizeof prefix) {
        return 0;
    }
    /* Check "a", "a/b", "a/b/c" in turn: each lookup traverses only links checked before. */
    for (size_t end = path[0] == '/' ? 1 : 0; end <= len; ++end) {
        if (end < len && path[end] != '/') {
            continue;
        }
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        if (end == 0 || strcmp(prefix, "/") == 0 || prefix[end - 1] == '/') {
            continue; /* the root, or an empty component ("a//b") */
        }
        H5L_info_t info;
        if (H5Lexists(loc, prefix, H5P_DEFAULT) <= 0 ||
            H5Lget_info(loc, prefix, &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_HARD) {
            return 0;
        }
    }
    return 1;
}

hid_t ps_h5__open_group(hid_t loc, const char *path)
{
    return ps_h5__local_path(loc, path) ? H5Gopen2(loc, path, H5P_DEFAULT) : H5I_INVALID_HID;
}

H5_index_t ps_h5__link_order(hid_t grp)
{
    unsigned flags = 0;
    hid_t gcpl = H5Gget_create_plist(grp);
    if (gcpl >= 0) {
        if (H5Pget_link_creation_order(gcpl, &flags) < 0) {
            flags = 0;
        }
        H5Pclose(gcpl);
    }
    return (flags & H5P_CRT_ORDER_INDEXED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
}

/* A conversion from variable-length strings to 16-byte opaque elements that leaves the
 * file's bytes as they are: reading through it yields the raw references (HDF5 file format
 * spec, sec. III.A.2: 4-byte length, heap collection address, 4-byte object index) without
 * HDF5 touching the heap they point into. */
static herr_t raw_references(hid_t src, hid_t dst, H5T_cdata_t *cdata, size_t nelmts,
                             size_t buf_stride, size_t bkg_stride, void *buf, void *bkg,
                             hid_t dxpl)
{
    (void)nelmts;
    (void)buf_stride;
    (void)bkg_stride;
    (void)buf;
    (void)bkg;
    (void)dxpl;
    if (cdata->command == H5T_CONV_INIT) {
        cdata->need_bkg = H5T_BKG_NO;
        return (H5Tget_class(src) == H5T_VLEN ||
                (H5Tget_class(src) == H5T_STRING && H5Tis_variable_str(src) > 0)) &&
                       H5Tget_class(dst) == H5T_OPAQUE && H5Tget_size(dst) == REF_SIZE
                   ? 0
                   : -1;
    }
    return 0; /* H5T_CONV_CONV: same size, bytes kept; H5T_CONV_FREE: nothing held */
}

/* Read the raw references of a variable-length string attribute or dataset into refs. */
static herr_t read_references(unsigned char *refs, hid_t obj, int is_attr, hid_t ftype)
{
    hid_t opaque = H5Tcreate(H5T_OPAQUE, REF_SIZE);
    herr_t st = opaque < 0 ? -1 : H5Tregister(H5T_PERS_SOFT, ref_conv_name, ftype, opaque,
                                               raw_references);
    if (st >= 0) {
        st = is_attr ? H5Aread(obj, opaque, refs)
                     : H5Dread(obj, opaque, H5S_ALL, H5S_ALL, H5P_DEFAULT, refs);
        /* Leave HDF5's conversion table as it was: the library changes no process state. */
        if (H5Tunregister(H5T_PERS_SOFT, ref_conv_name, ftype, opaque, raw_references) < 0) {
            st = -1;
        }
    }
    if (opaque >= 0) {
        H5Tclose(opaque);
    }
    return st;
}

/* Every reference must name an object of a checked collection whose size is its length
 * times the size of one element in the file (1 for strings). */
static ps_status check_references(const unsigned char *refs, hsize_t n, uint64_t elem,
                                  const unsigned char *img, uint64_t size, uint64_t base,
                                  const char *what, ps_error *err)
{
    for (hsize_t k = 0; k < n; ++k) {
        const unsigned char *ref = refs + k * REF_SIZE;
        uint64_t len = le_uint(ref, 4), addr = le_uint(ref + 4, 8), index = le_uint(ref + 12, 4);
        uint64_t at = base + addr, clen = 0;
        if (addr == 0 && len == 0) {
            continue; /* a NULL string: HDF5 reads nothing */
        }
        if (addr == 0 || at < base || size < GCOL_HEADER || at > size - GCOL_HEADER ||
            memcmp(img + at, gcol_sig, sizeof gcol_sig) != 0 || img[at + 4] != GCOL_VERSION ||
            check_collection(&clen, img, size, at, NULL) != PS_OK ||
            len > INT64_MAX / elem || collection_object(img, at, index) != (int64_t)(len * elem)) {
            return ps_error_set(err, PS_EIO, "corrupted variable-length value %llu of '%s': its "
                                "length %llu or heap reference (byte %llu, object %llu) does not "
                                "match the file", (unsigned long long)k + 1, what,
                                (unsigned long long)len, (unsigned long long)at,
                                (unsigned long long)index);
        }
    }
    return PS_OK;
}

ps_status ps_h5__check_vlen(hid_t obj, int is_attr, const char *what, ps_error *err)
{
    hid_t ftype = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
    hid_t file = H5Iget_file_id(obj), fcpl = H5I_INVALID_HID;
    hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    unsigned char *refs = NULL;
    void *img = MAP_FAILED;
    struct stat st;
    hsize_t base = 0;
    uint64_t elem = 1;
    int fd = -1;
    char path[4096];
    ps_status rc = PS_OK;
    if (ftype >= 0 && H5Tget_class(ftype) == H5T_VLEN) {
        hid_t super = H5Tget_super(ftype); /* elements of a sequence: their size in the file */
        elem = super < 0 ? 0 : H5Tget_size(super);
        if (super >= 0) {
            H5Tclose(super);
        }
    } else if (ftype >= 0 && (H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) <= 0)) {
        goto done; /* numbers and fixed-length strings live in the object itself */
    }
    if (ftype < 0 || elem == 0 || n < 0 || (uint64_t)n > REF_MAX || file < 0 ||
        (fcpl = H5Fget_create_plist(file)) < 0 || H5Pget_userblock(fcpl, &base) < 0 ||
        H5Fget_name(file, path, sizeof path) <= 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot check the variable-length values of '%s'", what);
        goto done;
    }
    if ((refs = malloc((size_t)n * REF_SIZE + 1)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory checking '%s'", what);
        goto done;
    }
    if (n > 0 && read_references(refs, obj, is_attr, ftype) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot read the heap references of '%s'", what);
        goto done;
    }
    if ((fd = open(path, O_RDONLY | O_NONBLOCK)) < 0 || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        rc = ps_error_set(err, PS_EIO, "cannot read the file to check '%s'", what);
        goto done;
    }
    rc = check_references(refs, (hsize_t)n, elem, img, (uint64_t)st.st_size, base, what, err);
done:
    if (img != MAP_FAILED) {
        munmap(img, (size_t)st.st_size);
    }
    if (fd >= 0) {
        close(fd);
    }
    free(refs);
    if (fcpl >= 0) {
        H5Pclose(fcpl);
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (ftype >= 0) {
        H5Tclose(ftype);
    }
    return rc;
}

uint64_t ps_h5__byte_limit(hid_t obj)
{
    hsize_t size = 0;
    hid_t file = H5Iget_file_id(obj);
    if (file < 0 || H5Fget_filesize(file, &size) < 0) {
        size = 0;
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    uint64_t limit = size > bytes_hard / bytes_per_file_byte ? bytes_hard
                                                              : size * bytes_per_file_byte;
    return limit < bytes_floor ? bytes_floor : limit;
}

/* "<group path>/<name>" for messages. */
static void object_path(char *buf, size_t size, hid_t loc, const char *name)
{
    char where[256];
    if (name[0] == '/') {
        snprintf(buf, size, "%s", name);
        return;
    }
    if (H5Iget_name(loc, where, sizeof where) <= 0) {
        snprintf(where, sizeof where, "%s", "?");
    }
    snprintf(buf, size, "%s%s%s", where, strcmp(where, "/") == 0 ? "" : "/", name);
}

/* Chunks of a chunked dataset. HDF5 sizes the buffer it reads a chunk into from two things
 * in the file before it reads anything: the chunk's shape (layout message) and the chunk's
 * stored size (a 32-bit field of the chunk index, e.g. a v1 B-tree key). A corrupted one asks
 * for up to 4 GiB, then the read fails past the end of the file. So the shape times the
 * element size must be within the byte limit, there must be at most chunks_max chunks (a
 * 4 GiB variable in popsim's 1 MiB chunks has 4,096; one year a chunk, a few hundred), and
 * every stored chunk must fit in the file. */
static const uint64_t chunks_max = (uint64_t)1 << 16;

static ps_status check_chunks(hid_t ds, const char *obj, ps_error *err)
{
    hsize_t cdims[H5S_MAX_RANK], dims[H5S_MAX_RANK], offset[H5S_MAX_RANK], file_bytes = 0;
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl >= 0 && H5Pget_layout(dcpl) != H5D_CHUNKED) {
        H5Pclose(dcpl);
        return PS_OK;
    }
    hid_t type = H5Dget_type(ds), space = H5Dget_space(ds), file = H5Iget_file_id(ds);
    int crank = dcpl < 0 ? -1 : H5Pget_chunk(dcpl, H5S_MAX_RANK, cdims);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_dims(space, dims, NULL);
    size_t tsize = type < 0 ? 0 : H5Tget_size(type);
    ps_status rc = PS_OK;
    if (crank < 1 || crank != rank || tsize == 0 || file < 0 ||
        H5Fget_filesize(file, &file_bytes) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' has an unreadable chunk layout", obj);
        goto done;
    }
    uint64_t limit = ps_h5__byte_limit(ds), bytes = tsize, grid = 1;
    for (int k = 0; k < rank; ++k) {
        if (cdims[k] == 0 || bytes > limit / cdims[k]) {
            rc = ps_error_set(err, PS_EHDF5, "dataset '%s' has chunks of more than %llu bytes, "
                              "the limit for this file (result files use chunks of at most "
                              "1 MiB)", obj, (unsigned long long)limit);
            goto done;
        }
        bytes *= cdims[k];
        uint64_t along = dims[k] / cdims[k] + (dims[k] % cdims[k] != 0);
        grid = along == 0 ? 0 : grid > chunks_max / along ? chunks_max + 1 : grid * along;
    }
    if (grid > chunks_max) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' is cut into more than %llu chunks; "
                          "result files use far fewer", obj, (unsigned long long)chunks_max);
        goto done;
    }
    /* Every chunk of the grid, the last dimension fastest; an unwritten chunk has size 0. */
    memset(offset, 0, sizeof offset);
    for (uint64_t c = 0; c < grid; ++c) {
        hsize_t stored = 0;
        if (H5Dget_chunk_storage_size(ds, offset, &stored) < 0 || stored > file_bytes) {
            rc = ps_error_set(err, PS_EHDF5, "dataset '%s' has a corrupted chunk index: the "
                              "chunk at index %llu claims %llu bytes in a file of %llu", obj,
                              (unsigned long long)c, (unsigned long long)stored,
                              (unsigned long long)file_bytes);
            goto done;
        }
        for (int k = rank - 1; k >= 0; --k) {
            offset[k] += cdims[k];
            if (offset[k] < dims[k]) {
                break;
            }
            offset[k] = 0;
        }
    }
done:
    if (file >= 0) {
        H5Fclose(file);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    if (dcpl >= 0) {
        H5Pclose(dcpl);
    }
    return rc;
}

/* Storage: refuse virtual datasets and external raw data (both make HDF5 read other files). */
static ps_status check_storage(hid_t ds, const char *obj, ps_error *err)
{
    ps_status rc = PS_OK;
    hid_t dcpl = H5Dget_create_plist(ds);
    if (dcpl < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot read the storage of dataset '%s'", obj);
    } else if (H5Pget_layout(dcpl) == H5D_VIRTUAL) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' is a virtual dataset (data in other "
                          "files); result files never use them", obj);
    } else if (H5Pget_external_count(dcpl) != 0) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' keeps its data in external files; "
                          "result files never do", obj);
    }
    if (dcpl >= 0) {
        H5Pclose(dcpl);
    }
    return rc;
}

static const char *class_name(H5T_class_t cls)
{
    switch (cls) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_ARRAY: return "array";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    case H5T_BITFIELD: return "bitfield";
    case H5T_TIME:
    case H5T_NO_CLASS:
    case H5T_NCLASSES: break;
    }
    return "unknown";
}

/* Element type: numbers of 1..8 bytes, or strings (variable, or fixed up to the limit).
 * *elem_bytes is what one element costs in memory once read. */
static ps_status check_type(int *is_string, uint64_t *elem_bytes, hid_t ds, const char *obj,
                            unsigned kinds, ps_error *err)
{
    ps_status rc = PS_OK;
    hid_t type = H5Dget_type(ds);
    H5T_class_t cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
    size_t size = type < 0 ? 0 : H5Tget_size(type);
    *is_string = cls == H5T_STRING;
    *elem_bytes = sizeof(double);
    if ((kinds & PS_H5__NUMERIC) && (cls == H5T_INTEGER || cls == H5T_FLOAT) && size >= 1 &&
        size <= sizeof(double)) {
        goto done;
    }
    if ((kinds & PS_H5__STRING) && cls == H5T_STRING) {
        int vlen = H5Tis_variable_str(type) > 0;
        if (vlen || (size >= 1 && size <= PS_H5__STRING_MAX)) {
            *elem_bytes = vlen ? sizeof(char *) : (uint64_t)size + 1;
            goto done;
        }
    }
    rc = ps_error_set(err, PS_EHDF5, "dataset '%s' should hold %s; it holds %s elements of "
                      "%zu bytes", obj,
                      kinds == PS_H5__STRING    ? "strings"
                      : kinds == PS_H5__NUMERIC ? "numbers (integers or floats of 1 to 8 bytes)"
                                                : "numbers or strings",
                      class_name(cls), size);
done:
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

/* Rank and lengths, and their product against the byte limit. */
static ps_status check_space(ps_h5__shape *sh, hid_t ds, const char *obj, int want_rank,
                             uint64_t elem_bytes, ps_error *err)
{
    ps_status rc = PS_OK;
    hid_t space = H5Dget_space(ds);
    H5S_class_t cls = space < 0 ? H5S_NO_CLASS : H5Sget_simple_extent_type(space);
    int rank = cls == H5S_SIMPLE || cls == H5S_SCALAR ? H5Sget_simple_extent_ndims(space) : -1;
    if (rank < 0 || rank > H5S_MAX_RANK ||
        H5Sget_simple_extent_dims(space, sh->dims, NULL) != rank) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' has no readable shape", obj);
        goto done;
    }
    if (want_rank >= 0 && rank != want_rank) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' should have %d dimension%s; it has %d",
                          obj, want_rank, want_rank == 1 ? "" : "s", rank);
        goto done;
    }
    uint64_t limit = ps_h5__byte_limit(ds), n = 1;
    for (int k = 0; k < rank && rc == PS_OK; ++k) {
        if (sh->dims[k] != 0 && n > limit / elem_bytes / sh->dims[k]) {
            rc = ps_error_set(err, PS_EHDF5, "dataset '%s' is too large: dimension %d has "
                              "length %llu, past the limit of %llu bytes for this file "
                              "(max(64 MiB, 100 x file size), at most 4 GiB)", obj, k + 1,
                              (unsigned long long)sh->dims[k], (unsigned long long)limit);
        }
        n *= sh->dims[k];
    }
    sh->rank = rank;
    sh->n = n;
done:
    if (space >= 0) {
        H5Sclose(space);
    }
    return rc;
}

ps_status ps_h5__open_dataset(hid_t *ds_out, ps_h5__shape *sh, hid_t loc, const char *name,
                              unsigned kinds, int want_rank, ps_error *err)
{
    char obj[512];
    uint64_t elem_bytes = sizeof(double);
    ps_status rc = PS_OK;
    hid_t ds = H5I_INVALID_HID;
    memset(sh, 0, sizeof *sh);
    object_path(obj, sizeof obj, loc, name);
    if (!ps_h5__local_path(loc, name)) {
        rc = ps_error_set(err, PS_EHDF5, "dataset '%s' is missing or reached through an external "
                          "or soft link; result files hold only hard links", obj);
    } else if ((ds = H5Dopen2(loc, name, H5P_DEFAULT)) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot open dataset '%s'", obj);
    } else if ((rc = check_storage(ds, obj, err)) == PS_OK &&
               (rc = check_type(&sh->is_string, &elem_bytes, ds, obj, kinds, err)) == PS_OK) {
        if ((rc = check_space(sh, ds, obj, want_rank, elem_bytes, err)) == PS_OK) {
            rc = check_chunks(ds, obj, err);
        }
    }
    if (rc != PS_OK && ds >= 0) {
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    *ds_out = ds;
    return rc;
}

ps_status ps_h5__check_years(const double *years, size_t n, const char *name, ps_error *err)
{
    for (size_t k = 0; k < n; ++k) {
        if (!(years[k] >= PS_H5__YEAR_MIN && years[k] <= PS_H5__YEAR_MAX) ||
            years[k] != (double)(long)years[k] || (k > 0 && !(years[k] > years[k - 1]))) {
            return ps_error_set(err, PS_EHDF5, "coordinate '%s' should hold whole, increasing "
                                "calendar years in %d..%d; has %.17g at position %zu", name,
                                PS_H5__YEAR_MIN, PS_H5__YEAR_MAX, years[k], k + 1);
        }
    }
    return PS_OK;
}

ps_status ps_h5__check_ages(const double *ages, size_t n, const char *name, ps_error *err)
{
    for (size_t k = 0; k < n; ++k) {
        if (!(ages[k] >= 0 && ages[k] <= PS_H5__AGE_MAX) || ages[k] != (double)(long)ages[k] ||
            (k > 0 && !(ages[k] > ages[k - 1]))) {
            return ps_error_set(err, PS_EHDF5, "coordinate '%s' should hold whole, increasing "
                                "ages in 0..%d; has %.17g at position %zu", name, PS_H5__AGE_MAX,
                                ages[k], k + 1);
        }
    }
    return PS_OK;
}
