/*
 * The packet pipeline of one worker: everything between a received frame
 * and the ADUs it yields, shared by pne-replay (a capture file), dpdk-pne
 * (one per worker lcore) and the benchmarks, so that all of them frame
 * exactly alike.
 *
 * Per frame (pne_pipe_packet()):
 *   pne_pkt_parse() -> bounded expiry (conf.expire_budget flows) ->
 *   pne_pipe_segment(): flow table lookup-or-insert -> RST acceptability
 *   (RFC 5961 section 3.2: a blind or stale RST is not a close) ->
 *   retransmitted-SYN and ISN bookkeeping (a SYN-ACK gives its peer's
 *   ISN) -> pne_flow_tcp_update() (port reuse ends the old connection)
 *   -> on a new connection, the spec of the server's port (conf.port_spec)
 *   and its tracker state -> pne_tracker_segment().
 *
 * Time ("now") is in nanoseconds of whatever clock the host chooses (the
 * capture's timestamps in pne-replay, so a replay is deterministic; the
 * TSC converted to ns in dpdk-pne); it must not go backwards.
 *
 * Tracker state. A connection whose server port no spec claims has none:
 * it stays in the flow table (counted, aged) and costs a lookup per
 * packet. A tracked connection gets pne_tracker_flow_size(spec) bytes
 * from a per-spec free list; blocks are allocated only when the list is
 * empty and never returned to the system before pne_pipe_destroy(), so
 * a steady state allocates nothing. A connection's block goes back to
 * its list as soon as the tracker has closed both directions (both FINs
 * delivered, or an acceptable RST), not when the entry leaves the table:
 * the entry itself stays for the closing timeout (TIME-WAIT), so
 * retransmissions after the close still find the connection (they reach
 * the segment hook and count as untracked segments) and a port-reusing
 * SYN is told from a retransmitted one. conf.state_memcap bounds the bytes
 * of tracker state in use and free together: at the cap, other specs'
 * free blocks are given back to make room (so one spec's burst can't
 * starve the others for good); past it a new connection is left
 * untracked and counted (state_alloc_failures).
 *
 * Memory per connection: the flow table's 64-byte entry header plus
 * the pipeline's 40 bytes of TCP bookkeeping and conf.user_size host
 * bytes, rounded up to 64 (so 128 bytes with user_size <= 24), plus
 * 4 bytes of bucket; tracker state only while the tracker needs it.
 *
 * Hosts. The ADU callback gets the connection (struct pne_pipe_flow *)
 * as its flow cookie; the hooks see connections start and end and every
 * segment (pne-replay's --flows records). Each connection carries
 * conf.user_size bytes for the host (pne_pipe_flow_user()), zeroed when
 * it starts.
 *
 * One pipeline belongs to one thread: no locks, and nothing is shared
 * between two pipelines but the read-only spec tables and port map.
 */
#ifndef PNE_PIPE_H
#define PNE_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "pne/flow_table.h"
#include "pne/interp.h"
#include "pne/packet.h"
#include "pne/table.h"
#include "pne/tracker.h"

#define PNE_PIPE_MAX_SPECS 64
#define PNE_PIPE_NO_SPEC   0xff   /* port map value: no spec claims the port */

/* "CLIENT:PORT>SERVER:PORT" (IPv6 addresses in brackets) plus NUL. */
#define PNE_FLOW_LABEL_MAX 112

/* Defaults for zero fields of struct pne_pipe_conf. */
#define PNE_PIPE_DEF_MAX_FLOWS     262144
#define PNE_PIPE_DEF_EXPIRE_BUDGET 16

struct pne_pipe;        /* opaque */
struct pne_pipe_flow;   /* opaque: one connection */

/* One selected spec and its parameter values (NULL: the defaults). */
struct pne_pipe_spec {
	const struct pne_spec *spec;
	const uint64_t *params;      /* PNE_MAX_CVARS values, kept by reference */
};

