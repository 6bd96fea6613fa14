/*
 * ledger.c - the policy part of a result: core's ps_result owns the ledger arrays, and the
 * policy layer, which alone knows what a lever is, names each instrument's lever.
 */
#include "popsim/policy.h"
#include "popsim/result.h"

ps_status ps_result_init_policy(ps_result *r, const char *baseline, int n_instruments,
                                const char *const *names, const ps_lever *levers, ps_error *err)
{
    ps_status rc = ps_result_init_ledgers(r, baseline, n_instruments, names, err);
    for (int i = 0; rc == PS_OK && i < n_instruments; ++i) {
        r->ledger[i].lever = (int)levers[i];
    }
    return rc;
}
