/*
 * dpdk-pne's counters: the workers' pipelines summed, the ports' own
 * (rte_eth_stats) and the forwarding counts. Read three ways: the final
 * summary and --stats-json (pne-replay's members where they apply,
 * written by the same code: runtime/replay/stats_json.c; plus "ports"
 * and "workers"), the periodic line, and DPDK telemetry
 * (/pne/stats, /pne/ports, /pne/workers; dpdk-telemetry.py).
 *
 * While the workers run, their pipeline counters are read from the
 * snapshot each refreshes every 100 ms (pmd_snapshot_read()); the port
 * counters are read live (relaxed atomics).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "pmd.h"
#include "stats_json.h"

static uint64_t rd(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static void interp_add(struct pne_interp_stats *a, const struct pne_interp_stats *b)
{
	a->adus += b->adus;
	a->bytes_examined += b->bytes_examined;
	a->bytes_skipped += b->bytes_skipped;
	a->invalid += b->invalid;
	a->resyncs += b->resyncs;
	a->partial += b->partial;
	a->forced += b->forced;
}

/* Every member of struct pne_pipe_stats is a uint64_t but interp, summed
 * apart; peaks are summed too (the sum of the workers' peaks). */
static void pipe_add(struct pne_pipe_stats *a, const struct pne_pipe_stats *b)
{
	const size_t n = offsetof(struct pne_pipe_stats, interp) / sizeof(uint64_t);
	uint64_t *pa = (uint64_t *)a;
	const uint64_t *pb = (const uint64_t *)b;

	RTE_BUILD_BUG_ON(offsetof(struct pne_pipe_stats, interp) % sizeof(uint64_t) != 0);
	for (size_t i = 0; i < n; i++)
		pa[i] += pb[i];
	interp_add(&a->interp, &b->interp);
}

static void tracker_add(struct pne_tracker_stats *a, const struct pne_tracker_stats *b)
{
#define PNE_TRACKER_STAT(name, desc) a->name += b->name;
#include "pne/tracker_stats.def"
#undef PNE_TRACKER_STAT
}

static void flow_add(struct pne_flow_stats *a, const struct pne_flow_stats *b)
{
#define PNE_FLOW_COUNTER(name, desc) a->name += b->name;
#include "pne/flow_table.def"
#undef PNE_FLOW_COUNTER
	for (int i = 0; i < PNE_FLOW_EVICT__COUNT; i++)
		a->evicted[i] += b->evicted[i];
}

void pmd_totals(struct pmd_app *app, struct pmd_totals *t, int final)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_worker *w = app->workers[i];
		struct pmd_snapshot s;

		if (final) {
			s = w->snap;   /* refreshed by the worker as it finished */
		} else {
			pmd_snapshot_read(w, &s);
		}
		pipe_add(&t->pipe, &s.pipe);
		tracker_add(&t->tracker, &s.tracker);
		flow_add(&t->flow, &s.flow);
		t->flows += s.flows;
		t->cycles += s.cycles;
		t->adus_logged += rd(&w->log.written);
		t->adus_dropped += rd(&w->log.dropped);
		for (unsigned k = 0; k < app->nports; k++) {
			uint16_t p = app->ports[k].id;

			t->rx += rd(&w->rx_packets[p]);
			t->tx += rd(&w->tx_packets[p]);
			t->tx_dropped += rd(&w->tx_dropped[p]);
		}
	}
}

static double elapsed_s(const struct pmd_app *app)
{
	uint64_t end = app->stop_tsc != 0 ? app->stop_tsc : rte_rdtsc();

	return app->start_tsc != 0 ? (double)(end - app->start_tsc) / (double)app->tsc_hz : 0;
}

void pmd_stats_line(struct pmd_app *app, FILE *f)
{
	struct pmd_totals t;
	double dt;

	pmd_totals(app, &t, 0);
	dt = app->o.stats_interval > 0 ? app->o.stats_interval : 1;
	fprintf(f, PMD_PROG ": %.1f s: rx %" PRIu64 " (%.0f pps), tx %" PRIu64 ", tx drops %"
		PRIu64 ", flows %" PRIu64 ", ADUs %" PRIu64 " (log drops %" PRIu64 ")\n",
		elapsed_s(app), t.rx, (double)(t.rx - app->line_rx) / dt, t.tx, t.tx_dropped,
		t.flows, t.pipe.adus, t.adus_dropped);
	app->line_rx = t.rx;
}

/* ---- ADU types, merged over the workers ---- */

