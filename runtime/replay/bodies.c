/*
 * pne-replay's HTTP bodies (--body-hash, --bodies DIR): a tracker body
 * consumer for spec "http", both directions, decoding each message body
 * with cache/http_body.h.
 *
 * The consumer wants every HTTP message (the HEAD report carries the
 * Content-Encoding field); a decoder is taken from a free list only when
 * the first body byte (or gap) arrives, so bodiless messages cost an
 * entry, not a decoder. The tracker hands a body's ADU_END piece over
 * right before it reports the ADU itself, so the finished body's JSON
 * is kept for that one report (rpl_bodies_json()).
 *
 * Bodies in progress are found by (flow cookie, direction) in a chained
 * hash table; there is one per direction at most, since HTTP messages of
 * one direction follow each other.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http_body.h"
#include "pne/tracker.h"
#include "replay.h"

#define MAX_OPEN_FILES 256     /* bodies with an open file; more append
				  and close on each write */
#define JSON_MAX 1024

struct body {
	struct body *next;          /* hash chain, or free list */
	struct rpl_bodies *bs;
	void *flow;
	enum pne_dir dir;
	uint64_t off;               /* the ADU's first byte */
	struct pne_http_body *dec;  /* NULL until the first byte */
	FILE *file;
	int file_failed;
	int file_made;              /* created: later opens append */
	char path[PNE_FLOW_LABEL_MAX + 64 + 4096];
	size_t ce_len;
	char ce[PNE_HB_ENC_MAX];
};

struct rpl_bodies {
	const char *dir;            /* --bodies DIR, or NULL */
	int hash;                   /* --body-hash */
	uint64_t cap;
	rpl_label_fn label;
	struct body **bucket;
	unsigned nbuckets, n;
	struct body *free_bodies;
	struct pne_http_body **free_dec;
	unsigned nfree_dec, free_dec_cap;
	unsigned open_files;
	int ce_slot;                /* the spec's content_encoding slot, -1: none */
	const struct pne_spec *spec;
	/* the last finished body, for the ADU report that follows */
	void *last_flow;
	enum pne_dir last_dir;
	uint64_t last_off;
	int last_ok;
	char json[JSON_MAX];
	struct rpl_bodies_stats st;
};

static unsigned bucket_of(const struct rpl_bodies *bs, const void *flow, enum pne_dir dir)
{
	uint64_t h = (uint64_t)(uintptr_t)flow * 0x9e3779b97f4a7c15ull + (unsigned)dir;

	return (unsigned)(h >> 32) & (bs->nbuckets - 1);
}

static struct body **find(struct rpl_bodies *bs, const void *flow, enum pne_dir dir)
{
	struct body **pp = &bs->bucket[bucket_of(bs, flow, dir)];

	while (*pp != NULL && ((*pp)->flow != flow || (*pp)->dir != dir))
		pp = &(*pp)->next;
	return pp;
}

static int grow(struct rpl_bodies *bs)
{
	unsigned old = bs->nbuckets, n = old * 2;
	struct body **ob = bs->bucket, **nb = calloc(n, sizeof(*nb));

	if (nb == NULL)
		return -1;
	bs->bucket = nb;
	bs->nbuckets = n;
	for (unsigned i = 0; i < old; i++) {
		struct body *b = ob[i], *next;

		for (; b != NULL; b = next) {
			unsigned k = bucket_of(bs, b->flow, b->dir);

			next = b->next;
			b->next = nb[k];
			nb[k] = b;
		}
	}
	free(ob);
	return 0;
}

/* The slot the spec's Content-Encoding value is in, -1 if none. */
static int ce_slot(const struct pne_spec *spec)
{
	for (unsigned i = 0; i < spec->nslots; i++) {
		const struct pne_str *s = &spec->strs[spec->slots[i].name];

		if (spec->slots[i].kind == PNE_RK_STRING && s->len == 16 &&
		    memcmp(s->s, "content_encoding", 16) == 0)
			return (int)i;
	}
	return -1;
}

static bool want(void *flow, const struct pne_adu *head, void *arg)
{
	struct rpl_bodies *bs = arg;
	struct body **pp, *b;

	if (bs->spec != head->spec) {
		bs->spec = head->spec;
		bs->ce_slot = ce_slot(head->spec);
	}
	pp = find(bs, flow, head->dir);
	if (*pp != NULL)
		return false;   /* can't happen: the previous one ended first */
	if (bs->n >= bs->nbuckets && grow(bs) == 0)
		pp = find(bs, flow, head->dir);
	b = bs->free_bodies;
	if (b != NULL)
		bs->free_bodies = b->next;
	else if ((b = malloc(sizeof(*b))) == NULL)
		return false;
	b->next = NULL;
	b->bs = bs;
	b->flow = flow;
	b->dir = head->dir;
	b->off = head->off;
	b->dec = NULL;
	b->file = NULL;
	b->file_failed = 0;
	b->file_made = 0;
	b->path[0] = '\0';
	b->ce_len = 0;
	if (bs->ce_slot >= 0) {
		uint64_t v = head->slots[bs->ce_slot];

		b->ce_len = (size_t)(v & 0xffffffffu);
		if (b->ce_len > sizeof(b->ce))
			b->ce_len = sizeof(b->ce);
		memcpy(b->ce, head->strings + (v >> 32), b->ce_len);
	}
	*pp = b;
	bs->n++;
	return true;
}

