/*
 * Unit tests of the packet parser (runtime/packet.c): hand-built frames
 * of every supported link type, VLAN tags, MPLS, IPv4 options, IPv6 extension
 * headers, fragments, TCP options, malformed headers, and every prefix
 * of valid frames. Every frame handed to the parser ends right before a
 * PROT_NONE guard page, so a read past caplen crashes the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "pne/packet.h"

#define MAX_FRAME 2048

/* ---- guard page ---- */

static uint8_t *guard_base;
static size_t guard_len;

static int setup(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	guard_len = ((MAX_FRAME + pg - 1) / pg) * pg + pg;
	guard_base = mmap(NULL, guard_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard_base == MAP_FAILED)
		return -1;
	return mprotect(guard_base + guard_len - pg, pg, PROT_NONE);
}

static int teardown(void **state)
{
	return munmap(guard_base, guard_len);
}

/* Copy len bytes so that they end at the guard page. */
static const uint8_t *guarded(const uint8_t *f, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *dst = guard_base + guard_len - pg - len;

	assert_true(len <= MAX_FRAME);
	memcpy(dst, f, len);
	return dst;
}

static enum pne_pkt_result parse(const uint8_t *f, size_t caplen, size_t wirelen,
				 int linktype, struct pne_pkt *p)
{
	return pne_pkt_parse(guarded(f, caplen), (uint32_t)caplen,
			     (uint32_t)wirelen, linktype, p);
}

/* ---- frame builders ---- */

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	const uint8_t *opts;       /* multiple of 4 bytes */
	size_t optlen;
	const char *payload;
};

static const struct seg seg_default = {
	.sport = 51238, .dport = 80, .seq = 1000, .ack = 2000,
	.flags = PNE_TCP_ACK | PNE_TCP_PSH, .window = 512,
	.payload = "GET / HTTP/1.1\r\n\r\n",
};

static size_t mk_tcp(uint8_t *p, const struct seg *s)
{
	size_t plen = s->payload ? strlen(s->payload) : 0;

	memset(p, 0, 20);
	wr16(p, s->sport);
	wr16(p + 2, s->dport);
	wr32(p + 4, s->seq);
	wr32(p + 8, s->ack);
	p[12] = (uint8_t)(((20 + s->optlen) / 4) << 4);
	p[13] = s->flags;
	wr16(p + 14, s->window);
	if (s->optlen)
		memcpy(p + 20, s->opts, s->optlen);
	if (plen)
		memcpy(p + 20 + s->optlen, s->payload, plen);
	return 20 + s->optlen + plen;
}

static const uint8_t a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* IPv4 header with ihl_words (>= 5; the extra words are NOP options)
 * around l4; frag is the flags/offset field. */
static size_t mk_ip4(uint8_t *p, const uint8_t *src, const uint8_t *dst,
		     uint8_t proto, unsigned ihl_words, uint16_t frag,
		     const uint8_t *l4, size_t l4len)
{
	size_t hl = ihl_words * 4;

	memset(p, 0, hl);
	p[0] = (uint8_t)(0x40 | ihl_words);
	wr16(p + 2, (uint16_t)(hl + l4len));
	wr16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	memset(p + 20, 1, hl - 20);
	memmove(p + hl, l4, l4len);
	return hl + l4len;
}

/* IPv6 header; ext (extlen bytes, already chained) sits between it and
 * l4; nh is the first next-header value. */
static size_t mk_ip6(uint8_t *p, const uint8_t *src, const uint8_t *dst,
		     uint8_t nh, const uint8_t *ext, size_t extlen,
		     const uint8_t *l4, size_t l4len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	wr16(p + 4, (uint16_t)(extlen + l4len));
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	if (extlen)
		memcpy(p + 40, ext, extlen);
	memmove(p + 40 + extlen, l4, l4len);
	return 40 + extlen + l4len;
}

static size_t mk_tcp4(uint8_t *p, const struct seg *s)
{
	uint8_t l4[256];
	size_t n = mk_tcp(l4, s);

	return mk_ip4(p, a4, b4, 6, 5, 0x4000, l4, n);
}

static size_t mk_tcp6(uint8_t *p, const struct seg *s)
{
	uint8_t l4[256];
	size_t n = mk_tcp(l4, s);

	return mk_ip6(p, a6, b6, 6, NULL, 0, l4, n);
}

static size_t mk_eth(uint8_t *p, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };

	memcpy(p, macs, 12);
	wr16(p + 12, type);
	return 14;
}