static unsigned merge_types(struct pmd_app *app, struct rpl_type_count *out, unsigned cap)
{
	unsigned n = 0;

	for (unsigned i = 0; i < app->nworkers; i++) {
		const struct pmd_worker *w = app->workers[i];

		for (unsigned k = 0; k < w->ntypes; k++) {
			const struct pmd_type_count *c = &w->types[k];
			unsigned j;

			for (j = 0; j < n; j++)
				if (out[j].spec == c->spec && strcmp(out[j].type, c->type) == 0)
					break;
			if (j == n) {
				if (n == cap)
					continue;
				out[n++] = (struct rpl_type_count){ c->type, c->spec, 0 };
			}
			out[j].n += c->n;
		}
	}
	return n;
}

/* The counters stats_json.c writes: the totals, and the ADU types of
 * every worker merged into types (cap entries). */
static struct rpl_stats stats_of(struct pmd_app *app, const struct pmd_totals *t,
				 struct rpl_type_count *types, unsigned cap)
{
	return (struct rpl_stats){
		.specs = &app->specs,
		.pipe = &t->pipe,
		.flow = &t->flow,
		.tracker = &t->tracker,
		.max_flows = app->o.pipe.max_flows,
		.types = types,
		.ntypes = merge_types(app, types, cap),
	};
}

/* ---- human summary (after the stop) ---- */

static void summary_ports(struct pmd_app *app, FILE *f)
{
	for (unsigned k = 0; k < app->nports; k++) {
		const struct pmd_port *p = &app->ports[k];
		struct rte_eth_stats es;
		uint64_t rx = 0, tx = 0, drop = 0;

		for (unsigned i = 0; i < app->nworkers; i++) {
			rx += app->workers[i]->rx_packets[p->id];
			tx += app->workers[i]->tx_packets[p->id];
			drop += app->workers[i]->tx_dropped[p->id];
		}
		pmd_port_stats(p, &es);
		fprintf(f, "  port %u (%s, %u queue%s%s): rx %" PRIu64 ", tx %" PRIu64
			", tx drops %" PRIu64 "; missed %" PRIu64 ", rx errors %" PRIu64
			", rx no mbuf %" PRIu64 "\n", p->id, p->name, p->nq, p->nq > 1 ? "s" : "",
			p->rss ? ", symmetric RSS" : "", rx, tx, drop, es.imissed, es.ierrors,
			es.rx_nombuf);
	}
}

static void summary_adus(struct pmd_app *app, const struct pmd_totals *t, FILE *f)
{
	static struct rpl_type_count types[PMD_MAX_TYPES * 4];
	struct rpl_stats s = stats_of(app, t, types, RTE_DIM(types));

	fprintf(f, "  ADUs: %" PRIu64 " (%" PRIu64 " unsynced, %" PRIu64 " until close)",
		t->pipe.adus, t->pipe.adus_unsynced, t->pipe.adus_closed);
	if (app->adus != NULL)
		fprintf(f, "; logged %" PRIu64 ", dropped %" PRIu64, t->adus_logged,
			t->adus_dropped);
	fputc('\n', f);
	rpl_summary_by_spec(f, &s);
}

void pmd_summary(struct pmd_app *app, FILE *f)
{
	struct pmd_totals t;
	const struct pne_tracker_stats *ts = &t.tracker;
	uint64_t tp;

	pmd_totals(app, &t, 1);
	tp = ts->payload_packets;
	fprintf(f, PMD_PROG ": %s mode, %u worker%s, %.3f s: rx %" PRIu64 " packets, tx %"
		PRIu64 ", tx drops %" PRIu64 "\n", app->o.monitor ? "monitor" : "inline",
		app->nworkers, app->nworkers > 1 ? "s" : "", elapsed_s(app), t.rx, t.tx,
		t.tx_dropped);
	summary_ports(app, f);
	if (app->o.no_track) {
		fputs("  not tracking (--no-track)\n", f);
		return;
	}
	fprintf(f, "  TCP segments %" PRIu64 ", with payload %" PRIu64 " (%" PRIu64 " bytes)",
		t.pipe.segments, t.pipe.payload_packets, t.pipe.payload_bytes);
	for (int i = 1; i < PNE_PKT__COUNT; i++)
		if (t.pipe.parse[i] > 0)
			fprintf(f, "; %s %" PRIu64, pne_pkt_result_name((enum pne_pkt_result)i),
				t.pipe.parse[i]);
	fputc('\n', f);
	fprintf(f, "  flows: %" PRIu64 " (%" PRIu64 " tracked, %" PRIu64 " no spec, %" PRIu64
		" refused: table full)\n", t.pipe.flows_tracked + t.pipe.flows_untracked,
		t.pipe.flows_tracked, t.pipe.flows_untracked, t.flow.flows_dropped);
	summary_adus(app, &t, f);
	fprintf(f, "  payload packets tracked %" PRIu64 ": examined %" PRIu64 " (%.1f%%), "
		"skipped %" PRIu64 " (%.1f%%), ignored %" PRIu64 " (%.1f%%); %" PRIu64
		" on flows without a spec\n", tp, ts->examined, rpl_pct(ts->examined, tp),
		ts->skipped, rpl_pct(ts->skipped, tp), ts->ignored, rpl_pct(ts->ignored, tp),
		t.pipe.untracked_payload_packets);
	fprintf(f, "  gaps %" PRIu64 " (%" PRIu64 " bytes), absorbed %" PRIu64 ", resyncs %"
		PRIu64 "; hold drops %" PRIu64 "\n", ts->gaps, ts->gap_bytes,
		ts->gaps_absorbed, ts->resyncs, ts->hold_drops);
	fprintf(f, "  %.0f cycles/packet in the pipeline (tsc)\n",
		t.pipe.packets ? (double)t.cycles / (double)t.pipe.packets : 0.0);
}

