/*
 * An ADU's reported fields as a JSON object (RFC 8259). Strings come from
 * the wire, so they are escaped: control characters as \u00XX, and any
 * byte that is not part of a well-formed UTF-8 sequence as \u00XX of the
 * byte (the output is always valid UTF-8, the input byte recoverable).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "interp_priv.h"

/* snprintf-like output: counts everything, stores what fits. */
struct jbuf {
	char *buf;
	size_t cap;
	size_t len;
};

static void put(struct jbuf *j, const char *s, size_t n)
{
	if (j->len < j->cap) {
		size_t room = j->cap - j->len;

		memcpy(j->buf + j->len, s, n < room ? n : room);
	}
	j->len += n;
}

static void puts_(struct jbuf *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629 table),
 * 0 if there is none. s[0] >= 0x80. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_string(struct jbuf *j, const uint8_t *s, size_t n)
{
	put(j, "\"", 1);
	for (size_t i = 0; i < n;) {
		uint8_t c = s[i];
		size_t seq;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
			i++;
		} else if (c >= 0x20 && c < 0x80) {
			put(j, (const char *)&s[i], 1);
			i++;
		} else if (c >= 0x80 && (seq = utf8_seq(s + i, n - i)) > 0) {
			put(j, (const char *)&s[i], seq);
			i += seq;
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
			i++;
		}
	}
	put(j, "\"", 1);
}

static uint64_t report_value(const struct pne_adu *adu, uint8_t slot)
{
	const struct pne_spec *spec = adu->spec;

	if (slot & PNE_SLOT_CVAR)
		return (slot & 0x7f) < spec->ncvars ? adu->cvars[slot & 0x7f] : 0;
	return slot < spec->nslots ? adu->slots[slot] : 0;
}

static void put_value(struct jbuf *j, const struct pne_adu *adu,
		      const struct pne_report *rep)
{
	uint64_t v = report_value(adu, rep->slot);
	char num[24];

	switch (rep->kind) {
	case PNE_RK_BOOL:
		puts_(j, v ? "true" : "false");
		break;
	case PNE_RK_STRING: {
		uint64_t off = v >> 32, len = v & UINT32_MAX;

		if (adu->strings == NULL || off + len > pne_interp_arena_size(adu->spec))
			len = 0;  /* a slot that was never a string: empty */
		put_string(j, len ? adu->strings + off : (const uint8_t *)"", (size_t)len);
		break;
	}
	default:
		snprintf(num, sizeof(num), "%" PRIu64, v);
		puts_(j, num);
		break;
	}
}

size_t pne_adu_fields_json(const struct pne_adu *adu, char *buf, size_t cap)
{
	const struct pne_spec *spec = adu->spec;
	const struct pne_unit *u;
	struct jbuf j = { buf, cap > 0 ? cap - 1 : 0, 0 };

	put(&j, "{", 1);
	if (spec != NULL && spec->abi == PNE_TABLE_ABI && adu->unit < spec->nunits) {
		u = &spec->units[adu->unit];
		for (unsigned k = 0; k < u->nreports; k++) {
			const struct pne_report *rep;
			const struct pne_str *name;

			if ((uint32_t)u->report + k >= spec->nreports)
				break;
			rep = &spec->reports[u->report + k];
			if (k > 0)
				put(&j, ",", 1);
			name = spec->strs != NULL && rep->name < spec->nstrs &&
			       spec->strs[rep->name].s != NULL ?
			       &spec->strs[rep->name] : NULL;
			put_string(&j, name ? (const uint8_t *)name->s : (const uint8_t *)"",
				   name ? name->len : 0);
			put(&j, ":", 1);
			put_value(&j, adu, rep);
		}
	}
	put(&j, "}", 1);
	if (cap > 0)
		buf[j.len < cap - 1 ? j.len : cap - 1] = '\0';
	return j.len;
}
