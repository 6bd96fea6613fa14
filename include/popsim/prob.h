/*
 * popsim/prob.h - probabilistic projections (issue #14): trajectories of TFR, e0 by sex and
 * net international migration around a projection's own paths, each trajectory a full
 * cohort-component run through the ensemble kernel (popsim/ensemble.h), summarised as
 * quantiles and means.
 *
 * The process (docs/model.md, sec. 9): for each calendar year t a quantile function Q_t
 * through the five bounds (lo95, lo80, median, hi80, hi95), piecewise linear in the normal
 * score z at z = -1.96, -1.2816, 0, 1.2816, 1.96 with linear tails (on the log scale for
 * TFR, which stays positive), and a trajectory's value Q_t(z_t), where z_t is a standard
 * normal AR(1): z_t = rho z_{t-1} + sqrt(1 - rho^2) e_t, started stationary in the bounds'
 * first year. TFR, e0 (both sexes share one z) and migration have their own rho. The
 * innovations e_t come from Philox4x32-10 keyed by (seed, trajectory) with counter
 * (process, year), so a trajectory depends only on its index: bit-identical for any thread
 * count and any split of the trajectories into units.
 */
#ifndef PS_PROB_H
#define PS_PROB_H

#include <stddef.h>
#include <stdint.h>

#include "popsim/error.h"
#include "popsim/inputs.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PS_PROB_N_KNOTS 5     /* lo95, lo80, median, hi80, hi95 */
#define PS_PROB_KNOT_MEDIAN 2 /* index of the median among the knots */
#define PS_PROB_N_QUANTILES 5 /* 0.025, 0.1, 0.5, 0.9, 0.975 */
#define PS_PROB_N_STATS (PS_PROB_N_QUANTILES + 1) /* the quantiles, then the mean */
#define PS_PROB_TRAJ_DEFAULT 1000
#define PS_PROB_TRAJ_MAX 1000000
#define PS_PROB_UNIT_TRAJ 128 /* trajectories per run-layer unit */
#define PS_PROB_N_GROUPS 21   /* age groups 0-4, ..., 95-99, 100+ */

/*
 * Persistence (lag-1 autocorrelation of the yearly normal scores) shared by all locations,
 * estimated across all 237 WPP countries by matching the UN's 80 % and 95 % population
 * bounds at 2050 and 2100 (ps_wpp_pi_calib_location, bench/calibrate_prob.c; docs/model.md 9.3).
 */
#define PS_PROB_RHO_TFR 0.95
#define PS_PROB_RHO_E0 0.99
#define PS_PROB_RHO_MIG 0.9

/*
 * Share of each process's variance that is a level kept by the trajectory for the whole
 * horizon (the rest follows the AR(1) above): z_t = sqrt(L) u + sqrt(1 - L) a_t with u and
 * the innovations of a_t independent N(0, 1), so every year's z_t stays N(0, 1) and the
 * yearly bounds are unchanged, while a trajectory that starts high tends to stay high, as
 * a country's own pace of fertility decline does in bayesTFR. Estimated with the
 * persistences (docs/model.md 9.3).
 */
#define PS_PROB_LEVEL_TFR 0.0
#define PS_PROB_LEVEL_E0 0.0
#define PS_PROB_LEVEL_MIG 0.0

typedef enum ps_prob_proc { PS_PROB_TFR, PS_PROB_E0, PS_PROB_MIG, PS_PROB_PROC_COUNT } ps_prob_proc;

/*
 * Centring of each process's yearly marginal (docs/model.md 9.3, src/engine/prob_center.c):
 * a trajectory's value is Q_t(z_t + c d_t), d_t the shift of the normal score at which the
 * mean of the yearly values is the UN's median (ps_prob_center_shift) and c in [0, 1] the
 * process's centring: 0 puts the UN's median at score 0 (the yearly quantiles are the UN's
 * bounds exactly), 1 makes the yearly mean the UN's median. Where the bounds are skewed, the
 * median of the cumulated population follows the sum of the yearly means more than the sum of
 * the yearly medians, and drifts from the UN's median (its deterministic projection) without
 * centring. Estimated with the persistences (docs/model.md 9.3).
 */
#define PS_PROB_CENTER_TFR 0.0
#define PS_PROB_CENTER_E0 1.0
#define PS_PROB_CENTER_MIG 1.0

/* Deterministic variants of the UN (TFR -/+ 0.5 child, medium e0 and migration). */
typedef enum ps_prob_variant {
    PS_PROB_VARIANT_NONE,
    PS_PROB_VARIANT_LOW,
    PS_PROB_VARIANT_HIGH
} ps_prob_variant;

/* Bounds of the marginals by calendar year first_year .. first_year + n_years - 1; every
 * row holds the PS_PROB_N_KNOTS knots in increasing order. Owned arrays. */
typedef struct ps_prob_bounds {
    int first_year, n_years;
    double *tfr;      /* [year][knot] children per woman */
    double *e0;       /* [year][sex][knot] years */
    double *mig;      /* [year][knot] net international migrants in the calendar year, persons */
    double *tfr_low;  /* [year] the low variant's TFR (NaN if unknown) */
    double *tfr_high; /* [year] the high variant's TFR (NaN if unknown) */
} ps_prob_bounds;

