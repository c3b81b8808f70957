/*
 * HTTP body decoder (http_body.h). A body runs through a chain of
 * layers, one per coding, the last-applied coding first; the chain's
 * output is counted, hashed and handed to the sink. Each layer is a
 * small state machine:
 *
 *   GZ_HDR   gzip header (RFC 1952 section 2.3), parsed here so that it
 *            can be lenient like browsers: flags FEXTRA, FNAME, FCOMMENT,
 *            FHCRC honoured, reserved bits and the header CRC ignored;
 *   SNIFF    deflate: waits for two bytes to tell a zlib header (RFC 1950:
 *            CM 8, CINFO <= 7, the check bits) from raw deflate (RFC 1951);
 *   INFLATE  zlib inflate, raw or zlib-wrapped;
 *   UNLZMA   lzma and xz: liblzma's auto decoder, which reads .xz and .lzma
 *            (LZMA_Alone) data (and lzip), told apart by their magic bytes,
 *            under a memory limit (PNE_HB_LZMA_MEMLIMIT);
 *   DONE     the compressed stream ended: the rest (the gzip trailer, any
 *            trailing bytes) is ignored, as browsers do;
 *   PASS     the data was not what the coding claims: passed on as is;
 *   STOP     corrupt data after some output, a gap or the cap: nothing
 *            more is decoded.
 *
 * A layer keeps its first PNE_HB_PROBE input bytes until it has produced
 * output, so that a wrong guess can be replayed: a gzip header that isn't
 * one is retried as deflate, a zlib header whose stream fails as raw
 * deflate, and raw deflate or lzma data that fails passes the data through.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lzma.h>
#include <zlib.h>

#include "http_body.h"

#define OUT_BUF 16384   /* decoder output per call, per layer */

enum mode { M_GZ_HDR, M_SNIFF, M_INFLATE, M_UNLZMA, M_DONE, M_PASS, M_STOP };

/* gzip header steps (RFC 1952 section 2.3) */
enum gz_step { GZ_FIXED, GZ_XLEN, GZ_EXTRA, GZ_NAME, GZ_COMMENT, GZ_HCRC };

#define GZ_FHCRC    0x02
#define GZ_FEXTRA   0x04
#define GZ_FNAME    0x08
#define GZ_FCOMMENT 0x10

struct layer {
	enum pne_hb_coding coding;
	enum mode mode;
	z_stream z;
	int z_init;
	lzma_stream x;          /* all zero is LZMA_STREAM_INIT */
	int x_init;
	int raw_tried;          /* raw deflate was tried (after zlib or gzip) */
	uint64_t in, out;
	/* gzip header */
	enum gz_step gz;
	uint8_t gz_flags;
	uint32_t gz_pos;        /* bytes of the current step */
	uint32_t gz_xlen;
	/* first input bytes, while nothing was produced */
	size_t nprobe;
	int probe_lost;         /* more came than the probe holds */
	uint8_t probe[PNE_HB_PROBE];
	uint8_t buf[OUT_BUF];
};

struct pne_http_body {
	struct layer l[PNE_HB_MAX_LAYERS];
	unsigned n;             /* layers */
	int open;
	int stopped;            /* the cap or a gap ended decoding */
	uint64_t cap;
	pne_hb_sink sink;
	void *sink_arg;
	struct pne_md5 raw_md5, md5;
	struct pne_sha256 raw_sha, sha;
	struct pne_http_body_result res;
};

static void layer_feed(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n);
static void layer_run(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n);

/* ---- Content-Encoding --------------------------------------------------- */

/* The name of one list member, as lenient browsers and inspection
 * engines read it: NUL bytes dropped, anything but letters, digits, '-'
 * and '_' trimmed from both ends. */
static size_t token_clean(const char *t, size_t len, char *out, size_t cap)
{
	size_t n = 0, s = 0;

	for (size_t i = 0; i < len && n < cap; i++)
		if (t[i] != '\0')
			out[n++] = t[i];
	while (s < n && !isalnum((unsigned char)out[s]))
		s++;
	while (n > s && !isalnum((unsigned char)out[n - 1]))
		n--;
	memmove(out, out + s, n - s);
	return n - s;
}

