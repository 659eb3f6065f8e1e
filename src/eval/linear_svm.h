/* The paper's classifier on top of a representation: a linear L2-regularised L2-loss
 * (squared hinge) SVM, one-vs-rest, from liblinear (Debian's liblinear), with
 *  - every feature standardised by the mean and standard deviation (population, as
 *    scikit-learn's StandardScaler) of the training rows; a constant feature becomes 0;
 *  - a bias feature of 1 (liblinear's -B 1, scikit-learn's intercept_scaling=1);
 *  - C chosen from an ascending grid by accuracy on a validation split (a stratified share of
 *    the training rows, drawn from the seed), the smallest C on ties; the search stops at the
 *    first C whose accuracy falls below the best so far (accuracy rises, then falls, as C
 *    grows, and the large values are the slow fits: on 48,000 x 9,216 D features each tenfold
 *    step of C about doubles the fit's time);
 *  - then a fit on all the training rows with that C, scored on the test rows.
 * liblinear keeps 16 bytes a non-zero value: memory is about 16 * rows * (dim + 2) bytes. */
#ifndef DCGAN_EVAL_LINEAR_SVM_H
#define DCGAN_EVAL_LINEAR_SVM_H

#include <stdint.h>
#include "core/error.h"

#define SVM_MAX_GRID 32

typedef enum {
    SVM_SOLVER_DUAL,   /* coordinate descent on the dual (liblinear -s 1) */
    SVM_SOLVER_PRIMAL, /* trust-region Newton on the primal (-s 2) */
} svm_solver;

/* One fit done, for progress lines. */
typedef struct {
    double c;
    int index, n_grid;   /* grid position (0-based) and grid size; index -1: the final fit */
    double val_accuracy; /* in [0,1]; the final fit: none (-1) */
    double seconds;      /* this fit, and its scoring */
} svm_fit_report;

typedef struct {
    double c_grid[SVM_MAX_GRID]; /* ascending */
    int n_grid;                  /* 1: that C, without a validation split */
    double val_fraction;         /* share of each class held out to choose C (0.2) */
    double eps;                  /* liblinear's stopping tolerance; 0: its default for the
                                  * solver (0.1 dual, 0.01 primal) */
    svm_solver solver;
    uint64_t seed;               /* the validation split */
    void (*on_fit)(void *ctx, const svm_fit_report *r); /* may be NULL */
    void *ctx;
} svm_options;

typedef struct {
    double best_c;
    double val_accuracy;  /* at best_c; -1 without a search */
    double test_accuracy; /* in [0,1] */
    int n_train, n_val;   /* rows the grid's fits trained on and were scored on */
} svm_result;

/* Grid 1e-5 .. 1 in tenfold steps (standardised features of thousands of dimensions want a
 * small C: 1e-3 or below on Fashion-MNIST); the rest as noted above. */
svm_options svm_options_default(void);

/* Train on rows train_idx[0..n_train) of X (NULL: rows 0..n_train-1) with labels y[row] in
 * [0, n_classes), test on Xt (n_test rows) against yt. X and Xt are row-major, dim floats a
 * row. pred (n_test, may be NULL) receives the test predictions. -1 with a message on bad
 * input (fewer than two classes among the training rows, a class too small to split) or
 * when memory runs out. */
int linear_svm_evaluate(const float *X, const int *y, const int *train_idx, int n_train,
                        const float *Xt, const int *yt, int n_test, int dim, int n_classes,
                        const svm_options *o, svm_result *r, int *pred, dc_err *e);

#endif