/* Prefix a link header of linktype for an IPv4 or IPv6 datagram. */
static size_t mk_link(uint8_t *p, int linktype, int v6)
{
	uint16_t et = v6 ? 0x86dd : 0x0800;

	switch (linktype) {
	case PNE_LINK_EN10MB:
		return mk_eth(p, et);
	case PNE_LINK_SLL:
		memset(p, 0, 16);
		wr16(p + 2, 1);          /* ARPHRD_ETHER */
		wr16(p + 4, 6);
		wr16(p + 14, et);
		return 16;
	case PNE_LINK_SLL2:
		memset(p, 0, 20);
		wr16(p, et);
		wr32(p + 4, 2);          /* interface index */
		wr16(p + 8, 1);
		return 20;
	case PNE_LINK_C_HDLC:
		p[0] = 0x0f;
		p[1] = 0;
		wr16(p + 2, et);
		return 4;
	case PNE_LINK_NULL: {        /* host order */
		uint32_t af = v6 ? 30 : 2;

		memcpy(p, &af, 4);
		return 4;
	}
	case PNE_LINK_LOOP:
		wr32(p, v6 ? 24 : 2);
		return 4;
	}
	return 0;                    /* raw IP */
}

static size_t mk_frame(uint8_t *p, int linktype, int v6, const struct seg *s)
{
	size_t n = mk_link(p, linktype, v6);

	return n + (v6 ? mk_tcp6(p + n, s) : mk_tcp4(p + n, s));
}

static const int all_links[] = {
	PNE_LINK_EN10MB, PNE_LINK_SLL, PNE_LINK_SLL2, PNE_LINK_C_HDLC,
	PNE_LINK_NULL, PNE_LINK_LOOP, PNE_LINK_RAW, PNE_LINK_DLT_RAW,
	PNE_LINK_DLT_RAW14, PNE_LINK_IPV4, PNE_LINK_IPV6,
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int link_carries(int lt, int v6)
{
	return !(lt == PNE_LINK_IPV4 && v6) && !(lt == PNE_LINK_IPV6 && !v6);
}

static void v4_mapped(uint8_t out[16], const uint8_t *a)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, a, 4);
}

/* ---- tests ---- */

static void test_eth_ipv4(void **state)
{
	uint8_t f[MAX_FRAME], m[16];
	struct pne_pkt p;
	size_t n = mk_frame(f, PNE_LINK_EN10MB, 0, &seg_default);

	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.ack, 2000);
	assert_int_equal(p.flags, PNE_TCP_ACK | PNE_TCP_PSH);
	assert_int_equal(p.window, 512);
	assert_int_equal(p.payload_len, 18);
	assert_int_equal(p.payload_wire_len, 18);
	assert_memory_equal(p.payload, "GET / HTTP/1.1\r\n\r\n", 18);
	assert_int_equal(p.truncated, 0);
	assert_int_equal(p.ipv6, 0);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.opts, 0);
	/* 10.0.0.1:51238 < 10.0.0.2:80 by address: sender is endpoint 0 */
	assert_int_equal(p.dir_flip, 0);
	v4_mapped(m, a4);
	assert_memory_equal(p.key.addr[0], m, 16);
	v4_mapped(m, b4);
	assert_memory_equal(p.key.addr[1], m, 16);
	assert_int_equal(p.key.port[0], 51238);
	assert_int_equal(p.key.port[1], 80);
	assert_int_equal(p.hash, pne_flow_key_hash(&p.key));
}

/* Every link type carries the same segment to the same key and payload. */
static void test_link_types(void **state)
{
	uint8_t f[MAX_FRAME];
	struct pne_pkt ref, p;
	size_t i, n;
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		n = mk_frame(f, PNE_LINK_RAW, v6, &seg_default);
		assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &ref), PNE_PKT_OK);
		assert_int_equal(ref.ipv6, v6);
		for (i = 0; i < NELEM(all_links); i++) {
			if (!link_carries(all_links[i], v6))
				continue;
			n = mk_frame(f, all_links[i], v6, &seg_default);
			assert_int_equal(parse(f, n, n, all_links[i], &p), PNE_PKT_OK);
			assert_memory_equal(&p.key, &ref.key, sizeof(p.key));
			assert_int_equal(p.hash, ref.hash);
			assert_int_equal(p.payload_len, 18);
			assert_memory_equal(p.payload, "GET / HTTP/1.1", 14);
			assert_int_equal(p.l3_off, mk_link(f, all_links[i], v6));
		}
	}
}

