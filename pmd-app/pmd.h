/*
 * dpdk-pne's private interfaces. The sections and their files:
 *   options.c  the command line after "--"
 *   ports.c    port and queue setup (symmetric RSS), queue -> worker map
 *   worker.c   the run-to-completion loop of one worker lcore
 *   adulog.c   ADU log buffers handed from workers to the main lcore
 *   stats.c    counters: summary, --stats-json, periodic line, telemetry
 *   bench.c    --bench: a capture preloaded into mbufs, replayed through
 *              the worker loop from an in-memory ring port, timed
 *   main.c     EAL, setup, launch, shutdown
 * docs/dpdk-pne.md is the manual.
 */
#ifndef PNE_PMD_H
#define PNE_PMD_H

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "pne/flow_table.h"
#include "pne/pipe.h"
#include "pne/tracker.h"
#include "cli_common.h"   /* options shared with pne-replay */
#include "replay.h"       /* struct rpl_specs: spec selection shared with pne-replay */

#define PMD_PROG "dpdk-pne"

/* Exit statuses (as pne-replay's). */
#define PMD_EXIT_RUN   1   /* EAL or port failure, no memory, output error */
#define PMD_EXIT_USAGE 2

#define PMD_BURST       32
#define PMD_PREFETCH    4      /* frames prefetched ahead while parsing */
#define PMD_MAX_ARGS    64     /* --spec and --param options each */
#define PMD_MAX_WORKERS RTE_MAX_LCORE
#define PMD_MAX_RXQ     64     /* (port, queue)s one worker polls */
#define PMD_MAX_TYPES   128    /* distinct (spec, ADU type)s counted per worker */
#define PMD_SCRATCH     65536  /* a multi-segment frame is copied here whole */

/* ---- options.c ---- */

/* --bench-modes: what each pass of a benchmark round does with the
 * frames. */
enum pmd_bench_mode {
	PMD_BENCH_FORWARD,      /* rx -> tx only: the --no-track path */
	PMD_BENCH_TRACK,        /* rx -> pipeline -> tx */
	PMD_BENCH__COUNT
};

#define PMD_BENCH_MAX_LOOPS 100000

struct pmd_pair {
	uint16_t a, b;          /* b == a: a lone port transmits back on itself */
};

struct pmd_opts {
	struct pmd_pair pairs[RTE_MAX_ETHPORTS];
	unsigned npairs;        /* 0: the default pairing */
	int monitor;            /* --mode monitor */
	const char *spec_args[PMD_MAX_ARGS];
	unsigned nspec_args;
	const char *param_args[PMD_MAX_ARGS];
	unsigned nparam_args;
	int list_specs;
	const char *adus;       /* NULL: ADUs counted, not written */
	const char *stats_json;
	struct rpl_pipe_opts pipe;           /* per worker: --max-flows,
	                                        --memcap, timeouts... */
	unsigned queues;        /* --queues; 0: one per worker */
	double stats_interval;  /* s; 0: off */
	double idle_exit;       /* s; 0: never */
	unsigned log_buffers;   /* log buffers per worker */
	int no_track;
	int quiet;
	const char *bench;      /* --bench capture (bench_file); NULL: none */
	unsigned bench_loops;   /* rounds (each mode replays the capture once) */
	uint8_t bench_modes[PMD_BENCH__COUNT];   /* enum pmd_bench_mode */
	unsigned bench_nmodes;
	char bench_file[4096];  /* FILE of "FILE[:LOOPS]" */
};

/* Parse the application's arguments (those after "--"). Returns 0 to
 * run, -1 after --help (exit 0), or an exit status. */
int pmd_parse_options(struct pmd_opts *o, int argc, char **argv);

void pmd_usage(FILE *f);

/* ---- adulog.c ---- */

struct pmd_logbuf;

/* One worker's side of the ADU log: a buffer being filled, a ring of
 * full ones to the main lcore and a ring of empty ones back. */
struct pmd_log {
	struct rte_ring *full;      /* worker -> main (SP/SC) */
	struct rte_ring *free;      /* main -> worker (SP/SC) */
	struct pmd_logbuf *cur;     /* NULL: none free, ADUs are dropped */
	struct pmd_logbuf **bufs;   /* every buffer, for the teardown */
	unsigned nbufs;
	uint64_t last_push;         /* tsc of the last hand-over */
	int blocking;               /* shutdown: wait for a buffer, don't drop */
	/* counters (written by the worker, read by others relaxed) */
	uint64_t written;           /* ADU lines handed over */
	uint64_t dropped;           /* no buffer free: ADU lines lost */
	uint64_t too_long;          /* a line longer than a whole buffer */
};

