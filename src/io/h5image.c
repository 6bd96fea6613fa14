/*
 * h5image.c - the in-memory HDF5 file's bytes to the output stream without a second copy
 * (issue #18). The writer builds the file with the core driver (no backing store) and used
 * to copy its image out with H5Fget_file_image into a fresh buffer of the file's size: a
 * 4 MB policy family paid a thousand page faults and a 4 MB copy for it. The driver's own
 * buffer is tracked here through HDF5's file image callbacks, and the image is written from
 * it directly; H5Fget_file_image remains the way when the buffer is not known.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5schema_int.h"

static void *image_malloc(size_t size, H5FD_file_image_op_t op, void *udata)
{
    ps_h5__image *img = udata;
    (void)op;
    img->mem = malloc(size);
    img->size = img->mem != NULL ? size : 0;
    return img->mem;
}

static void *image_memcpy(void *dest, const void *src, size_t size, H5FD_file_image_op_t op,
                          void *udata)
{
    (void)op;
    (void)udata;
    return memcpy(dest, src, size);
}

static void *image_realloc(void *ptr, size_t size, H5FD_file_image_op_t op, void *udata)
{
    ps_h5__image *img = udata;
    void *grown = realloc(ptr, size);
    (void)op;
    if (grown != NULL) { /* on failure the old buffer stays the driver's, and tracked */
        img->mem = grown;
        img->size = size;
    }
    return grown;
}

/* Does not touch the record: a file whose H5Fclose failed would be closed again by HDF5's
 * exit handler, after the writer's record (on its stack) is gone. The record is read only
 * before the file is closed. */
static herr_t image_free(void *ptr, H5FD_file_image_op_t op, void *udata)
{
    (void)op;
    (void)udata;
    free(ptr);
    return 0;
}

/* Copies of the access list share the one record: the file's driver updates it. */
static void *udata_copy(void *udata)
{
    return udata;
}

static herr_t udata_free(void *udata)
{
    (void)udata;
    return 0;
}

/* Superblock versions 0 and 1 (HDF5 file format specification, sec. II.A): the version byte
 * after the 8-byte signature, and the 4-byte file consistency flags at offset 20. */
#define SB_VERSION_AT 8
#define SB_FLAGS_AT 20
#define SB_FLAGS_END 24

int ps_h5__image_track(hid_t fapl, ps_h5__image *img)
{
    H5FD_file_image_callbacks_t cb = { image_malloc, image_memcpy, image_realloc, image_free,
                                       udata_copy, udata_free, img };
    img->mem = NULL;
    img->size = 0;
    return H5Pset_file_image_callbacks(fapl, &cb) < 0 ? -1 : 0;
}

ps_status ps_h5__image_write(FILE *out, hid_t file, const ps_h5__image *img, const char *name,
                             ps_error *err)
{
    const ssize_t size = H5Fget_file_image(file, NULL, 0);
    void *copy = NULL;
    const void *bytes = img->mem;
    unsigned char head[SB_FLAGS_END];
    size_t left = 0; /* bytes still to write from `bytes` */
    ps_status rc = PS_OK;
    if (size <= 0) {
        rc = ps_h5__fail(err, "get the image of", file, name);
        goto done;
    }
    left = (size_t)size;
    /* The driver's buffer holds the file from address 0; bytes it has not written are zero,
     * as H5Fget_file_image gives them. That function also clears the superblock's file
     * consistency flags (set while the file is open for writing): so does `head` for the
     * version 0 and 1 superblocks the writer makes; another version takes the copy. */
    if (bytes != NULL && img->size >= (size_t)size && (size_t)size > SB_FLAGS_END &&
        ((const unsigned char *)bytes)[SB_VERSION_AT] <= 1) {
        memcpy(head, bytes, SB_FLAGS_END);
        memset(head + SB_FLAGS_AT, 0, SB_FLAGS_END - SB_FLAGS_AT);
        if (fwrite(head, 1, SB_FLAGS_END, out) != SB_FLAGS_END) {
            rc = ps_error_set(err, PS_EIO, "cannot write the output file: %s", strerror(errno));
            goto done;
        }
        bytes = (const unsigned char *)bytes + SB_FLAGS_END;
        left -= SB_FLAGS_END;
    } else {
        if ((copy = malloc((size_t)size)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the %zd-byte file", size);
            goto done;
        }
        if (H5Fget_file_image(file, copy, (size_t)size) != size) {
            rc = ps_h5__fail(err, "get the image of", file, name);
            goto done;
        }
        bytes = copy;
    }
    if (fwrite(bytes, 1, left, out) != left || fflush(out) != 0) {
        rc = ps_error_set(err, PS_EIO, "cannot write the output file: %s", strerror(errno));
    }
done:
    free(copy);
    return rc;
}
