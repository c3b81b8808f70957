/*
 * Streaming decoder of HTTP message bodies (RFC 9110 section 8.4,
 * Content-Encoding), fed by a stream tracker body consumer
 * (pne/tracker.h: pne_tracker_on_body()) with the bytes the HTTP spec
 * passes over: the message body, already de-chunked.
 *
 * It decodes the codings the way browsers do: gzip and x-gzip (the gzip
 * header parsed leniently: reserved flags, header CRC and the trailer
 * are not checked), deflate (zlib-wrapped as RFC 9110 says, or raw
 * deflate as some servers send and every browser accepts), lzma (an old
 * Opera extension that libhtp decodes too: the .lzma "LZMA_Alone" format,
 * a 13-byte header then LZMA1 data) and xz (no browser sends it, but the
 * same liblzma decoder reads both formats, whichever label: the data
 * decides), and "identity" (nothing), stacked up to PNE_HB_MAX_LAYERS
 * codings, decoded last-applied first. A body whose codings name anything else (br,
 * compress, zstd, a typo) is passed through undecoded and flagged. A
 * coding whose data is not what it claims (no compressed stream
 * starts in its first PNE_HB_PROBE bytes) is passed through too, flagged,
 * as HTTP inspection engines do so that a mislabelled body is still seen.
 *
 * Per body it reports the raw length (the bytes received), the decoded
 * length, MD5 and SHA-256 of both, whether the body is complete, and
 * hands the decoded bytes to an optional sink (to write them to a file).
 *
 * Memory is bounded: the decoder is one allocation (pne_http_body_new())
 * plus, while a body is decoded, per layer zlib's inflate state (a 32 KiB
 * window) or liblzma's (the dictionary the stream's header asks for, up to
 * PNE_HB_LZMA_MEMLIMIT: a stream that needs more is a decode error, its
 * layer passes the data through); decoded bytes past the cap (default
 * PNE_HB_DEF_CAP) are neither produced nor hashed: decoding stops there
 * (a decompression bomb costs the cap, not more) and the body is flagged
 * capped. The raw body is hashed whatever its size.
 */
#ifndef PNE_HTTP_BODY_H
#define PNE_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#define PNE_HB_MAX_LAYERS 3
#define PNE_HB_DEF_CAP    (16u << 20)
#define PNE_HB_ENC_MAX    64      /* Content-Encoding bytes kept */
#define PNE_HB_PROBE      1024    /* input a layer may replay when its data
				     turns out not to be what it claims */
/* liblzma's memory limit per layer: enough for every xz/lzma preset
 * (-9 has a 64 MiB dictionary), and the most an lzma or xz layer takes. */
#define PNE_HB_LZMA_MEMLIMIT (65u << 20)

/* Flags of a decoded body (struct pne_http_body_result.flags). */
#define PNE_HB_GAP       0x01u  /* bytes were lost: decoding stopped there */
#define PNE_HB_ABORTED   0x02u  /* the message was dropped before its end */
#define PNE_HB_UNKNOWN   0x04u  /* a coding we can't decode: passed through */
#define PNE_HB_LAYERS    0x08u  /* more codings than PNE_HB_MAX_LAYERS:
				   passed through */
#define PNE_HB_PASSED    0x10u  /* a coding's data was not compressed data
				   (bad header, or corrupt before any output):
				   that layer passed it through */
#define PNE_HB_CORRUPT   0x20u  /* corrupt compressed data after some output:
				   decoding stopped there */
#define PNE_HB_SHORT     0x40u  /* a compressed stream was cut short */
#define PNE_HB_CAPPED    0x80u  /* the decoded body reached the cap */

/* Decoded bytes, in order, for a sink (e.g. a file). */
typedef void (*pne_hb_sink)(void *arg, const uint8_t *data, size_t len);

struct pne_http_body_result {
	uint64_t raw_len;       /* bytes received (gaps excluded) */
	uint64_t decoded_len;   /* bytes decoded (at most the cap) */
	uint64_t gap_len;       /* bytes lost */
	uint8_t raw_md5[PNE_MD5_LEN], raw_sha256[PNE_SHA256_LEN];
	uint8_t md5[PNE_MD5_LEN], sha256[PNE_SHA256_LEN];  /* decoded */
	unsigned flags;         /* PNE_HB_* */
	unsigned layers;        /* codings decoded (identity excluded) */
	bool complete;          /* ended normally, nothing lost, every coding
				   decoded to its end, not capped */
	char encoding[PNE_HB_ENC_MAX + 1];  /* the Content-Encoding value */
};

struct pne_http_body;   /* opaque */

/* A decoder, reusable for body after body. Returns NULL when out of
 * memory. */
struct pne_http_body *pne_http_body_new(void);
void pne_http_body_free(struct pne_http_body *b);   /* accepts NULL */

/* Start a body. ce: the Content-Encoding value (ce_len bytes; NULL or
 * empty: none), cap: decoded bytes kept at most (0: PNE_HB_DEF_CAP),
 * sink: gets the decoded bytes (NULL: none). A body still open is
 * dropped. */
void pne_http_body_start(struct pne_http_body *b, const char *ce, size_t ce_len,
			 uint64_t cap, pne_hb_sink sink, void *sink_arg);

/* The next len bytes of the body. */
void pne_http_body_data(struct pne_http_body *b, const uint8_t *data, size_t len);

/* len bytes of the body were lost. */
void pne_http_body_gap(struct pne_http_body *b, uint64_t len);

/* The body ended: complete (its message ended) or not (aborted). The
 * result stays valid until the next pne_http_body_start(). */
const struct pne_http_body_result *pne_http_body_end(struct pne_http_body *b, bool ended);

/* Parse a Content-Encoding value into codings (PNE_HB_C_*), in the order
 * applied; identity and empty list members are dropped. Returns the
 * number of codings, or -1 (unknown coding) / -2 (more than max). */
enum pne_hb_coding { PNE_HB_C_GZIP = 1, PNE_HB_C_DEFLATE = 2, PNE_HB_C_LZMA = 3 };
int pne_http_body_codings(const char *ce, size_t len, enum pne_hb_coding *out, int max);

#endif /* PNE_HTTP_BODY_H */
