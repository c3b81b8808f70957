/*
 * Fields of a text step (struct pne_text): the words, lines and
 * "Key: value" headers of a gathered text, converted per enum pne_tconv.
 * Runs once per text step over bytes already gathered: bounded scans
 * that never read outside t[0..len), each source found once per step
 * (struct text_view).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "interp_priv.h"

/* A piece of the text; absent when the source does not exist. */
struct span {
	const uint8_t *p;
	size_t len;
	int present;
};

static const struct span absent = { NULL, 0, 0 };

/*
 * Blanks separate words and are trimmed from header names and values:
 * SP and HT, and the control bytes that lenient HTTP peers read as
 * white space (NUL, VT, FF, CR; RFC 9112 section 5 robustness).
 */
static int is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\0' || c == '\v' || c == '\f' || c == '\r';
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 'a' - 'A') : c;
}

static int ci_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* Offset of the first s[0..sl) in p[0..n), or n; sl > 0. */
static size_t find(const uint8_t *p, size_t n, const uint8_t *s, size_t sl)
{
	size_t i = 0;

	if (sl == 1) {  /* a line or key/value separator, usually */
		const uint8_t *q = memchr(p, s[0], n);

		return q != NULL ? (size_t)(q - p) : n;
	}
	while (n - i >= sl) {
		const uint8_t *q = memchr(p + i, s[0], n - i - sl + 1);

		if (q == NULL)
			break;
		i = (size_t)(q - p);
		if (memcmp(q, s, sl) == 0)
			return i;
		i++;
	}
	return n;
}

/* Does p[i..n), NUL bytes skipped, start with s[0..sl) (any case)? */
static int ci_at_skipnul(const uint8_t *p, size_t n, size_t i, const uint8_t *s, size_t sl)
{
	for (size_t k = 0; k < sl; k++) {
		while (i < n && p[i] == '\0')
			i++;
		if (i == n || lower(p[i]) != lower(s[k]))
			return 0;
		i++;
	}
	return 1;
}

/* Does p[0..n) contain s[0..sl) (any case, NUL bytes in p ignored:
 * "chu\0nked" contains "chunked")? */
