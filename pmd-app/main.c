/*
 * dpdk-pne: the PNE runtime on DPDK ports (docs/dpdk-pne.md).
 *
 *   dpdk-pne [EAL OPTIONS] -- [OPTIONS]
 *
 * The main lcore sets everything up, then writes the ADU log, watches
 * for --idle-exit and prints the periodic line while the worker lcores
 * forward and track (worker.c). With a single lcore the main lcore is
 * the one worker and does the rest between bursts. On SIGINT or SIGTERM
 * (or --idle-exit) the workers stop polling, end every connection (its
 * last ADUs reported), hand over their last log lines and finish; the
 * main lcore writes everything, stops the ports, prints the final stats.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "pmd.h"

#define TICK_US 1000            /* main lcore housekeeping period */

volatile int pmd_stop;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&pmd_stop, 1, __ATOMIC_RELAXED);
}

void pmd_main_tick(struct pmd_app *app)
{
	uint64_t tsc = rte_rdtsc();
	uint64_t rx = 0;

	if (tsc < app->next_tick)
		return;
	app->next_tick = tsc + app->tsc_hz / 1000000 * TICK_US;
	pmd_log_drain(app);
	for (unsigned i = 0; i < app->nworkers; i++)
		rx += __atomic_load_n(&app->workers[i]->rx_total, __ATOMIC_RELAXED);
	if (rx != app->last_rx) {
		app->last_rx = rx;
		app->last_rx_change = tsc;
	} else if (app->o.idle_exit > 0 &&
		   tsc - app->last_rx_change >= (uint64_t)(app->o.idle_exit * (double)app->tsc_hz)) {
		__atomic_store_n(&pmd_stop, 1, __ATOMIC_RELAXED);
	}
	if (app->o.stats_interval > 0 && tsc >= app->next_line) {
		app->next_line = tsc + (uint64_t)(app->o.stats_interval * (double)app->tsc_hz);
		pmd_stats_line(app, stderr);
	}
}

/* ---- before the EAL: options and specs ---- */

static int has_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

static int setup_specs(struct pmd_app *app)
{
	struct pmd_opts *o = &app->o;

	rpl_specs_prog = PMD_PROG;
	if (o->nspec_args == 0 && rpl_specs_add_builtin(&app->specs) != 0)
		return -1;
	for (unsigned i = 0; i < o->nspec_args; i++)
		if (rpl_specs_add(&app->specs, o->spec_args[i]) != 0)
			return -1;
	for (unsigned i = 0; i < o->nparam_args; i++)
		if (rpl_specs_param(&app->specs, o->param_args[i]) != 0)
			return -1;
	for (unsigned i = 0; i < app->specs.n; i++) {
		if (pne_tracker_flow_size(app->specs.s[i].spec) == 0) {
			pmd_err("spec %s: unusable table", app->specs.s[i].spec->name);
			return -1;
		}
		app->pspecs[i].spec = app->specs.s[i].spec;
		app->pspecs[i].params = app->specs.s[i].params;
	}
	rpl_specs_ports(&app->specs, o->quiet);
	return 0;
}

static int open_adus(struct pmd_app *app)
{
	const char *path = app->o.adus;

	if (path == NULL)
		return 0;
	app->adus = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	if (app->adus == NULL) {
		pmd_err("%s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(app->adus, NULL, _IOFBF, 1u << 16);
	return 0;
}

static int close_adus(struct pmd_app *app)
{
	int bad;

	if (app->adus == NULL)
		return 0;
	bad = ferror(app->adus) != 0 || app->adus_error != 0;
	bad |= app->adus == stdout ? fflush(stdout) != 0 : fclose(app->adus) != 0;
	app->adus = NULL;
	if (bad) {
		pmd_err("%s: error writing the ADUs%s%s", app->o.adus,
			app->adus_error ? ": " : "",
			app->adus_error ? strerror(app->adus_error) : "");
		return -1;
	}
	return 0;
}

/* ---- after the EAL: workers ---- */

static struct pmd_worker *worker_new(struct pmd_app *app, unsigned lcore)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct pmd_worker *w = rte_zmalloc_socket("pne_worker", sizeof(*w),
						  RTE_CACHE_LINE_SIZE, socket);

	if (w == NULL)
		return NULL;
	w->scratch = rte_malloc_socket("pne_scratch", PMD_SCRATCH, RTE_CACHE_LINE_SIZE,
				       socket);
	if (w->scratch == NULL) {
		rte_free(w);
		return NULL;
	}
	w->id = app->nworkers;
	w->lcore = lcore;
	w->app = app;
	app->workers[app->nworkers++] = w;
	return w;
}

static void worker_free(struct pmd_worker *w)
{
	pne_pipe_destroy(w->own_pipe);
	pmd_log_free(&w->log);
	rte_free(w->scratch);
	rte_free(w);
}

static int make_workers(struct pmd_app *app)
{
	unsigned lcore;

	app->main_is_worker = rte_lcore_count() == 1;
	if (app->main_is_worker)
		return worker_new(app, rte_get_main_lcore()) != NULL ? 0 : -1;
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (worker_new(app, lcore) == NULL)
			return -1;
	return 0;
}

/* Workers left without a queue (more lcores than queues) stay home. */
static void prune_workers(struct pmd_app *app)
{
	unsigned n = 0;

	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_worker *w = app->workers[i];

		if (w->nrxq == 0) {
			if (!app->o.quiet)
				fprintf(stderr, PMD_PROG ": warning: lcore %u has no queue to "
					"poll (the ports have fewer queues than workers); it "
					"stays idle\n", w->lcore);
			worker_free(w);
			continue;
		}
		w->id = n;
		app->workers[n++] = w;
	}
	app->nworkers = n;
}

