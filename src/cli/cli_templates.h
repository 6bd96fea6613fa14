/*
 * cli_templates.h - files compiled into popsim for `popsim init`: the Example City scenario
 * files and data (scenarios/, data/example/), embedded at build time by cmake/embed.cmake.
 */
#ifndef PS_CLI_TEMPLATES_H
#define PS_CLI_TEMPLATES_H

typedef struct cli_embedded {
    const char *name;    /* "example_city.yaml", "population.csv", ... */
    const char *content; /* the file's text */
} cli_embedded;

extern const cli_embedded cli_embedded_files[];
extern const int cli_n_embedded_files;

#endif /* PS_CLI_TEMPLATES_H */
