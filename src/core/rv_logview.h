/* rv_logview.h: how a sync log row is shown to the store owner (GET
 * admin/log): its kind (what the row is about) and Reverb's validation
 * errors as readable lines. Pure functions, unit-tested. */
#ifndef RV_LOGVIEW_H
#define RV_LOGVIEW_H

#include <json-c/json.h>

/* The row's kind from its stored direction and action:
 *   "webhook"  webhook registrations and key changes (stored as push/webhook)
 *   "tracking" tracking sent to Reverb (push/ship)
 *   "order"    a Reverb order imported or updated (pull/order)
 *   "pull"     a listing change read back from Reverb (pull, other actions)
 *   "listing"  a listing sent to Reverb (push: create, update, end, map, ...)
 * NULL arguments count as empty. Never NULL. */
const char *rv_log_kind(const char *direction, const char *action);

/* Reverb's `errors` (as stored: {"field": ["message", ...]} or
 * {"field": "message"}, a list of messages, or a single string) as a new
 * array of "field: message" strings ("message" alone without a field);
 * values of any other type are skipped. NULL when there is nothing to show.
 * The caller owns the result (json_object_put). */
json_object *rv_log_error_lines(json_object *errors);

#endif