struct pmd_worker;
struct pmd_app;

int pmd_log_init(struct pmd_log *lg, unsigned id, unsigned nbufs, int socket);
void pmd_log_free(struct pmd_log *lg);

/* Append one ADU line (worker side). */
void pmd_log_adu(struct pmd_worker *w, const char *label, const struct pne_adu *adu);

/* Hand the buffer being filled to the main lcore if it holds anything
 * (worker side). */
void pmd_log_push(struct pmd_worker *w);

/* Write every full buffer of every worker to the log file and give the
 * buffers back (main lcore). Returns the buffers written. */
unsigned pmd_log_drain(struct pmd_app *app);

/* ---- worker.c ---- */

struct pmd_rxq {
	uint16_t port, queue;       /* polled */
	uint16_t tx_port, tx_queue; /* inline: where its packets go */
};

/* ADUs by (spec, type); type pointers are the spec tables' strings. */
struct pmd_type_count {
	const char *type;
	unsigned spec;
	uint64_t n;
};

/* Counters the main lcore and the telemetry thread read while the
 * worker runs: a copy the worker refreshes under a sequence count. */
struct pmd_snapshot {
	struct pne_pipe_stats pipe;
	struct pne_tracker_stats tracker;
	struct pne_flow_stats flow;
	uint32_t flows;
	uint64_t cycles;
	uint64_t adus_logged, adus_dropped;
};

struct pmd_worker {
	unsigned id, lcore;
	struct pmd_app *app;
	struct pmd_rxq rxq[PMD_MAX_RXQ];
	unsigned nrxq;
	uint16_t burst;             /* rx burst size: PMD_BURST, less at the
	                               end of a --bench pass */
	struct pne_pipe *pipe;      /* NULL: forward only (--no-track, or a
	                               forward pass of --bench) */
	struct pne_pipe *own_pipe;  /* the pipeline, even while pipe is NULL */
	struct pmd_log log;
	uint8_t *scratch;           /* PMD_SCRATCH bytes */
	/* port counters, [port]; stored with relaxed atomics */
	uint64_t rx_packets[RTE_MAX_ETHPORTS], rx_bytes[RTE_MAX_ETHPORTS];
	uint64_t tx_packets[RTE_MAX_ETHPORTS], tx_dropped[RTE_MAX_ETHPORTS];
	uint64_t rx_total;          /* every port: the idle check reads it */
	uint64_t multiseg;          /* frames copied whole to be parsed */
	uint64_t cycles;            /* tsc spent in the pipeline */
	uint64_t idle_polls, busy_polls;
	struct pmd_type_count types[PMD_MAX_TYPES];
	unsigned ntypes;
	uint64_t types_overflow;    /* ADUs of a (spec, type) past the table */
	uint64_t last_snap;
	uint64_t snap_every, push_every;   /* tsc periods of the duties */
	uint32_t snap_seq;          /* odd while the worker writes snap */
	struct pmd_snapshot snap;
	int setup_err;              /* errno of pne_pipe_create(), 0 */
	int ready, done;            /* set by the worker (atomics) */
} __rte_cache_aligned;

/* lcore entry of a worker (arg: struct pmd_worker *). */
int pmd_worker_main(void *arg);

/* tsc -> ns of the pipelines' clock. */
uint64_t pmd_now_ns(const struct pmd_app *app, uint64_t tsc);

/* Copy w's snapshot consistently (any thread). */
void pmd_snapshot_read(struct pmd_worker *w, struct pmd_snapshot *out);

/* ---- bench.c ---- */

/* One timed replay of the capture through the worker loop. */
struct pmd_bench_pass {
	uint8_t mode;               /* enum pmd_bench_mode */
	unsigned round;
	uint64_t packets, bytes;
	uint64_t cycles;            /* tsc, the worker loop from the first rx
	                               burst to the last tx burst */
	uint64_t pipe_cycles;       /* of which inside the pipeline */
	uint64_t flush_cycles;      /* pne_pipe_flush() after the pass (not
	                               in cycles) */
	uint64_t adus;              /* reported by the pass and its flush */
	uint64_t examined;          /* payload packets the interpreter read */
};

