/*
 * prob_checks.c - the 50 population checks of issue #14 sec. 3 (docs/model.md sec. 9.5) for
 * any persistences, level shares and centring: China, Germany, Nigeria, Brazil and the
 * United States of America, total population on 1 July 2050 and 2100, the 2.5, 10, 50, 90 and
 * 97.5 % quantiles of TRAJ trajectories against the UN's lo95, lo80, median, hi80 and hi95
 * (bounds: |popsim - UN| <= 0.2 |UN bound - UN median|; median: within 0.3 %). Prints every
 * check as its ratio to the tolerance (met at <= 1), the count met and the worst ratios.
 * tests/test_wpp_prob.c prints the same checks for the compiled parameters.
 *
 * usage: prob_checks WPP_DIR TRAJ [RHO_F RHO_E RHO_M [LEVEL_F LEVEL_E LEVEL_M [CENTER_F
 *        CENTER_E CENTER_M]]]
 * Without parameters, each location gets those of its class (ps_prob_options_by_class, as
 * `popsim run --location` does: the migration persistence from the growth of its band, the
 * median aligned); with them, every location gets the same, migrants in persons and no
 * alignment.
 *
 * Trying other values by class (env PROB_CHECKS_CLASS="NAME=VALUE,..."): after the class's
 * compiled values, rho_f_post, level_f_post, center_f_post, skew_f_post, rho_f_tr,
 * level_f_tr, center_f_tr, skew_f_tr (TFR by phase; skew: the level's, round 17), rho_e,
 * center_e, center_m, level_m and skew_m (every location) replace them;
 * rho_m_floor and rho_m_cap change the bounds of the migration persistence from the band's
 * growth, rho_m_early the lower bound of the one from its early widening (rounds 9 and 10;
 * rho_m_early=0.72, the floor, turns it off) and rho_m_narrowing the early widening below
 * which that is not used (round 10; compiled 0.85), or rho_m_steady and rho_m_volatile set it by
 * the volatility class instead (the estimate before the growth; a class not named keeps its
 * compiled value); center_m_neff=T
 * (center_f_neff=T) sets the migration (TFR) centring to ps_prob_center_for_sum over T years
 * instead of the bounds' span (both are compiled with the span, 77 years; docs/model.md
 * 9.5). Unless center_m (center_f_post, center_f_tr) is given, the migration (TFR) centring
 * follows the persistence and level share the overrides leave, as ps_prob_options_by_class
 * makes it (TFR: none while the median is aligned, round 16, unless center_f_neff is given).
 * mig_per_person=1 makes every trajectory's net migrants follow its size, =2 also centres
 * migration on log rates, =3 scales only the inputs' migrants (compiled since round
 * 11), =0 keeps them in persons (ps_prob_options.mig_per_person; docs/model.md 9.3, rounds 7,
 * 8 and 11); a mode other than 3 also sets the size elasticity to 0. mig_elasticity=E (after
 * it) scales mode 3's deviation by the size ratio to the power E (compiled 0.4 since round
 * 15, 0.2 in rounds 13 and 14; 0 keeps it in persons, as round 11). align=0 turns off the
 * alignment of the median total with the deterministic projection (docs/model.md 9.7; 1,
 * compiled since round 14), and with it TFR is centred again.
 *
 * Other locations (env PROB_CHECKS_CODES="156,276,..."): M49 codes or names in place of the
 * five of the test, e.g. every country and area, to see what the five do not show.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/builder.h"
#include "popsim/proj.h"
#include "popsim/result.h"
#include "popsim/run.h"
#include "popsim/wpp_pi.h"

#define BOUND_TOL 0.2
#define MEDIAN_TOL 0.003

static const char *const locations[] = {"156", "276", "566", "76", "840"};
#define N_LOC ((int)(sizeof locations / sizeof locations[0]))

/*
 * Diagnosis (env PROB_CHECKS_ONLY=tfr|e0|mig): the other two processes' knots are moved to
 * within 1e-9 of their medians, so the spread and the median shift of the population come
 * from that process alone.
 */
static void shrink_others(ps_prob_bounds *b, const char *only)
{
    static const char *const names[PS_PROB_PROC_COUNT] = {"tfr", "e0", "mig"};
    for (int proc = 0; proc < PS_PROB_PROC_COUNT; ++proc) {
        if (strcmp(only, names[proc]) == 0) {
            continue;
        }
        double *arr = proc == PS_PROB_TFR ? b->tfr : proc == PS_PROB_E0 ? b->e0 : b->mig;
        const int rows = b->n_years * (proc == PS_PROB_E0 ? PS_SEX_COUNT : 1);
        for (int r = 0; r < rows; ++r) {
            double *kn = arr + (size_t)r * PS_PROB_N_KNOTS;
            const double med = kn[PS_PROB_KNOT_MEDIAN];
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                kn[k] = med + 1e-9 * (kn[k] - med);
            }
        }
    }
}

