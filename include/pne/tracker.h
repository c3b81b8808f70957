/*
 * The stream tracker: turns the TCP segments of a connection into the two
 * in-order byte streams the table interpreter (pne/interp.h) frames, and
 * hands the ADUs it reports, and payload on request, to consumers.
 *
 * Sequence space (RFC 9293 section 3.4). Each direction keeps:
 *   base  the sequence number of stream offset 0: ISN + 1 after a SYN;
 *         for a direction picked up mid-stream, its first seen byte;
 *   nxt   the next sequence number for the interpreter: every byte
 *         before it was consumed (or passed over, or declared lost);
 *   fin   the sequence number the FIN occupies, once seen.
 * All comparisons are modulo 2^32 (pne/tcp_seq.h); stream offsets are
 * 64-bit, so a stream may outgrow 4 GiB.
 *
 * What happens to a segment's bytes [seq, seq + len):
 *  - before nxt: already consumed: counted (dup_bytes, unverified_bytes:
 *    they were released, so they can't be compared) and ignored;
 *  - at nxt: handed to the interpreter straight from the segment (no
 *    copy); bytes the interpreter would pass over unseen
 *    (pne_interp_skippable) are passed with pne_interp_advance() and
 *    never read;
 *  - beyond nxt (out of order): if the interpreter will pass over them
 *    anyway (they end within nxt + skippable) and no consumer wants the
 *    direction's payload, only their range is remembered ("covered":
 *    not read, not copied); otherwise they are copied into the held-data
 *    pool until the hole before them fills;
 *  - overlapping held or covered bytes: the first copy wins (Suricata's
 *    "first" policy, which for bytes already consumed is the only one
 *    an in-line observer can follow). New bytes that differ from held
 *    ones count as overlap_diff; covered bytes are never compared.
 *
 * Fast path: a segment at nxt, with nothing held in its direction, no
 * payload consumer and all of its bytes skippable, costs one
 * pne_interp_skippable() and one pne_interp_advance(): its payload is not
 * touched and nothing is allocated. That includes the segment that ends a
 * skip: the interpreter runs the operations after it (and reports the
 * ADU it ends) without a byte. A payload segment counts as "examined"
 * when any of its bytes is read (fed to the interpreter because it must
 * look at it -- a header byte --, copied, compared or handed to a stream
 * subscriber): a segment whose bytes all lie inside skips is not. It is
 * "delivered" when
 * its bytes were only handed to body consumers (the interpreter passed
 * over them), "skipped" when it was passed over or covered without a
 * read, "ignored" when none of its bytes was new; exactly one of the four.
 *
 * ADU bodies (pne_tracker_on_body()). A body consumer names a spec and
 * directions; on those directions of that spec's flows the interpreter
 * reports each ADU's HEAD (pne_interp_events()), and the consumer's want
 * callback decides from it (type, fields read so far) whether it wants
 * the ADU's body: the bytes the spec passes over unread, its skips and
 * until_close -- for HTTP the message body, de-chunked, since a chunked
 * body's chunk-size lines are examined, not skipped. A wanted body is
 * handed over in stream order as DATA pieces at their stream offsets
 * (GAP for bytes lost), pointing into the caller's segment when it came
 * in order (into the held-data pool otherwise), then one ADU_END or
 * ADU_ABORT piece. Bytes inside a wanted body are held rather than
 * covered when they arrive out of order, and in-order ones are handed
 * over (the interpreter still passes over them: not examined); an
 * unwanted ADU keeps the fast path, and so does every direction that no
 * body consumer names.
 *
 * Held data: fixed-size chunks of one pool allocated at creation
 * (memcap), bounded per flow (bytes, both directions together) and per
 * direction (held ranges). When a piece of a segment must be held and
 * there is no room, the tracker first makes room, in this order: the
 * hole before this direction's held data is declared lost, then the
 * other direction's, then a direction waiting on the other (pop/wait) is
 * released with pne_interp_force(). If there is still no room (the
 * global pool is exhausted by other flows, or the piece alone is over the
 * per-flow cap), the piece is dropped and counted (hold_drops); its bytes
 * become a hole later.
 *
 * Lost holes. A hole is declared lost when the receiver acknowledges
 * bytes past its start (its bytes reached the receiver but not us: the
 * sender will never retransmit them; acked_holes), when room is needed
 * (above), when it has been open gap_timeout time units (checked on each
 * segment of the flow and by pne_tracker_flow_tick()), when the flow
 * closes, and at once for the bytes a truncated capture lacks. Until one
 * of those, a hole waits for its retransmission, however many segments
 * arrive behind it: bytes that continue a held range extend it, so a
 * window's worth of segments behind one loss takes one range. The interpreter absorbs a lost
 * hole that lies inside a known-length skip (gaps_absorbed: ADUs after
 * it stay synced); otherwise the direction resynchronises on the spec's
 * anchors and the ADUs it finds are unsynced until confirmed (resyncs).
 * Held data after the hole is then delivered.
 *
 * Waits. A direction whose operations wait on the other one consumes
 * only part of what it is given; the rest is held (at nxt) and fed again
 * whenever the other direction moves. A wait is forced when room is
 * needed, after gap_timeout, when the other direction has closed, and
 * when the flow closes.
 *
 * Lifecycle. A SYN sets its direction's base (ISN + 1); a SYN whose ISN
 * differs from a known base is ignored (port reuse is the flow table's
 * business: pne_flow_tcp_update() reports it and the caller starts a new
 * flow). Data in a direction with no SYN seen picks it up mid-stream:
 * that direction resynchronises from its first byte. A FIN closes its
 * direction (pne_interp_close) once every byte before it was delivered;
 * bytes beyond the FIN are ignored. An RST closes the flow at once (like
 * pne_tracker_flow_close()); pass only RSTs found acceptable (in window,
 * RFC 5961 section 3). Direction and client choice are the caller's
 * (pne_flow_dir()).
 *
 * Memory: each flow's state is pne_tracker_flow_size(spec) bytes of the
 * caller's (the flow table's payload); the tracker part is 192 bytes
 * (64 per direction), the rest is the interpreter's connection. Its
 * header buffers are not in it (for specs whose buffer is over
 * PNE_HDR_INLINE bytes): a direction whose header, text or peek straddles
 * segments borrows a PNE_HDR_BLOCK block from the tracker's header pool
 * (hdr_memcap) until that gather is done, and gives it back at the
 * latest when it closes (pne/interp.h, "Header buffers on loan"). When
 * the pool is empty, the direction loses those bytes as if a hole had
 * been declared lost there: it resynchronises (hdr_pool_exhausted).
 * No allocation after pne_tracker_create().
 *
 * One tracker belongs to one thread, like its flow table.
 */