static void test_link_variants(void **state)
{
	uint8_t f[MAX_FRAME];
	struct pne_pkt p;
	size_t n;
	uint32_t af;
	static const uint32_t af6[] = { 10, 24, 28, 30 };
	size_t i;

	/* BSD null in the other byte order, and every AF_INET6 value */
	n = mk_frame(f, PNE_LINK_LOOP, 0, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_NULL, &p), PNE_PKT_OK);
	for (i = 0; i < NELEM(af6); i++) {
		n = mk_frame(f, PNE_LINK_NULL, 1, &seg_default);
		af = af6[i];
		memcpy(f, &af, 4);
		assert_int_equal(parse(f, n, n, PNE_LINK_NULL, &p), PNE_PKT_OK);
		assert_int_equal(p.ipv6, 1);
	}
	af = 7;                               /* some other family */
	memcpy(f, &af, 4);
	assert_int_equal(parse(f, n, n, PNE_LINK_NULL, &p), PNE_PKT_NOT_IP);
	/* raw IP: version nibble picks the family */
	n = mk_frame(f, PNE_LINK_RAW, 0, &seg_default);
	f[0] = 0x55;
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_IP_VERSION);
	/* LINKTYPE_IPV4 with an IPv6 packet */
	n = mk_frame(f, PNE_LINK_RAW, 1, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_IPV4, &p), PNE_PKT_IP_VERSION);
	/* Ethernet says IPv6, the packet is IPv4 */
	n = mk_frame(f, PNE_LINK_EN10MB, 0, &seg_default);
	wr16(f + 12, 0x86dd);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_IP_VERSION);
	/* ARP, 802.3 length field */
	wr16(f + 12, 0x0806);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_NOT_IP);
	wr16(f + 12, 0x0040);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_NOT_IP);
	/* unknown link types */
	assert_int_equal(parse(f, n, n, 9, &p), PNE_PKT_LINKTYPE);
	assert_int_equal(parse(f, n, n, -1, &p), PNE_PKT_LINKTYPE);
	/* short link headers */
	assert_int_equal(parse(f, 13, 13, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 15, 15, PNE_LINK_SLL, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 19, 19, PNE_LINK_SLL2, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 3, 3, PNE_LINK_C_HDLC, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 3, 3, PNE_LINK_NULL, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 0, 0, PNE_LINK_RAW, &p), PNE_PKT_TRUNC_IP);
}

static void test_vlan(void **state)
{
	uint8_t f[MAX_FRAME];
	struct pne_pkt p;
	size_t n = 0;

	/* 802.1ad outer tag 100, 802.1Q inner tag 200 */
	n = mk_eth(f, 0x88a8);
	wr16(f + n, 0x2000 | 100);
	wr16(f + n + 2, 0x8100);
	wr16(f + n + 4, 0x0000 | 200);
	wr16(f + n + 6, 0x86dd);
	n += 8;
	n += mk_tcp6(f + n, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 100);
	assert_int_equal(p.vlan[1], 200);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.ipv6, 1);

	/* one 802.1Q tag */
	n = mk_eth(f, 0x8100);
	wr16(f + n, 4095);
	wr16(f + n + 2, 0x0800);
	n += 4;
	n += mk_tcp4(f + n, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 4095);
	assert_int_equal(p.l3_off, 18);

	/* a tag cut short */
	assert_int_equal(parse(f, 16, 16, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_LINK);

	/* three tags are not followed */
	n = mk_eth(f, 0x9100);
	wr16(f + n, 1);
	wr16(f + n + 2, 0x8100);
	wr16(f + n + 4, 2);
	wr16(f + n + 6, 0x8100);
	wr16(f + n + 8, 3);
	wr16(f + n + 10, 0x0800);
	n += 12;
	n += mk_tcp4(f + n, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_ENCAP);
	assert_true(pne_pkt_result_passes(PNE_PKT_ENCAP));

	/* VLAN inside Linux cooked capture */
	memset(f, 0, 16);
	wr16(f + 14, 0x8100);
	wr16(f + 16, 7);
	wr16(f + 18, 0x0800);
	n = 20 + mk_tcp4(f + 20, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_SLL, &p), PNE_PKT_OK);
	assert_int_equal(p.vlan[0], 7);
}

/* One MPLS label stack entry (RFC 3032 section 2.1) at p. */
static size_t mk_lse(uint8_t *p, uint32_t label, int bos)
{
	wr32(p, label << 12 | (bos ? 0x100u : 0) | 64);
	return 4;
}

