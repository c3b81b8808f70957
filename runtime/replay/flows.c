/*
 * pne-replay --flows FILE: one JSON record per connection, written when
 * it ends (docs/pne-replay.md, "Flow records"), and the per-direction
 * stream bookkeeping that --streams DIR (streams.c) writes from.
 *
 * Packet and byte counts come from every segment of the connection, the
 * stream counts from the tracker's payload subscription: each tracked
 * direction is subscribed when its flow starts, so every byte it
 * delivers (DATA) and every hole it declares lost (GAP) is seen here
 * once, in stream order. The tracker counts a lost hole as a resync or
 * as absorbed just before it hands the GAP on, so a change of its
 * resyncs counter seen at a GAP belongs to that flow and direction.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pne/packet.h"
#include "pne/tcp_seq.h"
#include "pne/tracker.h"
#include "replay.h"

static const char *const dir_name[2] = { "c2s", "s2c" };

/* Zeek's conn.log history letters this record keeps, each at its first
 * occurrence (upper case: the client's direction): S SYN, H SYN-ACK,
 * A pure ACK, D data, F FIN, R RST, T data below the direction's highest
 * sequence number seen (a retransmission), G a hole declared lost. */
#define HIST_MAX 16

struct rpl_flowdir {
	uint64_t pkts, wire_bytes, ip_bytes;
	uint64_t payload_pkts, payload_bytes;
	uint64_t stream_bytes, gaps, gap_bytes, resyncs;
	uint64_t end_off;
	uint64_t adus, adus_unsynced;
	uint32_t seq_hi;           /* highest sequence number seen + 1 */
	uint8_t syn, fin, rst, midstream, ended, seq_ok;
	struct rpl_stream stream;
};

struct rpl_flowrec {
	char label[PNE_FLOW_LABEL_MAX];
	const char *spec;          /* NULL: untracked */
	char *streams;             /* --streams: DIR/NAME of its files */
	uint64_t first_ns, last_ns;
	char history[HIST_MAX + 1];
	struct rpl_flowdir d[2];
};

struct rpl_flows {
	struct pne_tracker *tr;
	FILE *out;                 /* NULL: records are kept for --streams only */
	struct rpl_streams *streams;
	rpl_rec_fn rec_of;
	int id;                    /* payload consumer id */
	uint64_t last_resyncs;     /* tracker resyncs at the last GAP seen */
	uint64_t records, alloc_failures;
};

static void history_add(struct rpl_flowrec *rec, enum pne_dir dir, char letter)
{
	char c = dir == PNE_C2S ? letter : (char)(letter - 'A' + 'a');
	size_t n = strlen(rec->history);

	if (strchr(rec->history, c) == NULL && n < HIST_MAX)
		rec->history[n] = c;
}

static void on_payload(const struct pne_tracker_payload *p, void *arg)
{
	struct rpl_flows *fl = arg;
	struct rpl_flowrec *rec = fl->rec_of(p->flow);
	struct rpl_flowdir *d;
	uint64_t rs;

	if (rec == NULL)
		return;
	d = &rec->d[p->dir];
	switch (p->kind) {
	case PNE_PAYLOAD_DATA:
		d->stream_bytes += p->len;
		break;
	case PNE_PAYLOAD_GAP:
		d->gaps++;
		d->gap_bytes += p->len;
		rs = pne_tracker_stats(fl->tr)->resyncs;
		d->resyncs += rs - fl->last_resyncs;
		fl->last_resyncs = rs;
		history_add(rec, p->dir, 'G');
		break;
	case PNE_PAYLOAD_END:
		d->ended = 1;
		d->end_off = p->off;
		break;
	default:
		return;
	}
	if (fl->streams == NULL)
		return;
	if (p->kind == PNE_PAYLOAD_END)
		rpl_stream_end(fl->streams, &d->stream);
	else
		rpl_stream_piece(fl->streams, &d->stream, rec->streams, p);
}

struct rpl_flows *rpl_flows_new(struct pne_tracker *tr, FILE *out,
				struct rpl_streams *streams, rpl_rec_fn rec_of)
{
	struct rpl_flows *fl = calloc(1, sizeof(*fl));

	if (fl == NULL)
		return NULL;
	fl->tr = tr;
	fl->out = out;
	fl->streams = streams;
	fl->rec_of = rec_of;
	fl->last_resyncs = pne_tracker_stats(tr)->resyncs;
	fl->id = pne_tracker_on_payload(tr, on_payload, fl);
	if (fl->id < 0) {
		free(fl);
		return NULL;
	}
	return fl;
}

void rpl_flows_free(struct rpl_flows *fl)
{
	free(fl);
}

uint64_t rpl_flows_alloc_failures(const struct rpl_flows *fl)
{
	return fl->alloc_failures;
}

struct rpl_flowrec *rpl_flows_start(struct rpl_flows *fl, void *state, const char *spec,
				    const char *label, uint64_t now)
{
	struct rpl_flowrec *rec = calloc(1, sizeof(*rec));

	if (rec == NULL) {
		fl->alloc_failures++;
		return NULL;
	}
	snprintf(rec->label, sizeof(rec->label), "%s", label);
	rec->first_ns = rec->last_ns = now;
	if (state != NULL) {
		rec->spec = spec;
		if (fl->streams != NULL)
			rec->streams = rpl_streams_claim(fl->streams, label);
		pne_tracker_subscribe(fl->tr, state, PNE_C2S, fl->id, true);
		pne_tracker_subscribe(fl->tr, state, PNE_S2C, fl->id, true);
	}
	return rec;
}

