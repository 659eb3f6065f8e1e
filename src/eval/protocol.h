/* The paper's Table 1 protocol for one representation: a linear SVM (eval/linear_svm.h) trained
 * on the features of the labelled training split and scored on the test split, once with every
 * label and then, as in the paper's SVHN table, with a few labels per class drawn at random
 * several times (mean and standard deviation over the draws). The draws depend on the seed
 * alone, so every representation is scored on the same draws. */
#ifndef DCGAN_EVAL_PROTOCOL_H
#define DCGAN_EVAL_PROTOCOL_H

#include <stdint.h>
#include "core/error.h"
#include "eval/linear_svm.h"

#define PROTOCOL_MAX_DRAWS 100

/* Progress of the few-label draws: draw (1-based) of draws done, its test accuracy. */
typedef void (*protocol_draw_fn)(void *ctx, int draw, int draws, double accuracy, double c);
/* Before each setting: "all" (n rows) or the few-label draws. */
typedef void (*protocol_stage_fn)(void *ctx, const char *stage, int rows);

typedef struct {
    int all_labels;       /* 1: the all-labels setting */
    int max_train;        /* all-labels setting: at most this many rows, a random subset drawn
                           * from the seed (0: every row) */
    int labels_per_class; /* few-label setting: rows a class (100) */
    int draws;            /* ... and how many draws (10; 0: no few-label setting) */
    uint64_t seed;
    svm_options svm;      /* its seed is set per fit from the seed above */
    protocol_stage_fn on_stage;
    protocol_draw_fn on_draw;
    void *ctx;
} protocol_options;

typedef struct {
    int have_all;
    double all_accuracy, all_c;
    int all_rows;          /* training rows of the all-labels fit */
    int draws;             /* few-label draws done */
    double few_accuracy[PROTOCOL_MAX_DRAWS], few_c[PROTOCOL_MAX_DRAWS];
    double few_mean, few_std; /* sample standard deviation (n - 1) */
    double few_c_mode;     /* the C chosen most often (the smallest on ties) */
} protocol_result;

protocol_options protocol_options_default(void);

/* Xtr (n_train, dim) with labels ytr in [0, n_classes), Xte (n_test, dim) with yte. -1 with a
 * message if a class has fewer training rows than labels_per_class (or as the SVM fails). */
int protocol_run(const float *Xtr, const int *ytr, int n_train, const float *Xte,
                 const int *yte, int n_test, int dim, int n_classes, const protocol_options *o,
                 protocol_result *r, dc_err *e);

#endif
