/*
 * cache/http_body.h: the HTTP body decoder, and cache/digest.h against
 * the RFC 1321 and FIPS 180-2 test vectors. Compressed inputs are made
 * here with zlib (gzip, zlib-wrapped and raw deflate) and liblzma (.lzma
 * and .xz), stacked, cut, corrupted, and fed whole, split at every byte
 * and one byte at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "digest.h"
#include "http_body.h"

#define EICAR "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

/* ---- digests --------------------------------------------------------------- */

static void md5_hex(const char *s, char out[33])
{
	struct pne_md5 c;
	uint8_t d[PNE_MD5_LEN];

	pne_md5_init(&c);
	pne_md5_update(&c, s, strlen(s));
	pne_md5_final(&c, d);
	pne_hex(d, sizeof(d), out);
}

static void sha_hex(const void *s, size_t len, char out[65])
{
	struct pne_sha256 c;
	uint8_t d[PNE_SHA256_LEN];

	pne_sha256_init(&c);
	/* in uneven pieces: the buffering is under test too */
	for (size_t i = 0; i < len; i += 7)
		pne_sha256_update(&c, (const uint8_t *)s + i, len - i < 7 ? len - i : 7);
	pne_sha256_final(&c, d);
	pne_hex(d, sizeof(d), out);
}

static void test_md5_vectors(void **state)
{
	/* RFC 1321 appendix A.5 */
	static const char *const v[][2] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890123456789012345678901234567890"
		  "1234567890", "57edf4a22be3c955ac49da2e2107b67a" },
		{ EICAR, "44d88612fea8a8f36de82e1278abb02f" },
	};
	char out[33];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		md5_hex(v[i][0], out);
		assert_string_equal(out, v[i][1]);
	}
}

static void test_sha256_vectors(void **state)
{
	char out[65];
	char *million = malloc(1000000);

	(void)state;
	sha_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	sha_hex(million, 1000000, out);
	assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* ---- encoders ------------------------------------------------------------------ */

enum enc { E_GZIP, E_ZLIB, E_RAW };

/* in compressed with enc into a malloc'd buffer */
static uint8_t *compress_as(enum enc e, const uint8_t *in, size_t len, size_t *out_len)
{
	int wbits = e == E_GZIP ? 16 + MAX_WBITS : e == E_ZLIB ? MAX_WBITS : -MAX_WBITS;
	size_t cap = len + len / 2 + 128;
	uint8_t *out = malloc(cap);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* in compressed by liblzma as .lzma (LZMA_Alone: the 13-byte header,
 * uncompressed size unknown, an end marker) or .xz, with a 1 MiB
 * dictionary, into a malloc'd buffer */
static uint8_t *lzma_as(int xz, const uint8_t *in, size_t len, size_t *out_len)
{
	size_t cap = len + len / 2 + 1024;
	uint8_t *out = malloc(cap);
	lzma_stream x = LZMA_STREAM_INIT;
	lzma_options_lzma opt;

	assert_non_null(out);
	if (xz) {
		assert_int_equal(lzma_easy_encoder(&x, 1, LZMA_CHECK_CRC64), LZMA_OK);
	} else {
		assert_false(lzma_lzma_preset(&opt, 1));
		assert_int_equal(lzma_alone_encoder(&x, &opt), LZMA_OK);
	}
	x.next_in = in;
	x.avail_in = len;
	x.next_out = out;
	x.avail_out = cap;
	assert_int_equal(lzma_code(&x, LZMA_FINISH), LZMA_STREAM_END);
	*out_len = cap - x.avail_out;
	lzma_end(&x);
	return out;
}

/* ---- running the decoder ----------------------------------------------------------- */

struct sink_buf {
	uint8_t *p;
	size_t len, cap;
};

static void sink(void *arg, const uint8_t *data, size_t len)
{
	struct sink_buf *s = arg;

	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->p = realloc(s->p, s->cap);
		assert_non_null(s->p);
	}
	memcpy(s->p + s->len, data, len);
	s->len += len;
}

/* Decode body (len bytes) labelled ce, fed in pieces cut at split (0: in
 * one piece; 1: one byte at a time); check the decoded bytes against
 * want (NULL: not checked) and return the result's flags. */
static unsigned decode(struct pne_http_body *b, const char *ce, const uint8_t *body, size_t len,
		       size_t split, uint64_t cap, const void *want, size_t want_len,
		       struct pne_http_body_result *res)
{
	struct sink_buf s = { 0 };
	const struct pne_http_body_result *r;

	pne_http_body_start(b, ce, ce != NULL ? strlen(ce) : 0, cap, sink, &s);
	if (split == 0) {
		pne_http_body_data(b, body, len);
	} else if (split == 1) {
		for (size_t i = 0; i < len; i++)
			pne_http_body_data(b, body + i, 1);
	} else {
		size_t at = split < len ? split : len;

		pne_http_body_data(b, body, at);
		pne_http_body_data(b, body + at, len - at);
	}
	r = pne_http_body_end(b, true);
	assert_int_equal(r->raw_len, len);
	assert_int_equal(r->decoded_len, s.len);
	if (want != NULL) {
		assert_int_equal(s.len, want_len);
		assert_memory_equal(s.p, want, want_len);
	}
	if (res != NULL)
		*res = *r;
	free(s.p);
	return r->flags;
}

/* A text long enough to span several inflate output buffers. */
static uint8_t *sample(size_t len)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)("abcdefghij"[i % 10] + (i / 997) % 7);
	return p;
}

