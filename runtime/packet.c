/*
 * Packet parser (include/pne/packet.h): link layer, IPv4/IPv6 and TCP
 * headers of one frame, into a struct pne_pkt and a symmetric flow key.
 *
 * Bounds discipline: `off` is always <= caplen, and every read of n
 * bytes at off is preceded by a check `caplen - off >= n`. Lengths taken
 * from headers are compared by subtraction against what is left, never
 * added to an offset before that check, so no sum can wrap.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "pne/packet.h"

#define ETH_HLEN        14
#define SLL_HLEN        16
#define SLL2_HLEN       20
#define HDLC_HLEN       4
#define NULL_HLEN       4
#define IP4_HLEN        20
#define IP6_HLEN        40
#define TCP_HLEN        20
#define VLAN_TAG_LEN    4
#define MAX_VLAN        2

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_IPV6  0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ  0x9100   /* pre-802.1ad double tagging */
#define ETHERTYPE_MPLS_UC 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define MPLS_LSE_LEN    4
#define MPLS_BOS        0x01     /* bottom-of-stack bit, 3rd byte of an entry */

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_     6
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_      51
#define IPPROTO_DSTOPTS_ 60

/* Address families in BSD loopback headers: AF_INET is 2 everywhere,
 * AF_INET6 differs per OS (NetBSD/OpenBSD, FreeBSD, Darwin, Linux). */
#define BSD_AF_INET     2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30
#define BSD_AF_INET6_LINUX 10

/* What follows the link header. */
enum l3 { L3_NONE, L3_IPV4, L3_IPV6, L3_ANY };

static const char *const result_name[] = {
#define X(NAME, name, pass, desc) #name,
#include "pne/pkt_drop.def"
#undef X
};
static const char *const result_desc[] = {
#define X(NAME, name, pass, desc) desc,
#include "pne/pkt_drop.def"
#undef X
};
static const unsigned char result_pass[] = {
#define X(NAME, name, pass, desc) pass,
#include "pne/pkt_drop.def"
#undef X
};
static_assert(sizeof(result_name) / sizeof(result_name[0]) == PNE_PKT__COUNT,
	      "outcome name table");
static_assert(sizeof(result_pass) == PNE_PKT__COUNT, "outcome pass table");
static_assert(sizeof(struct pne_flow_key) == 36, "flow key has no padding");

/* IPv4-mapped IPv6 prefix, RFC 4291 section 2.5.5.2. */
static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- link layer ---- */

/*
 * An MPLS label stack (RFC 3032 section 2.1) at *off: 4-byte entries up
 * to the one with the bottom-of-stack bit, at most PNE_PKT_MPLS_MAX. The
 * stack doesn't say what it carries; IP is told by its version nibble
 * (RFC 4385 section 2 keeps 4 and 6 for IP: a pseudowire control word
 * starts with 0, and Ethernet over MPLS isn't followed).
 */
static enum pne_pkt_result mpls_l3(const uint8_t *f, uint32_t caplen,
				   uint32_t *off, enum l3 *l3)
{
	unsigned n;

	for (n = 0;; n++) {
		if (n == PNE_PKT_MPLS_MAX)
			return PNE_PKT_ENCAP;
		if (caplen - *off < MPLS_LSE_LEN)
			return PNE_PKT_TRUNC_LINK;
		*off += MPLS_LSE_LEN;
		if (f[*off - 2] & MPLS_BOS)
			break;
	}
	if (caplen - *off < 1)
		return PNE_PKT_TRUNC_IP;
	switch (f[*off] >> 4) {
	case 4:
		*l3 = L3_IPV4;
		return PNE_PKT_OK;
	case 6:
		*l3 = L3_IPV6;
		return PNE_PKT_OK;
	}
	return PNE_PKT_ENCAP;
}

/* Map an ethertype to the layer 3 that follows, walking up to MAX_VLAN
 * 802.1Q/802.1ad tags and an MPLS label stack first. *off is at the tags
 * (or the payload). */
