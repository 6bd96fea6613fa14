/*
 * targets_prob.h - `popsim targets FILE` on a probabilistic file (issue #14, sec. 2;
 * targets_prob.c): per service and planning year the median demand, its 80 % interval, the
 * median capacity and the chance of a shortage or a surplus.
 */
#ifndef PS_CLI_TARGETS_PROB_H
#define PS_CLI_TARGETS_PROB_H

/* Print the file's services (only `service` unless NULL; as JSON with json); `scenario`,
 * unless NULL, must be the file's group. Returns the
 * exit status (0; 1 with the error printed). */
int cli_targets_prob(const char *path, const char *scenario, const char *service, int json);

#endif /* PS_CLI_TARGETS_PROB_H */