/* Summary variables: cells per year in brackets. Flows (births, deaths, net migration, the
 * alignment's) of year y are those of the step from 1 July y to 1 July y + 1 (NaN in the last
 * year); TFR and e0 are those of calendar year y; the others are 1 July y. */
typedef enum ps_prob_var {
    PS_PROB_V_POP_TOTAL,   /* [1] persons */
    PS_PROB_V_POP_GROUP,   /* [sex][21 groups] persons */
    PS_PROB_V_BIRTHS,      /* [1] persons */
    PS_PROB_V_DEATHS,      /* [1] persons */
    PS_PROB_V_NET_MIG,     /* [1] net migrants of the step's inputs, persons */
    PS_PROB_V_TFR,         /* [1] children per woman */
    PS_PROB_V_E0,          /* [sex] years */
    PS_PROB_V_DEP_OLD,     /* [1] 65+ per person aged 15-64 */
    PS_PROB_V_DEP_CHILD,   /* [1] 0-14 per person aged 15-64 */
    PS_PROB_V_DEP_TOTAL,   /* [1] (0-14 + 65+) per person aged 15-64 */
    PS_PROB_V_SHARE_65,    /* [1] persons aged 65+ per person (each trajectory's share) */
    PS_PROB_V_ALIGN_FLOW,  /* [1] persons the median's alignment adds in the step (0 without
                            * it): P(y + 1) = P(y) + births - deaths + net migration + this */
    PS_PROB_V_COUNT
} ps_prob_var;

typedef struct ps_prob_options {
    int n_traj;              /* trajectories; 0 = PS_PROB_TRAJ_DEFAULT */
    uint64_t seed;           /* key of the random streams */
    int n_threads;           /* OpenMP threads; 0 = the OpenMP default */
    double rho[PS_PROB_PROC_COUNT]; /* persistence of each process, in [0, 1) */
    double level[PS_PROB_PROC_COUNT]; /* share of its variance kept as a level, in [0, 1] */
    double level_skew[PS_PROB_PROC_COUNT]; /* log of the ratio of the level's scale above its
                              * median to that below (a two-piece normal level, mapped back to
                              * N(0, 1) scores: ps_prob_level_map), within
                              * +-PS_PROB_LEVEL_SKEW_MAX; 0 (default) the symmetric level.
                              * docs/model.md 9.8, round 17 */
    ps_prob_variant variant; /* not NONE: one deterministic trajectory of the variant */
    int keep_trajectories;   /* 1: ps_prob_trajectories gives every trajectory */
    double center[PS_PROB_PROC_COUNT]; /* centring of each process's marginals, in [0, 1] */
    int keep_population;     /* 1: ps_prob_unit_population gives the last unit's populations
                              * of every year (0: each year is summarised inside the ensemble's
                              * tiles and no year is stored) */
    int mig_per_person;      /* 1: a trajectory's net migrants, the inputs' and its deviation,
                              * scale with its population over that of the inputs' own projection
                              * (net migration as a rate, as the UN's bayesMig); 2: the same, and
                              * the migration centring acts on log(1 + migrants / that
                              * population) instead of persons; 3: only the inputs' migrants
                              * scale so, the deviation stays in persons; 0 (default): persons.
                              * ps_prob_options_by_class (popsim run --location) sets
                              * PS_PROB_MIG_PER_PERSON_LOCATION, 0 with a variant; scenario runs
                              * keep 0. docs/model.md 9.3, rounds 7, 8 and 11 */
    double mig_size_elasticity; /* with mig_per_person 3: a step's migration deviation is
                              * multiplied by (the trajectory's population at the start of the
                              * step over the deterministic projection's)^elasticity, in
                              * [0, 1]: 0 (default) persons, 1 a rate. ps_prob_options_by_class
                              * sets PS_PROB_MIG_SIZE_ELASTICITY_LOCATION with mode 3.
                              * docs/model.md 9.3, round 13 */
    int align_median;        /* 1: the trajectories' median total population is aligned with
                              * the deterministic projection year by year (ps_prob_align;
                              * docs/model.md 9.7). ps_prob_options_by_class sets it; scenario
                              * runs and variants keep 0 */
} ps_prob_options;

#define PS_PROB_OPTIONS_INIT                                                                 \
    { .n_traj = 0, .seed = 1, .n_threads = 0,                                                \
      .rho = { PS_PROB_RHO_TFR, PS_PROB_RHO_E0, PS_PROB_RHO_MIG },                           \
      .level = { PS_PROB_LEVEL_TFR, PS_PROB_LEVEL_E0, PS_PROB_LEVEL_MIG },                   \
      .level_skew = { 0.0, 0.0, 0.0 },                                                       \
      .variant = PS_PROB_VARIANT_NONE, .keep_trajectories = 0,                               \
      .center = { PS_PROB_CENTER_TFR, PS_PROB_CENTER_E0, PS_PROB_CENTER_MIG },               \
      .keep_population = 0, .mig_per_person = 0, .mig_size_elasticity = 0.0,                  \
      .align_median = 0 }