/* "10.0.0.1_80-10.0.0.2_1234": the flow label with ':' and '>' replaced. */
static void file_name(struct rpl_bodies *bs, struct body *b, const char *suffix)
{
	char label[PNE_FLOW_LABEL_MAX];
	size_t i;

	snprintf(label, sizeof(label), "%s", bs->label(b->flow));
	for (i = 0; label[i] != '\0'; i++)
		if (label[i] == ':' || label[i] == '>' || label[i] == '[' || label[i] == ']')
			label[i] = label[i] == '>' ? '-' : label[i] == ':' ? '_' : '.';
	snprintf(b->path, sizeof(b->path), "%s/%s_%s_%" PRIu64 "%s", bs->dir, label,
		 b->dir == PNE_C2S ? "c2s" : "s2c", b->off, suffix);
}

static void sink(void *arg, const uint8_t *data, size_t len)
{
	struct body *b = arg;
	struct rpl_bodies *bs = b->bs;
	FILE *f = b->file;

	if (b->file_failed)
		return;
	if (f == NULL) {
		if (b->path[0] == '\0')
			file_name(bs, b, ".part");
		f = fopen(b->path, b->file_made ? "ab" : "wb");
		if (f == NULL) {
			b->file_failed = 1;
			bs->st.file_errors++;
			return;
		}
		b->file_made = 1;
	}
	if (fwrite(data, 1, len, f) != len) {
		b->file_failed = 1;
		bs->st.file_errors++;
	}
	if (b->file == NULL && bs->open_files < MAX_OPEN_FILES) {
		b->file = f;
		bs->open_files++;
	} else if (b->file == NULL) {
		fclose(f);
	}
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	pne_hex(p, n, out);
}

static void json_body(struct rpl_bodies *bs, const struct pne_http_body_result *r)
{
	static const char *const flag_name[] = {
		"gap", "aborted", "unknown_encoding", "too_many_encodings",
		"passed_through", "corrupt", "short", "capped",
	};
	char md5[2 * PNE_MD5_LEN + 1], sha[2 * PNE_SHA256_LEN + 1];
	char rmd5[2 * PNE_MD5_LEN + 1], rsha[2 * PNE_SHA256_LEN + 1];
	size_t n = 0, cap = sizeof(bs->json);
	const char *sep = "";

	hex(md5, r->md5, PNE_MD5_LEN);
	hex(sha, r->sha256, PNE_SHA256_LEN);
	hex(rmd5, r->raw_md5, PNE_MD5_LEN);
	hex(rsha, r->raw_sha256, PNE_SHA256_LEN);
	n += (size_t)snprintf(bs->json + n, cap - n,
		"\"body\":{\"len\":%" PRIu64 ",\"decoded_len\":%" PRIu64
		",\"md5\":\"%s\",\"sha256\":\"%s\",\"raw_md5\":\"%s\",\"raw_sha256\":\"%s\""
		",\"complete\":%s", r->raw_len, r->decoded_len, md5, sha, rmd5, rsha,
		r->complete ? "true" : "false");
	if (r->gap_len > 0)
		n += (size_t)snprintf(bs->json + n, cap - n, ",\"gap_len\":%" PRIu64, r->gap_len);
	if (r->encoding[0] != '\0') {
		/* JSON string escapes (RFC 8259 section 7); 64 bytes fit */
		n += (size_t)snprintf(bs->json + n, cap - n, ",\"encoding\":\"");
		for (const char *s = r->encoding; *s != '\0' && n + 8 < cap; s++) {
			unsigned char c = (unsigned char)*s;

			if (c == '"' || c == '\\')
				n += (size_t)snprintf(bs->json + n, cap - n, "\\%c", c);
			else if (c < 0x20 || c >= 0x7f)
				n += (size_t)snprintf(bs->json + n, cap - n, "\\u%04x", c);
			else
				bs->json[n++] = (char)c;
		}
		n += (size_t)snprintf(bs->json + n, cap - n, "\"");
	}
	if (r->flags != 0) {
		n += (size_t)snprintf(bs->json + n, cap - n, ",\"flags\":[");
		for (unsigned i = 0; i < sizeof(flag_name) / sizeof(flag_name[0]); i++) {
			if (!(r->flags & (1u << i)))
				continue;
			n += (size_t)snprintf(bs->json + n, cap - n, "%s\"%s\"", sep, flag_name[i]);
			sep = ",";
		}
		n += (size_t)snprintf(bs->json + n, cap - n, "]");
	}
	snprintf(bs->json + n, cap - n, "}");
}

static struct pne_http_body *take_decoder(struct rpl_bodies *bs)
{
	if (bs->nfree_dec > 0)
		return bs->free_dec[--bs->nfree_dec];
	return pne_http_body_new();
}

