/*
 * The runtime's packet parser: one captured frame in, one TCP segment's
 * fields and its flow key out. No DPDK and no libpcap here: link types
 * are the plain numbers of pcap files (LINKTYPE_*, www.tcpdump.org/
 * linktypes.html), so pcap replay and the DPDK application share it.
 *
 * What it understands:
 *   link     Ethernet with zero, one or two 802.1Q / 802.1ad tags; raw
 *            IP; Linux cooked capture v1 and v2; BSD loopback (null and
 *            loop, either byte order); Cisco HDLC. After the link header
 *            (and its VLAN tags) an MPLS label stack (ethertype 0x8847 or
 *            0x8848) of up to PNE_PKT_MPLS_MAX entries, then IPv4 or IPv6
 *            by its version nibble. Labels are not part of the flow key.
 *   IPv4     version, header length, total length; options skipped.
 *            The header checksum is not verified (NICs and capturing
 *            hosts with offload leave it wrong in good packets). A total
 *            length of 0 (TSO on the capturing host) means "the rest of
 *            the frame".
 *   IPv6     the extension header chain: hop-by-hop, routing, fragment,
 *            destination options and AH, at most PNE_PKT_IP6_MAX_EXT of
 *            them. A payload length of 0 (jumbogram, TSO) means "the rest
 *            of the frame".
 *   TCP      data offset, flags, sequence and acknowledgement numbers,
 *            window, and the options MSS, window scale, SACK-permitted and
 *            timestamps. Malformed options don't drop the segment: they
 *            stop the option walk and set PNE_TCPOPT_BAD.
 *
 * IPv4/IPv6 fragments: counted and passed, not reassembled. A fragment
 * of a TCP datagram (IPv4 MF or offset set, a non-atomic IPv6 fragment
 * header) returns PNE_PKT_FRAGMENT and is never tracked.
 *
 * Hostile input: nothing past frame[caplen - 1] is ever read, whatever
 * the header fields say. Lengths are checked as differences, so no sum
 * can wrap.
 */
#ifndef PNE_PACKET_H
#define PNE_PACKET_H

#include <stdint.h>

/* Link types (pcap LINKTYPE_* values; DLT_RAW's per-OS numbers too). */
enum pne_linktype {
	PNE_LINK_NULL      = 0,    /* BSD loopback, AF_ value in host order */
	PNE_LINK_EN10MB    = 1,    /* Ethernet */
	PNE_LINK_DLT_RAW   = 12,   /* raw IP, DLT_RAW on most systems */
	PNE_LINK_DLT_RAW14 = 14,   /* raw IP, DLT_RAW on OpenBSD */
	PNE_LINK_RAW       = 101,  /* raw IP, LINKTYPE_RAW */
	PNE_LINK_C_HDLC    = 104,  /* Cisco HDLC */
	PNE_LINK_LOOP      = 108,  /* OpenBSD loopback, AF_ value big endian */
	PNE_LINK_SLL       = 113,  /* Linux cooked capture v1 */
	PNE_LINK_IPV4      = 228,  /* raw IPv4 only */
	PNE_LINK_IPV6      = 229,  /* raw IPv6 only */
	PNE_LINK_SLL2      = 276,  /* Linux cooked capture v2 */
};

/* Parse outcomes (pkt_drop.def): PNE_PKT_OK, PNE_PKT_NOT_TCP, ... */
enum pne_pkt_result {
#define X(NAME, name, pass, desc) PNE_PKT_##NAME,
#include "pne/pkt_drop.def"
#undef X
	PNE_PKT__COUNT
};

/* TCP flags (the header's 13th byte). */
#define PNE_TCP_FIN 0x01
#define PNE_TCP_SYN 0x02
#define PNE_TCP_RST 0x04
#define PNE_TCP_PSH 0x08
#define PNE_TCP_ACK 0x10
#define PNE_TCP_URG 0x20
#define PNE_TCP_ECE 0x40
#define PNE_TCP_CWR 0x80

/* TCP options seen (struct pne_pkt.opts). */
#define PNE_TCPOPT_MSS       0x01
#define PNE_TCPOPT_WSCALE    0x02
#define PNE_TCPOPT_SACK_PERM 0x04
#define PNE_TCPOPT_TS        0x08
#define PNE_TCPOPT_BAD       0x80  /* option walk stopped at a bad length */

/* Deepest MPLS label stack followed (PNE_PKT_ENCAP beyond). Real stacks
 * hold 1-4 entries: transport, VPN, entropy label and its indicator. */
#define PNE_PKT_MPLS_MAX 8

/* Longest IPv6 extension header chain followed (RFC 8200 section 4.1
 * allows each header once, destination options twice: 6 in all, plus AH). */