static void test_mpls(void **state)
{
	uint8_t f[MAX_FRAME], tcp[64];
	struct pne_pkt p, q;
	size_t n, m;
	int i;

	/* one label, IPv4: the same segment and key as without MPLS */
	n = mk_eth(f, 0x8847);
	n += mk_lse(f + n, 16, 1);
	m = mk_tcp4(f + n, &seg_default);
	n += m;
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.ipv6, 0);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.payload_len, strlen(seg_default.payload));
	memcpy(tcp, f + 18, m);
	n = mk_eth(f, 0x0800);
	memcpy(f + n, tcp, m);
	assert_int_equal(parse(f, n + m, n + m, PNE_LINK_EN10MB, &q), PNE_PKT_OK);
	assert_memory_equal(&p.key, &q.key, sizeof(p.key));
	assert_int_equal(p.hash, q.hash);

	/* VLAN, then a three-label stack (multicast ethertype), IPv6 */
	n = mk_eth(f, 0x8100);
	wr16(f + n, 42);
	wr16(f + n + 2, 0x8848);
	n += 4;
	n += mk_lse(f + n, 1000, 0);
	n += mk_lse(f + n, 2000, 0);
	n += mk_lse(f + n, 3000, 1);
	n += mk_tcp6(f + n, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.l3_off, 30);
	assert_int_equal(p.ipv6, 1);

	/* Cisco HDLC (the BGP capture of the corpus) */
	f[0] = 0x0f;
	f[1] = 0;
	wr16(f + 2, 0x8847);
	n = 4 + mk_lse(f + 4, 17, 1);
	n += mk_tcp4(f + n, &seg_default);
	assert_int_equal(parse(f, n, n, PNE_LINK_C_HDLC, &p), PNE_PKT_OK);
	assert_int_equal(p.l3_off, 8);

	/* cut inside the stack, or right after it */
	n = mk_eth(f, 0x8847);
	n += mk_lse(f + n, 16, 0);
	n += mk_lse(f + n, 17, 1);
	assert_int_equal(parse(f, 16, 16, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, 20, 20, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_LINK);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_IP);

	/* a pseudowire control word (first nibble 0): not followed */
	wr32(f + n, 0);
	assert_int_equal(parse(f, n + 4, n + 4, PNE_LINK_EN10MB, &p), PNE_PKT_ENCAP);

	/* PNE_PKT_MPLS_MAX entries are followed, one more is not */
	n = mk_eth(f, 0x8847);
	for (i = 0; i < PNE_PKT_MPLS_MAX; i++)
		n += mk_lse(f + n, (uint32_t)(100 + i), i == PNE_PKT_MPLS_MAX - 1);
	m = n + mk_tcp4(f + n, &seg_default);
	assert_int_equal(parse(f, m, m, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	n = mk_eth(f, 0x8847);
	for (i = 0; i <= PNE_PKT_MPLS_MAX; i++)
		n += mk_lse(f + n, (uint32_t)(100 + i), i == PNE_PKT_MPLS_MAX);
	m = n + mk_tcp4(f + n, &seg_default);
	assert_int_equal(parse(f, m, m, PNE_LINK_EN10MB, &p), PNE_PKT_ENCAP);
	/* a stack without a bottom runs out of frame */
	n = mk_eth(f, 0x8847);
	for (i = 0; i < 3; i++)
		n += mk_lse(f + n, 5, 0);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_TRUNC_LINK);
}

static void test_ipv4_options_and_checks(void **state)
{
	uint8_t f[MAX_FRAME], l4[256];
	struct pne_pkt p;
	size_t n, l4len = mk_tcp(l4, &seg_default);
	unsigned words;

	for (words = 5; words <= 15; words++) {
		n = 14 + mk_ip4(f + 14, a4, b4, 6, words, 0, l4, l4len);
		mk_eth(f, 0x0800);
		assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
		assert_int_equal(p.l4_off, 14 + words * 4);
		assert_int_equal(p.payload_len, 18);
	}
	n = 14 + mk_ip4(f + 14, a4, b4, 6, 5, 0, l4, l4len);
	/* IHL below 5 */
	f[14] = 0x44;
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_IP_HDR_LEN);
	/* IHL above the total length */
	f[14] = 0x4f;
	wr16(f + 16, 40);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_IP_HDR_LEN);
	f[14] = 0x45;
	/* total length beyond the frame */
	wr16(f + 16, (uint16_t)(n - 14 + 1));
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_IP_LEN);
	/* ... unless the capture was snapped: then it's a cut payload */
	assert_int_equal(parse(f, n, n + 1, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.truncated, 1);
	assert_int_equal(p.payload_len, 18);
	assert_int_equal(p.payload_wire_len, 19);
	/* total length 0: TSO, the rest of the frame */
	wr16(f + 16, 0);
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.payload_len, 18);
	/* version 6 in an IPv4 ethertype */
	wr16(f + 16, (uint16_t)(n - 14));
	f[14] = 0x65;
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_IP_VERSION);
	f[14] = 0x45;
	/* Ethernet padding after a short datagram is not payload */
	memset(f + n, 0xee, 30);
	assert_int_equal(parse(f, n + 30, n + 30, PNE_LINK_EN10MB, &p), PNE_PKT_OK);
	assert_int_equal(p.payload_len, 18);
	assert_int_equal(p.truncated, 0);
	/* other protocols pass */
	f[14 + 9] = 17;
	assert_int_equal(parse(f, n, n, PNE_LINK_EN10MB, &p), PNE_PKT_NOT_TCP);
	assert_true(pne_pkt_result_passes(PNE_PKT_NOT_TCP));
}