static void seq_note(struct rpl_flowdir *d, uint32_t end)
{
	if (!d->seq_ok || pne_seq_lt(d->seq_hi, end))
		d->seq_hi = end;
	d->seq_ok = 1;
}

void rpl_flows_packet(struct rpl_flowrec *rec, enum pne_dir dir, const struct pne_pkt *pkt,
		      uint8_t flags, uint32_t wire_len, uint32_t ip_len, uint64_t now)
{
	struct rpl_flowdir *d = &rec->d[dir];
	uint8_t fl = pkt->flags;

	rec->last_ns = now;
	d->pkts++;
	d->wire_bytes += wire_len;
	d->ip_bytes += ip_len;
	if (flags & PNE_TCP_SYN)
		d->syn = 1;
	if (fl & PNE_TCP_SYN) {
		history_add(rec, dir, (fl & PNE_TCP_ACK) ? 'H' : 'S');
		seq_note(d, pkt->seq + 1);
	}
	if (pkt->payload_wire_len > 0) {
		d->payload_pkts++;
		d->payload_bytes += pkt->payload_wire_len;
		if (!d->syn)
			d->midstream = 1;
		history_add(rec, dir, 'D');
		if (d->seq_ok && pne_seq_lt(pkt->seq, d->seq_hi))
			history_add(rec, dir, 'T');
		seq_note(d, pkt->seq + pkt->payload_wire_len);
	} else if ((fl & (PNE_TCP_SYN | PNE_TCP_FIN | PNE_TCP_RST | PNE_TCP_ACK)) == PNE_TCP_ACK) {
		history_add(rec, dir, 'A');
	}
	if (fl & PNE_TCP_FIN) {
		d->fin = 1;
		history_add(rec, dir, 'F');
	}
	if (fl & PNE_TCP_RST) {
		d->rst = 1;
		history_add(rec, dir, 'R');
	}
}

void rpl_flows_adu(struct rpl_flowrec *rec, const struct pne_adu *adu)
{
	rec->d[adu->dir].adus++;
	rec->d[adu->dir].adus_unsynced += !adu->synced;
}

static void bool_key(FILE *f, const char *key, int v)
{
	fprintf(f, ",\"%s\":%s", key, v ? "true" : "false");
}

static void dir_json(FILE *f, const struct rpl_flowrec *rec, enum pne_dir dir)
{
	const struct rpl_flowdir *d = &rec->d[dir];

	fprintf(f, ",\"%s\":{\"pkts\":%" PRIu64 ",\"wire_bytes\":%" PRIu64 ",\"ip_bytes\":%"
		PRIu64 ",\"payload_pkts\":%" PRIu64 ",\"payload_bytes\":%" PRIu64,
		dir_name[dir], d->pkts, d->wire_bytes, d->ip_bytes, d->payload_pkts,
		d->payload_bytes);
	if (rec->spec != NULL)
		fprintf(f, ",\"stream_bytes\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"gap_bytes\":%"
			PRIu64 ",\"resyncs\":%" PRIu64 ",\"adus\":%" PRIu64 ",\"unsynced_adus\":%"
			PRIu64, d->stream_bytes, d->gaps, d->gap_bytes, d->resyncs, d->adus,
			d->adus_unsynced);
	else
		fputs(",\"stream_bytes\":null,\"gaps\":null,\"gap_bytes\":null,\"resyncs\":null,"
		      "\"adus\":null,\"unsynced_adus\":null", f);
	bool_key(f, "syn", d->syn);
	bool_key(f, "fin", d->fin);
	bool_key(f, "rst", d->rst);
	bool_key(f, "midstream", d->midstream);
	fputc('}', f);
}

void rpl_flows_end(struct rpl_flows *fl, struct rpl_flowrec *rec, const char *how,
		   const char *state)
{
	if (rec == NULL)
		return;
	if (fl->out != NULL) {
		fputs("{\"flow\":", fl->out);
		rpl_json_string(fl->out, rec->label);
		fputs(",\"spec\":", fl->out);
		if (rec->spec != NULL)
			rpl_json_string(fl->out, rec->spec);
		else
			fputs("null", fl->out);
		fprintf(fl->out, ",\"first_ts_ns\":%" PRIu64 ",\"last_ts_ns\":%" PRIu64
			",\"end\":\"%s\",\"state\":\"%s\",\"history\":", rec->first_ns,
			rec->last_ns, how, state);
		rpl_json_string(fl->out, rec->history);
		if (rec->streams != NULL) {
			fputs(",\"streams\":", fl->out);
			rpl_json_string(fl->out, rpl_streams_name(rec->streams));
		}
		dir_json(fl->out, rec, PNE_C2S);
		dir_json(fl->out, rec, PNE_S2C);
		fputs("}\n", fl->out);
	}
	fl->records++;
	if (fl->streams != NULL) {
		/* the tracker's close ended both directions; this is for safety */
		rpl_stream_end(fl->streams, &rec->d[PNE_C2S].stream);
		rpl_stream_end(fl->streams, &rec->d[PNE_S2C].stream);
	}
	free(rec->streams);
	free(rec);
}