static void test_identity(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	char md5[33];

	(void)state;
	assert_non_null(b);
	assert_int_equal(decode(b, NULL, (const uint8_t *)EICAR, strlen(EICAR), 0, 0,
				EICAR, strlen(EICAR), &r), 0);
	assert_true(r.complete);
	pne_hex(r.md5, PNE_MD5_LEN, md5);
	assert_string_equal(md5, "44d88612fea8a8f36de82e1278abb02f");
	assert_memory_equal(r.md5, r.raw_md5, PNE_MD5_LEN);
	assert_int_equal(decode(b, "identity", (const uint8_t *)"abc", 3, 0, 0, "abc", 3, &r), 0);
	assert_string_equal(r.encoding, "identity");
	assert_int_equal(r.layers, 0);
	/* an empty body */
	assert_int_equal(decode(b, "gzip", (const uint8_t *)"", 0, 0, 0, "", 0, &r), 0);
	assert_true(r.complete);
	pne_http_body_free(b);
}

/* gzip, x-gzip, deflate (zlib and raw) at every split point. */
static void test_codings_every_split(void **state)
{
	static const struct { const char *ce; enum enc e; } v[] = {
		{ "gzip", E_GZIP }, { "x-gzip", E_GZIP }, { "GZip", E_GZIP },
		{ "deflate", E_ZLIB }, { "deflate", E_RAW }, { "x-deflate", E_ZLIB },
		{ " deflate ", E_RAW },
	};
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t zlen;
		uint8_t *z = compress_as(v[i].e, (const uint8_t *)EICAR, strlen(EICAR), &zlen);

		for (size_t at = 0; at <= zlen + 1; at++) {
			assert_int_equal(decode(b, v[i].ce, z, zlen, at, 0, EICAR, strlen(EICAR),
						&r), 0);
			assert_true(r.complete);
			assert_int_equal(r.layers, 1);
		}
		free(z);
	}
	pne_http_body_free(b);
}

/* A body bigger than the output buffers, in every coding, byte by byte. */
static void test_large(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	size_t len = 200000, zlen;
	uint8_t *text = sample(len);

	(void)state;
	for (int e = E_GZIP; e <= E_RAW; e++) {
		uint8_t *z = compress_as((enum enc)e, text, len, &zlen);

		assert_int_equal(decode(b, e == E_GZIP ? "gzip" : "deflate", z, zlen, 1, 0,
					text, len, NULL), 0);
		free(z);
	}
	free(text);
	pne_http_body_free(b);
}

/* "gzip, deflate": gzip applied first, so deflate is decoded first; three
 * layers at most, more are passed through. */