static enum pne_pkt_result ether_l3(const uint8_t *f, uint32_t caplen,
				    uint32_t *off, uint16_t type,
				    struct pne_pkt *out, enum l3 *l3)
{
	while (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	       type == ETHERTYPE_QINQ) {
		if (out->nvlan == MAX_VLAN)
			return PNE_PKT_ENCAP;
		if (caplen - *off < VLAN_TAG_LEN)
			return PNE_PKT_TRUNC_LINK;
		out->vlan[out->nvlan++] = rd16(f + *off) & 0x0fff;
		type = rd16(f + *off + 2);
		*off += VLAN_TAG_LEN;
	}
	if (type == ETHERTYPE_IPV4)
		*l3 = L3_IPV4;
	else if (type == ETHERTYPE_IPV6)
		*l3 = L3_IPV6;
	else if (type == ETHERTYPE_MPLS_UC || type == ETHERTYPE_MPLS_MC)
		return mpls_l3(f, caplen, off, l3);
	else
		return PNE_PKT_NOT_IP;
	return PNE_PKT_OK;
}

/* BSD loopback: a 4-byte address family, in the writer's byte order for
 * LINKTYPE_NULL and big endian for LINKTYPE_LOOP; both orders are taken
 * (a family value never exceeds 0xffff, so the order shows). */
static enum pne_pkt_result null_l3(const uint8_t *f, enum l3 *l3)
{
	uint32_t af = rd32(f);

	if (af > 0xffff)
		af = __builtin_bswap32(af);
	switch (af) {
	case BSD_AF_INET:
		*l3 = L3_IPV4;
		return PNE_PKT_OK;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
	case BSD_AF_INET6_LINUX:
		*l3 = L3_IPV6;
		return PNE_PKT_OK;
	}
	return PNE_PKT_NOT_IP;
}

/* Strip the link header: *off and *l3 say where IP starts and which. */
static enum pne_pkt_result parse_link(const uint8_t *f, uint32_t caplen,
				      int linktype, uint32_t *off,
				      struct pne_pkt *out, enum l3 *l3)
{
	switch (linktype) {
	case PNE_LINK_EN10MB:
		if (caplen < ETH_HLEN)
			return PNE_PKT_TRUNC_LINK;
		*off = ETH_HLEN;
		return ether_l3(f, caplen, off, rd16(f + 12), out, l3);
	case PNE_LINK_SLL:
		if (caplen < SLL_HLEN)
			return PNE_PKT_TRUNC_LINK;
		*off = SLL_HLEN;
		return ether_l3(f, caplen, off, rd16(f + 14), out, l3);
	case PNE_LINK_SLL2:
		if (caplen < SLL2_HLEN)
			return PNE_PKT_TRUNC_LINK;
		*off = SLL2_HLEN;
		return ether_l3(f, caplen, off, rd16(f), out, l3);
	case PNE_LINK_C_HDLC:
		/* address (0x0f unicast, 0x8f broadcast), control, ethertype */
		if (caplen < HDLC_HLEN)
			return PNE_PKT_TRUNC_LINK;
		*off = HDLC_HLEN;
		return ether_l3(f, caplen, off, rd16(f + 2), out, l3);
	case PNE_LINK_NULL:
	case PNE_LINK_LOOP:
		if (caplen < NULL_HLEN)
			return PNE_PKT_TRUNC_LINK;
		*off = NULL_HLEN;
		return null_l3(f, l3);
	case PNE_LINK_RAW:
	case PNE_LINK_DLT_RAW:
	case PNE_LINK_DLT_RAW14:
		*off = 0;
		*l3 = L3_ANY;
		return PNE_PKT_OK;
	case PNE_LINK_IPV4:
		*off = 0;
		*l3 = L3_IPV4;
		return PNE_PKT_OK;
	case PNE_LINK_IPV6:
		*off = 0;
		*l3 = L3_IPV6;
		return PNE_PKT_OK;
	}
	return PNE_PKT_LINKTYPE;
}

/* ---- flow key ---- */

