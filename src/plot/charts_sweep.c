/*
 * charts_sweep.c - the chart of a policy sweep (issue #15, section 3): every design point's
 * births gained against its total cost, and the frontier (the points no other point
 * dominates: at least as many births for at most the cost) as a line through its points.
 * Numbers only: the swept keys' names stay in the file and in `popsim compare`.
 */
#include <math.h>
#include <stdlib.h>

#include "plot_int.h"

ps_status ps_plot__sweep_frontier(plot_ctx *x, ps_error *err)
{
    const ps_sweep_table *t = &x->s->sweep;
    const double money = ps_plot__money_unit(x->opt->lang);
    const double count = ps_plot__count_unit(x->opt->lang);
    int *front = malloc((size_t)(t->n_points > 0 ? t->n_points : 1) * sizeof *front);
    int n_front = 0;
    ps_status rc = front == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc == PS_OK) {
        rc = ps_sweep_frontier(front, &n_front, t->rows, t->n_points, 0, err);
    }
    if (rc != PS_OK) {
        free(front);
        return rc;
    }
    fputs("# block 0: every point; block 1: the frontier by cost\n"
          "# point | cost (million yuan; 10^8 yuan in Chinese charts) | births gained "
          "(thousands; 10^4 in Chinese charts)\n", x->dat);
    for (int p = 0; p < t->n_points; ++p) {
        fprintf(x->dat, "%d", p);
        ps_plot__dat_value(x, t->rows[p].cost / money);
        ps_plot__dat_value(x, t->rows[p].births_gained / count);
        fputc('\n', x->dat);
    }
    fputs("\n\n", x->dat);
    for (int i = 0; i < n_front; ++i) {
        fprintf(x->dat, "%d", front[i]);
        ps_plot__dat_value(x, t->rows[front[i]].cost / money);
        ps_plot__dat_value(x, t->rows[front[i]].births_gained / count);
        fputc('\n', x->dat);
    }
    free(front);
    ps_plot__gp_set_text(x, "title", MSG_SWEEP_FRONTIER, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_SWEEP_COST_AXIS, NULL);
    ps_plot__gp_set_text(x, "ylabel", MSG_SWEEP_BIRTHS_AXIS, NULL);
    fputs("set key top left\nset grid\n", x->gp);
    fprintf(x->gp, "plot '%s' index 0 using 2:3 with points pt 7 ps 0.5 lc rgb '#56B4E9' title ",
            x->dat_name);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_SWEEP_POINTS, x->opt->lang), NULL, NULL);
    fprintf(x->gp, ", \\\n     '%s' index 1 using 2:3 with linespoints pt 7 ps 1 lw 2 "
            "lc rgb '#D55E00' title ", x->dat_name);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_SWEEP_FRONTIER_LINE, x->opt->lang), NULL, NULL);
    fputc('\n', x->gp);
    return PS_OK;
}