static int name_has(const char *t, size_t len, const char *name)
{
	size_t k = strlen(name);

	for (size_t i = 0; i + k <= len; i++)
		if (strncasecmp(t + i, name, k) == 0)
			return 1;
	return 0;
}

/* A member's coding: 0 identity, -1 unknown. "gzip", "x-gzip" (RFC 9110
 * section 8.4.1.3), "deflate", "lzma", "xz"; other names that contain
 * "gzip", "deflate" or "lzma" ("x-deflate", "gzip_x", "x-lzma") are
 * decoded too, as inspection engines (libhtp) do and some browsers did: a
 * wrong guess costs nothing, since undecodable data is passed through.
 * "xz" must be the whole name: two letters occur in too many words. */
static int coding_of(const char *t, size_t len)
{
	char name[PNE_HB_ENC_MAX];

	len = token_clean(t, len, name, sizeof(name));
	if (len == 0 || (len == 8 && strncasecmp(name, "identity", 8) == 0))
		return 0;
	if (name_has(name, len, "gzip"))
		return PNE_HB_C_GZIP;
	if (name_has(name, len, "deflate"))
		return PNE_HB_C_DEFLATE;
	if (name_has(name, len, "lzma") || (len == 2 && strncasecmp(name, "xz", 2) == 0))
		return PNE_HB_C_LZMA;
	return -1;
}

int pne_http_body_codings(const char *ce, size_t len, enum pne_hb_coding *out, int max)
{
	int n = 0;
	size_t i = 0;

	while (ce != NULL && i < len) {
		size_t s = i;
		int c;

		while (i < len && ce[i] != ',')
			i++;
		c = coding_of(ce + s, i - s);
		i++;   /* past the comma */
		if (c == 0)
			continue;
		if (c < 0)
			return -1;
		if (n == max)
			return -2;
		out[n++] = (enum pne_hb_coding)c;
	}
	return n;
}

/* ---- output --------------------------------------------------------------- */

static void emit(struct pne_http_body *b, const uint8_t *p, size_t n)
{
	uint64_t room = b->cap - b->res.decoded_len;

	if (b->stopped || n == 0)
		return;
	if (n > room) {
		n = (size_t)room;
		b->res.flags |= PNE_HB_CAPPED;
		b->stopped = 1;
	}
	if (n == 0)
		return;
	pne_md5_update(&b->md5, p, n);
	pne_sha256_update(&b->sha, p, n);
	b->res.decoded_len += n;
	if (b->sink != NULL)
		b->sink(b->sink_arg, p, n);
}

/* Bytes out of layer k: to the next layer, or out. */
static void push(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	if (k + 1 < b->n)
		layer_feed(b, k + 1, p, n);
	else
		emit(b, p, n);
}

/* ---- layers --------------------------------------------------------------- */

static void layer_reset(struct layer *l)
{
	if (l->z_init)
		inflateEnd(&l->z);
	l->z_init = 0;
	if (l->x_init)
		lzma_end(&l->x);
	l->x_init = 0;
}

static int inflate_start(struct layer *l, int wbits)
{
	layer_reset(l);
	memset(&l->z, 0, sizeof(l->z));
	if (inflateInit2(&l->z, wbits) != Z_OK)
		return -1;
	l->z_init = 1;
	l->raw_tried |= wbits < 0;
	l->mode = M_INFLATE;
	return 0;
}

/* The layer's data is not what its coding claims, or corrupt. With
 * nothing produced and every input byte still in the probe, the next
 * guess replays them: raw deflate, then passing through. */