static void test_stacked(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t l1, l2, l3;
	uint8_t *g = compress_as(E_GZIP, (const uint8_t *)EICAR, strlen(EICAR), &l1);
	uint8_t *gd = compress_as(E_ZLIB, g, l1, &l2);
	uint8_t *gdg = compress_as(E_GZIP, gd, l2, &l3);

	(void)state;
	for (size_t at = 0; at <= l3; at++) {
		assert_int_equal(decode(b, "gzip, deflate,gzip", gdg, l3, at, 0, EICAR,
					strlen(EICAR), &r), 0);
		assert_int_equal(r.layers, 3);
		assert_true(r.complete);
	}
	assert_int_equal(decode(b, "gzip,deflate", gd, l2, 1, 0, EICAR, strlen(EICAR), &r), 0);
	/* identity members and empty ones don't count */
	assert_int_equal(decode(b, "identity, gzip,, deflate", gd, l2, 0, 0, EICAR,
				strlen(EICAR), &r), 0);
	/* four codings: passed through, flagged */
	assert_int_equal(decode(b, "gzip,gzip,gzip,gzip", gd, l2, 0, 0, gd, l2, &r),
			 PNE_HB_LAYERS);
	assert_true(r.complete);
	free(g);
	free(gd);
	free(gdg);
	pne_http_body_free(b);
}

static void test_unknown_and_lenient_names(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	enum pne_hb_coding c[3];
	size_t zlen;
	uint8_t *z = compress_as(E_GZIP, (const uint8_t *)EICAR, strlen(EICAR), &zlen);
	static const char nul_gzip[] = { 'g', 'z', 0, 'i', 'p' };

	(void)state;
	assert_int_equal(decode(b, "br", z, zlen, 0, 0, z, zlen, NULL), PNE_HB_UNKNOWN);
	assert_int_equal(decode(b, "gzip, compress", z, zlen, 0, 0, z, zlen, NULL),
			 PNE_HB_UNKNOWN);
	/* junk around a name, a NUL inside it, names containing one */
	assert_int_equal(pne_http_body_codings("\v gzip;", 7, c, 3), 1);
	assert_int_equal(c[0], PNE_HB_C_GZIP);
	assert_int_equal(pne_http_body_codings(nul_gzip, sizeof(nul_gzip), c, 3), 1);
	assert_int_equal(pne_http_body_codings(": deflate", 9, c, 3), 1);
	assert_int_equal(c[0], PNE_HB_C_DEFLATE);
	assert_int_equal(pne_http_body_codings("x_gzip, identity", 16, c, 3), 1);
	assert_int_equal(pne_http_body_codings("zstd", 4, c, 3), -1);
	assert_int_equal(pne_http_body_codings("", 0, c, 3), 0);
	assert_int_equal(decode(b, "\fgzip\xa0", z, zlen, 0, 0, EICAR, strlen(EICAR), NULL), 0);
	free(z);
	pne_http_body_free(b);
}

/* Data that isn't what its coding says is passed through; corrupt data
 * after some output stops decoding; lenient gzip headers decode. */
