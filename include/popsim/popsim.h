/*
 * popsim/popsim.h - the whole public API of libps: include this one header.
 * Layers, lowest first: core (errors, units, population, inputs, results, memory),
 * demography, engines, policy and services, then I/O and plotting. A test checks that
 * every header installed beside this one is included here.
 */
#ifndef PS_POPSIM_H
#define PS_POPSIM_H

#include "popsim/version.h"
#include "popsim/error.h"
#include "popsim/units.h"
#include "popsim/pop.h"
#include "popsim/inputs.h"
#include "popsim/result.h"
#include "popsim/memory.h"
#include "popsim/outfile.h"
#include "popsim/sha256.h"
#include "popsim/demog.h"
#include "popsim/policy.h"
#include "popsim/range.h"
#include "popsim/sweep.h"
#include "popsim/flows.h"
#include "popsim/status.h"
#include "popsim/proj.h"
#include "popsim/parity.h"
#include "popsim/ensemble.h"
#include "popsim/prob.h"
#include "popsim/prob_policy.h"
#include "popsim/micro.h"
#include "popsim/family.h"
#include "popsim/services.h"
#include "popsim/svc_prob.h"
#include "popsim/scenario.h"
#include "popsim/builder.h"
#include "popsim/planner.h"
#include "popsim/wpp.h"
#include "popsim/wpp_pi.h"
#include "popsim/h5out.h"
#include "popsim/h5prob.h"
#include "popsim/uncertainty.h"
#include "popsim/h5read.h"
#include "popsim/io.h"
#include "popsim/run.h"
#include "popsim/run_unit.h"
#include "popsim/prob_family.h"
#include "popsim/part.h"
#include "popsim/plot.h"

#endif /* PS_POPSIM_H */
