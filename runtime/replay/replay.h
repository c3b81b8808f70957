/*
 * pne-replay's private interfaces: the spec set (spec_select.c), JSON
 * strings (json_out.c), capture input (pcap_in.c), HTTP bodies
 * (bodies.c), flow records and streams (flows.c, streams.c). The main
 * loop lives in pne_replay.c, the packet pipeline in the runtime
 * (pne/pipe.h), the ADU records' format there too (pne/adu_log.h).
 */
#ifndef PNE_REPLAY_H
#define PNE_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#include "pne/interp.h"
#include "pne/pipe.h"
#include "pne/table.h"

/* Specs one run may select (built-in and modules together): the
 * pipeline's port map is handed over as it is. */
#define RPL_MAX_SPECS PNE_PIPE_MAX_SPECS
#define RPL_NO_SPEC   PNE_PIPE_NO_SPEC  /* port map value: no spec claims the port */

/* ---- spec_select.c (library pne_specsel, shared with dpdk-pne) ---- */

/* The program name its messages start with ("pne-replay" unless set). */
extern const char *rpl_specs_prog;

struct rpl_spec {
	const struct pne_spec *spec;
	const char *source;          /* "builtin" or the module's path */
	void *dl;                    /* dlopen handle of a module, or NULL */
	uint16_t *ports;             /* server ports (malloc'd) */
	unsigned nports;
	uint64_t params[PNE_MAX_CVARS];
};

struct rpl_specs {
	struct rpl_spec s[RPL_MAX_SPECS];
	unsigned n;
	uint8_t port_spec[65536];    /* server port -> index in s[], RPL_NO_SPEC */
	unsigned conflicts;          /* ports claimed by more than one spec */
};

/* Add the spec an argument of --spec names: "NAME[:PORT,...]" for a
 * built-in spec, "FILE.so[:PORT,...]" (or any path with a '/') for a
 * pnec --module. Ports given replace the spec's defaults. Returns 0, or
 * -1 after printing why. */
int rpl_specs_add(struct rpl_specs *ss, const char *arg);

/* Add every built-in spec on its default ports (no --spec given). */
int rpl_specs_add_builtin(struct rpl_specs *ss);

/* Apply "SPEC.NAME=VALUE" to the selected spec SPEC. Returns 0 or -1
 * after printing why. */
int rpl_specs_param(struct rpl_specs *ss, const char *arg);

/* Build port_spec: the first spec listed wins a port, the others are
 * warned about (unless quiet) and counted. */
void rpl_specs_ports(struct rpl_specs *ss, int quiet);

/* Print the specs (selected, or every built-in one when none is), one
 * per line: NAME, ports, title, parameters with their values. */
void rpl_specs_list(const struct rpl_specs *ss, FILE *f);

/* Release ports and module handles. */
void rpl_specs_free(struct rpl_specs *ss);

/* ---- json_out.c (library pne_specsel, shared with dpdk-pne) ---- */

/* A JSON string with the escapes RFC 8259 requires (pne_json_string()). */
void rpl_json_string(FILE *f, const char *s);

/* ---- pcap_in.c ---- */

struct rpl_input {
	pcap_t *pcap;
	FILE *file;          /* what pcap reads from (a gzip cookie maybe) */
	void *gz;            /* gzFile when the capture is gzip-compressed */
	uint64_t size;       /* bytes of the file on disk */
	int compressed;
};

/* Open a pcap or pcapng file, gzip-compressed or not, with nanosecond
 * timestamps. Returns 0, or -1 with a message in err (PCAP_ERRBUF_SIZE
 * bytes or more). */
int rpl_input_open(struct rpl_input *in, const char *path, char *err, size_t errlen);

/* Bytes of the file on disk read so far (for the progress bar). */
uint64_t rpl_input_pos(const struct rpl_input *in);

void rpl_input_close(struct rpl_input *in);

/* ---- bodies.c ---- */

struct pne_tracker;
struct rpl_bodies;

/* The flow label (pne_pipe_flow_label()) of a flow cookie. */
typedef const char *(*rpl_label_fn)(void *flow);

struct rpl_bodies_stats {
	uint64_t bodies;          /* bodies with a byte or a gap */
	uint64_t complete;
	uint64_t raw_bytes, decoded_bytes;
	uint64_t alloc_failures;  /* bodies not decoded: no memory */
	uint64_t file_errors;     /* --bodies files not written */
};

/* Decode the bodies of the "http" spec's messages (cache/http_body.h):
 * dir: write each decoded body to DIR/FLOW_DIR_OFFSET (NULL: no files),
 * hash: keep each body's JSON for rpl_bodies_json(), cap: decoded bytes
 * per body (0: the decoder's default). Registers a body consumer on tr;
 * NULL when out of memory or out of consumers. */
