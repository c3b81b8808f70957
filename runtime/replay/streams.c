/*
 * pne-replay --streams DIR: each tracked direction's reassembled byte
 * stream, as the tracker's payload subscription hands it over (in stream
 * order, every byte once), written to DIR/FLOW_DIR.bin; the holes the
 * tracker declared lost go to DIR/FLOW_DIR.gaps as JSON, never into the
 * .bin as made-up bytes. Overlapping copies of a byte are resolved by
 * the tracker: the first copy seen wins (include/pne/tracker.h).
 *
 * A capture may hold more concurrent flows than a process may open
 * files, so at most STREAM_MAX_OPEN files stay open; the least recently
 * written one is closed to make room and reopened for appending when its
 * direction brings more bytes.
 */
#define _GNU_SOURCE   /* asprintf */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pne/tracker.h"
#include "replay.h"

#define STREAM_MAX_OPEN 256
#define NAME_BUCKETS    4096   /* names used this run: a chained hash */

static const char *const dir_name[2] = { "c2s", "s2c" };

struct name_node {
	struct name_node *next;
	char name[];
};

struct rpl_streams {
	char *dir;
	struct rpl_stream *lru_head, *lru_tail;   /* open files, oldest first */
	unsigned nopen;
	struct name_node *names[NAME_BUCKETS];
	struct rpl_streams_stats st;
	int warned;
};

struct rpl_streams *rpl_streams_new(const char *dir)
{
	struct rpl_streams *ss;
	struct stat sb;

	if (stat(dir, &sb) != 0)
		return NULL;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	ss = calloc(1, sizeof(*ss));
	if (ss == NULL)
		return NULL;
	ss->dir = strdup(dir);
	if (ss->dir == NULL) {
		free(ss);
		return NULL;
	}
	return ss;
}