static int init_logs(struct pmd_app *app)
{
	unsigned nbufs = app->adus != NULL ? app->o.log_buffers : 2;

	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_worker *w = app->workers[i];

		if (pmd_log_init(&w->log, w->id, nbufs,
				 (int)rte_lcore_to_socket_id(w->lcore)) != 0) {
			pmd_err("ADU log buffers (%u x 64 KiB per worker): out of memory "
				"(give the EAL more with -m, or fewer --log-buffers)", nbufs);
			return -1;
		}
	}
	return 0;
}

/* Launch the workers on their lcores; each builds its pipeline there.
 * Returns 0 once all are ready, -1 after stopping them. */
static int launch(struct pmd_app *app)
{
	int failed = 0;

	if (app->main_is_worker)
		return 0;
	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_worker *w = app->workers[i];

		if (rte_eal_remote_launch(pmd_worker_main, w, w->lcore) != 0) {
			pmd_err("lcore %u: launch failed", w->lcore);
			__atomic_store_n(&pmd_stop, 1, __ATOMIC_RELAXED);
			return -1;
		}
	}
	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_worker *w = app->workers[i];

		while (!__atomic_load_n(&w->ready, __ATOMIC_ACQUIRE))
			rte_pause();
		if (w->setup_err != 0) {
			char what[128];

			rpl_pipe_describe(&app->o.pipe, what, sizeof(what));
			pmd_err("worker on lcore %u: pipeline of %s: %s", w->lcore, what,
				strerror(w->setup_err));
			failed = 1;
		}
	}
	if (failed)
		__atomic_store_n(&pmd_stop, 1, __ATOMIC_RELAXED);
	return failed ? -1 : 0;
}

/* Run until stopped, then collect every worker's last lines. */
static int run(struct pmd_app *app)
{
	app->last_rx_change = app->next_line = rte_rdtsc();
	if (app->o.stats_interval > 0)
		app->next_line += (uint64_t)(app->o.stats_interval * (double)app->tsc_hz);
	__atomic_store_n(&app->start_tsc, rte_rdtsc(), __ATOMIC_RELEASE);
	if (app->main_is_worker) {
		if (pmd_worker_main(app->workers[0]) != 0) {
			char what[128];

			rpl_pipe_describe(&app->o.pipe, what, sizeof(what));
			pmd_err("pipeline of %s: %s", what, strerror(app->workers[0]->setup_err));
			return -1;
		}
	} else {
		while (!__atomic_load_n(&pmd_stop, __ATOMIC_RELAXED)) {
			pmd_main_tick(app);
			rte_delay_us_sleep(TICK_US);
		}
	}
	app->stop_tsc = rte_rdtsc();
	for (unsigned i = 0; i < app->nworkers; i++)
		while (!__atomic_load_n(&app->workers[i]->done, __ATOMIC_ACQUIRE))
			if (pmd_log_drain(app) == 0)
				rte_pause();
	rte_eal_mp_wait_lcore();
	pmd_log_drain(app);
	return 0;
}

