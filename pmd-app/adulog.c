/*
 * The ADU log, written off the workers. A worker formats each ADU line
 * (pne_adu_log_line(), the format of pne-replay) into a 64 KiB buffer;
 * a full buffer goes to the main lcore through the worker's "full" ring
 * and comes back empty through its "free" ring. Both rings have one
 * producer and one consumer, so neither side takes a lock, and the
 * worker never waits on the file: with every buffer in the writer's
 * hands it drops the line and counts it. At shutdown (blocking) the
 * worker waits for buffers instead, so every last ADU is written.
 *
 * Buffers preserve order: one worker's lines reach the file in the
 * order the worker made them (the two directions of a flow and a flow's
 * successive ADUs are on one worker); lines of different workers
 * interleave buffer by buffer.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "pne/adu_log.h"
#include "pmd.h"

#define LOGBUF_SIZE (64u << 10)

struct pmd_logbuf {
	uint32_t len;
	char data[LOGBUF_SIZE];
};

int pmd_log_init(struct pmd_log *lg, unsigned id, unsigned nbufs, int socket)
{
	char name[RTE_RING_NAMESIZE];
	unsigned ring_size = rte_align32pow2(nbufs + 1);

	memset(lg, 0, sizeof(*lg));
	snprintf(name, sizeof(name), "pne_logf%u", id);
	lg->full = rte_ring_create(name, ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "pne_loge%u", id);
	lg->free = rte_ring_create(name, ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	lg->bufs = rte_zmalloc_socket("pne_logbufs", nbufs * sizeof(*lg->bufs), 0, socket);
	if (lg->full == NULL || lg->free == NULL || lg->bufs == NULL)
		goto nomem;
	for (unsigned i = 0; i < nbufs; i++) {
		lg->bufs[i] = rte_malloc_socket("pne_logbuf", sizeof(struct pmd_logbuf),
						RTE_CACHE_LINE_SIZE, socket);
		if (lg->bufs[i] == NULL)
			goto nomem;
		lg->bufs[i]->len = 0;
		lg->nbufs++;
		if (i > 0)
			rte_ring_sp_enqueue(lg->free, lg->bufs[i]);
	}
	lg->cur = lg->bufs[0];
	return 0;
nomem:
	pmd_log_free(lg);
	return -ENOMEM;
}

void pmd_log_free(struct pmd_log *lg)
{
	for (unsigned i = 0; i < lg->nbufs; i++)
		rte_free(lg->bufs[i]);
	rte_free(lg->bufs);
	rte_ring_free(lg->full);
	rte_ring_free(lg->free);
	memset(lg, 0, sizeof(*lg));
}

/* A buffer to fill: from the free ring, or none. Blocking (shutdown),
 * wait for the main lcore to return one; the worker on the main lcore
 * (one lcore in all) writes its own buffers instead. */
static struct pmd_logbuf *log_get(struct pmd_worker *w)
{
	struct pmd_log *lg = &w->log;
	void *b;

	for (;;) {
		if (rte_ring_sc_dequeue(lg->free, &b) == 0)
			return b;
		if (w->app->main_is_worker)
			pmd_log_drain(w->app);
		else if (lg->blocking)
			rte_pause();
		else
			return NULL;
	}
}

void pmd_log_push(struct pmd_worker *w)
{
	struct pmd_log *lg = &w->log;

	if (lg->cur == NULL) {
		lg->cur = log_get(w);
		return;
	}
	if (lg->cur->len == 0)
		return;
	/* cannot fail: the ring holds more than every buffer */
	rte_ring_sp_enqueue(lg->full, lg->cur);
	lg->last_push = rte_rdtsc();
	lg->cur = log_get(w);
}

void pmd_log_adu(struct pmd_worker *w, const char *label, const struct pne_adu *adu)
{
	struct pmd_log *lg = &w->log;
	size_t n;

	if (lg->cur == NULL && (lg->cur = log_get(w)) == NULL) {
		__atomic_store_n(&lg->dropped, lg->dropped + 1, __ATOMIC_RELAXED);
		return;
	}
	n = pne_adu_log_line(lg->cur->data + lg->cur->len, LOGBUF_SIZE - lg->cur->len,
			     label, adu, NULL);
	if (n >= LOGBUF_SIZE - lg->cur->len) {
		if (n >= LOGBUF_SIZE) {
			lg->too_long++;
			__atomic_store_n(&lg->dropped, lg->dropped + 1, __ATOMIC_RELAXED);
			return;
		}
		pmd_log_push(w);
		if (lg->cur == NULL) {
			__atomic_store_n(&lg->dropped, lg->dropped + 1, __ATOMIC_RELAXED);
			return;
		}
		n = pne_adu_log_line(lg->cur->data, LOGBUF_SIZE, label, adu, NULL);
	}
	lg->cur->len += (uint32_t)n;
	__atomic_store_n(&lg->written, lg->written + 1, __ATOMIC_RELAXED);
}

unsigned pmd_log_drain(struct pmd_app *app)
{
	unsigned n = 0;

	for (unsigned i = 0; i < app->nworkers; i++) {
		struct pmd_log *lg = &app->workers[i]->log;
		void *b;

		while (rte_ring_sc_dequeue(lg->full, &b) == 0) {
			struct pmd_logbuf *buf = b;

			if (app->adus != NULL && !app->adus_error &&
			    fwrite(buf->data, 1, buf->len, app->adus) != buf->len)
				app->adus_error = errno != 0 ? errno : EIO;
			buf->len = 0;
			rte_ring_sp_enqueue(lg->free, buf);
			n++;
		}
	}
	return n;
}