#ifndef PNE_TRACKER_H
#define PNE_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pne/interp.h"
#include "pne/table.h"

/* Consumers of each kind a tracker accepts. */
#define PNE_TRACKER_MAX_CONSUMERS 4

/* Bytes of one held-data chunk. */
#define PNE_TRACKER_CHUNK 512

/* Defaults for zero fields of struct pne_tracker_conf. */
#define PNE_TRACKER_DEF_MEMCAP    (64u << 20)
#define PNE_TRACKER_DEF_FLOW_HOLD (1u << 20)
#define PNE_TRACKER_DEF_DIR_RANGES 64
#define PNE_TRACKER_DEF_HDR_MEMCAP (16u << 20)

/* Counters (tracker_stats.def). */
struct pne_tracker_stats {
#define PNE_TRACKER_STAT(name, desc) uint64_t name;
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
};

enum pne_tracker_stat_id {
#define PNE_TRACKER_STAT(name, desc) PNE_TRACKER_STAT_##name,
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
	PNE_TRACKER_STAT__COUNT
};

/*
 * An ADU, as the interpreter reports it (direction, protocol = adu->spec,
 * type, stream offset, length, fields, synced), with the flow's cookie
 * (pne_tracker_flow_init()). Everything is valid only during the call.
 */
typedef void (*pne_tracker_adu_cb)(void *flow, const struct pne_adu *adu, void *arg);

