/* rv_queue.h: the job queue in {P}reverb_job (InnoDB).
 *
 * At most one live job per (kind, ref): a change that arrives while the job
 * runs marks it `again` and it runs once more, so a product or an order is
 * never worked on by two threads or servers at once. Claims use
 * FOR UPDATE SKIP LOCKED; a claim is a lease, and a job whose lease expired
 * (its process died) is claimed again. */
#ifndef RV_QUEUE_H
#define RV_QUEUE_H

#include "rv_db.h"

#define RV_PRIO_NOW     0     /* an admin clicked "Sync now" */
#define RV_PRIO_ORDER   10    /* orders move stock: before listing pushes */
#define RV_PRIO_PULL    50    /* merge Reverb edits before pushing ours */
#define RV_PRIO_NORMAL  100
#define RV_PRIO_BULK    200   /* full catalogue sync */

typedef struct {
    long long job_id;
    const char *kind, *ref;
    int attempts;              /* including this one */
    long long run_id;          /* 0: not part of a full sync */
    const char *owner;
    int taken_over;            /* its last claimer died (lease expired) */
} rv_job_t;

int rv_queue_add(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                 int priority, long long run_id);
/* Many refs (a JSON array) in one statement, same rules as rv_queue_add. */
int rv_queue_add_many(rv_db_t *db, apr_pool_t *p, const char *kind, const char *refs_json,
                      int priority);
/* 1 claimed, 0 nothing due, -1 database error */
int rv_queue_claim(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s, rv_job_t *job);
/* The same, for one kind of job only ("" = any). */
int rv_queue_claim_kind(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s,
                        const char *kind, rv_job_t *job);
int rv_queue_done(rv_db_t *db, apr_pool_t *p, const rv_job_t *job);
int rv_queue_retry(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int delay_ms,
                   const char *error);
/* Back to pending after delay_ms, this claim not counted as an attempt. */
int rv_queue_defer(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int delay_ms,
                   const char *why);
int rv_queue_fail(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, const char *error);
int rv_queue_extend(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int lease_s);

/* counts for GET status */
int rv_queue_counts(rv_db_t *db, apr_pool_t *p, long long *pending, long long *running,
                    long long *failed);

#endif
