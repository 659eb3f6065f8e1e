/* A training run as one self-contained HTML page (dcgan report): the sample grids over time,
 * the losses and D's outputs, the quality metrics of --eval-every, the model, the settings and
 * the command that resumes the run. Images are embedded as data: URIs and charts as inline
 * SVG; a Content-Security-Policy lets the page load nothing from anywhere. Everything read from
 * the run folder is escaped. A folder with no log, samples or checkpoints yet makes a page
 * that says so. */
#ifndef DCGAN_VIZ_REPORT_H
#define DCGAN_VIZ_REPORT_H

#include <stddef.h>

#include "core/error.h"

typedef struct report_options {
    int max_samples;        /* sample grids to embed at most, spread over time (>= 1) */
    double max_image_bytes; /* the embedded PNGs' total, at most (the newest grid and
                             * samples/real.png are always in) */
    const char *program;    /* the dcgan to name in the resume command (NULL: "dcgan") */
} report_options;

/* Writes the page for the run folder run to out (NULL: RUN/report.html), atomically; its path
 * goes to written (size n). Fails only when run is not a folder or out cannot be written. */
int report_write(const char *run, const char *out, const report_options *o, char *written,
                 size_t n, dc_err *e);

#endif
