/*
 * The ADU log format (include/pne/adu_log.h, docs/adu-log.md) written
 * into caller buffers, snprintf-like: everything is counted, what fits
 * is stored, so a caller sizes its buffer from the first return.
 */
#include <arpa/inet.h>
#include <string.h>

#include "pne/adu_log.h"
#include "pne/pipe.h"

static const char *const dir_name[2] = { "c2s", "s2c" };

struct out {
	char *buf;
	size_t cap;    /* bytes usable for text: the caller's cap less the NUL */
	size_t len;    /* bytes needed so far */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(o, tmp + i, sizeof(tmp) - i);
}

/* RFC 8259 section 7: '"', '\\' and the controls escaped, the rest as is. */
static void put_json_string(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(o, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(o, run, (size_t)(s - run));
		run = s + 1;
		if (c >= 0x20) {
			esc[1] = (char)c;
			put(o, esc, 2);
		} else {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(o, esc, 6);
		}
	}
	put(o, run, (size_t)(s - run));
	put(o, "\"", 1);
}

static size_t finish(struct out *o, size_t cap)
{
	if (cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap] = '\0';
	return o->len;
}

size_t pne_json_string(char *buf, size_t cap, const char *s)
{
	struct out o = { buf, cap > 0 ? cap - 1 : 0, 0 };

	put_json_string(&o, s);
	return finish(&o, cap);
}

/* IPv4 keys are stored v4-mapped (pne/packet.h): ::ffff:a.b.c.d. */
static int v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* "a.b.c.d:port" or "[v6]:port". */
static void endpoint(struct out *o, const uint8_t a[16], uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];

	if (v4_mapped(a)) {
		inet_ntop(AF_INET, a + 12, ip, sizeof(ip));
		put_str(o, ip);
	} else {
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		put(o, "[", 1);
		put_str(o, ip);
		put(o, "]", 1);
	}
	put(o, ":", 1);
	put_u64(o, port);
}

/* inet_ntop() writes an IPv4 tail only after a zero or ::ffff: prefix,
 * which labels show as IPv4: the longest label is two "[" 39 "]:65535"
 * and '>', 96 bytes with its NUL, well inside PNE_FLOW_LABEL_MAX. */
void pne_flow_label(char *buf, const uint8_t addr[2][16], const uint16_t port[2],
		    int client_hi)
{
	struct out o = { buf, PNE_FLOW_LABEL_MAX - 1, 0 };
	int c = client_hi ? 1 : 0;

	endpoint(&o, addr[c], port[c]);
	put(&o, ">", 1);
	endpoint(&o, addr[!c], port[!c]);
	finish(&o, PNE_FLOW_LABEL_MAX);
}

size_t pne_adu_log_line(char *buf, size_t cap, const char *label,
			const struct pne_adu *adu, const char *extra)
{
	struct out o = { buf, cap > 0 ? cap - 1 : 0, 0 };

	put(&o, "{\"flow\":\"", 9);
	put_str(&o, label);   /* addresses, ports and punctuation: nothing to escape */
	put(&o, "\",\"dir\":\"", 9);
	put(&o, dir_name[adu->dir & 1], 3);
	put(&o, "\",\"proto\":", 10);
	put_json_string(&o, adu->spec->name);
	put(&o, ",\"type\":", 8);
	put_json_string(&o, adu->type != NULL ? adu->type : "");
	put(&o, ",\"off\":", 7);
	put_u64(&o, adu->off);
	put(&o, ",\"len\":", 7);
	put_u64(&o, adu->len);
	put_str(&o, adu->synced ? ",\"synced\":true,\"fields\":" : ",\"synced\":false,\"fields\":");
	/* the fields go straight into the line: it stores what fits of them
	 * (and a NUL the rest overwrites) and returns what they need */
	o.len += pne_adu_fields_json(adu, o.len < o.cap ? o.buf + o.len : NULL,
				     o.len < o.cap ? o.cap - o.len + 1 : 0);
	if (adu->closed)
		put(&o, ",\"closed\":true", 14);
	if (extra != NULL) {
		put(&o, ",", 1);
		put_str(&o, extra);
	}
	put(&o, "}\n", 2);
	return finish(&o, cap);
}