typedef struct ps_prob ps_prob; /* opaque; src/engine/prob.c */

/* ---- the process (src/engine/traj.c) ---------------------------------------------------- */

/** Normal score of knot k (0..4): -1.96, -1.2816, 0, 1.2816, 1.96. */
double ps_prob_knot_z(int k);

/** Probability of quantile q (0..4): 0.025, 0.1, 0.5, 0.9, 0.975. */
double ps_prob_level(int q);

/**
 * Q(z): the quantile function through knots[0..4] at the knot scores, piecewise linear in z
 * with the end segments extended; with log_scale (knots > 0) the same on log(knots).
 */
double ps_prob_marginal(const double knots[PS_PROB_N_KNOTS], double z, int log_scale);

/**
 * The shift d of the normal score at which the mean of Q(Z + d), Z ~ N(0, 1), is the median
 * knot (0 for a row without spread; at most 2 in absolute value): src/engine/prob_center.c.
 */
double ps_prob_center_shift(const double knots[PS_PROB_N_KNOTS], int log_scale);

/*
 * The largest relative move of a TFR knot that the centring may cause (docs/model.md 9.3):
 * issue #14 wants the TFR bounds within 2 % of the UN's, and the sampling error of 10,000
 * trajectories' quantiles takes up to about 0.3 % of that.
 */
#define PS_PROB_CENTER_TFR_MAX_MOVE 0.015

/**
 * The shift d of the normal score at which the mean of log Q(Z + d) is the log of the median
 * knot, Q the TFR marginal (piecewise linear in log TFR): the TFR centring acts on log TFR,
 * since a population compounds relative changes of fertility (docs/model.md 9.3, round 6).
 * 0 for a row without spread. @return the shift, in normal-score units
 */
double ps_prob_center_shift_tfr_log(const double knots[PS_PROB_N_KNOTS]);

/**
 * The TFR score shift c ps_prob_center_shift_tfr_log(knots), reduced towards 0 (bisection)
 * where it would move a knot, Q(z_k + shift) / knot_k - 1, by more than
 * PS_PROB_CENTER_TFR_MAX_MOVE. c in [0, 1]. @return the shift, in normal-score units
 */
double ps_prob_center_shift_tfr(const double knots[PS_PROB_N_KNOTS], double c);

/*
 * Classes of locations for parameters that are a stated function of the location
 * (docs/model.md 9.3): post-transition fertility, the median TFR of the bounds' first year
 * below PS_PROB_PHASE_TFR (children per woman); volatile migration, the 80 % half-width of net
 * migrants in the bounds' first year above PS_PROB_MIG_VOLATILE of the population (the
 * median of all WPP countries and areas in 2024 is 0.0032).
 */
#define PS_PROB_PHASE_TFR 2.1
#define PS_PROB_MIG_VOLATILE 0.003

/** 1 if the bounds' first year has a median TFR below PS_PROB_PHASE_TFR, else 0. */
int ps_prob_post_transition(const ps_prob_bounds *b);

/** 1 if the bounds' first year's 80 % half-width of net migrants exceeds PS_PROB_MIG_VOLATILE
 * x pop (persons, the population of that year), else 0. */
int ps_prob_mig_volatile(const ps_prob_bounds *b, double pop);

/*
 * The growth of the migration band (docs/model.md 9.3): the UN's 80 % half-width of net
 * migrants per person in PS_PROB_GROWTH_TO over that in PS_PROB_GROWTH_FROM. The
 * UN's migration model is an AR(1) of net migration rates (Azose & Raftery 2015) started
 * from the last observed year, whose variance after t years is proportional to
 * 1 - rho^(2t): a band that has stopped widening by 2030 comes from a process that forgets
 * quickly, one that still widens towards 2050 from a persistent one.
 * pop_from, pop_to: the populations of those years (persons; the UN's medians).
 * @return the ratio, NaN if the bounds do not cover both years, a population is not > 0 or
 *         the first year's band is empty
 */
#define PS_PROB_GROWTH_FROM 2030
#define PS_PROB_GROWTH_TO 2050
double ps_prob_mig_growth(const ps_prob_bounds *b, double pop_from, double pop_to);

/*
 * The persistence of a process from the growth of its band (ps_prob_mig_growth): the rho at
 * which
 * (1 - rho^(2 t_to)) / (1 - rho^(2 t_from)) = g^2, t the years from first_year - 1 (the
 * bounds start one year after the last observation), within [rho_min, rho_max]. A band that
 * does not widen (g <= 1, or below the ratio at rho_min) gives rho_min; NaN gives rho_min.
 * PS_PROB_RHO_MIG_FLOOR: the largest rho whose band reaches 99 % of its 2050 variance by
 * 2030 (rho^14 = 0.01 for bounds from 2024): below it the band's growth cannot tell
 * persistences apart. PS_PROB_RHO_MIG_CAP: the estimator's cap (calibrate_prob -g).
 */