struct rpl_bodies *rpl_bodies_new(struct pne_tracker *tr, const char *dir, int hash,
				  uint64_t cap, rpl_label_fn label);
void rpl_bodies_free(struct rpl_bodies *bs);

/* The "body" member for the ADU being reported (its END), NULL if it
 * has no body (or --body-hash is off). */
const char *rpl_bodies_json(struct rpl_bodies *bs, const void *flow,
			    const struct pne_adu *adu);

const struct rpl_bodies_stats *rpl_bodies_stats(const struct rpl_bodies *bs);

/* ---- flows.c, streams.c: --flows records and --streams files ---- */

struct pne_pkt;
struct pne_tracker_payload;
struct rpl_flows;
struct rpl_flowrec;
struct rpl_streams;

/* The flow record (rpl_flows_start()) of a flow cookie, or NULL. */
typedef struct rpl_flowrec *(*rpl_rec_fn)(void *flow);

/* One hole of a --streams direction: stream offset, length, and the
 * position in the .bin file where its bytes would have been. */
struct rpl_stream_gap {
	uint64_t off, len, file_off;
};

/* A --streams direction's writer (kept in its flow record). */
struct rpl_stream {
	char *path;                 /* DIR/NAME, without .bin / .gaps */
	FILE *f;                    /* open .bin, or NULL */
	struct rpl_stream *lru_prev, *lru_next;
	uint64_t next_off;          /* stream offset of the next piece */
	uint64_t file_bytes;        /* bytes written to the .bin */
	struct rpl_stream_gap *gaps;
	unsigned ngaps, gaps_cap;
	int created;                /* the .bin exists (reopen to append) */
	int error;
};

struct rpl_streams_stats {
	uint64_t files;             /* .bin files written */
	uint64_t bytes, gaps, gap_bytes;
	uint64_t out_of_order;      /* pieces not at the expected offset */
	uint64_t file_errors;       /* directions whose files failed */
};

/* Write streams under dir (which must exist); NULL with errno. */
struct rpl_streams *rpl_streams_new(const char *dir);
void rpl_streams_free(struct rpl_streams *ss);
const struct rpl_streams_stats *rpl_streams_stats(const struct rpl_streams *ss);

/* The files of the flow labelled label: "DIR/NAME" (malloc'd; NULL when
 * out of memory), NAME being unique in this run. */
char *rpl_streams_claim(struct rpl_streams *ss, const char *label);

/* NAME of a rpl_streams_claim() path. */
const char *rpl_streams_name(const char *path);

/* A DATA or GAP piece of the direction's stream (others are ignored),
 * written to BASE_DIR.bin, BASE being the flow's rpl_streams_claim(). */
void rpl_stream_piece(struct rpl_streams *ss, struct rpl_stream *s, const char *base,
		      const struct pne_tracker_payload *p);

/* The direction ended: close the .bin, write the .gaps, reset s.
 * Idempotent. */
void rpl_stream_end(struct rpl_streams *ss, struct rpl_stream *s);

/* Flow records written to out (NULL: none, e.g. --streams alone), and
 * their streams to streams (NULL: no files). Registers a payload
 * consumer on tr; NULL when out of memory or consumers. */
struct rpl_flows *rpl_flows_new(struct pne_tracker *tr, FILE *out,
				struct rpl_streams *streams, rpl_rec_fn rec_of);
void rpl_flows_free(struct rpl_flows *fl);

/* Records not kept for lack of memory. */
uint64_t rpl_flows_alloc_failures(const struct rpl_flows *fl);

/* A connection starts (at time now, ns): its record, NULL when out of
 * memory. state: its tracker state (both directions get subscribed),
 * NULL for an untracked flow; spec: its spec's name (kept, not copied). */
struct rpl_flowrec *rpl_flows_start(struct rpl_flows *fl, void *state, const char *spec,
				    const char *label, uint64_t now);

/* One segment of the connection in direction dir: flags as the tracker
 * gets them (its SYN decides whether the direction was picked up
 * mid-stream), wire_len, ip_len the frame's bytes on the wire and the IP
 * datagram's. */
void rpl_flows_packet(struct rpl_flowrec *rec, enum pne_dir dir, const struct pne_pkt *pkt,
		      uint8_t flags, uint32_t wire_len, uint32_t ip_len, uint64_t now);

/* An ADU the flow's tracker reported. */
void rpl_flows_adu(struct rpl_flowrec *rec, const struct pne_adu *adu);

/* The connection ended (after its tracker state was closed): how
 * ("fin", "rst", "timeout", "evicted", "eof") and the flow table's
 * state name. Writes and frees rec (NULL accepted). */
void rpl_flows_end(struct rpl_flows *fl, struct rpl_flowrec *rec, const char *how,
		   const char *state);

#endif /* PNE_REPLAY_H */