static void test_ipv4_fragments(void **state)
{
	uint8_t f[MAX_FRAME], l4[256];
	struct pne_pkt p;
	size_t l4len = mk_tcp(l4, &seg_default), n;
	static const struct { uint16_t frag; int r; } cases[] = {
		{ 0x0000, PNE_PKT_OK },          /* unfragmented */
		{ 0x4000, PNE_PKT_OK },          /* DF */
		{ 0x2000, PNE_PKT_FRAGMENT },    /* MF: first fragment */
		{ 0x0010, PNE_PKT_FRAGMENT },    /* last fragment */
		{ 0x2010, PNE_PKT_FRAGMENT },    /* middle */
		{ 0x1fff, PNE_PKT_FRAGMENT },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		n = mk_ip4(f, a4, b4, 6, 5, cases[i].frag, l4, l4len);
		assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), cases[i].r);
	}
	/* a UDP fragment is not TCP */
	n = mk_ip4(f, a4, b4, 17, 5, 0x2000, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_NOT_TCP);
	assert_true(pne_pkt_result_passes(PNE_PKT_FRAGMENT));
}

/* An extension header of type nh with len bytes (multiple of 8). */
static size_t mk_ext(uint8_t *p, uint8_t next, size_t len)
{
	memset(p, 0, len);
	p[0] = next;
	p[1] = (uint8_t)(len / 8 - 1);
	if (len > 2) {
		p[2] = 1;                /* PadN option */
		p[3] = (uint8_t)(len - 4);
	}
	return len;
}

static void test_ipv6_ext_headers(void **state)
{
	uint8_t f[MAX_FRAME], ext[512], l4[256];
	struct pne_pkt p;
	size_t l4len = mk_tcp(l4, &seg_default), e = 0, n;
	unsigned i;

	/* hop-by-hop, routing, fragment (atomic), AH, destination options */
	e += mk_ext(ext + e, 43, 8);
	e += mk_ext(ext + e, 44, 24);
	memset(ext + e, 0, 8);
	ext[e] = 51;                         /* fragment: offset 0, M=0 */
	e += 8;
	memset(ext + e, 0, 16);
	ext[e] = 60;
	ext[e + 1] = 2;                      /* AH: (2 + 2) * 4 = 16 bytes */
	e += 16;
	e += mk_ext(ext + e, 6, 16);
	n = mk_ip6(f, a6, b6, 0, ext, e, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.l4_off, 40 + e);
	assert_int_equal(p.payload_len, 18);
	assert_memory_equal(p.key.addr[0], a6, 16);
	assert_memory_equal(p.key.addr[1], b6, 16);

	/* first fragment of a TCP datagram (M=1) */
	ext[8 + 24 + 3] = 1;
	n = mk_ip6(f, a6, b6, 0, ext, e, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_FRAGMENT);
	/* non-first fragment */
	ext[8 + 24 + 3] = 0;
	wr16(ext + 8 + 24 + 2, 0x0100);
	n = mk_ip6(f, a6, b6, 0, ext, e, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_FRAGMENT);

	/* first fragment of a UDP datagram */
	memset(ext, 0, 8);
	ext[0] = 17;
	ext[3] = 1;
	n = mk_ip6(f, a6, b6, 44, ext, 8, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_NOT_TCP);

	/* ESP and "no next header" are not TCP */
	n = mk_ip6(f, a6, b6, 50, NULL, 0, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_NOT_TCP);
	n = mk_ip6(f, a6, b6, 59, NULL, 0, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_NOT_TCP);

	/* the longest chain followed, and one more */
	for (e = 0, i = 0; i < PNE_PKT_IP6_MAX_EXT; i++)
		e += mk_ext(ext + e, i + 1 < PNE_PKT_IP6_MAX_EXT ? 60 : 6, 8);
	n = mk_ip6(f, a6, b6, 60, ext, e, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	ext[e - 8] = 60;
	e += mk_ext(ext + e, 6, 8);
	n = mk_ip6(f, a6, b6, 60, ext, e, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_IP6_EXT);

	/* an extension header longer than the payload length says */
	mk_ext(ext, 6, 8);
	ext[1] = 40;
	n = mk_ip6(f, a6, b6, 0, ext, 8, l4, l4len);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_IP6_EXT);
	/* payload length beyond the frame; 0 means the rest (TSO) */
	n = mk_ip6(f, a6, b6, 6, NULL, 0, l4, l4len);
	wr16(f + 4, (uint16_t)(l4len + 1));
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_IP_LEN);
	wr16(f + 4, 0);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.payload_len, 18);
}

