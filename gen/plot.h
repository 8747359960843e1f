/* plot.h - `ganc plot`: training runs' log.csv files drawn as one PNG of
 * charts, by the runtime's viz/rt_curves.h (the trainer draws each run's
 * RUN/curves.png with the same code).  Command-line stage, beside main. */
#ifndef GAN_PLOT_H
#define GAN_PLOT_H

/* argv[0] is "plot"; returns the exit status: 0, 2 for a usage or input
 * error (no RUN, no log.csv, a malformed one, no shared column, a bad
 * flag), 1 when OUT cannot be written.  Messages go to stderr. */
int gan_plot_main(int argc, char **argv);

#endif