/*
 * Fill key and hash from the segment's addresses and ports. is_v4 is a
 * constant at each call site, so each family gets its own inlined copy:
 * IPv4 compares two 32-bit numbers instead of 16 bytes.
 */
static inline void make_key(struct pne_pkt *out, const uint8_t *src,
			    const uint8_t *dst, uint16_t sport, uint16_t dport,
			    int is_v4)
{
	int c;
	unsigned flip;
	const uint8_t *lo, *hi;

	if (is_v4) {
		uint32_t s = rd32(src), d = rd32(dst);

		c = (s > d) - (s < d);
	} else {
		c = memcmp(src, dst, 16);
	}
	flip = c > 0 || (c == 0 && sport > dport);
	lo = flip ? dst : src;
	hi = flip ? src : dst;
	if (is_v4) {
		memcpy(out->key.addr[0], v4_mapped, sizeof(v4_mapped));
		memcpy(out->key.addr[0] + 12, lo, 4);
		memcpy(out->key.addr[1], v4_mapped, sizeof(v4_mapped));
		memcpy(out->key.addr[1] + 12, hi, 4);
	} else {
		memcpy(out->key.addr[0], lo, 16);
		memcpy(out->key.addr[1], hi, 16);
	}
	out->key.port[0] = flip ? dport : sport;
	out->key.port[1] = flip ? sport : dport;
	out->dir_flip = (uint8_t)flip;
	out->hash = pne_flow_key_hash(&out->key);
}