enum pne_payload_kind {
	PNE_PAYLOAD_DATA,  /* data[0..len) are the stream bytes at off */
	PNE_PAYLOAD_GAP,   /* len bytes at off are lost (data NULL) */
	PNE_PAYLOAD_END,   /* the direction's stream ended at off (len 0) */
	PNE_PAYLOAD_ADU_END,   /* body consumers: the ADU is complete; off is
	                          its end, adu its END report (len 0) */
	PNE_PAYLOAD_ADU_ABORT, /* body consumers: the ADU was dropped before
	                          its end (invalid, lost bytes, close); off is
	                          where it stopped, adu its ABORT report */
};

/* A piece of a subscribed direction's stream, or of a wanted ADU body.
 * data points into the caller's segment where the bytes arrived in order
 * (no copy), into the held-data pool otherwise; valid only during the
 * call. */
struct pne_tracker_payload {
	void *flow;                /* the flow's cookie */
	enum pne_dir dir;
	enum pne_payload_kind kind;
	uint64_t off;              /* stream offset of the first byte */
	const uint8_t *data;
	size_t len;
	const struct pne_adu *adu; /* ADU_END, ADU_ABORT: the interpreter's
	                              report; NULL for the other kinds */
};

typedef void (*pne_tracker_payload_cb)(const struct pne_tracker_payload *p, void *arg);

/* A body consumer's choice, from an ADU's PNE_ADU_HEAD report: true to
 * receive its body. Called from inside pne_tracker_segment() and
 * friends: it must not call the tracker for this flow. */
typedef bool (*pne_tracker_want_cb)(void *flow, const struct pne_adu *head, void *arg);

/* Direction bits for pne_tracker_on_body(). */
#define PNE_DIR_BIT(d) (1u << (d))

struct pne_tracker_conf {
	size_t memcap;          /* held-data pool bytes, chunks and index
	                           included; 0: PNE_TRACKER_DEF_MEMCAP */
	uint32_t flow_hold;     /* held bytes per flow, both directions;
	                           0: PNE_TRACKER_DEF_FLOW_HOLD */
	uint16_t dir_ranges;    /* held or covered ranges per direction;
	                           0: PNE_TRACKER_DEF_DIR_RANGES */
	uint64_t gap_timeout;   /* time units a hole or a wait may stay open
	                           (same units as "now"); 0: never, only cap
	                           and close decide */
	size_t hdr_memcap;      /* header pool bytes: about hdr_memcap /
	                           PNE_HDR_BLOCK gathers straddling segments at
	                           once; 0: PNE_TRACKER_DEF_HDR_MEMCAP; less
	                           than one block: EINVAL */
};

/* One captured TCP segment, as the tracker needs it. */
struct pne_tracker_seg {
	uint32_t seq;              /* sequence number (host order) */
	uint8_t flags;             /* PNE_TCP_* (pne/packet.h) */
	const uint8_t *payload;    /* len readable bytes; the tracker keeps no
	                              pointer past the call */
	uint32_t len;              /* payload bytes captured */
	uint32_t wire_len;         /* payload bytes on the wire: more than len
	                              for a truncated capture (the rest is a
	                              lost hole); 0 or less: len */
	uint32_t ack;              /* with PNE_TCP_ACK in flags: the sender's
	                              acknowledgement number (host order), the
	                              other direction's next expected byte */
};

struct pne_tracker;        /* opaque */

/* Create a tracker: the held-data and header pools are allocated here,
 * nothing later.
 * Returns NULL with errno EINVAL (bad conf) or ENOMEM. */
struct pne_tracker *pne_tracker_create(const struct pne_tracker_conf *conf);

/* Free the tracker and its pools. Flows still open keep pointers into the
 * pools: close them first. Accepts NULL. */