/* ---- --stats-json ---- */

static void json_adus(const struct rpl_stats *s, const struct pmd_totals *t, FILE *f)
{
	int first = 1;

	fputs(",\"adus\":{", f);
	rpl_json_u64(f, &first, "total", t->pipe.adus);
	rpl_json_u64(f, &first, "unsynced", t->pipe.adus_unsynced);
	rpl_json_u64(f, &first, "closed", t->pipe.adus_closed);
	rpl_json_u64(f, &first, "logged", t->adus_logged);
	rpl_json_u64(f, &first, "log_dropped", t->adus_dropped);
	rpl_json_key(f, &first, "by_proto");
	rpl_stats_by_proto(f, s);
	fputc('}', f);
}

static void json_ports(struct pmd_app *app, FILE *f)
{
	fputs(",\"ports\":[", f);
	for (unsigned k = 0; k < app->nports; k++) {
		const struct pmd_port *p = &app->ports[k];
		struct rte_eth_stats es;
		uint64_t rx = 0, rxb = 0, tx = 0, drop = 0;
		int first = 0;

		for (unsigned i = 0; i < app->nworkers; i++) {
			rx += app->workers[i]->rx_packets[p->id];
			rxb += app->workers[i]->rx_bytes[p->id];
			tx += app->workers[i]->tx_packets[p->id];
			drop += app->workers[i]->tx_dropped[p->id];
		}
		pmd_port_stats(p, &es);
		fprintf(f, "%s{\"id\":%u,\"name\":", k > 0 ? "," : "", p->id);
		rpl_json_string(f, p->name);
		fputs(",\"driver\":", f);
		rpl_json_string(f, p->driver != NULL ? p->driver : "");
		rpl_json_u64(f, &first, "queues", p->nq);
		rpl_json_key(f, &first, "rss");
		fputs(p->rss ? "true" : "false", f);
		rpl_json_u64(f, &first, "rx_packets", rx);
		rpl_json_u64(f, &first, "rx_bytes", rxb);
		rpl_json_u64(f, &first, "tx_packets", tx);
		rpl_json_u64(f, &first, "tx_dropped", drop);
		rpl_json_u64(f, &first, "imissed", es.imissed);
		rpl_json_u64(f, &first, "ierrors", es.ierrors);
		rpl_json_u64(f, &first, "oerrors", es.oerrors);
		rpl_json_u64(f, &first, "rx_nombuf", es.rx_nombuf);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_workers(struct pmd_app *app, FILE *f)
{
	fputs(",\"workers\":[", f);
	for (unsigned i = 0; i < app->nworkers; i++) {
		const struct pmd_worker *w = app->workers[i];
		uint64_t rx = 0;
		int first = 1;

		for (unsigned k = 0; k < app->nports; k++)
			rx += w->rx_packets[app->ports[k].id];
		fputs(i > 0 ? ",{" : "{", f);
		rpl_json_u64(f, &first, "id", w->id);
		rpl_json_u64(f, &first, "lcore", w->lcore);
		rpl_json_u64(f, &first, "queues", w->nrxq);
		rpl_json_u64(f, &first, "rx_packets", rx);
		rpl_json_u64(f, &first, "multiseg_frames", w->multiseg);
		rpl_json_u64(f, &first, "adus", w->snap.pipe.adus);
		rpl_json_u64(f, &first, "adus_logged", w->log.written);
		rpl_json_u64(f, &first, "adus_log_dropped", w->log.dropped);
		rpl_json_u64(f, &first, "flows", w->snap.pipe.flows_tracked + w->snap.pipe.flows_untracked);
		rpl_json_u64(f, &first, "cycles", w->cycles);
		rpl_json_u64(f, &first, "busy_polls", w->busy_polls);
		rpl_json_u64(f, &first, "idle_polls", w->idle_polls);
		fputc('}', f);
	}
	fputc(']', f);
}

static void stats_json(struct pmd_app *app, FILE *f)
{
	static struct rpl_type_count types[PMD_MAX_TYPES * 4];
	struct pmd_totals t;
	struct rpl_stats s;
	int first = 1;

	pmd_totals(app, &t, 1);
	s = stats_of(app, &t, types, RTE_DIM(types));
	fprintf(f, "{\"mode\":\"%s\",\"tracking\":%s,\"specs\":",
		app->o.monitor ? "monitor" : "inline", app->o.no_track ? "false" : "true");
	rpl_stats_specs(f, &s);
	json_ports(app, f);
	json_workers(app, f);
	fputs(",\"pcap\":{", f);   /* pne-replay's input counts: the frames received */
	rpl_json_u64(f, &first, "packets", t.pipe.packets);
	rpl_json_u64(f, &first, "bytes", t.pipe.wire_bytes);
	rpl_json_u64(f, &first, "captured_bytes", t.pipe.cap_bytes);
	fputc('}', f);
	rpl_stats_counters(f, &s);
	json_adus(&s, &t, f);
	rpl_stats_summary(f, &s);
	fputs(",\"cycles\":{\"unit\":\"tsc\"", f);
	rpl_json_u64(f, &first, "total", t.cycles);
	rpl_json_dbl(f, &first, "per_packet", t.pipe.packets ? (double)t.cycles /
		(double)t.pipe.packets : 0);
	fputc('}', f);
	rpl_json_dbl(f, &first, "elapsed_s", elapsed_s(app));
	fputs("}\n", f);
}

int pmd_write_stats(struct pmd_app *app, const char *path)
{
	int to_stdout = strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "w");
	int bad;

	if (f == NULL) {
		pmd_err("%s: %s", path, strerror(errno));
		return -1;
	}
	stats_json(app, f);
	bad = ferror(f) != 0;
	bad |= to_stdout ? fflush(f) != 0 : fclose(f) != 0;
	if (bad) {
		pmd_err("%s: error writing the stats", path);
		return -1;
	}
	return 0;
}

/* ---- telemetry: runs on DPDK's telemetry thread ---- */

/* The telemetry thread may ask while dpdk-pne tears down (DPDK 22.11
 * cannot unregister a command): the callbacks hold tel_lock and find
 * tel_app NULL once pmd_telemetry_unregister() has run. Never taken on
 * the workers' path. */
static rte_spinlock_t tel_lock = RTE_SPINLOCK_INITIALIZER;
static struct pmd_app *tel_app;


static int tel_stats_body(struct pmd_app *app, struct rte_tel_data *d)
{
	struct pmd_totals t;

	pmd_totals(app, &t, 0);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", t.rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", t.tx);
	rte_tel_data_add_dict_u64(d, "tx_dropped", t.tx_dropped);
	rte_tel_data_add_dict_u64(d, "workers", app->nworkers);
	rte_tel_data_add_dict_u64(d, "packets", t.pipe.packets);
	rte_tel_data_add_dict_u64(d, "segments", t.pipe.segments);
	rte_tel_data_add_dict_u64(d, "payload_packets", t.pipe.payload_packets);
	rte_tel_data_add_dict_u64(d, "flows", t.flows);
	rte_tel_data_add_dict_u64(d, "flows_tracked", t.pipe.flows_tracked);
	rte_tel_data_add_dict_u64(d, "flows_untracked", t.pipe.flows_untracked);
	rte_tel_data_add_dict_u64(d, "adus", t.pipe.adus);
	rte_tel_data_add_dict_u64(d, "adus_logged", t.adus_logged);
	rte_tel_data_add_dict_u64(d, "adus_log_dropped", t.adus_dropped);
	rte_tel_data_add_dict_u64(d, "examined", t.tracker.examined);
	rte_tel_data_add_dict_u64(d, "skipped", t.tracker.skipped);
	rte_tel_data_add_dict_u64(d, "gaps", t.tracker.gaps);
	rte_tel_data_add_dict_u64(d, "resyncs", t.tracker.resyncs);
	rte_tel_data_add_dict_u64(d, "cycles", t.cycles);
	return 0;
}