static inline uint64_t mix64(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint32_t pne_flow_key_hash(const struct pne_flow_key *key)
{
	uint64_t w[4];
	uint32_t ports;
	uint64_t h;

	memcpy(w, key->addr, sizeof(w));
	memcpy(&ports, key->port, sizeof(ports));
	h = mix64(0x243f6a8885a308d3ULL, ports);
	h = mix64(h, w[0]);
	h = mix64(h, w[1]);
	h = mix64(h, w[2]);
	h = mix64(h, w[3]);
	/* MurmurHash3 fmix64 */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

unsigned pne_flow_key_make(struct pne_flow_key *key,
			   const uint8_t src[16], uint16_t sport,
			   const uint8_t dst[16], uint16_t dport)
{
	struct pne_pkt p;

	make_key(&p, src, dst, sport, dport, 0);
	*key = p.key;
	return p.dir_flip;
}

/* ---- TCP ---- */

/* RFC 9293 section 3.2 options; only their lengths are trusted after a
 * check against what is left. The usual data-packet layout (NOP, NOP,
 * timestamps; RFC 7323 appendix A) is matched first. */
static void parse_opts(const uint8_t *o, uint32_t len, struct pne_pkt *out)
{
	if (len == 12 && o[0] == 1 && o[1] == 1 && o[2] == 8 && o[3] == 10) {
		out->opts = PNE_TCPOPT_TS;
		out->tsval = rd32(o + 4);
		out->tsecr = rd32(o + 8);
		return;
	}
	while (len > 0) {
		uint32_t olen;

		if (o[0] == 0)                  /* end of option list */
			return;
		if (o[0] == 1) {                /* no-operation */
			o++;
			len--;
			continue;
		}
		olen = len >= 2 ? o[1] : 0;
		if (olen < 2 || olen > len) {
			out->opts |= PNE_TCPOPT_BAD;
			return;
		}
		if (o[0] == 2 && olen == 4) {
			out->opts |= PNE_TCPOPT_MSS;
			out->mss = rd16(o + 2);
		} else if (o[0] == 3 && olen == 3) {
			out->opts |= PNE_TCPOPT_WSCALE;
			out->wscale = o[2] > 14 ? 14 : o[2];
		} else if (o[0] == 4 && olen == 2) {
			out->opts |= PNE_TCPOPT_SACK_PERM;
		} else if (o[0] == 8 && olen == 10) {
			out->opts |= PNE_TCPOPT_TS;
			out->tsval = rd32(o + 2);
			out->tsecr = rd32(o + 6);
		}
		o += olen;
		len -= olen;
	}
}

/* The TCP header at l4 of an IP datagram ending at end (wire offset). */
static enum pne_pkt_result parse_tcp(const uint8_t *f, uint32_t caplen,
				     uint32_t l4, uint32_t end,
				     struct pne_pkt *out)
{
	const uint8_t *t = f + l4;
	uint32_t doff, poff, wire, have;

	if (end - l4 < TCP_HLEN)
		return PNE_PKT_TCP_HDR_LEN;
	if (caplen - l4 < TCP_HLEN)
		return PNE_PKT_TRUNC_TCP;
	doff = (uint32_t)(t[12] >> 4) * 4;
	if (doff < TCP_HLEN || doff > end - l4)
		return PNE_PKT_TCP_HDR_LEN;
	if (doff > caplen - l4)
		return PNE_PKT_TRUNC_TCP;
	out->l4_off = l4;
	out->seq = rd32(t + 4);
	out->ack = rd32(t + 8);
	out->flags = t[13];
	out->window = rd16(t + 14);
	out->opts = 0;
	if (doff > TCP_HLEN)
		parse_opts(t + TCP_HLEN, doff - TCP_HLEN, out);
	poff = l4 + doff;
	wire = end - poff;
	have = caplen - poff;
	out->payload = f + poff;
	out->payload_wire_len = wire;
	out->payload_len = have < wire ? have : wire;
	out->truncated = have < wire;
	return PNE_PKT_OK;
}

/* ---- IP ---- */

/* IPv4 (RFC 791 section 3.1) at off; wire = bytes from off on the wire. */
static enum pne_pkt_result parse_ip4(const uint8_t *f, uint32_t caplen,
				     uint32_t wire, uint32_t off,
				     struct pne_pkt *out)
{
	const uint8_t *p = f + off;
	uint32_t ihl, tot;
	enum pne_pkt_result r;

	if (caplen - off < IP4_HLEN)
		return PNE_PKT_TRUNC_IP;
	if (p[0] >> 4 != 4)
		return PNE_PKT_IP_VERSION;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	tot = rd16(p + 2);
	if (tot == 0)
		tot = wire;             /* TSO: length left for the NIC */
	if (ihl < IP4_HLEN || ihl > tot)
		return PNE_PKT_IP_HDR_LEN;
	if (tot > wire)
		return PNE_PKT_IP_LEN;
	if (ihl > caplen - off)
		return PNE_PKT_TRUNC_IP;
	if (p[9] != IPPROTO_TCP_)
		return PNE_PKT_NOT_TCP;
	if (rd16(p + 6) & 0x3fff)       /* MF or a fragment offset */
		return PNE_PKT_FRAGMENT;
	out->l3_off = off;
	out->ipv6 = 0;
	r = parse_tcp(f, caplen, off + ihl, off + tot, out);
	if (r == PNE_PKT_OK)
		make_key(out, p + 12, p + 16, rd16(f + out->l4_off),
			 rd16(f + out->l4_off + 2), 1);
	return r;
}

/*
 * Walk the IPv6 extension headers (RFC 8200 section 4) from the fixed
 * header at off to the upper-layer header, of a datagram ending at end.
 * On PNE_PKT_OK, *l4 is the TCP header's offset.
 */
static enum pne_pkt_result ip6_chain(const uint8_t *f, uint32_t caplen,
				     uint32_t off, uint32_t end, uint32_t *l4)
{
	uint32_t h = off + IP6_HLEN, len;
	uint8_t nh = f[off + 6];
	int fragmented = 0;
	unsigned n;

	for (n = 0; n <= PNE_PKT_IP6_MAX_EXT; n++) {
		if (nh == IPPROTO_TCP_) {
			*l4 = h;
			return fragmented ? PNE_PKT_FRAGMENT : PNE_PKT_OK;
		}
		if (nh != IPPROTO_HOPOPTS_ && nh != IPPROTO_ROUTING_ &&
		    nh != IPPROTO_FRAGMENT_ && nh != IPPROTO_DSTOPTS_ &&
		    nh != IPPROTO_AH_)
			return PNE_PKT_NOT_TCP;
		if (n == PNE_PKT_IP6_MAX_EXT || end - h < 8)
			return PNE_PKT_IP6_EXT;
		if (caplen - h < 8)
			return PNE_PKT_TRUNC_IP;
		if (nh == IPPROTO_FRAGMENT_) {
			/* non-first fragment: no upper-layer header here */
			if (rd16(f + h + 2) & 0xfff8)
				return PNE_PKT_FRAGMENT;
			/* more fragments; an atomic fragment (RFC 6946) is whole */
			fragmented |= f[h + 3] & 1;
			len = 8;
		} else if (nh == IPPROTO_AH_) {
			len = ((uint32_t)f[h + 1] + 2) * 4;   /* RFC 4302 2.2 */
		} else {
			len = ((uint32_t)f[h + 1] + 1) * 8;
		}
		if (len > end - h)
			return PNE_PKT_IP6_EXT;
		if (len > caplen - h)
			return PNE_PKT_TRUNC_IP;
		nh = f[h];
		h += len;
	}
	return PNE_PKT_IP6_EXT;         /* not reached: n stops the loop */
}

/* IPv6 (RFC 8200 section 3) at off; wire = bytes from off on the wire. */
static enum pne_pkt_result parse_ip6(const uint8_t *f, uint32_t caplen,
				     uint32_t wire, uint32_t off,
				     struct pne_pkt *out)
{
	const uint8_t *p = f + off;
	uint32_t tot, l4 = 0;
	enum pne_pkt_result r;

	if (caplen - off < IP6_HLEN)
		return PNE_PKT_TRUNC_IP;
	if (p[0] >> 4 != 6)
		return PNE_PKT_IP_VERSION;
	/* wire >= caplen - off >= IP6_HLEN here */
	tot = rd16(p + 4);
	if (tot == 0)
		tot = wire - IP6_HLEN;  /* jumbogram or TSO: the rest */
	if (tot > wire - IP6_HLEN)
		return PNE_PKT_IP_LEN;
	tot += IP6_HLEN;
	r = ip6_chain(f, caplen, off, off + tot, &l4);
	if (r != PNE_PKT_OK)
		return r;
	out->l3_off = off;
	out->ipv6 = 1;
	r = parse_tcp(f, caplen, l4, off + tot, out);
	if (r == PNE_PKT_OK)
		make_key(out, p + 8, p + 24, rd16(f + l4), rd16(f + l4 + 2), 0);
	return r;
}

enum pne_pkt_result pne_pkt_parse(const uint8_t *frame, uint32_t caplen,
				  uint32_t wirelen, int linktype,
				  struct pne_pkt *out)
{
	uint32_t off = 0, wire;
	enum l3 l3 = L3_NONE;
	enum pne_pkt_result r;

	if (wirelen < caplen)
		wirelen = caplen;
	out->nvlan = 0;
	r = parse_link(frame, caplen, linktype, &off, out, &l3);
	if (r != PNE_PKT_OK)
		return r;
	wire = wirelen - off;
	if (l3 == L3_ANY) {
		if (caplen - off < 1)
			return PNE_PKT_TRUNC_IP;
		l3 = frame[off] >> 4 == 6 ? L3_IPV6 : L3_IPV4;
	}
	if (l3 == L3_IPV4)
		return parse_ip4(frame, caplen, wire, off, out);
	return parse_ip6(frame, caplen, wire, off, out);
}

const char *pne_pkt_result_name(enum pne_pkt_result r)
{
	if ((unsigned)r >= PNE_PKT__COUNT)
		return "?";
	return result_name[r];
}

const char *pne_pkt_result_desc(enum pne_pkt_result r)
{
	if ((unsigned)r >= PNE_PKT__COUNT)
		return "?";
	return result_desc[r];
}

int pne_pkt_result_passes(enum pne_pkt_result r)
{
	if ((unsigned)r >= PNE_PKT__COUNT)
		return 0;
	return result_pass[r];
}
