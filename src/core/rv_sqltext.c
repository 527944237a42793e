/* rv_sqltext.c: placeholder counting (see rv_sqltext.h). A statement run
 * with fewer arguments than placeholders would make apr_dbd read past the
 * argument array: the database layer refuses it instead. */
#include "rv_sqltext.h"

#include <ctype.h>
#include <stddef.h>

int rv_sql_placeholders(const char *sql)
{
    int n = 0;
    if (!sql)
        return -1;
    for (; *sql; sql++) {
        if (*sql != '%')
            continue;
        if (sql[1] == '%')
            sql++;
        else if (isalpha((unsigned char)sql[1]))
            n++;
    }
    return n;
}
