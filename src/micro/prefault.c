/*
 * prefault.c - the pages of the person arrays, mapped before a thread fills them (issue #18).
 *
 * The person arrays are anonymous mappings (store.c): each 4 KiB page is zeroed by the kernel
 * on its first touch. Touched by plain stores, every page costs a fault (an exception, the
 * kernel's fault path, the zeroing, the return); on the project's virtual machine (nested
 * virtualisation, where an exception is dear) that is 2.3-2.8 us a page, 35-43 % of building
 * China's base population. madvise(MADV_POPULATE_WRITE) (Linux 5.14) maps and zeroes the
 * pages of a range in one call, the same work without one exception per page: 30-40 % less
 * system time (docs/micro.md sec. 10). The builder calls it per block of persons on the
 * thread that fills the block, so both threads zero pages at once and the block's pages are
 * in cache when its records are written. Where the call is not supported (older kernels,
 * other systems) it fails and the pages fault on first touch as before: only the speed
 * differs, never a value.
 */
#define _GNU_SOURCE /* MADV_POPULATE_WRITE (Linux) */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "micro/micro_int.h"

#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23 /* linux/mman.h since 5.14; older headers lack it */
#endif

/* Page size assumed for rounding: a smaller real page only means a page more at each end. */
#define PS_PREFAULT_PAGE ((uintptr_t)4096)

/* Map the pages of bytes [from, to) of the array at base (rounded out to whole pages, which
 * lie inside the mapping since mappings start and end on page boundaries). */
static void populate(void *base, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
    if (base == NULL || to <= from) {
        return;
    }
    const uintptr_t lo = ((uintptr_t)base + from) & ~(PS_PREFAULT_PAGE - 1);
    const uintptr_t hi = ((uintptr_t)base + to + PS_PREFAULT_PAGE - 1) & ~(PS_PREFAULT_PAGE - 1);
    (void)madvise((void *)lo, (size_t)(hi - lo), MADV_POPULATE_WRITE); /* a hint */
#else
    (void)base;
    (void)from;
    (void)to;
#endif
}

void ps_micro__prefault(const ps_micro *m, size_t lo, size_t hi)
{
    if (hi > m->cap) {
        hi = m->cap;
    }
    if (lo >= hi) {
        return;
    }
    populate(m->age, lo * sizeof *m->age, hi * sizeof *m->age);
    populate(m->ychild, lo * sizeof *m->ychild, hi * sizeof *m->ychild);
    populate(m->mage, lo * sizeof *m->mage, hi * sizeof *m->mage);
    populate(m->scratch, lo * sizeof *m->scratch, hi * sizeof *m->scratch);
    populate(m->region, lo * sizeof *m->region, hi * sizeof *m->region);
    populate(m->flags, lo * sizeof *m->flags, hi * sizeof *m->flags);
    populate(m->mother, lo * sizeof *m->mother, hi * sizeof *m->mother);
    const size_t bits = PS_MICRO_WORD_BITS;
    populate(m->alive_bits, lo / bits * sizeof *m->alive_bits,
             (hi + bits - 1) / bits * sizeof *m->alive_bits);
}