static void test_mislabelled_and_corrupt(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t zlen, tlen = 100000, blen;
	uint8_t *z = compress_as(E_GZIP, (const uint8_t *)EICAR, strlen(EICAR), &zlen);
	uint8_t *text = sample(tlen);
	uint8_t *big = compress_as(E_RAW, text, tlen, &blen);
	uint8_t *zz;
	size_t zzlen;

	(void)state;
	/* plain text labelled gzip or deflate */
	for (size_t at = 0; at < strlen(EICAR); at++)
		assert_int_equal(decode(b, "gzip", (const uint8_t *)EICAR, strlen(EICAR), at, 0,
					EICAR, strlen(EICAR), &r), PNE_HB_PASSED);
	assert_int_equal(decode(b, "deflate", (const uint8_t *)EICAR, strlen(EICAR), 1, 0,
				EICAR, strlen(EICAR), &r), PNE_HB_PASSED);
	assert_true(r.complete);
	/* zlib data labelled gzip, raw deflate labelled gzip */
	zz = compress_as(E_ZLIB, (const uint8_t *)EICAR, strlen(EICAR), &zzlen);
	assert_int_equal(decode(b, "gzip", zz, zzlen, 1, 0, EICAR, strlen(EICAR), &r), 0);
	free(zz);
	/* gzip header flags: FTEXT, reserved bits; a wrong trailer is ignored */
	z[3] |= 0x01 | 0xe0;
	z[zlen - 5] ^= 0xff;
	assert_int_equal(decode(b, "gzip", z, zlen, 1, 0, EICAR, strlen(EICAR), &r), 0);
	/* the trailer cut off: the data is all there */
	assert_int_equal(decode(b, "gzip", z, zlen - 8, 0, 0, EICAR, strlen(EICAR), &r), 0);
	/* cut inside the deflate stream: what came is decoded, flagged short */
	assert_int_equal(decode(b, "deflate", big, blen / 2, 0, 0, NULL, 0, &r), PNE_HB_SHORT);
	assert_false(r.complete);
	assert_true(r.decoded_len > 0 && r.decoded_len < tlen);
	assert_memory_equal(text, text, 1);
	/* corrupted in the middle: decoding stops, flagged */
	big[blen / 2] ^= 0x55;
	big[blen / 2 + 1] ^= 0xaa;
	big[blen / 2 + 2] ^= 0xff;
	(void)decode(b, "deflate", big, blen, 1, 0, NULL, 0, &r);
	assert_true(r.decoded_len <= tlen);
	free(z);
	free(big);
	free(text);
	pne_http_body_free(b);
}

/* FEXTRA, FNAME, FCOMMENT and FHCRC in the gzip header. */
static void test_gzip_header_fields(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	size_t zlen;
	uint8_t *z = compress_as(E_GZIP, (const uint8_t *)EICAR, strlen(EICAR), &zlen);
	uint8_t *h = malloc(zlen + 32);
	static const uint8_t extra[] = { 5, 0, 'A', 'p', 1, 0, 0 };
	size_t n = 0;

	(void)state;
	memcpy(h, z, 10);
	h[3] = 0x02 | 0x04 | 0x08 | 0x10;
	n = 10;
	memcpy(h + n, extra, sizeof(extra));
	n += sizeof(extra);
	memcpy(h + n, "eicar.txt", 10);   /* with its NUL */
	n += 10;
	memcpy(h + n, "hi", 3);
	n += 3;
	h[n++] = 0x12;   /* header CRC: not checked */
	h[n++] = 0x34;
	memcpy(h + n, z + 10, zlen - 10);
	n += zlen - 10;
	for (size_t at = 0; at <= n; at++)
		assert_int_equal(decode(b, "gzip", h, n, at, 0, EICAR, strlen(EICAR), NULL), 0);
	free(h);
	free(z);
	pne_http_body_free(b);
}

/* The cap bounds decoded bytes (a bomb costs the cap, no more). */
static void test_cap(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t len = 4u << 20, zlen;
	uint8_t *zeros = calloc(1, len);
	uint8_t *z;

	(void)state;
	assert_non_null(zeros);
	z = compress_as(E_GZIP, zeros, len, &zlen);
	assert_true(zlen < 8192);
	assert_int_equal(decode(b, "gzip", z, zlen, 0, 1000, zeros, 1000, &r), PNE_HB_CAPPED);
	assert_false(r.complete);
	assert_int_equal(r.decoded_len, 1000);
	/* exactly at the cap is not capped */
	assert_int_equal(decode(b, NULL, zeros, 1000, 0, 1000, zeros, 1000, &r), 0);
	assert_true(r.complete);
	assert_int_equal(decode(b, NULL, zeros, 1001, 0, 1000, zeros, 1000, &r), PNE_HB_CAPPED);
	free(z);
	free(zeros);
	pne_http_body_free(b);
}

/* Gaps and aborts make a body incomplete; plain bodies go on after a
 * gap, compressed ones stop. */