void pne_tracker_destroy(struct pne_tracker *tr);

/* Register an ADU consumer (called in registration order). Returns 0,
 * or -ENOSPC past PNE_TRACKER_MAX_CONSUMERS, -EINVAL for a NULL cb. */
int pne_tracker_on_adu(struct pne_tracker *tr, pne_tracker_adu_cb cb, void *arg);

/* Register a payload consumer; returns its id (>= 0) for
 * pne_tracker_subscribe(), or -ENOSPC / -EINVAL. */
int pne_tracker_on_payload(struct pne_tracker *tr, pne_tracker_payload_cb cb, void *arg);

/* Register a body consumer (see "ADU bodies" above) for the ADUs of spec
 * spec_name (NULL: every spec; the string is kept, not copied) in the
 * directions dirs (PNE_DIR_BIT()s): want picks ADUs by their HEAD, cb
 * gets the wanted bodies' pieces, both with arg. It applies to flows
 * initialised after it. Returns its id (>= 0), -ENOSPC past
 * PNE_TRACKER_MAX_CONSUMERS, or -EINVAL (NULL want or cb, no direction). */
int pne_tracker_on_body(struct pne_tracker *tr, const char *spec_name, unsigned dirs,
			pne_tracker_want_cb want, pne_tracker_payload_cb cb, void *arg);

/* Bytes of per-flow state for spec (tracker part + interpreter
 * connection), a multiple of 64; 0 if the spec is unusable. */
size_t pne_tracker_flow_size(const struct pne_spec *spec);

/* Set up state (pne_tracker_flow_size(spec) bytes, 8-byte aligned) for a
 * new flow of spec with parameter values params (NULL: defaults). flow is
 * the caller's cookie, handed back with every ADU and payload piece.
 * Returns 0, or -EINVAL (NULL arguments, unusable spec). */
int pne_tracker_flow_init(struct pne_tracker *tr, void *state,
			  const struct pne_spec *spec, const uint64_t *params,
			  void *flow);

/* One segment of the flow in direction dir at time now (any unit; must
 * not go backwards for one flow). ADUs and payload are reported from
 * inside. The segment's memory is the caller's again on return. */
void pne_tracker_segment(struct pne_tracker *tr, void *state, enum pne_dir dir,
			 const struct pne_tracker_seg *seg, uint64_t now);

/* Declare holes and waits older than gap_timeout lost (for flows that
 * stopped sending: the flow table's ageing walk may call this). */
void pne_tracker_flow_tick(struct pne_tracker *tr, void *state, uint64_t now);

/* The flow ends (eviction, RST, shutdown): holes are declared lost and
 * waits forced so held data is delivered, both directions are closed
 * (until_close ADUs reported), payload consumers get their END, and the
 * held data and header buffers are released. Idempotent; the state may
 * be reused only after pne_tracker_flow_init(), and must not be dropped
 * before this call. */
void pne_tracker_flow_close(struct pne_tracker *tr, void *state);

/* Start (on) or stop handing direction dir's stream to payload consumer
 * id, from the next byte not yet delivered. A subscribed direction takes
 * the slow path: every byte is read. Returns 0 or -EINVAL. */
int pne_tracker_subscribe(struct pne_tracker *tr, void *state, enum pne_dir dir,
			  int id, bool on);

/* The flow's interpreter connection (status, counters, errors). */
const struct pne_interp_conn *pne_tracker_flow_conn(const void *state);

/* Bytes held now for the flow, both directions. */
uint32_t pne_tracker_flow_held(const void *state);

const struct pne_tracker_stats *pne_tracker_stats(const struct pne_tracker *tr);

/* Counter i's name and value ("flows", ...; NULL / 0 out of range). */
const char *pne_tracker_stat_name(unsigned i);
const char *pne_tracker_stat_desc(unsigned i);
uint64_t pne_tracker_stat_value(const struct pne_tracker_stats *st, unsigned i);

#endif /* PNE_TRACKER_H */