#define PS_PROB_RHO_MIG_FLOOR 0.72
#define PS_PROB_RHO_MIG_CAP 0.99
double ps_prob_rho_from_growth(double g, int first_year, double rho_min, double rho_max);

/*
 * Below the floor (docs/model.md 9.3, issue #14 rounds 9 and 10): the growth cannot tell
 * persistences below PS_PROB_RHO_MIG_FLOOR apart, but how much the band widened before 2030,
 * from the bounds' first year, the UN's one-year-ahead band, to PS_PROB_EARLY_TO, can.
 * ps_prob_mig_early_growth is the ratio of the 80 % half-widths per person (pop_first,
 * pop_to: the populations of those years, persons); ps_prob_rho_from_early_growth the rho at
 * which (1 - rho^(2 t)) / (1 - rho^2) = g^2, t = PS_PROB_EARLY_TO - first_year + 1, within
 * [rho_min, rho_max] (rho_min for g <= 1 or NaN). An AR(1) started at a known value only
 * widens; a band that narrows by more than PS_PROB_EARLY_NARROWING (Belgium 0.09, Ukraine
 * 0.31, Russia 0.72: the first year carries a recent shock) says nothing of the persistence.
 * The ratios of the 236 countries and areas have a gap between 0.78 and 0.90; the threshold
 * sits in it.
 * @return the ratio (NaN if the bounds do not cover both years, a population is not > 0 or
 *         the first year's band is empty); the persistence
 */
#define PS_PROB_EARLY_TO 2030
#define PS_PROB_RHO_MIG_EARLY_FLOOR 0.0
#define PS_PROB_EARLY_NARROWING 0.85
/* Round 11 (docs/model.md 9.3): for WPP locations, the inputs' net migrants of a step follow
 * each trajectory's population over the deterministic projection's (the UN's trajectories
 * apply migration rates to their own populations); the deviation from the UN's band stays in
 * persons, since that band is already the UN's rates applied to its trajectories. */
#define PS_PROB_MIG_PER_PERSON_LOCATION 3
/* Round 13 (docs/model.md 9.3): the deviation from the UN's band follows the trajectory's size
 * too, but only with this elasticity. The UN's count bands already hold their trajectories'
 * population uncertainty, so scaling them fully (elasticity 1, round 7) counts it twice, and
 * persons (0) let emigration outgrow a shrinking population. Shared by all locations,
 * estimated across all 236: round 13 chose 0.2, the least mean loss of seeds 1-4 over 0, 0.1,
 * 0.15, 0.2 and 0.25 with the median unaligned. Round 15 re-estimated it with the median
 * aligned (round 14, which takes the drift of the median off the loss): the least loss of
 * seed 1 over 0.2, 0.3, 0.4 and 0.5, confirmed on seeds 2-4 (docs/model.md 9.7). */
#define PS_PROB_MIG_SIZE_ELASTICITY_LOCATION 0.4
double ps_prob_mig_early_growth(const ps_prob_bounds *b, double pop_first, double pop_to);
double ps_prob_rho_from_early_growth(double g, int first_year, double rho_min, double rho_max);

/** The migration persistence from both (round 10): where growth and early are finite and
 * early >= narrowing, ps_prob_rho_from_early_growth(early) within [early_floor, floor] if that
 * is below the floor; otherwise ps_prob_rho_from_growth(growth) within [floor, cap]. The early
 * widening comes first because the growth's rho rises steeply from the floor: a band that
 * did not widen before 2030 but grows by 1 % per person to 2050 (Liberia) gives 0.76 from
 * the growth and 0 from the early widening. ps_prob_options_by_class calls it with the
 * compiled bounds, bench/prob_checks with its overrides. */
double ps_prob_rho_mig_from_bands(double growth, double early, int first_year,
                                  double early_floor, double floor, double cap, double narrowing);

/*
 * The parameters by class: TFR persistence, level share and centring by phase of fertility
 * decline, migration persistence by migration class, estimated across all WPP countries and
 * areas with TFR uncentred (calibrate_prob -u, docs/prob-calibration.txt, docs/model.md 9.3):
 * the TFR persistence does not depend on the phase; migration persists more where its
 * uncertainty is small relative to the population. The TFR centring by phase (calibrate_prob
 * -c, antithetic pairs, capped at PS_PROB_CENTER_TFR_MAX_MOVE, on the mean of TFR):
 * post-transition TFR centred, TFR in transition not; since round 6 ps_prob_options_by_class
 * takes the TFR centring from the persistence instead (ps_prob_center_for_sum, on the mean of
 * log TFR), and PS_PROB_CENTER_TFR_TRANSITION and _POST are that estimate's record, used by
 * calibrate_prob's searches of rounds 2 to 4; since round 16 TFR is not centred where the
 * median is aligned (ps_prob_center_from_persistence). The TFR level share of either phase is
 * round 16's estimate with TFR so uncentred (calibrate_prob -l: 0.4 in transition and 0.5
 * after it, of 0, 0.25, 0.4, 0.5 and 0.75; round 6's, with the centring, was 0.25 in both).
 * The migration classes are now only the fallback of ps_prob_options_by_class where the
 * band's growth is unknown (PS_PROB_RHO_MIG_FLOOR).
 */