static void layer_fail(struct pne_http_body *b, unsigned k)
{
	struct layer *l = &b->l[k];

	if (l->out > 0 || l->probe_lost) {
		b->res.flags |= PNE_HB_CORRUPT;
		l->mode = M_STOP;
		layer_reset(l);
		return;
	}
	if (l->coding != PNE_HB_C_LZMA && !l->raw_tried &&
	    inflate_start(l, -MAX_WBITS) == 0) {
		layer_run(b, k, l->probe, l->nprobe);
		return;
	}
	layer_reset(l);
	b->res.flags |= PNE_HB_PASSED;
	l->mode = M_PASS;
	push(b, k, l->probe, l->nprobe);
}

static void run_inflate(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	struct layer *l = &b->l[k];
	int rc;

	l->z.next_in = (Bytef *)(uintptr_t)p;   /* zlib reads through it only */
	l->z.avail_in = (uInt)n;
	do {
		size_t made;

		l->z.next_out = l->buf;
		l->z.avail_out = sizeof(l->buf);
		rc = inflate(&l->z, Z_NO_FLUSH);
		made = sizeof(l->buf) - l->z.avail_out;
		if (made > 0) {
			l->out += made;
			push(b, k, l->buf, made);
		}
		if (rc == Z_STREAM_END) {
			/* the gzip trailer and trailing bytes are not looked at */
			l->mode = M_DONE;
			layer_reset(l);
			return;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			layer_fail(b, k);
			return;
		}
		if (made == 0 && rc == Z_BUF_ERROR)
			return;   /* needs more input */
	} while (!b->stopped && l->mode == M_INFLATE &&
		 (l->z.avail_in > 0 || l->z.avail_out == 0));
}

/* lzma or xz data: the decoder starts with the first byte (it finds the
 * format there); a header that asks for more memory than the limit
 * (LZMA_MEMLIMIT_ERROR) is a decode error like corrupt data. Trailing
 * bytes after the stream are ignored, as after a gzip stream. */
static void run_unlzma(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	struct layer *l = &b->l[k];
	lzma_ret rc;

	if (!l->x_init) {
		memset(&l->x, 0, sizeof(l->x));
		if (lzma_auto_decoder(&l->x, PNE_HB_LZMA_MEMLIMIT, 0) != LZMA_OK) {
			lzma_end(&l->x);
			layer_fail(b, k);
			return;
		}
		l->x_init = 1;
	}
	l->x.next_in = p;
	l->x.avail_in = n;
	do {
		size_t made;

		l->x.next_out = l->buf;
		l->x.avail_out = sizeof(l->buf);
		rc = lzma_code(&l->x, LZMA_RUN);
		made = sizeof(l->buf) - l->x.avail_out;
		if (made > 0) {
			l->out += made;
			push(b, k, l->buf, made);
		}
		if (rc == LZMA_STREAM_END) {
			l->mode = M_DONE;
			layer_reset(l);
			return;
		}
		if (rc == LZMA_BUF_ERROR)
			return;   /* no progress possible: needs more input */
		if (rc != LZMA_OK) {
			layer_fail(b, k);
			return;
		}
	} while (!b->stopped && l->mode == M_UNLZMA &&
		 (l->x.avail_in > 0 || l->x.avail_out == 0));
}

/* RFC 1950 section 2.2: CM 8 (deflate), a window of at most 32 KiB,
 * CMF * 256 + FLG a multiple of 31, no preset dictionary. */