/* How a connection ended (the --flows "end" member). */
enum pne_pipe_end {
	PNE_PIPE_END_FIN,       /* both FINs, or a port-reusing SYN */
	PNE_PIPE_END_RST,
	PNE_PIPE_END_TIMEOUT,   /* idle past its class's timeout */
	PNE_PIPE_END_EVICTED,   /* the table was full */
	PNE_PIPE_END_EOF,       /* pne_pipe_flush(): end of input, shutdown */
	PNE_PIPE_END__COUNT
};

struct pne_pipe_hooks {
	/* A connection starts: its spec is chosen and its tracker state set
	 * up (pne_pipe_flow_state() is NULL when untracked). May subscribe
	 * payload consumers. */
	void (*flow_start)(struct pne_pipe_flow *f, uint64_t now, void *arg);
	/* One TCP segment of f in direction dir (flags as the tracker gets
	 * them: a retransmitted SYN has lost its SYN bit), before the tracker
	 * sees it. frame/wire_len: the whole frame. */
	void (*segment)(struct pne_pipe_flow *f, enum pne_dir dir, const struct pne_pkt *pkt,
			uint8_t flags, const uint8_t *frame, uint32_t wire_len,
			uint64_t now, void *arg);
	/* f ends, after its tracker state was closed (its last ADUs are out);
	 * state: the flow table's state name. Its memory is reused after. */
	void (*flow_end)(struct pne_pipe_flow *f, enum pne_pipe_end how, enum pne_flow_state st,
			 void *arg);
	void *arg;
};

struct pne_pipe_conf {
	const struct pne_pipe_spec *specs;   /* kept by reference */
	unsigned nspecs;                     /* <= PNE_PIPE_MAX_SPECS */
	const uint8_t *port_spec;            /* [65536]: server port -> index in
	                                        specs, or PNE_PIPE_NO_SPEC; kept
	                                        by reference */
	uint32_t max_flows;                  /* 0: PNE_PIPE_DEF_MAX_FLOWS */
	uint64_t timeout[PNE_FLOW_TMO__COUNT]; /* ns; 0: 3600 s, 60 s, 60 s */
	unsigned expire_budget;              /* flows aged out per packet at
	                                        most; 0: the default */
	struct pne_tracker_conf tracker;     /* gap_timeout in ns */
	size_t state_memcap;                 /* tracker state bytes; 0: no cap */
	uint32_t user_size;                  /* host bytes per connection */
	pne_tracker_adu_cb on_adu;           /* flow cookie: struct pne_pipe_flow * */
	void *adu_arg;
	struct pne_pipe_hooks hooks;         /* each may be NULL */
	pne_flow_alloc_fn alloc;             /* the flow table's block; NULL: */
	pne_flow_free_fn free;               /* aligned_alloc(), free() */
	void *alloc_arg;
};

/* Counters of one pipeline (plain integers: one thread owns it). */
struct pne_pipe_stats {
	uint64_t packets, wire_bytes, cap_bytes;
	uint64_t parse[PNE_PKT__COUNT];          /* by pne_pkt_parse() outcome */
	uint64_t segments;                       /* parsed TCP segments */
	uint64_t payload_packets, payload_bytes; /* with payload (wire bytes) */
	uint64_t untracked_segments, untracked_payload_packets;
	uint64_t no_flow_packets;                /* table full, nothing evictable */
	uint64_t rst_ignored;                    /* RSTs out of window */
	uint64_t state_alloc_failures;           /* connections left untracked */
	uint64_t flows_tracked, flows_untracked;
	uint64_t flows_by_spec[PNE_PIPE_MAX_SPECS];
	uint64_t flows_peak;                     /* most connections at once */
	uint64_t state_bytes, state_bytes_peak;  /* tracker state in use */
	uint64_t state_bytes_pooled;             /* allocated: in use + free */
	uint64_t adus, adus_unsynced, adus_closed;
	uint64_t adus_by_spec[PNE_PIPE_MAX_SPECS];
	struct pne_interp_stats interp;          /* summed over ended flows */
};