static void test_gap_and_abort(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	const struct pne_http_body_result *r;
	size_t zlen;
	uint8_t *z = compress_as(E_GZIP, (const uint8_t *)EICAR, strlen(EICAR), &zlen);

	(void)state;
	pne_http_body_start(b, NULL, 0, 0, NULL, NULL);
	pne_http_body_data(b, (const uint8_t *)"abc", 3);
	pne_http_body_gap(b, 10);
	pne_http_body_data(b, (const uint8_t *)"def", 3);
	r = pne_http_body_end(b, true);
	assert_int_equal(r->raw_len, 6);
	assert_int_equal(r->decoded_len, 6);
	assert_int_equal(r->gap_len, 10);
	assert_int_equal(r->flags, PNE_HB_GAP);
	assert_false(r->complete);

	pne_http_body_start(b, "gzip", 4, 0, NULL, NULL);
	pne_http_body_data(b, z, 12);
	pne_http_body_gap(b, 5);
	pne_http_body_data(b, z + 17, zlen - 17);
	r = pne_http_body_end(b, true);
	assert_true(r->flags & PNE_HB_GAP);
	assert_false(r->complete);

	pne_http_body_start(b, "gzip", 4, 0, NULL, NULL);
	pne_http_body_data(b, z, zlen);
	r = pne_http_body_end(b, false);
	assert_int_equal(r->flags, PNE_HB_ABORTED);
	assert_int_equal(r->decoded_len, strlen(EICAR));
	assert_false(r->complete);
	/* a decoder may be freed in the middle of a body */
	pne_http_body_start(b, "deflate", 7, 0, NULL, NULL);
	pne_http_body_data(b, z, zlen / 2);
	free(z);
	pne_http_body_free(b);
	pne_http_body_free(NULL);
}

/* The body of the HTTP evader case 116-lzma (Content-Encoding: lzma):
 * .lzma with properties 0x5d (lc 3, lp 0, pb 2), an 8 MiB dictionary, an
 * unknown size (all ones) and an end marker, as the lzma tool writes. */
static const uint8_t evader_lzma[] = {
	0x5d, 0x00, 0x00, 0x80, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0x00, 0x2c, 0x0d, 0x45, 0xe2, 0x23, 0x4b, 0x38, 0x09, 0xfe, 0x24,
	0x2c, 0x5b, 0x4b, 0x36, 0x90, 0x31, 0xdc, 0x4b, 0x24, 0x35, 0xb6, 0x32,
	0xdf, 0xaf, 0x31, 0x4c, 0x3c, 0xdf, 0xcf, 0x3a, 0x4b, 0x75, 0x73, 0xe5,
	0x8b, 0xc8, 0x7e, 0x89, 0xb3, 0x80, 0x5e, 0xf7, 0x94, 0x1f, 0x8d, 0xa9,
	0xc3, 0x1e, 0xfa, 0x49, 0x6c, 0x05, 0xfc, 0x84, 0x05, 0x5a, 0x71, 0xfc,
	0x39, 0xba, 0x92, 0x65, 0x8b, 0x97, 0x43, 0xa7, 0xdd, 0x78, 0x50, 0x97,
	0xbf, 0xff, 0xc4, 0x18, 0xa0, 0x00,
};

/* lzma and xz, either label on either format, at every split point;
 * a body bigger than the output buffers byte by byte. */