static void give_decoder(struct rpl_bodies *bs, struct pne_http_body *d)
{
	if (bs->nfree_dec == bs->free_dec_cap) {
		unsigned cap = bs->free_dec_cap ? 2 * bs->free_dec_cap : 16;
		struct pne_http_body **p = realloc(bs->free_dec, cap * sizeof(*p));

		if (p == NULL) {
			pne_http_body_free(d);
			return;
		}
		bs->free_dec = p;
		bs->free_dec_cap = cap;
	}
	bs->free_dec[bs->nfree_dec++] = d;
}

/* The body is over: result, file renamed, entry back to the free list. */
static void finish(struct rpl_bodies *bs, struct body **pp, bool ended)
{
	struct body *b = *pp;
	const struct pne_http_body_result *r;
	char final[sizeof(b->path)];

	*pp = b->next;
	bs->n--;
	bs->last_ok = 0;
	if (b->dec != NULL) {
		r = pne_http_body_end(b->dec, ended);
		bs->st.bodies++;
		bs->st.complete += r->complete;
		bs->st.raw_bytes += r->raw_len;
		bs->st.decoded_bytes += r->decoded_len;
		if (b->file != NULL) {
			if (fclose(b->file) != 0)
				bs->st.file_errors++;
			bs->open_files--;
		}
		if (b->path[0] != '\0' && !b->file_failed) {
			snprintf(final, sizeof(final), "%s", b->path);
			final[strlen(final) - 5] = '\0';   /* ".part" */
			if (!r->complete)
				strcat(final, ".incomplete");
			if (rename(b->path, final) != 0)
				bs->st.file_errors++;
		}
		if (ended) {
			json_body(bs, r);
			bs->last_flow = b->flow;
			bs->last_dir = b->dir;
			bs->last_off = b->off;
			bs->last_ok = 1;
		}
		give_decoder(bs, b->dec);
	}
	b->next = bs->free_bodies;
	bs->free_bodies = b;
}

static void piece(const struct pne_tracker_payload *p, void *arg)
{
	struct rpl_bodies *bs = arg;
	struct body **pp = find(bs, p->flow, p->dir), *b = *pp;

	if (b == NULL)
		return;
	if (p->kind == PNE_PAYLOAD_ADU_END || p->kind == PNE_PAYLOAD_ADU_ABORT) {
		finish(bs, pp, p->kind == PNE_PAYLOAD_ADU_END);
		return;
	}
	if (b->dec == NULL) {
		b->dec = take_decoder(bs);
		if (b->dec == NULL) {
			bs->st.alloc_failures++;
			return;
		}
		pne_http_body_start(b->dec, b->ce, b->ce_len, bs->cap,
				    bs->dir != NULL ? sink : NULL, b);
	}
	if (p->kind == PNE_PAYLOAD_DATA)
		pne_http_body_data(b->dec, p->data, p->len);
	else if (p->kind == PNE_PAYLOAD_GAP)
		pne_http_body_gap(b->dec, p->len);
}

struct rpl_bodies *rpl_bodies_new(struct pne_tracker *tr, const char *dir, int hash,
				  uint64_t cap, rpl_label_fn label)
{
	struct rpl_bodies *bs;
	struct stat st;

	if (dir != NULL) {
		if (stat(dir, &st) != 0)
			return NULL;   /* errno says why */
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return NULL;
		}
	}
	bs = calloc(1, sizeof(*bs));
	if (bs == NULL)
		return NULL;
	bs->dir = dir;
	bs->hash = hash;
	bs->cap = cap;
	bs->label = label;
	bs->ce_slot = -1;
	bs->nbuckets = 1024;
	bs->bucket = calloc(bs->nbuckets, sizeof(*bs->bucket));
	if (bs->bucket == NULL ||
	    pne_tracker_on_body(tr, "http", PNE_DIR_BIT(PNE_C2S) | PNE_DIR_BIT(PNE_S2C),
				want, piece, bs) < 0) {
		rpl_bodies_free(bs);
		return NULL;
	}
	return bs;
}

void rpl_bodies_free(struct rpl_bodies *bs)
{
	struct body *b, *next;

	if (bs == NULL)
		return;
	for (unsigned i = 0; i < bs->nbuckets; i++) {
		while (bs->bucket[i] != NULL)
			finish(bs, &bs->bucket[i], false);
	}
	for (b = bs->free_bodies; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	for (unsigned i = 0; i < bs->nfree_dec; i++)
		pne_http_body_free(bs->free_dec[i]);
	free(bs->free_dec);
	free(bs->bucket);
	free(bs);
}

const char *rpl_bodies_json(struct rpl_bodies *bs, const void *flow, const struct pne_adu *adu)
{
	if (bs == NULL || !bs->hash || !bs->last_ok || bs->last_flow != flow ||
	    bs->last_dir != adu->dir || bs->last_off != adu->off)
		return NULL;
	bs->last_ok = 0;
	return bs->json;
}

const struct rpl_bodies_stats *rpl_bodies_stats(const struct rpl_bodies *bs)
{
	return &bs->st;
}
