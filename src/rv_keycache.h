/* rv_keycache.h: the webhook and cron keys, remembered in the process for a
 * few seconds so that a flood of requests with wrong keys is refused without
 * a database connection. */
#ifndef RV_KEYCACHE_H
#define RV_KEYCACHE_H

#include "apr_pools.h"

/* How long a remembered key refuses others without asking the database.
 * A key made in another process is accepted here at most this late; the old
 * key stops working at once everywhere, because an accepted request always
 * checks the key it brings against the database before it does anything
 * (the webhook route in the very statement that records the delivery). */
#define RV_KEYCACHE_TTL_SEC 3

typedef enum { RV_KEY_WEBHOOK_SLOT = 0, RV_KEY_CRON_SLOT = 1 } rv_key_slot_t;
typedef enum { RV_KEYCACHE_UNKNOWN = 0, RV_KEYCACHE_WRONG } rv_keycache_verdict_t;

/* Creates the lock; once per child process (child_init). */
void rv_keycache_child_init(apr_pool_t *pchild);
/* Remembers the keys loaded from the database for `owner` (the server_rec:
 * a virtual host without Reverb directives shares the main server's config
 * struct, but may name another database). */
void rv_keycache_store(const void *owner, const char *webhook_key, const char *cron_key);
/* Remembers one key that the database has just accepted (the webhook
 * route checks its key in its own statement and reads no settings). */
void rv_keycache_store_slot(const void *owner, rv_key_slot_t slot, const char *key);
/* RV_KEYCACHE_WRONG when a fresh remembered key differs from `given`;
 * RV_KEYCACHE_UNKNOWN when only the database can tell. */
rv_keycache_verdict_t rv_keycache_check(const void *owner, rv_key_slot_t slot, const char *given);
/* Forgets the keys of `owner` (after they were changed in this process). */
void rv_keycache_forget(const void *owner);

#endif