static void test_tcp_header_checks(void **state)
{
	uint8_t f[MAX_FRAME];
	struct pne_pkt p;
	size_t n = mk_tcp4(f, &seg_default);

	f[20 + 12] = 4 << 4;                      /* data offset 4 */
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_TCP_HDR_LEN);
	f[20 + 12] = 15 << 4;                     /* 60 > 38 bytes of segment */
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_TCP_HDR_LEN);
	f[20 + 12] = 9 << 4;                      /* 36: options eat payload */
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.payload_len, 2);
	/* an IP datagram too short for a TCP header */
	f[20 + 12] = 5 << 4;
	wr16(f + 2, 20 + 19);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_TCP_HDR_LEN);
	/* header cut by the capture, not on the wire */
	wr16(f + 2, (uint16_t)n);
	assert_int_equal(parse(f, 39, n, PNE_LINK_RAW, &p), PNE_PKT_TRUNC_TCP);
	assert_int_equal(parse(f, 19, n, PNE_LINK_RAW, &p), PNE_PKT_TRUNC_IP);
	assert_false(pne_pkt_result_passes(PNE_PKT_TRUNC_TCP));
}

static void test_tcp_options(void **state)
{
	uint8_t f[MAX_FRAME];
	struct pne_pkt p;
	struct seg s = seg_default;
	size_t n;
	static const uint8_t syn_opts[] = {
		2, 4, 0x05, 0xb4,               /* MSS 1460 */
		4, 2,                           /* SACK permitted */
		8, 10, 0, 0, 0, 7, 0, 0, 0, 0,  /* TS 7, 0 */
		1,                              /* NOP */
		3, 3, 20,                       /* window scale 20 -> 14 */
	};
	static const uint8_t ts_opts[] = {
		1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};
	static const uint8_t bad_opts[] = {
		2, 4, 1, 0, 1, 1, 3, 9,         /* MSS, then a length past the end */
	};
	static const uint8_t eol_opts[] = {
		0, 2, 4, 0x05, 1, 1, 1, 1,      /* EOL first: nothing parsed */
	};
	static const uint8_t zero_len[] = { 4, 0, 1, 1 };

	s.opts = syn_opts;
	s.optlen = sizeof(syn_opts);
	s.flags = PNE_TCP_SYN;
	s.payload = NULL;
	n = mk_tcp4(f, &s);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.opts, PNE_TCPOPT_MSS | PNE_TCPOPT_SACK_PERM |
			 PNE_TCPOPT_TS | PNE_TCPOPT_WSCALE);
	assert_int_equal(p.mss, 1460);
	assert_int_equal(p.wscale, 14);
	assert_int_equal(p.tsval, 7);
	assert_int_equal(p.tsecr, 0);
	assert_int_equal(p.payload_len, 0);

	s.opts = ts_opts;
	s.optlen = sizeof(ts_opts);
	n = mk_tcp4(f, &s);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.opts, PNE_TCPOPT_TS);
	assert_int_equal(p.tsval, 0x11223344);
	assert_int_equal(p.tsecr, 0x55667788);

	s.opts = bad_opts;
	s.optlen = sizeof(bad_opts);
	n = mk_tcp4(f, &s);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.opts, PNE_TCPOPT_MSS | PNE_TCPOPT_BAD);
	assert_int_equal(p.mss, 256);

	s.opts = eol_opts;
	s.optlen = sizeof(eol_opts);
	n = mk_tcp4(f, &s);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.opts, 0);

	s.opts = zero_len;
	s.optlen = sizeof(zero_len);
	n = mk_tcp4(f, &s);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	assert_int_equal(p.opts, PNE_TCPOPT_BAD);
}