static int zlib_header(const uint8_t *p)
{
	return (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 &&
	       ((unsigned)p[0] << 8 | p[1]) % 31 == 0 && !(p[1] & 0x20);
}

/* Deflate's first two bytes decide zlib or raw; they are in the probe. */
static void run_sniff(struct pne_http_body *b, unsigned k)
{
	struct layer *l = &b->l[k];

	if (l->nprobe < 2)
		return;
	if (inflate_start(l, zlib_header(l->probe) ? MAX_WBITS : -MAX_WBITS) != 0) {
		layer_fail(b, k);
		return;
	}
	run_inflate(b, k, l->probe, l->nprobe);
}

/* One gzip header byte; returns 1 when the header is complete, -1 when
 * it isn't a gzip header. */
static int gz_byte(struct layer *l, uint8_t c)
{
	static const uint8_t magic[3] = { 0x1f, 0x8b, 8 };

	switch (l->gz) {
	case GZ_FIXED:   /* ID1 ID2 CM FLG MTIME(4) XFL OS */
		if (l->gz_pos < 3 && c != magic[l->gz_pos])
			return -1;
		if (l->gz_pos == 3)
			l->gz_flags = c;
		if (++l->gz_pos < 10)
			return 0;
		break;
	case GZ_XLEN:
		l->gz_xlen |= (uint32_t)c << (8 * l->gz_pos);
		if (++l->gz_pos < 2)
			return 0;
		if (l->gz_xlen > 0) {
			l->gz = GZ_EXTRA;
			l->gz_pos = 0;
			return 0;
		}
		l->gz = GZ_EXTRA;
		break;
	case GZ_EXTRA:
		if (++l->gz_pos < l->gz_xlen)
			return 0;
		break;
	case GZ_NAME:
	case GZ_COMMENT:
		if (c != 0)
			return 0;
		break;
	case GZ_HCRC:
		if (++l->gz_pos < 2)
			return 0;
		return 1;
	}
	/* the step is over: the next one the flags ask for */
	l->gz_pos = 0;
	if (l->gz < GZ_XLEN && (l->gz_flags & GZ_FEXTRA))
		l->gz = GZ_XLEN;
	else if (l->gz < GZ_NAME && (l->gz_flags & GZ_FNAME))
		l->gz = GZ_NAME;
	else if (l->gz < GZ_COMMENT && (l->gz_flags & GZ_FCOMMENT))
		l->gz = GZ_COMMENT;
	else if (l->gz < GZ_HCRC && (l->gz_flags & GZ_FHCRC))
		l->gz = GZ_HCRC;
	else
		return 1;
	return 0;
}

static void run_gz_header(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	struct layer *l = &b->l[k];

	for (size_t i = 0; i < n; i++) {
		int rc = gz_byte(l, p[i]);

		if (rc < 0) {
			/* not gzip: maybe a zlib or raw deflate stream */
			l->mode = M_SNIFF;
			if (!l->probe_lost)
				run_sniff(b, k);
			else
				layer_fail(b, k);
			return;
		}
		if (rc == 1) {
			if (inflate_start(l, -MAX_WBITS) != 0) {
				layer_fail(b, k);
				return;
			}
			run_inflate(b, k, p + i + 1, n - i - 1);
			return;
		}
	}
}

static void layer_run(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	struct layer *l = &b->l[k];

	switch (l->mode) {
	case M_GZ_HDR:
		run_gz_header(b, k, p, n);
		break;
	case M_SNIFF:
		run_sniff(b, k);
		break;
	case M_INFLATE:
		run_inflate(b, k, p, n);
		break;
	case M_UNLZMA:
		run_unlzma(b, k, p, n);
		break;
	case M_PASS:
		push(b, k, p, n);
		break;
	case M_DONE:
	case M_STOP:
		break;
	}
}

static void layer_feed(struct pne_http_body *b, unsigned k, const uint8_t *p, size_t n)
{
	struct layer *l = &b->l[k];

	if (n == 0 || b->stopped)
		return;
	l->in += n;
	if (l->out == 0 && !l->probe_lost) {
		if (n <= sizeof(l->probe) - l->nprobe) {
			memcpy(l->probe + l->nprobe, p, n);
			l->nprobe += n;
		} else {
			l->probe_lost = 1;
		}
	}
	layer_run(b, k, p, n);
}

/* ---- API -------------------------------------------------------------------- */

struct pne_http_body *pne_http_body_new(void)
{
	return calloc(1, sizeof(struct pne_http_body));
}

static void close_layers(struct pne_http_body *b)
{
	for (unsigned k = 0; k < PNE_HB_MAX_LAYERS; k++)
		layer_reset(&b->l[k]);
}

void pne_http_body_free(struct pne_http_body *b)
{
	if (b == NULL)
		return;
	close_layers(b);
	free(b);
}

void pne_http_body_start(struct pne_http_body *b, const char *ce, size_t ce_len,
			 uint64_t cap, pne_hb_sink sink, void *sink_arg)
{
	enum pne_hb_coding c[PNE_HB_MAX_LAYERS];
	int n;

	close_layers(b);
	memset(&b->res, 0, sizeof(b->res));
	b->open = 1;
	b->stopped = 0;
	b->cap = cap > 0 ? cap : PNE_HB_DEF_CAP;
	b->sink = sink;
	b->sink_arg = sink_arg;
	pne_md5_init(&b->raw_md5);
	pne_md5_init(&b->md5);
	pne_sha256_init(&b->raw_sha);
	pne_sha256_init(&b->sha);
	if (ce_len > PNE_HB_ENC_MAX)
		ce_len = PNE_HB_ENC_MAX;
	if (ce != NULL && ce_len > 0)
		memcpy(b->res.encoding, ce, ce_len);
	n = pne_http_body_codings(ce, ce_len, c, PNE_HB_MAX_LAYERS);
	if (n < 0) {
		b->res.flags |= n == -1 ? PNE_HB_UNKNOWN : PNE_HB_LAYERS;
		n = 0;
	}
	b->n = (unsigned)n;
	b->res.layers = b->n;
	for (unsigned k = 0; k < b->n; k++) {
		struct layer *l = &b->l[k];

		/* everything but the buffers, which need no clearing */
		memset(l, 0, offsetof(struct layer, probe));
		l->coding = c[b->n - 1 - k];   /* the last applied decodes first */
		l->mode = l->coding == PNE_HB_C_GZIP ? M_GZ_HDR :
			  l->coding == PNE_HB_C_LZMA ? M_UNLZMA : M_SNIFF;
	}
}

void pne_http_body_data(struct pne_http_body *b, const uint8_t *data, size_t len)
{
	if (!b->open || len == 0)
		return;
	b->res.raw_len += len;
	pne_md5_update(&b->raw_md5, data, len);
	pne_sha256_update(&b->raw_sha, data, len);
	if (b->n > 0)
		layer_feed(b, 0, data, len);
	else
		emit(b, data, len);
}

void pne_http_body_gap(struct pne_http_body *b, uint64_t len)
{
	int decoding = 0;

	if (!b->open || len == 0)
		return;
	b->res.gap_len += len;
	b->res.flags |= PNE_HB_GAP;
	for (unsigned k = 0; k < b->n; k++)
		decoding |= b->l[k].mode != M_PASS;
	/* a compressed stream can't go on past a hole; plain bytes can */
	if (decoding)
		b->stopped = 1;
}

const struct pne_http_body_result *pne_http_body_end(struct pne_http_body *b, bool ended)
{
	struct pne_http_body_result *r = &b->res;

	if (!b->open)
		return r;
	b->open = 0;
	if (!ended)
		r->flags |= PNE_HB_ABORTED;
	for (unsigned k = 0; k < b->n && !b->stopped; k++) {
		struct layer *l = &b->l[k];

		if (l->in > 0 && (l->mode == M_GZ_HDR || l->mode == M_SNIFF ||
				  l->mode == M_INFLATE || l->mode == M_UNLZMA))
			r->flags |= PNE_HB_SHORT;
	}
	close_layers(b);
	pne_md5_final(&b->raw_md5, r->raw_md5);
	pne_sha256_final(&b->raw_sha, r->raw_sha256);
	pne_md5_final(&b->md5, r->md5);
	pne_sha256_final(&b->sha, r->sha256);
	r->complete = ended && !(r->flags & (PNE_HB_GAP | PNE_HB_ABORTED | PNE_HB_SHORT |
					    PNE_HB_CORRUPT | PNE_HB_CAPPED));
	return r;
}