/* The overrides of PROB_CHECKS_CLASS for a location of the given phase and migration class. */
static int class_overrides(ps_prob_options *o, const char *spec, int post, int vol, double growth,
                           double early, int first_year, int n_years)
{
    double early_floor = PS_PROB_RHO_MIG_EARLY_FLOOR, narrowing = PS_PROB_EARLY_NARROWING;
    int by_early = 0;
    char buf[512];
    double floor = PS_PROB_RHO_MIG_FLOOR, cap = PS_PROB_RHO_MIG_CAP;
    int by_growth = 0, neff_m = 0, neff_f = 0, center_m = 0, center_f = 0;
    /* migration by volatility class (the estimate before the band's growth): the class's
     * compiled value unless the spec names this location's class */
    const int by_class =
        strstr(spec, "rho_m_steady") != NULL || strstr(spec, "rho_m_volatile") != NULL;
    if (by_class) {
        o->rho[PS_PROB_MIG] = vol ? PS_PROB_RHO_MIG_VOLATILE : PS_PROB_RHO_MIG_STEADY;
    }
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (eq == NULL) {
            return 1;
        }
        *eq = '\0';
        const double v = atof(eq + 1);
        if (strcmp(tok, "rho_e") == 0) {
            o->rho[PS_PROB_E0] = v;
        } else if (strcmp(tok, "center_e") == 0) {
            o->center[PS_PROB_E0] = v;
        } else if (strcmp(tok, "center_m") == 0) {
            o->center[PS_PROB_MIG] = v;
            center_m = 1;
        } else if (strcmp(tok, "mig_per_person") == 0) {
            o->mig_per_person = (int)v;
            if (o->mig_per_person != 3) { /* the elasticity serves mode 3 alone */
                o->mig_size_elasticity = 0.0;
            }
        } else if (strcmp(tok, "rho_m_early") == 0) {
            early_floor = v;
            by_early = 1;
        } else if (strcmp(tok, "rho_m_narrowing") == 0) {
            narrowing = v;
            by_early = 1;
        } else if (strcmp(tok, "center_m_neff") == 0) { /* c = 1 - 1 / n_eff(rho_m, v years) */
            neff_m = (int)v;
        } else if (strcmp(tok, "center_f_neff") == 0) {
            neff_f = (int)v;
        } else if (strcmp(tok, post ? "rho_f_post" : "rho_f_tr") == 0) {
            o->rho[PS_PROB_TFR] = v;
        } else if (strcmp(tok, post ? "level_f_post" : "level_f_tr") == 0) {
            o->level[PS_PROB_TFR] = v;
        } else if (strcmp(tok, post ? "skew_f_post" : "skew_f_tr") == 0) {
            o->level_skew[PS_PROB_TFR] = v;
        } else if (strcmp(tok, "skew_m") == 0) {
            o->level_skew[PS_PROB_MIG] = v;
        } else if (strcmp(tok, "level_m") == 0) {
            o->level[PS_PROB_MIG] = v;
        } else if (strcmp(tok, post ? "center_f_post" : "center_f_tr") == 0) {
            o->center[PS_PROB_TFR] = v;
            center_f = 1;
        } else if (strcmp(tok, vol ? "rho_m_volatile" : "rho_m_steady") == 0) {
            o->rho[PS_PROB_MIG] = v;
        } else if (strcmp(tok, "mig_elasticity") == 0) {
            o->mig_size_elasticity = v;
        } else if (strcmp(tok, "align") == 0) {
            o->align_median = v != 0.0;
        } else if (strcmp(tok, "rho_m_floor") == 0 || strcmp(tok, "rho_m_cap") == 0) {
            *(tok[6] == 'f' ? &floor : &cap) = v;
            by_growth = 1;
        } else if (strstr("rho_f_post level_f_post center_f_post rho_f_tr level_f_tr "
                          "center_f_tr rho_m_steady rho_m_volatile skew_f_post skew_f_tr",
                          tok) == NULL) {
            return 1;
        }
    }
    if ((by_growth || by_early) && by_class) {
        return 1; /* rho_m by volatility class or from the band's growth, not both */
    }
    if (by_growth || by_early) { /* as ps_prob_options_by_class, with these floors and cap */
        o->rho[PS_PROB_MIG] =
            ps_prob_rho_mig_from_bands(growth, early, first_year, early_floor, floor, cap,
                                       narrowing);
    }
    if (!center_m) { /* as compiled, from the (possibly replaced) migration persistence */
        o->center[PS_PROB_MIG] = ps_prob_center_for_sum(o->rho[PS_PROB_MIG], o->level[PS_PROB_MIG],
                                                        neff_m > 0 ? neff_m : n_years);
    }
    if (!center_f) { /* as compiled: from the TFR persistence and level share left (round 6),
                      * none with the alignment (round 16) unless center_f_neff asks */
        o->center[PS_PROB_TFR] =
            o->align_median && neff_f == 0
                ? 0.0
                : ps_prob_center_for_sum(o->rho[PS_PROB_TFR], o->level[PS_PROB_TFR],
                                         neff_f > 0 ? neff_f : n_years);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *only = getenv("PROB_CHECKS_ONLY");
    if (argc < 3) {
        fprintf(stderr, "usage: prob_checks WPP_DIR TRAJ [RHO_F RHO_E RHO_M [LEVEL_F LEVEL_E "
                        "LEVEL_M [CENTER_F CENTER_E CENTER_M]]]\n");
        return 2;
    }
    ps_init();
    ps_error err;
    ps_error_clear(&err);
    ps_prob_options po = PS_PROB_OPTIONS_INIT;
    po.n_traj = atoi(argv[2]);
    if (getenv("PROB_CHECKS_SEED") != NULL) { /* the sampling noise of the checks */
        po.seed = strtoull(getenv("PROB_CHECKS_SEED"), NULL, 10);
    }
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        if (argc > 3 + k) {
            po.rho[k] = atof(argv[3 + k]);
        }
        if (argc > 6 + k) {
            po.level[k] = atof(argv[6 + k]);
        }
        if (argc > 9 + k) {
            po.center[k] = atof(argv[9 + k]);
        }
    }
    ps_wpp_pi *pi = NULL;
    if (ps_wpp_pi_load(&pi, argv[1], &err) != PS_OK) {
        fprintf(stderr, "prob_checks: %s\n", err.msg);
        return 1;
    }
    const ps_build_options bo = {.wpp_dir = argv[1], .project_root = NULL, .cache_dir = NULL};
    static const char *const knot_name[] = {"lo95", "lo80", "median", "hi80", "hi95"};
    int n_met = 0, n_all = 0, rc = 0;
    double worst_bound = 0.0, worst_median = 0.0;
    /* env PROB_CHECKS_CODES="156,276,...": other locations (M49 codes or names) than the
     * five of the test, for diagnosis across all locations (calibrate_prob -s counts them) */
    const char *loc_list[512];
    int n_loc = 0;
    char codes_buf[4096];
    if (getenv("PROB_CHECKS_CODES") != NULL) {
        snprintf(codes_buf, sizeof codes_buf, "%s", getenv("PROB_CHECKS_CODES"));
        for (char *tok = strtok(codes_buf, ","); tok != NULL && n_loc < 512;
             tok = strtok(NULL, ",")) {
            loc_list[n_loc++] = tok;
        }
    } else {
        for (int l = 0; l < N_LOC; ++l) {
            loc_list[n_loc++] = locations[l];
        }
    }
    for (int l = 0; l < n_loc && rc == 0; ++l) {
        ps_inputs in = {0};
        ps_prob_bounds b = {0};
        ps_prob *p = NULL;
        char name[128];
        int code = 0;
        if (ps_build_wpp_inputs(&in, &code, name, sizeof name, loc_list[l], 2025, 2100, &bo,
                                &err) != PS_OK ||
            ps_wpp_pi_bounds(&b, pi, code, &err) != PS_OK) {
            rc = 1;
        }
        if (rc == 0 && only != NULL) {
            shrink_others(&b, only);
        }
        ps_prob_options lo = po;
        if (rc == 0 && argc <= 3) {
            const double growth = ps_wpp_pi_mig_growth(pi, code, &b);
            const double early = ps_wpp_pi_mig_early_growth(pi, code, &b);
            ps_prob_options_by_class(&lo, &b, ps_pop_total(&in.base), growth, early);
            const char *spec = getenv("PROB_CHECKS_CLASS");
            const int vol = ps_prob_mig_volatile(&b, ps_pop_total(&in.base));
            printf("%s: migration band growth %.3f (2050 / 2030, per person), early %.3f "
                   "(2030 / %d)\n", name, growth, early, b.first_year);
            if (spec != NULL && class_overrides(&lo, spec, ps_prob_post_transition(&b), vol, growth,
                                                early, b.first_year, b.n_years) != 0) {
                fprintf(stderr,
                        "prob_checks: PROB_CHECKS_CLASS: expected NAME=VALUE,... with "
                        "the names of the usage comment, got '%s'\n",
                        spec);
                rc = 1;
            }
            printf("%s: rho %.3f %.3f %.3f level %.2f %.2f %.2f center %.2f %.2f %.2f\n", name,
                   lo.rho[0], lo.rho[1], lo.rho[2], lo.level[0], lo.level[1], lo.level[2],
                   lo.center[0], lo.center[1], lo.center[2]);
        }
        if (rc == 0 && ps_prob_new(&p, &in, &b, &lo, &err) != PS_OK) {
            rc = 1;
        }
        for (int u = 0; rc == 0 && u < ps_prob_n_units(p); ++u) {
            rc = ps_prob_unit(p, u, &err) != PS_OK;
        }
        if (rc == 0) {
            rc = ps_prob_finish(p, &err) != PS_OK;
        }
        /* the deterministic projection (every score 0): is a median miss the engine's inputs
         * (det off the UN's median) or the process (median off det)? */
        ps_proj *proj = NULL;
        ps_result det = {0};
        int have_det = 0;
        if (rc == 0) {
            rc = ps_proj_new(&proj, &in, &err) != PS_OK ||
                 ps_proj_run(&det, proj, "det", NULL, &err) != PS_OK;
            have_det = rc == 0;
        }
        for (int year = 2050; rc == 0 && year <= 2100; year += 50) {
            double un[PS_WPP_PI_COLS];
            if (ps_wpp_pi_pop_mid(un, pi, code, year, &err) != PS_OK) { /* 1 July */
                rc = 1;
                break;
            }
            const double *q =
                ps_prob_stats(p, PS_PROB_V_POP_TOTAL) + (size_t)(year - 2025) * PS_PROB_N_STATS;
            const double dt = ps_result_total(&det, year);
            const double *g = ps_prob_alignment(p); /* docs/model.md 9.7 */
            printf("%-26s %d det    %13.0f rel to UN median %+.4f, popsim median rel to det "
                   "%+.4f, mean rel to det %+.4f, alignment %.4f\n",
                   name, year, dt, dt / un[PS_WPP_PI_MEDIAN] - 1.0,
                   q[PS_PROB_KNOT_MEDIAN] / dt - 1.0, q[PS_PROB_N_QUANTILES] / dt - 1.0,
                   g != NULL ? g[year - 2025] : 1.0);
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                const double med = un[PS_WPP_PI_MEDIAN];
                const int is_med = k == PS_PROB_KNOT_MEDIAN;
                const double dev = is_med ? q[k] / med - 1.0 : (q[k] - un[k]) / fabs(un[k] - med);
                const double ratio = fabs(dev) / (is_med ? MEDIAN_TOL : BOUND_TOL);
                double *worst = is_med ? &worst_median : &worst_bound;
                *worst = ratio > *worst ? ratio : *worst;
                n_met += ratio <= 1.0;
                ++n_all;
                printf("%-26s %d %-6s popsim %13.0f UN %13.0f %s %+.4f ratio %.2f%s\n", name, year,
                       knot_name[k], q[k], un[k], is_med ? "rel" : "dev", dev, ratio,
                       ratio <= 1.0 ? "" : "  <-- outside");
            }
        }
        if (have_det) {
            ps_result_release(&det);
        }
        ps_proj_free(proj);
        ps_prob_free(p);
        ps_prob_bounds_release(&b);
        ps_inputs_release(&in);
    }
    if (rc != 0) {
        fprintf(stderr, "prob_checks: %s\n", err.msg);
    } else {
        printf("met %d of %d; worst bound ratio %.2f, worst median ratio %.2f (rho %.3f %.3f "
               "%.3f level %.2f %.2f %.2f center %.2f %.2f %.2f, %d trajectories)\n",
               n_met, n_all, worst_bound, worst_median, po.rho[0], po.rho[1], po.rho[2],
               po.level[0], po.level[1], po.level[2], po.center[0], po.center[1], po.center[2],
               po.n_traj);
    }
    ps_wpp_pi_free(pi);
    return rc;
}
