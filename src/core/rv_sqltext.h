/* rv_sqltext.h: what a statement's text says about its arguments. */
#ifndef RV_SQLTEXT_H
#define RV_SQLTEXT_H

/* The number of arguments apr_dbd's printf-style text expects: every '%'
 * followed by a letter (%s, %d, ...) is one; "%%" is a literal percent
 * sign and a '%' before anything else (LIKE 'a%') is text. -1 for NULL. */
int rv_sql_placeholders(const char *sql);

#endif