static void test_lzma_every_split(void **state)
{
	static const struct { const char *ce; int xz; } v[] = {
		{ "lzma", 0 }, { "LZMA", 0 }, { "x-lzma", 0 }, { "xz", 1 }, { "lzma", 1 },
		{ " xz;", 0 },
	};
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t len = 200000, zlen;
	uint8_t *text = sample(len), *z;

	(void)state;
	for (size_t at = 0; at <= sizeof(evader_lzma) + 1; at++) {
		assert_int_equal(decode(b, "lzma", evader_lzma, sizeof(evader_lzma), at, 0,
					EICAR, strlen(EICAR), &r), 0);
		assert_true(r.complete);
		assert_int_equal(r.layers, 1);
	}
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		z = lzma_as(v[i].xz, (const uint8_t *)EICAR, strlen(EICAR), &zlen);
		assert_int_equal(z[0], v[i].xz ? 0xfd : 0x5d);
		for (size_t at = 0; at <= zlen + 1; at++) {
			assert_int_equal(decode(b, v[i].ce, z, zlen, at, 0, EICAR, strlen(EICAR),
						&r), 0);
			assert_true(r.complete);
		}
		free(z);
	}
	for (int xz = 0; xz <= 1; xz++) {
		z = lzma_as(xz, text, len, &zlen);
		assert_int_equal(decode(b, "lzma", z, zlen, 1, 0, text, len, &r), 0);
		assert_true(r.complete);
		/* trailing bytes after the stream are ignored */
		z = realloc(z, zlen + 3);
		assert_non_null(z);
		memcpy(z + zlen, "abc", 3);
		assert_int_equal(decode(b, "lzma", z, zlen + 3, 0, 0, text, len, &r), 0);
		free(z);
	}
	free(text);
	pne_http_body_free(b);
}

/* lzma stacked with the zlib codings, and the names. */
static void test_lzma_stacked_and_names(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	enum pne_hb_coding c[3];
	size_t l1, l2, l3;
	uint8_t *x = lzma_as(0, (const uint8_t *)EICAR, strlen(EICAR), &l1);
	uint8_t *xg = compress_as(E_GZIP, x, l1, &l2);
	uint8_t *xgx = lzma_as(1, xg, l2, &l3);

	(void)state;
	for (size_t at = 0; at <= l3; at++) {
		assert_int_equal(decode(b, "lzma, gzip, xz", xgx, l3, at, 0, EICAR,
					strlen(EICAR), &r), 0);
		assert_int_equal(r.layers, 3);
		assert_true(r.complete);
	}
	assert_int_equal(pne_http_body_codings("lzma", 4, c, 3), 1);
	assert_int_equal(c[0], PNE_HB_C_LZMA);
	assert_int_equal(pne_http_body_codings("gzip, XZ", 8, c, 3), 2);
	assert_int_equal(c[0], PNE_HB_C_GZIP);
	assert_int_equal(c[1], PNE_HB_C_LZMA);
	/* "xz" is a whole name only */
	assert_int_equal(pne_http_body_codings("xzip", 4, c, 3), -1);
	assert_int_equal(pne_http_body_codings("x-xz", 4, c, 3), -1);
	free(x);
	free(xg);
	free(xgx);
	pne_http_body_free(b);
}

