/* rv_queue.h: the job queue in {P}reverb_job (InnoDB).
 *
 * At most one live job per (kind, ref): a change that arrives while the job
 * runs marks it `again` and it runs once more, so a product or an order is
 * never worked on by two threads or servers at once. Claims use
 * FOR UPDATE SKIP LOCKED; a claim is a lease, and a job whose lease expired
 * (its process died) is claimed again. The owner string is unique per claim
 * (not per process), so a claim that lost its lease cannot mistake a later
 * claim of the same process for its own; a running job renews its lease
 * before every Reverb call (rv_queue_extend). */
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
/* The same, with the statement's affected rows (1 a new job, 2 a changed
 * live one, 0 an unchanged one). */
int rv_queue_add_n(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                   int priority, long long run_id, int *affected);
/* rv_queue_add for a full sync's run, but a new job waits up to hold_s
 * seconds: until rv_queue_release_run, once the run has said what its
 * prefetch saw (a drain beside the one queueing them would otherwise push
 * some before, each with an SKU lookup more). A live job keeps its time. */
int rv_queue_add_for_run(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                         int priority, long long run_id, int hold_s);
/* Many refs (a JSON array) in one statement, same rules as rv_queue_add. */
int rv_queue_add_many(rv_db_t *db, apr_pool_t *p, const char *kind, const char *refs_json,
                      int priority);
/* 1 when a pending job is due now, 0 when none, -1 on database error. */
int rv_queue_any_due(rv_db_t *db, apr_pool_t *p);
/* 1 when at least n pending jobs are due now (at most n are read), 0 when
 * fewer, -1 on database error. */
int rv_queue_due_at_least(rv_db_t *db, apr_pool_t *p, int n);
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
/* Renews this claim's lease for lease_s seconds from now: 0 still held
 * (extended), 1 lost (another claim took the job over, or it is no longer
 * running: stop, change nothing), -1 database error. */
int rv_queue_extend(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int lease_s);

/* Jobs of `kind` created in the last `seconds` (index kind_created); -1 on
 * database error. */
long long rv_queue_created_recently(rv_db_t *db, apr_pool_t *p, const char *kind, int seconds);
/* 1 when a job of `kind` is pending or running, 0 when none, -1 on
 * database error. */
int rv_queue_kind_busy(rv_db_t *db, apr_pool_t *p, const char *kind);
/* For read-only statements elsewhere that ask about a product's live push
 * job in the same statement (the products grid, the reconcile report): the
 * queue's SQL stays here. PID is an SQL expression for the product id. */
#define RV_QUEUE_PUSH_JOIN(alias, pid) \
    " LEFT JOIN {P}reverb_job " alias " ON " alias ".live_key = CONCAT('push:', " pid ")"
#define RV_QUEUE_PUSH_LIVE(pid) \
    "EXISTS (SELECT 1 FROM {P}reverb_job j WHERE j.live_key = CONCAT('push:', " pid "))"

/* A full sync's progress: its push jobs done and failed, and its jobs of any
 * kind still pending or running. */
int rv_queue_run_counts(rv_db_t *db, apr_pool_t *p, const char *run_id, long long *done,
                        long long *failed, long long *open);

/* Housekeeping: deletes at most `batch` done or failed jobs older than
 * keep_days, keeping those of run keep_run and later (a full sync's progress
 * is counted from its jobs); *deleted says how many. */
int rv_queue_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, const char *keep_run,
                         int batch, int *deleted);
/* 1 when (kind, ref) has a live job, 0 when not, -1 on database error. */
int rv_queue_is_live(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref);

/* rv_queue_add, but a new job waits hold_s seconds before it may run
 * (until rv_queue_hold_for_run decides what it waits for). 1 when a new job
 * was made, 0 when one was live already, -1 on database error. */
int rv_queue_add_held(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                      int priority, int hold_s);
/* Pending jobs of `kind` whose refs are in the JSON array `refs_json` join
 * run `run_id` and wait up to hold_s seconds for rv_queue_release_run (a
 * prefetch they need first); run_id 0 and hold_s 0: no run, now. Returns
 * how many, -1 on database error. */
int rv_queue_hold_for_run(rv_db_t *db, apr_pool_t *p, const char *kind, const char *refs_json,
                          long long run_id, int hold_s);
/* The held jobs of the run may run now; returns how many. */
int rv_queue_release_run(rv_db_t *db, apr_pool_t *p, const char *kind, long long run_id);

/* counts for GET status */
int rv_queue_counts(rv_db_t *db, apr_pool_t *p, long long *pending, long long *running,
                    long long *failed);

#endif