struct pmd_bench {
	struct rte_ring *ring;      /* the ring port's rx and tx ring */
	struct rte_mempool *pool;   /* the capture's frames, one mbuf each */
	uint16_t port;
	uint64_t frames, bytes;     /* one replay */
	struct pmd_bench_pass *passes;   /* loops x modes, in run order */
	unsigned npasses;
};

const char *pmd_bench_mode_name(enum pmd_bench_mode m);

/* Load the capture into mbufs and make the ring port that replays it;
 * the port becomes the only one used (a lone port). Returns 0 or an
 * exit status after printing why. */
int pmd_bench_setup(struct pmd_app *app);

/* The worker's side (worker.c): run every pass, filling passes[]. */
void pmd_bench_run(struct pmd_worker *w);

/* One pass of frames through the worker loop, a function per mode (not
 * inlined, external so never renamed) for callgrind to count each alone:
 * bench/pmd_cost.sh's --toggle-collect=pmd_bench_pass_track. */
__attribute__((noinline)) void pmd_bench_pass_forward(struct pmd_worker *w, uint64_t frames);
__attribute__((noinline)) void pmd_bench_pass_track(struct pmd_worker *w, uint64_t frames);

/* Print the passes and their summary (cycles, Mpps, Gbit/s per core,
 * the tracking overhead over forwarding). */
void pmd_bench_report(struct pmd_app *app, FILE *f);
void pmd_bench_free(struct pmd_app *app);

/* ---- ports.c ---- */

struct pmd_port {
	uint16_t id;
	uint16_t nq;                /* queue pairs configured */
	int used;
	int rss;                    /* symmetric RSS configured */
	int started;
	int have_final;             /* final_stats read as it stopped */
	struct rte_eth_stats final_stats;
	char name[RTE_ETH_NAME_MAX_LEN];
	const char *driver;
};

/* Pair the ports, configure and start them, map queues to workers.
 * Returns 0, or an exit status after printing why. */
int pmd_ports_setup(struct pmd_app *app);
void pmd_ports_stop(struct pmd_app *app);

/* The port's own counters: live, or as it stopped. */
void pmd_port_stats(const struct pmd_port *p, struct rte_eth_stats *es);

/* ---- stats.c ---- */

struct pmd_totals {
	struct pne_pipe_stats pipe;
	struct pne_tracker_stats tracker;
	struct pne_flow_stats flow;
	uint64_t flows;             /* in the tables now */
	uint64_t cycles;
	uint64_t adus_logged, adus_dropped;
	uint64_t rx, tx, tx_dropped;
};

/* Sum the workers' snapshots (final: the workers have stopped; their
 * live counters are read). */
void pmd_totals(struct pmd_app *app, struct pmd_totals *t, int final);

void pmd_stats_line(struct pmd_app *app, FILE *f);
void pmd_summary(struct pmd_app *app, FILE *f);
int pmd_write_stats(struct pmd_app *app, const char *path);
int pmd_telemetry_register(struct pmd_app *app);
/* The commands answer nothing from now on (before the teardown). */
void pmd_telemetry_unregister(void);

/* ---- main.c: the application ---- */

struct pmd_app {
	struct pmd_opts o;
	struct rpl_specs specs;
	struct pne_pipe_spec pspecs[RPL_MAX_SPECS];
	struct pmd_port ports[RTE_MAX_ETHPORTS];
	uint16_t nports;            /* ports[] used, in --ports order */
	struct pmd_worker *workers[PMD_MAX_WORKERS];
	unsigned nworkers;
	int main_is_worker;         /* -l with one lcore: the main lcore works */
	struct rte_mempool *pool;
	struct pmd_bench bench;     /* --bench */
	FILE *adus;
	int adus_error;
	uint64_t tsc_hz, tsc0;
	uint64_t ns_mult;           /* ns = (tsc - tsc0) * ns_mult >> 32 */
	uint64_t start_tsc, stop_tsc;
	/* main lcore housekeeping */
	uint64_t next_tick, next_line, last_rx_change, last_rx;
	uint64_t line_rx;           /* rx at the last periodic line */
};

/* Set by SIGINT/SIGTERM and --idle-exit; the workers poll it. */
extern volatile int pmd_stop;

/* The main lcore's periodic duties: drain the log, check --idle-exit,
 * print the periodic line. Cheap when called often. */
void pmd_main_tick(struct pmd_app *app);

/* "dpdk-pne: MESSAGE" on stderr. */
#define pmd_err(...) rpl_err(PMD_PROG, __VA_ARGS__)

#endif /* PNE_PMD_H */