static int report(struct pmd_app *app)
{
	const struct pmd_opts *o = &app->o;
	int json_on_stdout = (o->adus != NULL && strcmp(o->adus, "-") == 0) ||
			     (o->stats_json != NULL && strcmp(o->stats_json, "-") == 0);

	if (o->stats_json != NULL && pmd_write_stats(app, o->stats_json) != 0)
		return -1;
	if (o->bench != NULL) {
		/* the benchmark's result: printed even with --quiet */
		pmd_bench_report(app, json_on_stdout ? stderr : stdout);
		fflush(stdout);
	}
	if (!o->quiet) {
		pmd_summary(app, json_on_stdout ? stderr : stdout);
		fflush(stdout);
	}
	return 0;
}

/* The EAL carries on when a --vdev fails to probe: each named Ethernet
 * device must exist. Returns 0, or -1 after saying which did not. */
static int check_vdevs(int eal_argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < eal_argc; i++) {
		const char *v = NULL;
		char name[RTE_ETH_NAME_MAX_LEN];
		uint16_t port;

		if (strcmp(argv[i], "--vdev") == 0 && i + 1 < eal_argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--vdev=", 7) == 0)
			v = argv[i] + 7;
		if (v == NULL || (strncmp(v, "net_", 4) != 0 && strncmp(v, "eth_", 4) != 0))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(v, ","), v);
		if (rte_eth_dev_get_port_by_name(name, &port) != 0) {
			pmd_err("--vdev %s: the device did not start (the driver says why "
				"above)", v);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

static int eal_main(struct pmd_app *app, int eal_argc, char **argv)
{
	char *eal_argv[eal_argc + 1];
	int rc;

	/* the EAL permutes and overwrites its arguments: give it a copy */
	memcpy(eal_argv, argv, (size_t)eal_argc * sizeof(*argv));
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		pmd_err("EAL initialisation failed: %s (see the EAL's messages above; "
			"dpdk-pne --help)", rte_strerror(rte_errno));
		return PMD_EXIT_RUN;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = PMD_EXIT_RUN;
	if (check_vdevs(eal_argc, argv) != 0)
		goto out;
	app->tsc_hz = rte_get_tsc_hz();
	app->ns_mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / app->tsc_hz);
	app->tsc0 = rte_rdtsc();
	if (make_workers(app) != 0) {
		pmd_err("worker state: out of memory (give the EAL more with -m)");
		goto out;
	}
	if (app->o.bench != NULL) {
		rc = pmd_bench_setup(app);
		if (rc != 0)
			goto out;
	}
	rc = pmd_ports_setup(app);
	if (rc != 0)
		goto out;
	rc = PMD_EXIT_RUN;
	prune_workers(app);
	if (init_logs(app) != 0)
		goto out;
	if (pmd_telemetry_register(app) != 0 && !app->o.quiet)
		fprintf(stderr, PMD_PROG ": warning: telemetry commands not registered\n");
	if (launch(app) != 0 || run(app) != 0) {
		rte_eal_mp_wait_lcore();
		goto out;
	}
	rc = close_adus(app) == 0 ? 0 : PMD_EXIT_RUN;
	pmd_ports_stop(app);
	if (report(app) != 0)
		rc = PMD_EXIT_RUN;
out:
	pmd_telemetry_unregister();
	close_adus(app);
	pmd_ports_stop(app);
	for (unsigned i = 0; i < app->nworkers; i++)
		worker_free(app->workers[i]);
	pmd_bench_free(app);
	rte_mempool_free(app->pool);
	rte_eal_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	static struct pmd_app app;   /* the port map is 64 KiB: not on the stack */
	char *app_argv[argc + 1];
	int eal_argc = argc, app_argc = 1, rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			break;
		}
	if (eal_argc == argc && has_help(argc, argv)) {
		pmd_usage(stdout);
		printf("EAL options: dpdk-pne --help --  (the EAL's own list)\n");
		return 0;
	}
	app_argv[0] = argv[0];
	for (int i = eal_argc + 1; i < argc; i++)
		app_argv[app_argc++] = argv[i];
	app_argv[app_argc] = NULL;
	rc = pmd_parse_options(&app.o, app_argc, app_argv);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (!app.o.no_track && setup_specs(&app) != 0) {
		rpl_specs_free(&app.specs);
		return PMD_EXIT_USAGE;
	}
	if (app.o.list_specs) {
		rpl_specs_list(&app.specs, stdout);
		rpl_specs_free(&app.specs);
		return 0;
	}
	if (open_adus(&app) != 0) {
		rpl_specs_free(&app.specs);
		return PMD_EXIT_RUN;
	}
	rc = eal_main(&app, eal_argc, argv);
	rpl_specs_free(&app.specs);
	return rc;
}
