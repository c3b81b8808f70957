/*
 * The ADU log format (docs/adu-log.md) as text, for every host that
 * writes it (pne-replay to a FILE, dpdk-pne's workers into buffers they
 * hand to the logger): one JSON object and a newline per ADU.
 */
#ifndef PNE_ADU_LOG_H
#define PNE_ADU_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "pne/interp.h"

/* "CLIENT:PORT>SERVER:PORT" of a flow key into buf (PNE_FLOW_LABEL_MAX
 * bytes, pne/pipe.h): IPv4 (stored v4-mapped) as a.b.c.d, IPv6 in
 * brackets. client_hi: the client is endpoint 1. */
void pne_flow_label(char *buf, const uint8_t addr[2][16], const uint16_t port[2],
		    int client_hi);

/* One record, newline included, into buf of size cap (NUL-terminated
 * when it fits); returns the length it needs without the NUL, like
 * snprintf: a return >= cap means it was cut. extra: more members
 * ("\"body\":{...}") or NULL. */
size_t pne_adu_log_line(char *buf, size_t cap, const char *label,
			const struct pne_adu *adu, const char *extra);

/* s as a JSON string (quotes included, RFC 8259 escapes) into buf;
 * returns the length it needs, like snprintf. */
size_t pne_json_string(char *buf, size_t cap, const char *s);

#endif /* PNE_ADU_LOG_H */
