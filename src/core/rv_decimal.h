/* rv_decimal.h: exact fixed-point decimals for prices and money.
 *
 * Prices arrive as decimal strings (OpenCart decimal(15,4) "1299.0000",
 * Reverb "5999.00", currency rates decimal(15,8)). Binary floating point
 * would turn 0.1 into 0.1000000000000000055..., so values are kept as a
 * signed 64-bit count of 10^-8 units, and products/quotients go through
 * 128-bit intermediates. |value| must stay below 10^10 (ten integer digits),
 * which is far above any real price or exchange rate.
 */
#ifndef RV_DECIMAL_H
#define RV_DECIMAL_H

#include <stddef.h>

#define RV_DEC_SCALE 100000000LL          /* 10^8 units per 1 */
#define RV_DEC_MAX_INT_DIGITS 10
#define RV_DEC_BUF 40                     /* enough for any formatted value */

typedef long long rv_dec_t;               /* value * 10^8 */

/* Parses [+-]digits[.digits] (also ".5" and "5."), no spaces, no exponent.
 * More than 8 fractional digits are rounded half away from zero.
 * Returns 0, or -1 on anything else (empty, garbage, too large). */
int rv_dec_parse(const char *s, rv_dec_t *out);

/* Formats with exactly `places` (0..8) decimals, rounding half away from
 * zero: 1299.0000 -> "1299.00", 0.5 -> "0.50", 12.345 -> "12.35". */
void rv_dec_format(rv_dec_t v, int places, char out[RV_DEC_BUF]);

/* Rounds to `places` decimals (half away from zero). */
rv_dec_t rv_dec_round(rv_dec_t v, int places);

/* out = round(a * mul / div, places); -1 on div == 0 or overflow. */
int rv_dec_muldiv(rv_dec_t a, rv_dec_t mul, rv_dec_t div, int places, rv_dec_t *out);

/* Whole cents (half away from zero), e.g. 59.995 -> 6000. */
long long rv_dec_to_cents(rv_dec_t v);
/* -1 when |cents| is out of range (>= 10^12). */
int rv_dec_from_cents(long long cents, rv_dec_t *out);

#endif