/* Create a pipeline (flow table and tracker allocated here). Returns
 * NULL with errno EINVAL (bad conf) or ENOMEM. */
struct pne_pipe *pne_pipe_create(const struct pne_pipe_conf *conf);

/* End every connection (pne_pipe_flush()) and free everything. Accepts
 * NULL. */
void pne_pipe_destroy(struct pne_pipe *p);

/* The tracker, to register more consumers (bodies, payload) before the
 * first packet; ADU consumers registered here run after conf.on_adu. */
struct pne_tracker *pne_pipe_tracker(struct pne_pipe *p);

/* One frame of link type linktype (enum pne_linktype) at time now.
 * Returns the parse outcome (counted in stats.parse[]). */
enum pne_pkt_result pne_pipe_packet(struct pne_pipe *p, const uint8_t *frame,
				    uint32_t caplen, uint32_t wire_len, int linktype,
				    uint64_t now);

/* The same split in two, for a host that parses a burst first (to
 * prefetch flow entries): pne_pipe_count() counts the frame and its
 * outcome, pne_pipe_segment() takes a PNE_PKT_OK segment of that frame.
 * pne_pipe_packet() is count + expire + segment. */
void pne_pipe_count(struct pne_pipe *p, const struct pne_pkt *pkt, enum pne_pkt_result res,
		    uint32_t caplen, uint32_t wire_len);
void pne_pipe_segment(struct pne_pipe *p, const struct pne_pkt *pkt, const uint8_t *frame,
		      uint32_t wire_len, uint64_t now);

/* Prefetch the flow entry of a parsed segment (the bucket chain head). */
void pne_pipe_prefetch(struct pne_pipe *p, const struct pne_pkt *pkt);

/* Age out at most budget idle connections (a host with no traffic calls
 * this from its idle loop). Returns how many ended. */
unsigned pne_pipe_expire(struct pne_pipe *p, uint64_t now, unsigned budget);

/* End every connection now (PNE_PIPE_END_EOF): until_close ADUs and the
 * last partial ones are reported. The pipeline stays usable. */
void pne_pipe_flush(struct pne_pipe *p);

const struct pne_pipe_stats *pne_pipe_stats(const struct pne_pipe *p);
const struct pne_tracker_stats *pne_pipe_tracker_stats(const struct pne_pipe *p);
const struct pne_flow_stats *pne_pipe_flow_stats(const struct pne_pipe *p);
uint32_t pne_pipe_flow_count(const struct pne_pipe *p);

/* ---- one connection (valid while it lasts) ---- */

/* Its flow table entry (key, state, client side). */
struct pne_flow_entry *pne_pipe_flow_entry(struct pne_pipe_flow *f);

/* Index of its spec in conf.specs, or PNE_PIPE_NO_SPEC. */
unsigned pne_pipe_flow_spec(const struct pne_pipe_flow *f);

/* Its tracker state (for pne_tracker_subscribe(), pne_tracker_flow_conn()),
 * NULL when untracked, and from the segment on which the tracker closed
 * both directions (the block is reused: don't keep the pointer). */
void *pne_pipe_flow_state(struct pne_pipe_flow *f);

/* Its conf.user_size bytes (8-byte aligned). */
void *pne_pipe_flow_user(struct pne_pipe_flow *f);

/* "CLIENT:PORT>SERVER:PORT" (docs/adu-log.md), the client being the
 * one the connection started with. Not stored per connection: formatted
 * into a per-thread buffer that holds the label of the flow asked for
 * last, so the pointer stays valid until a call for another flow (copy
 * the string to keep it longer) -- and until the pipeline is destroyed.
 * A second call for the same flow costs a comparison. */
const char *pne_pipe_flow_label(struct pne_pipe_flow *f);

const char *pne_pipe_end_name(enum pne_pipe_end how);  /* "fin", ... */

#endif /* PNE_PIPE_H */
