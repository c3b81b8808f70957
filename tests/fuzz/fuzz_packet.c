/*
 * libFuzzer target for the packet parser (runtime/packet.c) and the flow
 * table's TCP lifecycle (runtime/flow_table.c). Input: one byte picks the
 * link type, one byte how many bytes the wire had beyond the capture,
 * the rest is the frame. Built with -DPNE_FUZZ=ON (clang); see
 * tests/fuzz_rt/tests.cmake.
 *
 * The frame is copied to a buffer of exactly its size, so ASan reports
 * any read past caplen. Beyond memory safety it checks the parser's
 * contract: an OK segment's payload lies inside the frame, its key is
 * normalised and its hash is the key's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pne/flow_table.h"
#include "pne/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	PNE_LINK_EN10MB, PNE_LINK_SLL, PNE_LINK_SLL2, PNE_LINK_C_HDLC,
	PNE_LINK_NULL, PNE_LINK_LOOP, PNE_LINK_RAW, PNE_LINK_DLT_RAW,
	PNE_LINK_DLT_RAW14, PNE_LINK_IPV4, PNE_LINK_IPV6, 9 /* unsupported */,
};

static struct pne_flow_table *table;
static uint64_t now;

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_pkt(const uint8_t *f, uint32_t caplen, const struct pne_pkt *p)
{
	int c = memcmp(p->key.addr[0], p->key.addr[1], 16);

	check(p->payload >= f && p->payload + p->payload_len <= f + caplen);
	check(p->payload_len <= p->payload_wire_len);
	check(p->truncated == (p->payload_len < p->payload_wire_len));
	check(p->l3_off < p->l4_off && p->l4_off + 20 <= caplen);
	check(c < 0 || (c == 0 && p->key.port[0] <= p->key.port[1]));
	check(p->hash == pne_flow_key_hash(&p->key));
	check(p->nvlan <= 2 && p->dir_flip <= 1);
}

/* Run the segment through a small flow table: insert, lifecycle, expiry. */
static void track(const struct pne_pkt *p)
{
	struct pne_flow_entry *e;

	if (!table) {
		struct pne_flow_table_conf c = {
			.max_flows = 64, .payload_size = 8,
			.timeout = { 100, 10, 20 },
		};

		table = pne_flow_table_create(&c);
		check(table != NULL);
	}
	now += p->window & 7;
	if (pne_flow_lookup_or_insert(table, &p->key, p->hash, now, &e) >= 0) {
		pne_flow_tcp_update(table, e, p->flags, p->dir_flip, now);
		check(pne_flow_state(e) < PNE_FLOW_STATE__COUNT);
	}
	pne_flow_expire(table, now, 4);
	check(pne_flow_count(table) <= 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pne_pkt p;
	uint8_t *frame;
	uint32_t caplen;
	int lt;
	enum pne_pkt_result r;

	if (size < 2)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	caplen = (uint32_t)(size - 2);
	frame = malloc(caplen ? caplen : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 2, caplen);
	r = pne_pkt_parse(frame, caplen, caplen + data[1], lt, &p);
	check((unsigned)r < PNE_PKT__COUNT);
	if (r == PNE_PKT_OK) {
		check_pkt(frame, caplen, &p);
		track(&p);
	}
	free(frame);
	return 0;
}
