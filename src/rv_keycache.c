/* rv_keycache.c: see rv_keycache.h. A few fixed slots (one per server
 * config that serves the key routes), guarded by one mutex: the watchdog
 * thread and, under event/worker, request threads share the process. */
#include "rv_keycache.h"
#include "rv_auth.h"

#include "apr_thread_mutex.h"
#include "apr_time.h"
#include <string.h>

#define RV_KEYCACHE_SLOTS 32
#define RV_KEY_MAX 128

typedef struct {
    const void *owner;
    char key[2][RV_KEY_MAX + 1];
    apr_time_t loaded[2];       /* per slot: the webhook route learns only its own key */
} rv_keycache_entry_t;

static apr_thread_mutex_t *rv_kc_mutex;
static rv_keycache_entry_t rv_kc[RV_KEYCACHE_SLOTS];

void rv_keycache_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&rv_kc_mutex, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS)
        rv_kc_mutex = NULL;      /* no cache: every request asks the database */
    memset(rv_kc, 0, sizeof(rv_kc));
}

static rv_keycache_entry_t *rv_kc_find(const void *owner, int create)
{
    int i, oldest = 0;
    for (i = 0; i < RV_KEYCACHE_SLOTS; i++) {
        if (rv_kc[i].owner == owner)
            return &rv_kc[i];
        if (rv_kc[i].loaded[0] + rv_kc[i].loaded[1] < rv_kc[oldest].loaded[0] + rv_kc[oldest].loaded[1])
            oldest = i;
    }
    if (!create)
        return NULL;
    memset(&rv_kc[oldest], 0, sizeof(rv_kc[oldest]));
    rv_kc[oldest].owner = owner;
    return &rv_kc[oldest];
}

void rv_keycache_store(const void *owner, const char *webhook_key, const char *cron_key)
{
    rv_keycache_entry_t *e;
    if (!rv_kc_mutex || apr_thread_mutex_lock(rv_kc_mutex) != APR_SUCCESS)
        return;
    e = rv_kc_find(owner, 1);
    /* an over-long or missing key is not remembered: the database decides */
    if (webhook_key && strlen(webhook_key) <= RV_KEY_MAX && cron_key
        && strlen(cron_key) <= RV_KEY_MAX) {
        strcpy(e->key[RV_KEY_WEBHOOK_SLOT], webhook_key);
        strcpy(e->key[RV_KEY_CRON_SLOT], cron_key);
        e->loaded[0] = e->loaded[1] = apr_time_now();
    }
    else
        e->loaded[0] = e->loaded[1] = 0;
    apr_thread_mutex_unlock(rv_kc_mutex);
}

void rv_keycache_store_slot(const void *owner, rv_key_slot_t slot, const char *key)
{
    rv_keycache_entry_t *e;
    if (!rv_kc_mutex || apr_thread_mutex_lock(rv_kc_mutex) != APR_SUCCESS)
        return;
    e = rv_kc_find(owner, 1);
    if (key && *key && strlen(key) <= RV_KEY_MAX) {
        strcpy(e->key[slot], key);
        e->loaded[slot] = apr_time_now();
    }
    else
        e->loaded[slot] = 0;
    apr_thread_mutex_unlock(rv_kc_mutex);
}

rv_keycache_verdict_t rv_keycache_check(const void *owner, rv_key_slot_t slot, const char *given)
{
    rv_keycache_verdict_t v = RV_KEYCACHE_UNKNOWN;
    rv_keycache_entry_t *e;
    if (!rv_kc_mutex || apr_thread_mutex_lock(rv_kc_mutex) != APR_SUCCESS)
        return v;
    e = rv_kc_find(owner, 0);
    if (e && e->loaded[slot] && *e->key[slot]
        && apr_time_now() - e->loaded[slot] < apr_time_from_sec(RV_KEYCACHE_TTL_SEC)
        && !rv_consttime_eq(given, e->key[slot]))
        v = RV_KEYCACHE_WRONG;
    apr_thread_mutex_unlock(rv_kc_mutex);
    return v;
}

void rv_keycache_forget(const void *owner)
{
    rv_keycache_entry_t *e;
    if (!rv_kc_mutex || apr_thread_mutex_lock(rv_kc_mutex) != APR_SUCCESS)
        return;
    if ((e = rv_kc_find(owner, 0)))
        e->loaded[0] = e->loaded[1] = 0;
    apr_thread_mutex_unlock(rv_kc_mutex);
}
