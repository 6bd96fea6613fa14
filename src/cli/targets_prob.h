/*
 * targets_prob.h - `popsim targets FILE` on a probabilistic file (issue #14, sec. 2;
 * targets_prob.c): per service and planning year the median demand, its 80 % interval, the
 * median capacity and the chance of a shortage or a surplus.
 */
#ifndef PS_CLI_TARGETS_PROB_H
#define PS_CLI_TARGETS_PROB_H

/* Print the file's services (only `service` unless NULL; as JSON with json); `scenario`,
 * unless NULL, must be the file's group. With policy variants whose services the file holds
 * (issue #14, sec. 2): `variant` NULL prints the baseline's, then each variant's (JSON: the
 * baseline's); a variant's name prints only that variant's. Returns the exit status (0; 1
 * with the error printed). */
int cli_targets_prob(const char *path, const char *scenario, const char *service,
                     const char *variant, int json);

#endif /* PS_CLI_TARGETS_PROB_H */