void rpl_streams_free(struct rpl_streams *ss)
{
	if (ss == NULL)
		return;
	for (unsigned i = 0; i < NAME_BUCKETS; i++) {
		struct name_node *n = ss->names[i], *next;

		for (; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(ss->dir);
	free(ss);
}

const struct rpl_streams_stats *rpl_streams_stats(const struct rpl_streams *ss)
{
	return &ss->st;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Remember name; 1 when it was new, 0 when already used, -1 no memory. */
static int name_claim(struct rpl_streams *ss, const char *name)
{
	struct name_node **b = &ss->names[name_hash(name) % NAME_BUCKETS], *n;
	size_t len = strlen(name);

	for (n = *b; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return 0;
	n = malloc(sizeof(*n) + len + 1);
	if (n == NULL)
		return -1;
	memcpy(n->name, name, len + 1);
	n->next = *b;
	*b = n;
	return 1;
}

/*
 * "10.0.0.1_5013-10.0.0.2_80": the flow label with ':' as '_', '>' as
 * '-' and IPv6 brackets as '.' (as --bodies names its files). A
 * four-tuple reused in one capture gets "~2", "~3", ... on its later
 * connections, so no stream overwrites another.
 */
char *rpl_streams_claim(struct rpl_streams *ss, const char *label)
{
	char base[PNE_FLOW_LABEL_MAX], name[PNE_FLOW_LABEL_MAX + 16], *path;
	int rc;

	snprintf(base, sizeof(base), "%s", label);
	for (char *c = base; *c != '\0'; c++)
		if (*c == ':' || *c == '>' || *c == '[' || *c == ']')
			*c = *c == '>' ? '-' : *c == ':' ? '_' : '.';
	snprintf(name, sizeof(name), "%s", base);
	for (unsigned k = 2; (rc = name_claim(ss, name)) == 0; k++)
		snprintf(name, sizeof(name), "%s~%u", base, k);
	if (rc < 0 || asprintf(&path, "%s/%s", ss->dir, name) < 0)
		return NULL;
	return path;
}

const char *rpl_streams_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static void lru_unlink(struct rpl_streams *ss, struct rpl_stream *s)
{
	if (s->lru_prev != NULL)
		s->lru_prev->lru_next = s->lru_next;
	else
		ss->lru_head = s->lru_next;
	if (s->lru_next != NULL)
		s->lru_next->lru_prev = s->lru_prev;
	else
		ss->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_append(struct rpl_streams *ss, struct rpl_stream *s)
{
	s->lru_prev = ss->lru_tail;
	s->lru_next = NULL;
	if (ss->lru_tail != NULL)
		ss->lru_tail->lru_next = s;
	else
		ss->lru_head = s;
	ss->lru_tail = s;
}

static void stream_fail(struct rpl_streams *ss, struct rpl_stream *s, const char *what)
{
	if (!s->error) {
		s->error = 1;
		ss->st.file_errors++;
		if (!ss->warned)
			fprintf(stderr, "pne-replay: warning: %s %s: %s (later stream file "
				"errors are only counted)\n", what,
				s->path != NULL ? s->path : ss->dir, strerror(errno));
		ss->warned = 1;
	}
}

/* Close the .bin (it stays named and may be reopened for appending). */
static void file_close(struct rpl_streams *ss, struct rpl_stream *s)
{
	if (s->f == NULL)
		return;
	lru_unlink(ss, s);
	ss->nopen--;
	if (fclose(s->f) != 0)
		stream_fail(ss, s, "writing");
	s->f = NULL;
}

/* The direction's .bin open and most recently used; 0 or -1. */
static int file_open(struct rpl_streams *ss, struct rpl_stream *s, const char *base,
		     enum pne_dir dir)
{
	char *bin;

	if (s->f != NULL) {
		lru_unlink(ss, s);
		lru_append(ss, s);
		return 0;
	}
	if (s->path == NULL && (base == NULL ||
				asprintf(&s->path, "%s_%s", base, dir_name[dir]) < 0)) {
		s->path = NULL;
		errno = ENOMEM;
		stream_fail(ss, s, "naming a stream in");
		return -1;
	}
	if (ss->nopen >= STREAM_MAX_OPEN)
		file_close(ss, ss->lru_head);
	if (asprintf(&bin, "%s.bin", s->path) < 0) {
		stream_fail(ss, s, "opening");
		return -1;
	}
	s->f = fopen(bin, s->created ? "ab" : "wb");
	free(bin);
	if (s->f == NULL) {
		stream_fail(ss, s, "opening");
		return -1;
	}
	if (!s->created)
		ss->st.files++;
	s->created = 1;
	ss->nopen++;
	lru_append(ss, s);
	return 0;
}

static int gap_add(struct rpl_stream *s, uint64_t off, uint64_t len)
{
	if (s->ngaps > 0 && s->gaps[s->ngaps - 1].off + s->gaps[s->ngaps - 1].len == off) {
		s->gaps[s->ngaps - 1].len += len;   /* one hole told in pieces */
		return 0;
	}
	if (s->ngaps == s->gaps_cap) {
		unsigned cap = s->gaps_cap ? 2 * s->gaps_cap : 8;
		struct rpl_stream_gap *g = realloc(s->gaps, cap * sizeof(*g));

		if (g == NULL)
			return -1;
		s->gaps = g;
		s->gaps_cap = cap;
	}
	s->gaps[s->ngaps].off = off;
	s->gaps[s->ngaps].len = len;
	s->gaps[s->ngaps].file_off = s->file_bytes;
	s->ngaps++;
	return 0;
}

void rpl_stream_piece(struct rpl_streams *ss, struct rpl_stream *s, const char *base,
		      const struct pne_tracker_payload *p)
{
	if (p->kind != PNE_PAYLOAD_DATA && p->kind != PNE_PAYLOAD_GAP)
		return;
	if (p->len == 0 || s->error)
		return;
	if (p->off != s->next_off)
		ss->st.out_of_order++;   /* the subscription promises order */
	s->next_off = p->off + p->len;
	if (file_open(ss, s, base, p->dir) != 0)
		return;
	if (p->kind == PNE_PAYLOAD_GAP) {
		if (gap_add(s, p->off, p->len) != 0) {
			errno = ENOMEM;
			stream_fail(ss, s, "listing the holes of");
			return;
		}
		ss->st.gaps++;
		ss->st.gap_bytes += p->len;
		return;
	}
	if (fwrite(p->data, 1, p->len, s->f) != p->len) {
		stream_fail(ss, s, "writing");
		return;
	}
	s->file_bytes += p->len;
	ss->st.bytes += p->len;
}

/* DIR/FLOW_DIR.gaps: [{"off":O,"len":N,"file_off":F},...], one hole per
 * element in stream order; off is the stream offset of its first byte,
 * file_off the position in the .bin where it would have been. */
static void gaps_write(struct rpl_streams *ss, struct rpl_stream *s)
{
	char *name;
	FILE *f;
	int bad;

	if (asprintf(&name, "%s.gaps", s->path) < 0) {
		stream_fail(ss, s, "writing the holes of");
		return;
	}
	f = fopen(name, "w");
	free(name);
	if (f == NULL) {
		stream_fail(ss, s, "writing the holes of");
		return;
	}
	fputc('[', f);
	for (unsigned i = 0; i < s->ngaps; i++)
		fprintf(f, "%s{\"off\":%" PRIu64 ",\"len\":%" PRIu64 ",\"file_off\":%" PRIu64 "}",
			i > 0 ? "," : "", s->gaps[i].off, s->gaps[i].len, s->gaps[i].file_off);
	fputs("]\n", f);
	bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad)
		stream_fail(ss, s, "writing the holes of");
}

void rpl_stream_end(struct rpl_streams *ss, struct rpl_stream *s)
{
	file_close(ss, s);
	if (s->ngaps > 0 && s->path != NULL && !s->error)
		gaps_write(ss, s);
	free(s->gaps);
	free(s->path);
	memset(s, 0, sizeof(*s));
}