/* A parameter: an index below n, or -1. */
static int tel_index(const char *params, unsigned n)
{
	char *end;
	unsigned long v;

	if (params == NULL || *params < '0' || *params > '9')
		return -1;
	v = strtoul(params, &end, 10);
	return *end == '\0' && v < n ? (int)v : -1;
}

static int tel_workers_body(struct pmd_app *app, const char *params, struct rte_tel_data *d)
{
	struct pmd_worker *w;
	struct pmd_snapshot s;
	uint64_t rx = 0;
	int i;

	if (params == NULL || *params == '\0') {
		rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
		for (unsigned k = 0; k < app->nworkers; k++)
			rte_tel_data_add_array_int(d, (int)k);
		return 0;
	}
	i = tel_index(params, app->nworkers);
	if (i < 0)
		return -1;
	w = app->workers[i];
	pmd_snapshot_read(w, &s);
	for (unsigned k = 0; k < app->nports; k++)
		rx += rd(&w->rx_packets[app->ports[k].id]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "lcore", w->lcore);
	rte_tel_data_add_dict_u64(d, "queues", w->nrxq);
	rte_tel_data_add_dict_u64(d, "rx_packets", rx);
	rte_tel_data_add_dict_u64(d, "flows", s.flows);
	rte_tel_data_add_dict_u64(d, "adus", s.pipe.adus);
	rte_tel_data_add_dict_u64(d, "adus_logged", s.adus_logged);
	rte_tel_data_add_dict_u64(d, "adus_log_dropped", s.adus_dropped);
	rte_tel_data_add_dict_u64(d, "cycles", s.cycles);
	return 0;
}

