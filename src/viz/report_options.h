/* What dcgan report's page may hold: shared by report.h (the page) and report_run.h (its
 * parts). */
#ifndef DCGAN_VIZ_REPORT_OPTIONS_H
#define DCGAN_VIZ_REPORT_OPTIONS_H

typedef struct report_options {
    int max_samples;        /* sample grids to embed at most, spread over time (>= 1) */
    double max_image_bytes; /* the embedded PNGs' total, at most (the newest grid and
                             * samples/real.png are always in) */
    const char *program;    /* the dcgan to name in the resume command (NULL: "dcgan") */
} report_options;

#endif