#define PS_PROB_RHO_TFR_TRANSITION 0.95
#define PS_PROB_LEVEL_TFR_TRANSITION 0.4
#define PS_PROB_CENTER_TFR_TRANSITION 0.0
#define PS_PROB_RHO_TFR_POST 0.95
#define PS_PROB_LEVEL_TFR_POST 0.5
#define PS_PROB_SKEW_TFR_TRANSITION 1.0
#define PS_PROB_SKEW_TFR_POST 0.0
#define PS_PROB_CENTER_TFR_POST 1.0
#define PS_PROB_RHO_MIG_STEADY 0.95
#define PS_PROB_RHO_MIG_VOLATILE 0.9

/*
 * The effective number of independent years in the mean of `years` yearly scores of the
 * process (correlation level + (1 - level) rho^k at lag k): years / (1 + 2 sum_{k<years}
 * (1 - k / years) corr(k)); NaN for years < 1. 1 for a fully persistent process, years for
 * independent ones.
 */
double ps_prob_n_eff(double rho, double level, int years);

/*
 * The centring (the fraction of the shift that puts each year's mean on the median) that
 * keeps the median of a sum of `years` skewed yearly deviations of the process near the sum
 * of the yearly medians: 1 - 1 / n_eff (ps_prob_n_eff), 0 where n_eff <= 1. Why: the mean of
 * a sum of n independent years grows n-fold while its mean less its median stays about one
 * year's (the skewness falls as 1 / sqrt(n), the spread grows as sqrt(n)); a single draw
 * (n_eff = 1) keeps its median without any centring. For an exact sum of marginals piecewise
 * linear in the normal score the least drift is nearer 1 - 1 / (2 n_eff - 1)
 * (tests/test_prob_center.c), but a population weighs early migrants more (their children)
 * and its checks at 2050 cumulate fewer years; over the 236 WPP locations 1 - 1 / n_eff over
 * the bounds' years meets more of issue #14's criteria (docs/model.md 9.3, 9.5).
 */
double ps_prob_center_for_sum(double rho, double level, int years);

/** Set o's TFR and migration centrings from their persistences and level shares over `years`
 * (ps_prob_center_for_sum), but TFR's to 0 with o->align_median (docs/model.md 9.7, round 16;
 * set it first); e0's is kept. */
void ps_prob_center_from_persistence(ps_prob_options *o, int years);

/**
 * Set o's TFR persistence and level share by the phase of the bounds
 * (ps_prob_post_transition) and its migration persistence from the growth of its migration
 * band, mig_growth (ps_prob_mig_growth), and its early widening mig_early
 * (ps_prob_mig_early_growth) by ps_prob_rho_mig_from_bands with the compiled bounds, or, where
 * mig_growth is NaN, by the migration class (ps_prob_mig_volatile, pop the population of the
 * bounds' first year or the base's, persons), its median's alignment (align_median, unless a
 * variant or keep_population), and its TFR and migration centrings from those persistences
 * and level shares over the years of the bounds (ps_prob_center_from_persistence: TFR
 * uncentred when aligned); mig_per_person PS_PROB_MIG_PER_PERSON_LOCATION, or 0
 * if o->variant is set (set the variant first); the rest of o is kept. What `popsim run
 * --location` does for WPP locations.
 */
void ps_prob_options_by_class(ps_prob_options *o, const ps_prob_bounds *b, double pop,
                              double mig_growth, double mig_early);

/** A standard normal innovation for (seed, traj, proc, year index): Philox4x32-10, Box-Muller. */
double ps_prob_normal(uint64_t seed, int traj, ps_prob_proc proc, int year_index);

/*
 * The skewed level (docs/model.md 9.8, round 17): the table of G(x) = Phi^-1(F(x)), F the
 * distribution function of x = sqrt(level) h(u) + sqrt(1 - level) a, u and a ~ N(0, 1) and
 * h(u) the two-piece normal with scales e^(skew / 2) above u = 0 and e^(-skew / 2) below,
 * standardised to mean 0 and variance 1. level in (0, 1), |skew| <= PS_PROB_LEVEL_SKEW_MAX.
 */
typedef struct ps_prob_level_map ps_prob_level_map;
#define PS_PROB_LEVEL_SKEW_MAX 3.0
ps_status ps_prob_level_map_new(ps_prob_level_map **out, double level, double skew,
                                ps_error *err);
void ps_prob_level_map_free(ps_prob_level_map *m);
/** 1 if a run with the options draws process proc's level through a table (what ps_prob_new
 * builds): a level share strictly between 0 and 1, a skew other than 0, and no variant. */