static int tel_ports_body(struct pmd_app *app, const char *params, struct rte_tel_data *d)
{
	const struct pmd_port *p;
	uint64_t rx = 0, tx = 0, drop = 0;
	int i;

	if (params == NULL || *params == '\0') {
		rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
		for (unsigned k = 0; k < app->nports; k++)
			rte_tel_data_add_array_int(d, app->ports[k].id);
		return 0;
	}
	i = -1;
	for (unsigned k = 0; k < app->nports; k++)
		if (tel_index(params, RTE_MAX_ETHPORTS) == app->ports[k].id)
			i = (int)k;
	if (i < 0)
		return -1;
	p = &app->ports[i];
	for (unsigned k = 0; k < app->nworkers; k++) {
		rx += rd(&app->workers[k]->rx_packets[p->id]);
		tx += rd(&app->workers[k]->tx_packets[p->id]);
		drop += rd(&app->workers[k]->tx_dropped[p->id]);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", p->name);
	rte_tel_data_add_dict_u64(d, "queues", p->nq);
	rte_tel_data_add_dict_u64(d, "rss", (uint64_t)p->rss);
	rte_tel_data_add_dict_u64(d, "rx_packets", rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", tx);
	rte_tel_data_add_dict_u64(d, "tx_dropped", drop);
	return 0;
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc = -1;

	rte_spinlock_lock(&tel_lock);
	if (tel_app != NULL)
		rc = tel_stats_body(tel_app, d);
	rte_spinlock_unlock(&tel_lock);
	return rc;
}

static int tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc = -1;

	rte_spinlock_lock(&tel_lock);
	if (tel_app != NULL)
		rc = tel_workers_body(tel_app, params, d);
	rte_spinlock_unlock(&tel_lock);
	return rc;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc = -1;

	rte_spinlock_lock(&tel_lock);
	if (tel_app != NULL)
		rc = tel_ports_body(tel_app, params, d);
	rte_spinlock_unlock(&tel_lock);
	return rc;
}

void pmd_telemetry_unregister(void)
{
	rte_spinlock_lock(&tel_lock);
	tel_app = NULL;
	rte_spinlock_unlock(&tel_lock);
}

int pmd_telemetry_register(struct pmd_app *app)
{
	rte_spinlock_lock(&tel_lock);
	tel_app = app;
	rte_spinlock_unlock(&tel_lock);
	if (rte_telemetry_register_cmd("/pne/stats", tel_stats,
				       "PNE totals: packets, flows, ADUs, log drops. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/pne/workers", tel_workers,
				       "PNE workers; with a worker number, its counters") != 0 ||
	    rte_telemetry_register_cmd("/pne/ports", tel_ports,
				       "PNE ports; with a port id, its forwarding counters") != 0)
		return -1;
	return 0;
}