#define PNE_PKT_IP6_MAX_EXT 8

/*
 * A connection's endpoints, the same for both directions: endpoint 0 is
 * the lower (address, port) pair, compared as address bytes (network
 * order) first, then port. IPv4 addresses are stored v4-mapped
 * (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2), so one key type serves
 * both families; an IPv6 packet that itself carries v4-mapped addresses
 * shares keys with IPv4 (such packets never appear on a real wire).
 * Ports are in host byte order. 36 bytes, no padding: keys compare as
 * bytes.
 */
struct pne_flow_key {
	uint8_t addr[2][16];
	uint16_t port[2];
};

/*
 * One parsed TCP segment. pne_pkt_parse() fills every field when it
 * returns PNE_PKT_OK; for other outcomes the contents are unspecified.
 * payload points into the caller's frame and lives as long as it does.
 */
struct pne_pkt {
	struct pne_flow_key key;   /* normalised endpoints */
	uint32_t hash;             /* pne_flow_key_hash(&key): symmetric */
	uint32_t seq;              /* host order */
	uint32_t ack;              /* host order; meaningful with PNE_TCP_ACK */
	const uint8_t *payload;    /* first payload byte in the frame */
	uint32_t payload_len;      /* payload bytes present in the frame */
	uint32_t payload_wire_len; /* payload bytes the IP header announces */
	uint32_t tsval, tsecr;     /* with PNE_TCPOPT_TS */
	uint32_t l3_off;           /* IP header offset in the frame */
	uint32_t l4_off;           /* TCP header offset in the frame */
	uint16_t window;           /* raw, not scaled */
	uint16_t mss;              /* with PNE_TCPOPT_MSS */
	uint16_t vlan[2];          /* VLAN IDs, outer first (nvlan of them) */
	uint8_t flags;             /* PNE_TCP_* */
	uint8_t opts;              /* PNE_TCPOPT_* */
	uint8_t wscale;            /* with PNE_TCPOPT_WSCALE; capped at 14
	                              (RFC 7323 section 2.3) */
	uint8_t nvlan;
	uint8_t dir_flip;          /* 1: sent by endpoint 1 (the high one) to
	                              endpoint 0; 0: from endpoint 0 */
	uint8_t truncated;         /* 1: the capture cut the payload
	                              (payload_len < payload_wire_len): the
	                              missing bytes are a gap to the tracker */
	uint8_t ipv6;              /* 1: IPv6, 0: IPv4 */
};

/*
 * Parse one frame of link type linktype (enum pne_linktype). caplen bytes
 * are readable at frame; wirelen is the frame's length on the wire (pcap's
 * orig_len; a value below caplen is taken as caplen). Trailing bytes past
 * the IP datagram (Ethernet padding) are ignored.
 *
 * Returns PNE_PKT_OK with *out filled for a TCP segment; otherwise the
 * outcome that stopped the parse (pkt_drop.def says which outcomes are
 * passed and which are drops). Never reads outside frame[0, caplen).
 * Keeps no state: safe to call from any number of threads.
 */
enum pne_pkt_result pne_pkt_parse(const uint8_t *frame, uint32_t caplen,
				  uint32_t wirelen, int linktype,
				  struct pne_pkt *out);

/* "ok", "not_tcp", ... (lower-case outcome names), or "?" out of range. */
const char *pne_pkt_result_name(enum pne_pkt_result r);

/* The outcome's one-line description from pkt_drop.def. */
const char *pne_pkt_result_desc(enum pne_pkt_result r);

/* 1 when frames with outcome r are passed on, 0 when they are drops. */
int pne_pkt_result_passes(enum pne_pkt_result r);

/*
 * The flow hash of a normalised key. Symmetric because the key is: both
 * directions of a connection hash alike. It folds the key's four 64-bit
 * address words and the ports through a multiply-xorshift mixer and
 * finishes with MurmurHash3's fmix64, keeping the low 32 bits; every key
 * bit reaches every hash bit. Not keyed: a flow table bounds the damage
 * of chosen collisions by its cap, not by the hash. The DPDK side may use
 * a symmetric RSS hash instead; the flow table only needs the same hash
 * for the same key.
 */
uint32_t pne_flow_key_hash(const struct pne_flow_key *key);

/*
 * Build the normalised key of a connection from one packet's source and
 * destination (16-byte addresses, v4-mapped for IPv4; ports in host
 * order). Returns the packet's dir_flip. For tests and tools; the parser
 * does the same inline.
 */
unsigned pne_flow_key_make(struct pne_flow_key *key,
			   const uint8_t src[16], uint16_t sport,
			   const uint8_t dst[16], uint16_t dport);

#endif /* PNE_PACKET_H */