int ps_prob_level_is_skewed(const ps_prob_options *opt, ps_prob_proc proc);
/** G(x), interpolated from the table. */
double ps_prob_level_map_score(const ps_prob_level_map *m, double x);
/** F(x) by quadrature (what the table is made from; for tests). */
double ps_prob_level_map_cdf(const ps_prob_level_map *m, double x);
/** h(u), the standardised two-piece level of the score u. */
double ps_prob_level_map_level(const ps_prob_level_map *m, double u);

/**
 * z_0 .. z_{n-1} of one trajectory: sqrt(level) u + sqrt(1 - level) a_t, a_t the AR(1) with
 * persistence rho started at a_0 ~ N(0, 1), u ~ N(0, 1) drawn once (its own counter, so the
 * a_t are the same for every level; level 0 gives a_t exactly). Antithetic pairs: an odd
 * traj gives exactly the negated path of traj - 1 (docs/model.md 9.1). With skew (not NULL;
 * its level share replaces level) the score is G(sqrt(L) h(u) + sqrt(1 - L) a_t) instead:
 * still N(0, 1) every year, and an odd traj draws -u and -a_t, no longer the negated path.
 */
void ps_prob_path(double *z_out, int n, double rho, double level, const ps_prob_level_map *skew,
                  uint64_t seed, int traj, ps_prob_proc proc);

/** Type-7 sample quantile (R's default) of x[0..n-1] at probability p; reorders x. */
double ps_prob_sample_quantile(double *x, int n, double p);

#define PS_PROB_QUANTILES_MAX 16 /* probabilities of one ps_prob_sample_quantiles call */

/**
 * ps_prob_sample_quantile at each of p[0..m-1] (m <= PS_PROB_QUANTILES_MAX) into out[0..m-1],
 * the same values, with the order statistics selected in one pass of nested partitions
 * (src/engine/quantiles.c); x[0..n-1] finite, n >= 1; reorders x.
 */
void ps_prob_sample_quantiles(double *x, int n, const double *p, int m, double *out);

/* ---- bounds --------------------------------------------------------------------------- */

/** Allocate NaN-filled bounds for n_years calendar years. @return PS_OK; PS_EINVAL; PS_ENOMEM */
ps_status ps_prob_bounds_init(ps_prob_bounds *b, int first_year, int n_years, ps_error *err);

/** Check the knots of every year are finite and non-decreasing (TFR and e0 positive).
 * @return PS_OK; PS_EINVAL naming the variable and year */
ps_status ps_prob_bounds_check(const ps_prob_bounds *b, ps_error *err);

void ps_prob_bounds_release(ps_prob_bounds *b); /* accepts a zeroed struct */

/**
 * Fill year index y of b around the medians tfr, e0[sex] and mig with the 80 % half-widths
 * w_tfr (of log TFR), w_e0 (years) and w_mig (persons): knot k is tfr e^(f w_tfr),
 * e0 + f w_e0 and mig + f w_mig with f = z_k / z_0.9 (so -1 and 1 at the 80 % knots); the
 * low and high variants are the median -/+ 0.5 child. Used by ps_prob_bounds_spread and the
 * scenario's own uncertainty (src/io/uncertainty.c), so both spread the same way.
 */
void ps_prob_bounds_set_year(ps_prob_bounds *b, int y, double tfr, const double *e0, double mig,
                             double w_tfr, double w_e0, double w_mig);

/*
 * A planner's own uncertainty where no UN interval exists: the half-width of the 80 %
 * interval grows linearly with the years since the first, w(t) = w0 + slope (t - first_year),
 * and the 95 % half-width is 1.96 / 1.2816 of it (normal). TFR widths are relative (a
 * fraction of the median: bounds median x exp(+-w), so TFR stays positive), e0 widths in
 * years, migration widths in persons.
 */
typedef struct ps_prob_spread {
    double tfr_w0, tfr_slope; /* relative, relative per year */
    double e0_w0, e0_slope;   /* years, years per year */
    double mig_w0, mig_slope; /* persons, persons per year */
} ps_prob_spread;

/**
 * Bounds for calendar years first_year .. first_year + n_years - 1 around the given medians
 * (tfr[n_years]; e0[n_years][sex]; mig[n_years]) with the widths of `s`; the low and high
 * variants are the median -/+ 0.5 child.
 * @return PS_OK; PS_EINVAL (a negative width, a median that is not finite, TFR or e0 <= 0);
 *         PS_ENOMEM
 */
ps_status ps_prob_bounds_spread(ps_prob_bounds *out, int first_year, int n_years,
                                const double *tfr, const double *e0, const double *mig,
                                const ps_prob_spread *s, ps_error *err);

/* ---- the run (src/engine/prob.c) ------------------------------------------------------ */

/**
 * Prepare a probabilistic run of the single-region inputs `in` (the median paths) with the
 * bounds `b`, which must cover the calendar years start_year .. end_year. Builds the e0
 * tables (mx scaled by e^k, docs/model.md 9.2). `in` and `b` are borrowed.
 * @return PS_OK; PS_EINVAL (shape, options, bounds); PS_ENUMERIC; PS_ENOMEM
 */
