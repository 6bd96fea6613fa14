/*
 * fuzz_scenario.c - libFuzzer harness for the scenario loader (ps_scn_load): any bytes
 * must give PS_OK or a located error, never a crash, leak, hang or unbounded allocation.
 * A loaded scenario is also described and released, so every owned string is touched.
 */
#include "fuzz_util.h"

#include "popsim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("scenario.yaml", data, size);
    ps_scenario scn;
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = ps_scn_load(&scn, path, &err);
    if (rc == PS_OK) {
        for (int i = 0; i < scn.n_warnings; ++i) {
            if (scn.warnings[i] == NULL) {
                abort();
            }
        }
    } else if (err.msg[0] == '\0' || err.code != rc) {
        abort(); /* every failure must explain itself */
    }
    ps_scn_release(&scn);
    return 0;
}
