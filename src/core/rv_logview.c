/* rv_logview.c: see rv_logview.h. */
#include "rv_logview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rv_log_kind(const char *direction, const char *action)
{
    const char *d = direction ? direction : "", *a = action ? action : "";
    if (!strcmp(a, "webhook"))
        return "webhook";
    if (!strcmp(a, "ship"))
        return "tracking";
    if (!strcmp(a, "order"))
        return "order";
    return !strcmp(d, "pull") ? "pull" : "listing";
}

static void rv_line(json_object *out, const char *field, const char *msg)
{
    size_t n;
    char *buf;
    if (!msg || !*msg)
        return;
    if (!field || !*field) {
        json_object_array_add(out, json_object_new_string(msg));
        return;
    }
    n = strlen(field) + strlen(msg) + 3;
    buf = malloc(n);
    if (!buf)
        return;
    snprintf(buf, n, "%s: %s", field, msg);
    json_object_array_add(out, json_object_new_string(buf));
    free(buf);
}

/* a message value: a string, or a list of strings (other types skipped) */
static void rv_lines_of(json_object *out, const char *field, json_object *v)
{
    size_t i, n;
    if (json_object_is_type(v, json_type_string)) {
        rv_line(out, field, json_object_get_string(v));
        return;
    }
    if (!json_object_is_type(v, json_type_array))
        return;
    n = json_object_array_length(v);
    for (i = 0; i < n; i++) {
        json_object *m = json_object_array_get_idx(v, i);
        if (json_object_is_type(m, json_type_string))
            rv_line(out, field, json_object_get_string(m));
    }
}

json_object *rv_log_error_lines(json_object *errors)
{
    json_object *out;
    if (!errors)
        return NULL;
    out = json_object_new_array();
    if (json_object_is_type(errors, json_type_object)) {
        json_object_object_foreach(errors, key, val)
            rv_lines_of(out, key, val);
    }
    else
        rv_lines_of(out, NULL, errors);
    if (json_object_array_length(out) == 0) {
        json_object_put(out);
        return NULL;
    }
    return out;
}
