/*
 * Ports, queues and which worker polls what.
 *
 * The flow table is per worker, so both directions of a connection must
 * reach the same worker. In a pair A:B, a connection's client-to-server
 * packets arrive on A and its server-to-client packets on B; queue q of
 * A and queue q of B go to one worker, and the ports spread packets over
 * their queues with a hash that is the same for both directions and on
 * both ports:
 *
 *   - RSS: the symmetric Toeplitz key (0x6d5a repeated) over the IP
 *     addresses and TCP ports gives one hash to a packet and its reply;
 *     both ports of a pair get the same key, hash fields and queue count,
 *     hence the same default redirection table.
 *   - net_af_packet: no RSS in DPDK's sense; its qpairs sockets form a
 *     kernel PACKET_FANOUT_HASH group, which picks a socket by the
 *     kernel's symmetric flow hash (__skb_get_hash_symmetric()), the
 *     same on every interface. All its queues are used (a socket left
 *     unpolled would lose its share).
 *   - any other port without RSS gets one queue.
 *
 * Each worker transmits on its own TX queue: the packets of (A, q) leave
 * by (B, q), and (A, q) has one worker, so no TX queue has two.
 */
#include <string.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "pmd.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define MBUF_CACHE 256

/* The symmetric Toeplitz key: 0x6d5a repeated (Woo and Park, "Scalable
 * TCP Session Monitoring with Symmetric Receive-side Scaling", 2012). */
static uint8_t rss_key[64];

static int is_af_packet(const struct pmd_port *p)
{
	return p->driver != NULL && strcmp(p->driver, "net_af_packet") == 0;
}

/* Queues a port can run: its limit, RSS or not. */
static unsigned port_queues(struct pmd_app *app, struct pmd_port *p,
			    const struct rte_eth_dev_info *di, unsigned want)
{
	unsigned max = di->max_rx_queues;

	if (!app->o.monitor && di->max_tx_queues < max)
		max = di->max_tx_queues;
	if (is_af_packet(p))
		return di->max_rx_queues;   /* qpairs: use them all */
	if (want > max)
		want = max;
	if (want > 1 && di->flow_type_rss_offloads == 0)
		want = 1;
	return want > 0 ? want : 1;
}

static int port_info(struct pmd_port *p, struct rte_eth_dev_info *di)
{
	int rc = rte_eth_dev_info_get(p->id, di);

	if (rc != 0) {
		pmd_err("port %u: no device info: %s", p->id, rte_strerror(-rc));
		return -1;
	}
	p->driver = di->driver_name;
	if (rte_eth_dev_get_name_by_port(p->id, p->name) != 0)
		snprintf(p->name, sizeof(p->name), "port%u", p->id);
	return 0;
}