ps_status ps_prob_new(ps_prob **out, const ps_inputs *in, const ps_prob_bounds *b,
                      const ps_prob_options *opt, ps_error *err);

/** Units of the run: blocks of PS_PROB_UNIT_TRAJ trajectories (one for a variant). */
int ps_prob_n_units(const ps_prob *p);

/** Trajectories in the run. */
int ps_prob_n_traj(const ps_prob *p);

/** The options the run was made with (for a run from ps_prob_from_stats, those given there):
 * the persistences, level shares and centrings its file records (docs/output-format.md). */
const ps_prob_options *ps_prob_options_of(const ps_prob *p);

/**
 * Compute unit `unit` (trajectories unit * PS_PROB_UNIT_TRAJ ..): depends only on the index,
 * the inputs, the bounds and the options, so units may run in any order, on any rank. One
 * unit at a time per object (they share its workspace); the unit's own OpenMP threads are
 * opt->n_threads. An MPI rank computes its units on its own object, and the trajectories
 * (ps_prob_trajectories rows [unit * PS_PROB_UNIT_TRAJ ..]) are gathered before ps_prob_finish.
 * @return PS_OK; PS_EINVAL (out of range); PS_ENUMERIC (an e0 outside the tables, a failed
 *         accounting identity); PS_ENOMEM
 */
ps_status ps_prob_unit(ps_prob *p, int unit, ps_error *err);

/* Units of one ps_prob_units ensemble call: 1024 trajectories in batches dealt to the threads
 * dynamically, one parallel region (a unit alone has one batch per thread, and a thread
 * held up by the machine holds the other up at the unit's end). */
#define PS_PROB_UNITS_CHUNK 8

/**
 * Units u0 .. u1 - 1, the same bytes as ps_prob_unit for each in turn, with up to
 * PS_PROB_UNITS_CHUNK units per ensemble call (one unit at a time with keep_population).
 * Afterwards ps_prob_unit_population gives nothing unless the call was one unit.
 * @return as ps_prob_unit; PS_EINVAL for a range outside the units or a unit already done
 */
ps_status ps_prob_units(ps_prob *p, int u0, int u1, ps_error *err);

/**
 * After ps_prob_unit(p, unit, ...) and before the next unit: the unit's 1 July populations by
 * single age, [year][sex][age][lane] (lane j = trajectory unit * PS_PROB_UNIT_TRAJ + j), for
 * what is computed per trajectory from single ages (services, popsim/svc_prob.h). Borrowed;
 * overwritten by the next unit. NULL (and *n_lanes 0) unless `unit` is the last unit done and the
 * options' keep_population is set.
 */
const double *ps_prob_unit_population(const ps_prob *p, int unit, int *n_lanes);

/**
 * Before ps_prob_finish: forget the units done and take new persistences, level shares and
 * level skews (level or skew NULL: keep them; the e0 tables are kept), for calibration.
 * @return PS_OK; PS_EINVAL; PS_ENOMEM
 */
ps_status ps_prob_restart(ps_prob *p, const double rho[PS_PROB_PROC_COUNT],
                          const double level[PS_PROB_PROC_COUNT],
                          const double skew[PS_PROB_PROC_COUNT], ps_error *err);

/**
 * Before ps_prob_finish: forget the units done and take a new centring of each process's
 * marginals, for calibration. @return PS_OK; PS_EINVAL; PS_ENOMEM
 */
ps_status ps_prob_recenter(ps_prob *p, const double center[PS_PROB_PROC_COUNT], ps_error *err);

/**
 * docs/model.md 9.7: after every unit (of this rank), with the options' align_median: align
 * the trajectories' median total population with the deterministic projection. Each year y
 * gets the factor g[y] = (the deterministic projection's total) / (the median of every
 * trajectory's total, pop_all [year][n_traj], as ps_prob_finish computes it), and trajectories
 * t0 .. t1 - 1 of this object are multiplied by it: populations of year y by g[y], the births,
 * deaths and net migrants of step s by g[s], and the step's PS_PROB_V_ALIGN_FLOW becomes
 * (g[s+1] - g[s]) P(s+1) (P before the alignment), so the accounting identity holds with it.
 * pop_all NULL: this object's own rows (every unit done here). The factors are kept
 * (ps_prob_alignment). Once per run of the units.
 * @return PS_OK; PS_EINVAL (no align_median, aligned already, a unit missing, finished);
 * PS_ENUMERIC (a median not positive); PS_ENOMEM
 */
ps_status ps_prob_align(ps_prob *p, const double *pop_all, int t0, int t1, ps_error *err);

/** The factors of ps_prob_align, [n_years], or NULL if the run was not aligned (a run from
 * ps_prob_from_stats: those of ps_prob_set_alignment). */
const double *ps_prob_alignment(const ps_prob *p);

/** A run from ps_prob_from_stats with align_median in its options: take the factors g
 * [n_years] its trajectories were aligned with (an MPI rank sent them). @return PS_OK;
 * PS_EINVAL (not such a run, or it has them); PS_ENOMEM */
ps_status ps_prob_set_alignment(ps_prob *p, const double *g, ps_error *err);

