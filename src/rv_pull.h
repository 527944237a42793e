/* rv_pull.h: both-ways mode (rv_pull.c); the pull job itself is in rv_jobs.h. */
#ifndef RV_PULL_H
#define RV_PULL_H

#include "rv_reverb.h"

/* From cron: queue pulls for listings edited on Reverb. */
int rv_pull_poll(rv_ctx_t *c, apr_pool_t *p, int *queued);

#endif