/*
 * Every prefix of valid frames: with the frame's real wire length the
 * result is OK (payload flagged truncated) once the headers are in, a
 * TRUNC_* drop before; with the prefix as the wire length, never a pass.
 */
static void check_prefixes(const uint8_t *f, size_t n, int lt, size_t hdr_end)
{
	struct pne_pkt p;
	size_t len;
	enum pne_pkt_result r;

	for (len = 0; len <= n; len++) {
		r = parse(f, len, n, lt, &p);
		if (len >= hdr_end) {
			assert_int_equal(r, PNE_PKT_OK);
			assert_int_equal(p.truncated, len < n);
			assert_int_equal(p.payload_len, len - hdr_end);
			assert_int_equal(p.payload_wire_len, n - hdr_end);
		} else {
			assert_true(r == PNE_PKT_TRUNC_LINK || r == PNE_PKT_TRUNC_IP ||
				    r == PNE_PKT_TRUNC_TCP);
		}
		r = parse(f, len, len, lt, &p);
		if (len == n)
			assert_int_equal(r, PNE_PKT_OK);
		else
			assert_false(pne_pkt_result_passes(r));
	}
}

static void test_every_prefix(void **state)
{
	uint8_t f[MAX_FRAME], ext[64], l4[256];
	struct pne_pkt p;
	struct seg s = seg_default;
	static const uint8_t ts_opts[] = { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t i, n, e;
	int v6;

	s.opts = ts_opts;
	s.optlen = sizeof(ts_opts);
	for (v6 = 0; v6 <= 1; v6++)
		for (i = 0; i < NELEM(all_links); i++) {
			if (!link_carries(all_links[i], v6))
				continue;
			n = mk_frame(f, all_links[i], v6, &s);
			assert_int_equal(parse(f, n, n, all_links[i], &p), PNE_PKT_OK);
			check_prefixes(f, n, all_links[i], n - 18);
		}
	/* IPv4 options, IPv6 extension headers, VLAN tags */
	n = mk_tcp(l4, &s);
	n = mk_ip4(f, a4, b4, 6, 9, 0, l4, n);
	check_prefixes(f, n, PNE_LINK_RAW, n - 18);
	e = mk_ext(ext, 60, 16);
	e += mk_ext(ext + e, 6, 8);
	n = mk_tcp(l4, &s);
	n = mk_ip6(f, a6, b6, 0, ext, e, l4, n);
	check_prefixes(f, n, PNE_LINK_RAW, n - 18);
	n = mk_eth(f, 0x8100);
	wr16(f + n, 5);
	wr16(f + n + 2, 0x8100);
	wr16(f + n + 4, 6);
	wr16(f + n + 6, 0x0800);
	n += 8;
	n += mk_tcp4(f + n, &s);
	check_prefixes(f, n, PNE_LINK_EN10MB, n - 18);
	/* an MPLS label stack */
	n = mk_eth(f, 0x8847);
	n += mk_lse(f + n, 16, 0);
	n += mk_lse(f + n, 17, 1);
	n += mk_tcp6(f + n, &s);
	check_prefixes(f, n, PNE_LINK_EN10MB, n - 18);
}

/* The other direction of a segment: same key and hash, dir_flip flipped. */
static void check_symmetry(const uint8_t *src, const uint8_t *dst, int v6,
			   uint16_t sport, uint16_t dport)
{
	uint8_t f[MAX_FRAME], l4[256];
	struct pne_pkt fwd, rev;
	struct seg s = seg_default;
	size_t n;

	s.sport = sport;
	s.dport = dport;
	n = mk_tcp(l4, &s);
	n = v6 ? mk_ip6(f, src, dst, 6, NULL, 0, l4, n) :
		 mk_ip4(f, src, dst, 6, 5, 0, l4, n);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &fwd), PNE_PKT_OK);
	s.sport = dport;
	s.dport = sport;
	n = mk_tcp(l4, &s);
	n = v6 ? mk_ip6(f, dst, src, 6, NULL, 0, l4, n) :
		 mk_ip4(f, dst, src, 6, 5, 0, l4, n);
	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &rev), PNE_PKT_OK);
	assert_memory_equal(&fwd.key, &rev.key, sizeof(fwd.key));
	assert_int_equal(fwd.hash, rev.hash);
	if (memcmp(src, dst, v6 ? 16 : 4) != 0 || sport != dport)
		assert_int_equal(fwd.dir_flip, !rev.dir_flip);
	/* endpoint 0 is the lower (address, port) */
	assert_true(memcmp(fwd.key.addr[0], fwd.key.addr[1], 16) < 0 ||
		    (memcmp(fwd.key.addr[0], fwd.key.addr[1], 16) == 0 &&
		     fwd.key.port[0] <= fwd.key.port[1]));
	/* the sender is the endpoint dir_flip names */
	assert_int_equal(fwd.key.port[fwd.dir_flip], sport);
}