/** After every unit: quantiles and means (with align_median, ps_prob_align first if it has
 * not run). Afterwards the run no longer uses `in` and `b`.
 * @return PS_OK; PS_EINVAL if a unit is missing */
ps_status ps_prob_finish(ps_prob *p, ps_error *err);

/** Cells per year of a variable (1, 2 or 2 x 21). */
int ps_prob_var_cells(ps_prob_var v);

/** 1 July states (start_year .. end_year). */
int ps_prob_n_years(const ps_prob *p);
int ps_prob_start_year(const ps_prob *p);

/**
 * After ps_prob_finish: [year][cell][stat] of variable v, stat 0..4 the quantiles, 5 the
 * mean (NaN where undefined). Borrowed from p.
 */
const double *ps_prob_stats(const ps_prob *p, ps_prob_var v);

/** Every trajectory of v: [year][cell][traj]; borrowed; always kept until ps_prob_finish,
 * afterwards only with keep_trajectories (else NULL). */
const double *ps_prob_trajectories(const ps_prob *p, ps_prob_var v);

void ps_prob_free(ps_prob *p); /* accepts NULL */

/* ---- between MPI ranks (issue #15; src/cli/run_prob_mpi.c) ------------------------------ */

/** Doubles of unit `unit`'s trajectory rows (0 if out of range). */
size_t ps_prob_unit_doubles(const ps_prob *p, int unit);

/** A done unit's trajectories into buf[ps_prob_unit_doubles] (before ps_prob_finish).
 * @return PS_OK; PS_EINVAL (not done, finished, out of range) */
ps_status ps_prob_unit_get(const ps_prob *p, int unit, double *buf, ps_error *err);

/** A unit computed elsewhere (ps_prob_unit_get's buf) put in and counted as done: the run
 * then finishes as if it had computed the unit. @return PS_OK; PS_EINVAL (done already) */
ps_status ps_prob_unit_put(ps_prob *p, int unit, const double *buf, ps_error *err);

/* The quantiles split over the ranks (src/cli/run_prob_mpi.c, docs/hpc.md): the summary's
 * rows (every variable's [year][cell] in turn, ps_prob_stats_get's order) are dealt in
 * contiguous slices; each rank receives its slice's rows of every rank's trajectories,
 * summarises them and rank 0 finishes with every slice's statistics. */

/** Rows of the summary: every variable's years x cells, in turn. */
size_t ps_prob_n_rows(const ps_prob *p);

/** Before ps_prob_finish: trajectories t0 .. t1 - 1 (their units done) of rows row0 ..
 * row1 - 1 into buf[(row1 - row0) x (t1 - t0)], row by row.
 * @return PS_OK; PS_EINVAL (finished, out of range, a unit not done) */
ps_status ps_prob_rows_get(const ps_prob *p, size_t row0, size_t row1, int t0, int t1,
                           double *buf, ps_error *err);

/**
 * Quantiles and means of n_rows rows into stats[n_rows x PS_PROB_N_STATS], as ps_prob_finish
 * computes them, bit for bit: x holds n_pieces blocks of consecutive trajectories, block k
 * being n_rows x lanes[k] values (row by row) after block k - 1, and the lanes of every block
 * in turn are the row's p->n_traj trajectories in order. Threads: the options' n_threads.
 * @return PS_OK; PS_EINVAL (the lanes do not add up to the trajectories); PS_ENOMEM
 */
ps_status ps_prob_summarise_rows(const ps_prob *p, double *stats, const double *x,
                                 size_t n_rows, const int *lanes, int n_pieces, ps_error *err);

/** After ps_prob_rows_get took what the run's rank sends: free the trajectory rows (none
 * with keep_trajectories or once finished). Afterwards the run takes only
 * ps_prob_finish_stats, the accessors of its shape and ps_prob_free. */
void ps_prob_drop_rows(ps_prob *p);

/** Finish p, whose units may have run elsewhere, with the statistics of every row
 * (ps_prob_stats_get's order) computed by ps_prob_summarise_rows; its trajectories are
 * dropped. @return PS_OK; PS_EINVAL (finished already, or keep_trajectories) */
ps_status ps_prob_finish_stats(ps_prob *p, const double *buf, ps_error *err);

/** Doubles of a finished run's statistics, every variable [year][cell][stat] in turn. */
size_t ps_prob_stats_doubles(int n_years);

/** A finished run's statistics into buf[ps_prob_stats_doubles]. @return PS_OK; PS_EINVAL */
ps_status ps_prob_stats_get(const ps_prob *p, double *buf, ps_error *err);

/** A finished run that holds only statistics received from another rank (ps_prob_stats_get)
 * and the options it ran with (opt, NULL for PS_PROB_OPTIONS_INIT): enough for ps_prob_stats
 * and the quantile file. @return PS_OK; PS_EINVAL; PS_ENOMEM */
ps_status ps_prob_from_stats(ps_prob **out, int start_year, int n_years, int n_traj,
                             const ps_prob_options *opt, const double *buf, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_PROB_H */