/* Cut, corrupt, mislabelled and too greedy lzma data. */
static void test_lzma_bad(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t tlen = 100000, zlen;
	uint8_t *text = sample(tlen);
	uint8_t *z = lzma_as(0, text, tlen, &zlen);
	uint8_t *e = malloc(sizeof(evader_lzma));

	(void)state;
	assert_non_null(e);
	/* plain text labelled lzma or xz: passed through */
	for (size_t at = 0; at < strlen(EICAR); at++)
		assert_int_equal(decode(b, "lzma", (const uint8_t *)EICAR, strlen(EICAR), at, 0,
					EICAR, strlen(EICAR), &r), PNE_HB_PASSED);
	assert_int_equal(decode(b, "xz", (const uint8_t *)EICAR, strlen(EICAR), 1, 0,
				EICAR, strlen(EICAR), &r), PNE_HB_PASSED);
	assert_true(r.complete);
	/* cut inside the header, the data, the end marker: what came is
	 * decoded, flagged short */
	for (size_t cut = 1; cut < sizeof(evader_lzma); cut++) {
		(void)decode(b, "lzma", evader_lzma, cut, 1, 0, NULL, 0, &r);
		assert_int_equal(r.flags, PNE_HB_SHORT);
		assert_false(r.complete);
		assert_true(r.decoded_len <= strlen(EICAR));
		assert_true(r.decoded_len == 0 || cut > 13);
		(void)decode(b, "lzma", evader_lzma, cut, 0, 0, EICAR, r.decoded_len, &r);
	}
	assert_int_equal(decode(b, "lzma", z, zlen / 2, 0, 0, NULL, 0, &r), PNE_HB_SHORT);
	assert_true(r.decoded_len > 0 && r.decoded_len < tlen);
	(void)decode(b, "lzma", z, zlen / 2, 0, 0, text, r.decoded_len, &r);
	/* a size in the header past the end marker: corrupt after some output */
	memcpy(e, evader_lzma, sizeof(evader_lzma));
	e[5] = (uint8_t)(strlen(EICAR) + 1);
	memset(e + 6, 0, 7);
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 1, 0, EICAR,
				strlen(EICAR), &r), PNE_HB_CORRUPT);
	assert_false(r.complete);
	/* bad properties (lc + lp + pb too big) or a range coder that doesn't
	 * start with 0: nothing decoded, passed through */
	memcpy(e, evader_lzma, sizeof(evader_lzma));
	e[0] = 0xff;
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 0, 0, e,
				sizeof(evader_lzma), &r), PNE_HB_PASSED);
	memcpy(e, evader_lzma, sizeof(evader_lzma));
	e[13] = 0x01;
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 1, 0, e,
				sizeof(evader_lzma), &r), PNE_HB_PASSED);
	/* bytes flipped in the middle: never complete, never more than came */
	z[zlen / 2] ^= 0x55;
	z[zlen / 2 + 1] ^= 0xaa;
	z[zlen / 2 + 2] ^= 0xff;
	(void)decode(b, "lzma", z, zlen, 1, 0, NULL, 0, &r);
	assert_true(r.flags & (PNE_HB_CORRUPT | PNE_HB_SHORT));
	assert_false(r.complete);
	assert_true(r.decoded_len > 0);
	/* the memory limit: a 64 MiB dictionary (xz -9) decodes, 128 MiB and
	 * 4 GiB are decode errors, passed through */
	memcpy(e, evader_lzma, sizeof(evader_lzma));
	e[1] = e[2] = e[3] = 0;
	e[4] = 0x04;
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 0, 0, EICAR,
				strlen(EICAR), &r), 0);
	e[4] = 0x08;
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 0, 0, e,
				sizeof(evader_lzma), &r), PNE_HB_PASSED);
	memset(e + 1, 0xff, 4);
	assert_int_equal(decode(b, "lzma", e, sizeof(evader_lzma), 1, 0, e,
				sizeof(evader_lzma), &r), PNE_HB_PASSED);
	free(e);
	free(z);
	free(text);
	pne_http_body_free(b);
}

/* An lzma bomb costs the cap: 32 MiB of zeros in a few KiB decode to the
 * default cap (16 MiB) and stop there. */
static void test_lzma_cap(void **state)
{
	struct pne_http_body *b = pne_http_body_new();
	struct pne_http_body_result r;
	size_t len = 32u << 20, zlen;
	uint8_t *zeros = calloc(1, len);
	uint8_t *z;

	(void)state;
	assert_non_null(zeros);
	for (int xz = 0; xz <= 1; xz++) {
		z = lzma_as(xz, zeros, len, &zlen);
		assert_true(zlen < 16384);
		assert_int_equal(decode(b, "lzma", z, zlen, 0, 0, zeros, PNE_HB_DEF_CAP, &r),
				 PNE_HB_CAPPED);
		assert_false(r.complete);
		assert_int_equal(r.decoded_len, PNE_HB_DEF_CAP);
		assert_int_equal(decode(b, "xz", z, zlen, 1, 1000, zeros, 1000, &r),
				 PNE_HB_CAPPED);
		free(z);
	}
	free(zeros);
	pne_http_body_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_vectors),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_codings_every_split),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_unknown_and_lenient_names),
		cmocka_unit_test(test_mislabelled_and_corrupt),
		cmocka_unit_test(test_gzip_header_fields),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_gap_and_abort),
		cmocka_unit_test(test_lzma_every_split),
		cmocka_unit_test(test_lzma_stacked_and_names),
		cmocka_unit_test(test_lzma_bad),
		cmocka_unit_test(test_lzma_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