static void test_key_symmetry(void **state)
{
	uint8_t x[16], y[16];
	unsigned i;

	check_symmetry(a4, b4, 0, 51238, 80);
	check_symmetry(b4, a4, 0, 80, 51238);
	check_symmetry(a4, a4, 0, 1000, 2000);    /* same host, ports decide */
	check_symmetry(a4, a4, 0, 7, 7);
	check_symmetry(a6, b6, 1, 443, 443);
	check_symmetry(b6, a6, 1, 1, 65535);
	srand(1);
	for (i = 0; i < 2000; i++) {
		size_t k;

		for (k = 0; k < 16; k++) {
			x[k] = (uint8_t)rand();
			y[k] = (uint8_t)(i & 1 ? x[k] : rand());   /* half equal */
		}
		if (i & 2)
			y[15] ^= 1;
		check_symmetry(x, y, (int)(i >> 2 & 1), (uint16_t)rand(),
			       (uint16_t)rand());
	}
}

/* pne_flow_key_make() (16-byte addresses) agrees with the parser. */
static void test_key_make(void **state)
{
	uint8_t f[MAX_FRAME], sa[16], da[16];
	struct pne_pkt p;
	struct pne_flow_key k;
	size_t n = mk_tcp4(f, &seg_default);

	assert_int_equal(parse(f, n, n, PNE_LINK_RAW, &p), PNE_PKT_OK);
	v4_mapped(sa, b4);
	v4_mapped(da, a4);
	assert_int_equal(pne_flow_key_make(&k, sa, 80, da, 51238), 1);
	assert_memory_equal(&k, &p.key, sizeof(k));
	assert_int_equal(pne_flow_key_hash(&k), p.hash);
	assert_int_equal(pne_flow_key_make(&k, da, 51238, sa, 80), 0);
	assert_memory_equal(&k, &p.key, sizeof(k));
}

/* Every key bit moves the hash, and low bits spread evenly. */
static void test_hash_spread(void **state)
{
	struct pne_flow_key k, k2;
	unsigned counts[256] = { 0 };
	unsigned i, bit;
	uint32_t h;

	memset(&k, 0, sizeof(k));
	h = pne_flow_key_hash(&k);
	for (bit = 0; bit < sizeof(k) * 8; bit++) {
		k2 = k;
		((uint8_t *)&k2)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(pne_flow_key_hash(&k2), h);
	}
	/* sequential client ports of one host pair: the common worst case */
	for (i = 0; i < 256 * 64; i++) {
		k.port[0] = (uint16_t)(1024 + i);
		counts[pne_flow_key_hash(&k) & 255]++;
	}
	for (i = 0; i < 256; i++)
		assert_in_range(counts[i], 32, 96);
}

static void test_result_names(void **state)
{
	assert_string_equal(pne_pkt_result_name(PNE_PKT_OK), "ok");
	assert_string_equal(pne_pkt_result_name(PNE_PKT_TCP_HDR_LEN), "tcp_hdr_len");
	assert_string_equal(pne_pkt_result_name(PNE_PKT__COUNT), "?");
	assert_string_equal(pne_pkt_result_desc(PNE_PKT_NOT_TCP), "IP, but not TCP");
	assert_true(pne_pkt_result_passes(PNE_PKT_OK));
	assert_true(pne_pkt_result_passes(PNE_PKT_NOT_IP));
	assert_false(pne_pkt_result_passes(PNE_PKT_IP6_EXT));
	assert_false(pne_pkt_result_passes(PNE_PKT__COUNT));
	printf("sizeof(struct pne_pkt) = %zu, sizeof(struct pne_flow_key) = %zu\n",
	       sizeof(struct pne_pkt), sizeof(struct pne_flow_key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_link_variants),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_ipv4_options_and_checks),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_tcp_header_checks),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_key_symmetry),
		cmocka_unit_test(test_key_make),
		cmocka_unit_test(test_hash_spread),
		cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests_name("packet", tests, setup, teardown);
}