static int ci_contains(const uint8_t *p, size_t n, const uint8_t *s, size_t sl)
{
	if (sl == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0' && ci_at_skipnul(p, n, i, s, sl))
			return 1;
	return 0;
}

/* Does p[0..n), trailing blanks ignored, end with s[0..sl) (any case)? */
static int ci_suffix(const uint8_t *p, size_t n, const uint8_t *s, size_t sl)
{
	while (n > 0 && is_blank(p[n - 1]))
		n--;
	return n >= sl && ci_equal(p + n - sl, s, sl);
}

static struct span trim(struct span s)
{
	while (s.len > 0 && is_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && is_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

/*
 * Lines: t split at every sep. The text after the last separator is a
 * line too (possibly empty); an empty sep makes the whole text one line.
 * next_line() yields them in order; *pos is where the next one starts,
 * or > len once the last was yielded.
 */
static int next_line(const uint8_t *t, size_t len, const struct pne_str *sep,
		     size_t *pos, struct span *line)
{
	size_t start = *pos, end;

	if (start > len)
		return 0;
	end = sep->len > 0 ? start + find(t + start, len - start,
					  (const uint8_t *)sep->s, sep->len) : len;
	*line = (struct span){ t + start, end - start, 1 };
	*pos = end < len ? end + sep->len : len + 1;
	return 1;
}

static struct span line_at(const uint8_t *t, size_t len, const struct pne_str *sep,
			   unsigned k)
{
	struct span line;
	size_t pos = 0;

	while (next_line(t, len, sep, &pos, &line))
		if (k-- == 0)
			return line;
	return absent;
}

/* The k-th word of s: runs of blanks separate words. */
static struct span word_at(struct span s, unsigned k)
{
	size_t i = 0;

	for (;;) {
		size_t start;

		while (i < s.len && is_blank(s.p[i]))
			i++;
		if (i == s.len)
			return absent;
		start = i;
		while (i < s.len && !is_blank(s.p[i]))
			i++;
		if (k-- == 0)
			return (struct span){ s.p + start, i - start, 1 };
	}
}

/* Is name (NUL bytes skipped, "Content\0-Encoding") key, in any case? */
static int name_is(struct span name, const struct pne_str *key)
{
	size_t k = 0;

	for (size_t i = 0; i < name.len; i++) {
		if (name.p[i] == '\0')
			continue;
		if (k == key->len || lower(name.p[i]) != lower((uint8_t)key->s[k]))
			return 0;
		k++;
	}
	return k == key->len;
}

/*
 * The first field line at or after *pos that has a key/value separator:
 * its trimmed name and value. A field line goes on over the lines after
 * it that start with a blank (obsolete line folding, RFC 9112 section
 * 5.2): the value may span them (separators included, read as blanks by
 * the conversions), and so may the name ("Name\r :value"). *pos moves
 * past it. Returns 0 when no line is left.
 */
static int next_field(const uint8_t *t, size_t len, const struct pne_str *lsep,
		      const struct pne_str *kvsep, size_t *pos, struct span *name,
		      struct span *value)
{
	struct span line, next;

	while (next_line(t, len, lsep, pos, &line)) {
		size_t k, look = *pos;

		while (next_line(t, len, lsep, &look, &next) && next.len > 0 &&
		       is_blank(next.p[0])) {
			line.len = (size_t)(next.p + next.len - line.p);
			*pos = look;
		}
		k = find(line.p, line.len, (const uint8_t *)kvsep->s, kvsep->len);
		if (k == line.len)
			continue;
		*name = trim((struct span){ line.p, k, 1 });
		*value = trim((struct span){ line.p + k + kvsep->len,
					     line.len - k - kvsep->len, 1 });
		return 1;
	}
	return 0;
}

/*
 * The field lines of a text, split once per pne_text_fields() call
 * however many header sources its fields name (an HTTP field line step
 * asks for five keys): the first FIELDS_CACHED are kept; a key not
 * among them is looked for in the lines after them (rest), as if the
 * index were not there.
 */
#define FIELDS_CACHED 16

struct field_index {
	unsigned n;
	bool built;
	size_t rest;  /* where the lines after the kept ones start; > len: none */
	struct {
		struct span name, value;
		bool nul;  /* the name holds a NUL byte (name_is() skips them) */
	} f[FIELDS_CACHED];
};

static void index_fields(struct field_index *x, const uint8_t *t, size_t len,
			 const struct pne_str *lsep, const struct pne_str *kvsep)
{
	size_t pos = 0;

	x->n = 0;
	x->built = true;
	while (x->n < FIELDS_CACHED &&
	       next_field(t, len, lsep, kvsep, &pos, &x->f[x->n].name, &x->f[x->n].value)) {
		struct span name = x->f[x->n].name;

		x->f[x->n].nul = name.len > 0 && memchr(name.p, '\0', name.len) != NULL;
		x->n++;
	}
	x->rest = x->n < FIELDS_CACHED ? len + 1 : pos;
}

/* The trimmed value of the first field line whose trimmed key equals
 * key (any case, NUL bytes in the name skipped). */
static struct span header(struct field_index *x, const uint8_t *t, size_t len,
			  const struct pne_str *lsep, const struct pne_str *kvsep,
			  const struct pne_str *key)
{
	struct span name, value;
	size_t pos;

	if (kvsep->len == 0)
		return absent;
	if (!x->built)
		index_fields(x, t, len, lsep, kvsep);
	for (unsigned i = 0; i < x->n; i++)
		/* without NULs a name must be as long as the key */
		if ((x->f[i].nul || x->f[i].name.len == key->len) && name_is(x->f[i].name, key))
			return x->f[i].value;
	pos = x->rest;
	while (pos <= len && next_field(t, len, lsep, kvsep, &pos, &name, &value))
		if (name_is(name, key))
			return value;
	return absent;
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Value of the leading digits of s in base (10 or 16) into *v; fails
 * (PNE_ERR_NUM_MAX) on a value over max, overflow included. */
static int number(struct span s, unsigned base, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < s.len; i++) {
		int d = base == 16 ? hex_digit(s.p[i]) :
			(s.p[i] >= '0' && s.p[i] <= '9' ? s.p[i] - '0' : -1);

		if (d < 0)
			break;
		if (x > (UINT64_MAX - (uint64_t)d) / base)
			return PNE_ERR_NUM_MAX;
		x = x * base + (uint64_t)d;
	}
	if (x > max)
		return PNE_ERR_NUM_MAX;
	*v = x;
	return 0;
}

/* Is strs[i] a string that can be read (len bytes at s)? */
static int str_ok(const struct pne_spec *spec, uint16_t i)
{
	return i < spec->nstrs && (spec->strs[i].s != NULL || spec->strs[i].len == 0);
}

/*
 * A text as its fields see it. Sources are pure functions of the text,
 * and a step names the same ones many times (an HTTP field line asks
 * for "word 0" three times and for five header keys three times each),
 * so each is found once per pne_text_fields() call: line 0, the first
 * line with a word and the field lines are kept when first needed, and
 * so are the word, line and header sources last asked for.
 */
#define MEMO_MAX 8

struct text_view {
	const uint8_t *t;
	size_t len, dlen;
	const struct pne_str *lsep, *kvsep;
	bool have_line0, have_wline;
	struct span line0;  /* line 0 */
	struct span wline;  /* the first line that has a word; absent if none */
	unsigned nmemo, memo_next;
	struct {
		uint8_t src;
		uint16_t arg;
		struct span s;
	} memo[MEMO_MAX];
	struct field_index fields;
};

static struct span view_line0(struct text_view *v)
{
	if (!v->have_line0) {
		v->line0 = line_at(v->t, v->len, v->lsep, 0);
		v->have_line0 = true;
	}
	return v->line0;
}

/* The first line that has a word: blank lines before it (a stray CR
 * before an HTTP status line) are passed over. */
static struct span view_wline(struct text_view *v)
{
	struct span line;
	size_t pos = 0;

	if (v->have_wline)
		return v->wline;
	v->have_wline = true;
	v->wline = absent;
	while (next_line(v->t, v->len, v->lsep, &pos, &line))
		if (word_at(line, 0).present) {
			v->wline = line;
			break;
		}
	return v->wline;
}

static struct span find_source(const struct pne_spec *spec, struct text_view *v,
			       const struct pne_tfield *f)
{
	struct span first;

	switch (f->src) {
	case PNE_TS_WORD:
		first = view_wline(v);
		return first.present ? word_at(first, f->arg) : absent;
	case PNE_TS_LINE:
		return f->arg == 0 ? view_line0(v) : line_at(v->t, v->len, v->lsep, f->arg);
	case PNE_TS_HEADER:
		if (!str_ok(spec, f->arg))
			return absent;
		return header(&v->fields, v->t, v->len, v->lsep, v->kvsep, &spec->strs[f->arg]);
	case PNE_TS_ALL:
		return (struct span){ v->t, v->len, 1 };
	case PNE_TS_TAIL:
		first = view_line0(v);
		if (first.len == 0)
			return absent;
		return (struct span){ first.p + 1, first.len - 1, 1 };
	case PNE_TS_FOLD: {
		/* the blanks that make a continuation line are the ones
		 * header() continues a field over; like header(), it lets
		 * the name's separator be folded on ("Name\n :value") */
		const struct pne_str *kv = v->kvsep;

		first = view_line0(v);
		if (first.len == 0 || !is_blank(first.p[0]))
			return absent;
		first = trim(first);
		if (kv->len > 0 && first.len >= kv->len && memcmp(first.p, kv->s, kv->len) == 0)
			first = trim((struct span){ first.p + kv->len, first.len - kv->len, 1 });
		return first;
	}
	case PNE_TS_DELIM:
		return v->dlen > 0 ? (struct span){ v->t + v->len, v->dlen, 1 } : absent;
	}
	return absent;
}

/* f's source, from the memo when an earlier field named it. */
static struct span source(const struct pne_spec *spec, struct text_view *v,
			  const struct pne_tfield *f)
{
	struct span s;
	unsigned k;

	if (f->src != PNE_TS_WORD && f->src != PNE_TS_LINE && f->src != PNE_TS_HEADER)
		return find_source(spec, v, f);  /* found at once */
	for (k = 0; k < v->nmemo; k++)
		if (v->memo[k].src == f->src && v->memo[k].arg == f->arg)
			return v->memo[k].s;
	s = find_source(spec, v, f);
	k = v->nmemo < MEMO_MAX ? v->nmemo++ : v->memo_next++ % MEMO_MAX;
	v->memo[k].src = f->src;
	v->memo[k].arg = f->arg;
	v->memo[k].s = s;
	return s;
}

/*
 * Appends s to the list string held in *v (offset << 32 | length), ", "
 * between them, the whole cut at max and at the arena's end. The list
 * grows in place while it is the arena's last string; otherwise it is
 * copied to the end first (the arena never moves backwards).
 */
static void list_append(const struct pne_text_out *out, uint64_t max, struct span s,
			uint64_t *v)
{
	static const uint8_t comma[] = ", ";
	uint32_t off = (uint32_t)(*v >> 32), len = (uint32_t)*v;
	uint32_t used = *out->arena_used, limit, n;

	if (s.len == 0 || len >= max || used > out->arena_size)
		return;
	if ((uint64_t)off + len > used)
		len = 0;  /* not a string of this arena: start afresh */
	if (len == 0 || off + len != used) {
		if (out->arena_size - used <= len)
			return;  /* no room to move it */
		memcpy(out->arena + used, out->arena + off, len);
		off = used;
	}
	limit = max < out->arena_size - off ? (uint32_t)max : out->arena_size - off;
	if (len > 0) {
		if (limit - len <= sizeof(comma) - 1)
			return;  /* no room for a byte of the item */
		memcpy(out->arena + off + len, comma, sizeof(comma) - 1);
		len += sizeof(comma) - 1;
	}
	n = s.len < limit - len ? (uint32_t)s.len : limit - len;
	if (n > 0)
		memcpy(out->arena + off + len, s.p, n);
	len += n;
	*out->arena_used = off + len;
	*v = (uint64_t)off << 32 | len;
}

static int convert(const struct pne_spec *spec, const struct pne_tfield *f,
		   struct span s, const struct pne_text_out *out, uint64_t *v)
{
	const struct pne_str *lit;
	size_t n;

	if (f->conv == PNE_TC_LIST) {
		/* a list keeps its items when a line has none to add */
		*v = out->slots[f->slot];
		if (s.present)
			list_append(out, f->max, s, v);
		return 0;
	}
	*v = 0;
	if (!s.present)
		return 0;  /* an absent source is 0, the empty string included */
	switch (f->conv) {
	case PNE_TC_DECIMAL:
		return number(s, 10, f->max, v);
	case PNE_TC_HEX:
		return number(s, 16, f->max, v);
	case PNE_TC_STRING:
		n = out->arena_size - *out->arena_used;
		if (n > s.len)
			n = s.len;
		if (n > f->max)
			n = (size_t)f->max;
		if (n > 0)
			memcpy(out->arena + *out->arena_used, s.p, n);
		*v = (uint64_t)*out->arena_used << 32 | n;
		*out->arena_used += (uint32_t)n;
		return 0;
	case PNE_TC_CONTAINS:
	case PNE_TC_IS:
	case PNE_TC_PREFIX:
	case PNE_TC_SUFFIX:
		if (!str_ok(spec, f->lit))
			return PNE_ERR_BAD_TABLE;
		lit = &spec->strs[f->lit];
		if (f->conv == PNE_TC_CONTAINS)
			*v = ci_contains(s.p, s.len, (const uint8_t *)lit->s, lit->len);
		else if (f->conv == PNE_TC_IS)
			*v = s.len == lit->len && ci_equal(s.p, (const uint8_t *)lit->s, s.len);
		else if (f->conv == PNE_TC_SUFFIX)
			*v = ci_suffix(s.p, s.len, (const uint8_t *)lit->s, lit->len);
		else
			*v = s.len >= lit->len && ci_equal(s.p, (const uint8_t *)lit->s, lit->len);
		return 0;
	case PNE_TC_NUMERIC:
		*v = s.len > 0;
		for (size_t i = 0; i < s.len; i++)
			if (s.p[i] < '0' || s.p[i] > '9')
				*v = 0;
		return 0;
	case PNE_TC_PRESENT:
		*v = 1;
		return 0;
	case PNE_TC_LENGTH:
		*v = s.len;
		return 0;
	case PNE_TC_LIST:
		break;  /* handled above */
	}
	return PNE_ERR_BAD_TABLE;
}

int pne_text_fields(const struct pne_spec *spec, const struct pne_text *td,
		    const uint8_t *t, size_t len, const struct pne_text_out *out)
{
	struct text_view v;

	if ((uint32_t)td->field + td->nfields > spec->ntfields || spec->tfields == NULL ||
	    spec->strs == NULL || !str_ok(spec, td->linesep) || !str_ok(spec, td->kvsep))
		return PNE_ERR_BAD_TABLE;
	/* only the scalars: the caches are written before they are read */
	v.t = t;
	v.len = len;
	v.dlen = out->delim_len;
	v.lsep = &spec->strs[td->linesep];
	v.kvsep = &spec->strs[td->kvsep];
	v.have_line0 = v.have_wline = false;
	v.nmemo = v.memo_next = 0;
	v.fields.built = false;
	for (unsigned k = 0; k < td->nfields; k++) {
		const struct pne_tfield *f = &spec->tfields[td->field + k];
		uint64_t val;
		int err;

		if (f->slot >= spec->nslots)
			return PNE_ERR_BAD_TABLE;
		err = convert(spec, f, source(spec, &v, f), out, &val);
		if (err)
			return err;
		out->slots[f->slot] = val;
	}
	return 0;
}
