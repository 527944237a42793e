/* rv_tz.h: the UTC offset of a named time zone, as PHP computes it for
 * OpenCart's config_timezone (OpenCart 3 runs date_default_timezone_set()
 * with it and gives its database session the same offset with
 * SET time_zone, so every date it writes is shop-local time).
 *
 * Reads the system's compiled zone files (TZif, RFC 8536: versions 1-4,
 * the POSIX TZ footer for times after the last transition). No global
 * state (no setenv("TZ")/tzset), so it is safe in threaded MPMs. */
#ifndef RV_TZ_H
#define RV_TZ_H

#include <stddef.h>

/* Offset east of UTC in seconds at `utc` (Unix time) for zone `name`
 * ("Australia/Sydney", "UTC", or a fixed "+10:00"/"-03:30"), zone files
 * under `zoneinfo_dir` (NULL: /usr/share/zoneinfo). 0 on success; -1 for
 * an unknown or unsafe name (the caller falls back to UTC, as PHP does). */
int rv_tz_offset(const char *zoneinfo_dir, const char *name, long long utc, long *offset);

/* Offset from TZif data in memory (for tests). */
int rv_tz_offset_tzif(const unsigned char *data, size_t len, long long utc, long *offset);

/* Offset from a POSIX TZ rule such as "AEST-10AEDT,M10.1.0,M4.1.0/3". */
int rv_tz_offset_posix(const char *rule, long long utc, long *offset);

/* "YYYY-MM-DD HH:MM:SS" for utc + offset. */
#define RV_TZ_BUF 64
void rv_tz_format(long long utc, long offset, char out[RV_TZ_BUF]);

#endif
