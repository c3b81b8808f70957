/*
 * The --stats-json members pne-replay and dpdk-pne share (stats_json.h).
 * The counter lists come from the runtime's .def files and name tables,
 * so a counter added there shows up in both documents.
 */
#include <inttypes.h>

#include "pne/packet.h"
#include "stats_json.h"

void rpl_json_key(FILE *f, int *first, const char *key)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	*first = 0;
}

void rpl_json_u64(FILE *f, int *first, const char *key, uint64_t v)
{
	rpl_json_key(f, first, key);
	fprintf(f, "%" PRIu64, v);
}

void rpl_json_dbl(FILE *f, int *first, const char *key, double v)
{
	rpl_json_key(f, first, key);
	fprintf(f, "%.6g", v);
}

double rpl_pct(uint64_t n, uint64_t total)
{
	return total > 0 ? 100.0 * (double)n / (double)total : 0.0;
}

void rpl_stats_specs(FILE *f, const struct rpl_stats *s)
{
	fputc('[', f);
	for (unsigned i = 0; i < s->specs->n; i++) {
		const struct rpl_spec *sp = &s->specs->s[i];

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		rpl_json_string(f, sp->spec->name);
		fputs(",\"source\":", f);
		rpl_json_string(f, sp->source);
		fputs(",\"ports\":[", f);
		for (unsigned k = 0; k < sp->nports; k++)
			fprintf(f, "%s%u", k > 0 ? "," : "", sp->ports[k]);
		fprintf(f, "],\"flows\":%" PRIu64 "}", s->pipe->flows_by_spec[i]);
	}
	fputc(']', f);
}

void rpl_stats_by_proto(FILE *f, const struct rpl_stats *s)
{
	fputc('{', f);
	for (unsigned sp = 0, n = 0; sp < s->specs->n; sp++) {
		int tfirst = 1;

		if (s->pipe->adus_by_spec[sp] == 0)
			continue;
		fputs(n++ > 0 ? "," : "", f);
		rpl_json_string(f, s->specs->s[sp].spec->name);
		fprintf(f, ":{\"total\":%" PRIu64 ",\"types\":{", s->pipe->adus_by_spec[sp]);
		for (unsigned i = 0; i < s->ntypes; i++) {
			if (s->types[i].spec != sp)
				continue;
			fputs(tfirst ? "" : ",", f);
			tfirst = 0;
			rpl_json_string(f, s->types[i].type);
			fprintf(f, ":%" PRIu64, s->types[i].n);
		}
		fputs("}}", f);
	}
	fputc('}', f);
}

static void stats_flows(FILE *f, const struct rpl_stats *s)
{
	const struct pne_pipe_stats *ps = s->pipe;
	const struct pne_flow_stats *fs = s->flow;
	int first = 1;

	fputc('{', f);
	rpl_json_u64(f, &first, "total", ps->flows_tracked + ps->flows_untracked);
	rpl_json_u64(f, &first, "tracked", ps->flows_tracked);
	rpl_json_u64(f, &first, "untracked", ps->flows_untracked);
	rpl_json_u64(f, &first, "peak", ps->flows_peak);
	rpl_json_u64(f, &first, "max_flows", s->max_flows);
	rpl_json_u64(f, &first, "state_alloc_failures", ps->state_alloc_failures);
	rpl_json_u64(f, &first, "state_bytes_peak", ps->state_bytes_peak);
#define PNE_FLOW_COUNTER(name, desc) rpl_json_u64(f, &first, #name, fs->name);
#include "pne/flow_table.def"
#undef PNE_FLOW_COUNTER
	rpl_json_key(f, &first, "evicted");
	fputc('{', f);
	for (int i = 0; i < PNE_FLOW_EVICT__COUNT; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i > 0 ? "," : "",
			pne_flow_evict_name((enum pne_flow_evict_reason)i), fs->evicted[i]);
	fputs("}}", f);
}

static void stats_tcp(FILE *f, const struct pne_pipe_stats *ps)
{
	int first = 1;

	fputc('{', f);
	rpl_json_u64(f, &first, "segments", ps->segments);
	rpl_json_u64(f, &first, "payload_packets", ps->payload_packets);
	rpl_json_u64(f, &first, "payload_bytes", ps->payload_bytes);
	rpl_json_u64(f, &first, "untracked_segments", ps->untracked_segments);
	rpl_json_u64(f, &first, "untracked_payload_packets", ps->untracked_payload_packets);
	rpl_json_u64(f, &first, "no_flow_packets", ps->no_flow_packets);
	rpl_json_u64(f, &first, "rst_ignored", ps->rst_ignored);
	fputc('}', f);
}

static void stats_interp(FILE *f, const struct pne_interp_stats *is)
{
	int first = 1;

	fputc('{', f);
	rpl_json_u64(f, &first, "bytes_examined", is->bytes_examined);
	rpl_json_u64(f, &first, "bytes_skipped", is->bytes_skipped);
	rpl_json_u64(f, &first, "invalid", is->invalid);
	rpl_json_u64(f, &first, "resyncs", is->resyncs);
	rpl_json_u64(f, &first, "partial", is->partial);
	rpl_json_u64(f, &first, "forced", is->forced);
	fputc('}', f);
}

void rpl_stats_counters(FILE *f, const struct rpl_stats *s)
{
	int first = 1;

	fputs(",\"parse\":{", f);
	for (int i = 0; i < PNE_PKT__COUNT; i++)
		rpl_json_u64(f, &first, pne_pkt_result_name((enum pne_pkt_result)i),
			     s->pipe->parse[i]);
	fputs("},\"tcp\":", f);
	stats_tcp(f, s->pipe);
	fputs(",\"flows\":", f);
	stats_flows(f, s);
	fputs(",\"tracker\":{", f);
	first = 1;
	for (unsigned i = 0; i < PNE_TRACKER_STAT__COUNT; i++)
		rpl_json_u64(f, &first, pne_tracker_stat_name(i),
			     pne_tracker_stat_value(s->tracker, i));
	fputs("},\"interp\":", f);
	stats_interp(f, &s->pipe->interp);
}

void rpl_stats_summary(FILE *f, const struct rpl_stats *s)
{
	const struct pne_tracker_stats *ts = s->tracker;
	uint64_t tp = ts->payload_packets;
	int first = 0;

	rpl_json_u64(f, &first, "examined", ts->examined);
	rpl_json_u64(f, &first, "skipped", ts->skipped);
	rpl_json_u64(f, &first, "ignored", ts->ignored);
	rpl_json_dbl(f, &first, "examined_pct", rpl_pct(ts->examined, tp));
	rpl_json_dbl(f, &first, "skipped_pct", rpl_pct(ts->skipped, tp));
	rpl_json_u64(f, &first, "held_peak_bytes", ts->held_peak);
	rpl_json_u64(f, &first, "gaps_absorbed", ts->gaps_absorbed);
	rpl_json_u64(f, &first, "resyncs", ts->resyncs);
}

void rpl_summary_by_spec(FILE *f, const struct rpl_stats *s)
{
	for (unsigned sp = 0; sp < s->specs->n; sp++) {
		const char *sep = "";

		if (s->pipe->adus_by_spec[sp] == 0)
			continue;
		fprintf(f, "    %-10s %" PRIu64 ":", s->specs->s[sp].spec->name,
			s->pipe->adus_by_spec[sp]);
		for (unsigned i = 0; i < s->ntypes; i++) {
			if (s->types[i].spec != sp)
				continue;
			fprintf(f, "%s %s %" PRIu64, sep, s->types[i].type, s->types[i].n);
			sep = ",";
		}
		fputc('\n', f);
	}
}
