/*
 * Wrap-safe TCP sequence number arithmetic (RFC 793 section 3.3: "all
 * arithmetic dealing with sequence numbers must be performed modulo
 * 2**32"). Every comparison of sequence or acknowledgement numbers in
 * PNE goes through these helpers; never compare them with < directly.
 *
 * a is "before" b when the signed 32-bit distance b - a is positive, so
 * the answers are meaningful for numbers less than 2^31 apart, which the
 * 2^30 maximum window (RFC 7323 section 2.3) guarantees for any two
 * numbers of one live window.
 */
#ifndef PNE_TCP_SEQ_H
#define PNE_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* a - b as a signed distance: negative when a is before b. The cast is
 * modulo 2^32 on every compiler PNE supports (gcc and clang document it). */
static inline int32_t pne_seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline bool pne_seq_lt(uint32_t a, uint32_t b)
{
	return pne_seq_diff(a, b) < 0;
}

static inline bool pne_seq_leq(uint32_t a, uint32_t b)
{
	return pne_seq_diff(a, b) <= 0;
}

static inline bool pne_seq_gt(uint32_t a, uint32_t b)
{
	return pne_seq_diff(a, b) > 0;
}

static inline bool pne_seq_geq(uint32_t a, uint32_t b)
{
	return pne_seq_diff(a, b) >= 0;
}

static inline uint32_t pne_seq_max(uint32_t a, uint32_t b)
{
	return pne_seq_gt(a, b) ? a : b;
}

static inline uint32_t pne_seq_min(uint32_t a, uint32_t b)
{
	return pne_seq_lt(a, b) ? a : b;
}

/* lo <= s < hi, modulo 2^32 (an empty range when lo == hi). Exact for
 * any range shorter than 2^32, not only for 2^31 like the above. */
static inline bool pne_seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
	return s - lo < hi - lo;
}

#endif /* PNE_TCP_SEQ_H */
