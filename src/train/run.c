#include "train/run.h"

int train_run_progress(const train_options *o, train_progress_fn progress, void *ctx, dc_err *e)
{
    int status = -1;
    train_session *s = train_open_status(o, &status, e);
    if (!s) return status;
    train_progress p;
    int rc;
    while ((rc = train_step_next(s, &p, e)) == 1)
        if (progress) progress(&p, ctx);
    if (rc == 0) return train_close(s, e);
    train_close(s, e); /* after an error or a stop it leaves e alone */
    return rc;
}

int train_run(const train_options *o, dc_err *e)
{
    return train_run_progress(o, NULL, NULL, e);
}