static int port_configure(struct pmd_app *app, struct pmd_port *p,
			  const struct rte_eth_dev_info *di)
{
	struct rte_eth_conf conf;
	uint16_t nrx = p->nq, ntx = app->o.monitor ? 0 : p->nq;
	uint16_t rxd = RX_DESC, txd = TX_DESC;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (p->nq > 1 && di->flow_type_rss_offloads != 0) {
		uint8_t klen = di->hash_key_size > 0 ? di->hash_key_size : 40;

		if (klen > sizeof(rss_key))
			klen = sizeof(rss_key);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = klen;
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP) &
						   di->flow_type_rss_offloads;
		p->rss = 1;
	}
	if (ntx == 0 && di->max_tx_queues > 0)
		ntx = 1;   /* some drivers want one; monitor mode never uses it */
	rc = rte_eth_dev_configure(p->id, nrx, ntx, &conf);
	if (rc != 0) {
		pmd_err("port %u (%s): configure with %u RX / %u TX queues failed: %s",
			p->id, p->name, nrx, ntx, rte_strerror(-rc));
		return -1;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->id, &rxd, &txd);
	if (rc != 0) {
		pmd_err("port %u (%s): descriptor counts: %s", p->id, p->name, rte_strerror(-rc));
		return -1;
	}
	for (uint16_t q = 0; q < nrx; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, rxd, rte_eth_dev_socket_id(p->id), NULL,
					    app->pool);
		if (rc != 0) {
			pmd_err("port %u (%s): RX queue %u: %s", p->id, p->name, q,
				rte_strerror(-rc));
			return -1;
		}
	}
	for (uint16_t q = 0; q < ntx; q++) {
		rc = rte_eth_tx_queue_setup(p->id, q, txd, rte_eth_dev_socket_id(p->id), NULL);
		if (rc != 0) {
			pmd_err("port %u (%s): TX queue %u: %s", p->id, p->name, q,
				rte_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static int port_start(struct pmd_app *app, struct pmd_port *p)
{
	int rc = rte_eth_dev_start(p->id);

	if (rc != 0) {
		pmd_err("port %u (%s): start failed: %s", p->id, p->name, rte_strerror(-rc));
		return -1;
	}
	p->started = 1;
	/* a mirror or inline port must see every frame; a virtual device
	 * without the notion (net_pcap, net_ring) says so harmlessly */
	rc = rte_eth_promiscuous_enable(p->id);
	if (rc != 0 && rc != -ENOTSUP && !app->o.quiet)
		fprintf(stderr, PMD_PROG ": warning: port %u (%s): promiscuous mode: %s\n",
			p->id, p->name, rte_strerror(-rc));
	return 0;
}

/* The default pairing: 0:1, 2:3, ..., an odd last port alone. */
static int default_pairs(struct pmd_app *app)
{
	uint16_t ids[RTE_MAX_ETHPORTS], n = 0, pid;

	RTE_ETH_FOREACH_DEV(pid)
		ids[n++] = pid;
	if (n == 0) {
		pmd_err("no Ethernet port: give one with --vdev (e.g. "
			"--vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap) or bind a NIC "
			"to vfio-pci (docs/dpdk-pne.md)");
		return -1;
	}
	for (uint16_t i = 0; i < n; i += 2) {
		struct pmd_pair *p = &app->o.pairs[app->o.npairs++];

		p->a = ids[i];
		p->b = i + 1 < n ? ids[i + 1] : ids[i];
	}
	return 0;
}

static struct pmd_port *port_get(struct pmd_app *app, uint16_t id)
{
	struct pmd_port *p = &app->ports[app->nports++];

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->used = 1;
	return p;
}

static int add_rxq(struct pmd_worker *w, uint16_t port, uint16_t q, uint16_t tx_port)
{
	if (w->nrxq == PMD_MAX_RXQ) {
		pmd_err("more than %d queues for worker %u: use fewer --queues or more "
			"lcores", PMD_MAX_RXQ, w->id);
		return -1;
	}
	w->rxq[w->nrxq++] = (struct pmd_rxq){
		.port = port, .queue = q, .tx_port = tx_port, .tx_queue = q,
	};
	return 0;
}

/* Queue q of both ports of a pair to one worker, round robin. */
static int map_queues(struct pmd_app *app)
{
	unsigned next = 0;

	for (unsigned i = 0; i < app->o.npairs; i++) {
		const struct pmd_pair *pr = &app->o.pairs[i];
		uint16_t nq = 0;

		for (unsigned k = 0; k < app->nports; k++)
			if (app->ports[k].id == pr->a)
				nq = app->ports[k].nq;
		for (uint16_t q = 0; q < nq; q++) {
			struct pmd_worker *w = app->workers[next++ % app->nworkers];

			if (add_rxq(w, pr->a, q, pr->b) != 0)
				return -1;
			if (pr->b != pr->a && add_rxq(w, pr->b, q, pr->a) != 0)
				return -1;
		}
	}
	return 0;
}

static struct rte_mempool *make_pool(struct pmd_app *app, unsigned queues)
{
	unsigned n = queues * (RX_DESC + TX_DESC) +
		     app->nworkers * (PMD_BURST + MBUF_CACHE) + 4096;

	return rte_pktmbuf_pool_create("pne_mbufs", n, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
}

/* Ports of the pairs checked, queue counts chosen (the smaller of a
 * pair's two). */
static int plan_ports(struct pmd_app *app, struct rte_eth_dev_info *info,
		      unsigned *queues)
{
	unsigned want = app->o.queues > 0 ? app->o.queues : app->nworkers;

	*queues = 0;
	for (unsigned i = 0; i < app->o.npairs; i++) {
		const struct pmd_pair *pr = &app->o.pairs[i];
		struct pmd_port *pa, *pb;
		unsigned qa, qb;

		for (int s = 0; s < 2; s++) {
			uint16_t id = s == 0 ? pr->a : pr->b;

			if (!rte_eth_dev_is_valid_port(id)) {
				pmd_err("--ports: no port %u (%u ports: give each with --vdev "
					"or bind a NIC)", id, rte_eth_dev_count_avail());
				return PMD_EXIT_USAGE;
			}
		}
		pa = port_get(app, pr->a);
		if (port_info(pa, &info[app->nports - 1]) != 0)
			return PMD_EXIT_RUN;
		qa = port_queues(app, pa, &info[app->nports - 1], want);
		pb = pa;
		qb = qa;
		if (pr->b != pr->a) {
			pb = port_get(app, pr->b);
			if (port_info(pb, &info[app->nports - 1]) != 0)
				return PMD_EXIT_RUN;
			qb = port_queues(app, pb, &info[app->nports - 1], want);
		}
		if (qa != qb && (is_af_packet(pa) || is_af_packet(pb))) {
			pmd_err("ports %u (%s) and %u (%s) have %u and %u queues: give both "
				"the same qpairs", pa->id, pa->name, pb->id, pb->name, qa, qb);
			return PMD_EXIT_USAGE;
		}
		pa->nq = pb->nq = (uint16_t)(qa < qb ? qa : qb);
		*queues += pa->nq * (pr->b != pr->a ? 2 : 1);
	}
	return 0;
}

static int check_tx(struct pmd_app *app, const struct rte_eth_dev_info *info)
{
	if (app->o.monitor)
		return 0;
	for (unsigned k = 0; k < app->nports; k++) {
		if (info[k].max_tx_queues < app->ports[k].nq) {
			pmd_err("port %u (%s) can't transmit (%u TX queues): inline mode "
				"forwards every packet; give it a TX side (net_pcap: tx_pcap=FILE) "
				"or use --mode monitor", app->ports[k].id, app->ports[k].name,
				info[k].max_tx_queues);
			return -1;
		}
	}
	return 0;
}

int pmd_ports_setup(struct pmd_app *app)
{
	static struct rte_eth_dev_info info[RTE_MAX_ETHPORTS];
	unsigned queues;
	int rc;

	for (size_t i = 0; i < sizeof(rss_key); i += 2) {
		rss_key[i] = 0x6d;
		rss_key[i + 1] = 0x5a;
	}
	if (app->o.npairs == 0 && default_pairs(app) != 0)
		return PMD_EXIT_RUN;
	rc = plan_ports(app, info, &queues);
	if (rc != 0)
		return rc;
	if (check_tx(app, info) != 0)
		return PMD_EXIT_USAGE;
	app->pool = make_pool(app, queues);
	if (app->pool == NULL) {
		pmd_err("mbuf pool: %s (give the EAL more memory: -m)", rte_strerror(rte_errno));
		return PMD_EXIT_RUN;
	}
	for (unsigned k = 0; k < app->nports; k++)
		if (port_configure(app, &app->ports[k], &info[k]) != 0)
			return PMD_EXIT_RUN;
	if (map_queues(app) != 0)
		return PMD_EXIT_USAGE;
	for (unsigned k = 0; k < app->nports; k++)
		if (port_start(app, &app->ports[k]) != 0)
			return PMD_EXIT_RUN;
	return 0;
}

void pmd_ports_stop(struct pmd_app *app)
{
	for (unsigned k = 0; k < app->nports; k++) {
		struct pmd_port *p = &app->ports[k];

		if (!p->used)
			continue;
		if (p->started) {
			p->have_final = rte_eth_stats_get(p->id, &p->final_stats) == 0;
			rte_eth_dev_stop(p->id);
			p->started = 0;
		}
		/* closing flushes what a virtual device buffers (net_pcap's
		 * tx_pcap) */
		rte_eth_dev_close(p->id);
		p->used = 0;
	}
}

void pmd_port_stats(const struct pmd_port *p, struct rte_eth_stats *es)
{
	memset(es, 0, sizeof(*es));
	if (p->have_final)
		*es = p->final_stats;
	else if (p->started)
		rte_eth_stats_get(p->id, es);
}
