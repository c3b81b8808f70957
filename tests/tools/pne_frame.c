/*
 * pne-frame: run one built-in spec's interpreter over a recorded TCP
 * conversation and print the ADUs it finds, one JSON object per line.
 * It is the bridge between the interpreter and the corpus harness
 * (tests/corpus/), which extracts conversations from captures and checks
 * the ADUs against tshark's dissectors.
 *
 * usage: pne-frame --spec NAME [--param NAME=VALUE ...] [--flow LABEL]
 *                  [--unsynced c2s|s2c] CONVERSATION_FILE
 *
 * The conversation file ("-": standard input) is text, one event per
 * line, in the order the events reached the observer:
 *
 *   c2s HEX        in-order bytes of a direction, as hex digits
 *   s2c HEX
 *   gap c2s N      N bytes of the direction are lost for good
 *   close s2c      the direction ended (FIN or RST)
 *   # ...          a comment; blank lines are ignored too
 *
 * "pne-frame --list" prints the built-in specs, one per line:
 * NAME, its default server ports (comma separated) and its title,
 * separated by tabs.
 *
 * Output, on standard output, one line per ADU in the order they
 * complete (so each direction's ADUs are in stream order):
 *
 *   {"flow":LABEL,"dir":"c2s","proto":"http","type":"request","off":0,
 *    "len":123,"synced":true,"fields":{...}}
 *
 * (the ADU log format, docs/adu-log.md; "closed":true is added to an ADU
 * that ran until the connection closed). The flow label defaults to the
 * conversation file's name. A summary line goes to standard error. Exit status: 0 on success, 1 on
 * an unreadable or malformed conversation, 2 on bad usage.
 *
 * A direction that waits on the other one (pop/wait, PNE_IS_WAITING)
 * keeps its unconsumed bytes, and any later events of that direction,
 * queued; they are fed again whenever the other direction makes
 * progress. A wait is forced, as a tracker would, when the other
 * direction is closed or opaque, and at the end of the conversation
 * (oldest blocked event first). A direction that never sees "close" is
 * left open: an ADU it has not completed is not reported.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pne/interp.h"
#include "pne/specs.h"

#define MAX_PARAMS 32
#define MAX_FORCES 16  /* forced waits in a row without progress */

enum ev_kind { EV_DATA, EV_GAP, EV_CLOSE };

/* One queued event of a direction; data is owned by the event. */
struct event {
	struct event *next;
	enum ev_kind kind;
	enum pne_dir dir;
	uint64_t seq;     /* arrival order, to force the oldest wait first */
	uint8_t *data;
	size_t len;       /* EV_DATA: bytes; EV_GAP: bytes lost */
	size_t pos;       /* EV_DATA: bytes already consumed */
};

struct queue {
	struct event *head;
	struct event **tail;
	int closed;       /* the close event was processed */
};

struct frame {
	const struct pne_spec *spec;
	struct pne_interp_conn *conn;
	struct queue input;   /* events not yet delivered, in arrival order */
	struct queue q[2];    /* delivered events a direction has not taken */
	const char *flow;
	char *json;       /* fields buffer, grown on demand */
	size_t json_cap;
	uint64_t last_seq[2]; /* arrival order of the last event taken */
	int gave_up[2];       /* stuck even when forced: input dropped */
	uint64_t nadus[2];
	int out_error;
};

static const char *const dir_name[2] = { "c2s", "s2c" };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pne-frame --spec NAME [--param NAME=VALUE ...] [--flow LABEL]\n"
		"                 [--unsynced c2s|s2c] CONVERSATION_FILE\n"
		"       pne-frame --list\n"
		"Runs the built-in spec NAME over a conversation file (lines 'c2s HEX',\n"
		"'s2c HEX', 'gap DIR N', 'close DIR', '# comment'; '-' reads stdin)\n"
		"and prints the ADUs found as JSON lines.\n");
}

static void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("pne-frame: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int parse_dir(const char *s, enum pne_dir *dir)
{
	if (strcmp(s, "c2s") == 0)
		*dir = PNE_C2S;
	else if (strcmp(s, "s2c") == 0)
		*dir = PNE_S2C;
	else
		return -1;
	return 0;
}

/* JSON string with the escapes RFC 8259 requires; other bytes as is. */
static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ---- parameters ---------------------------------------------------- */

/* "NAME=VALUE" or "SPEC.NAME=VALUE" into params[]; VALUE is a number
 * (decimal, 0x hex) or true/false, and must fit the parameter's width. */
static int set_param(const struct pne_spec *spec, uint64_t *params, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t plen = strlen(spec->name);
	const char *name = arg;
	size_t nlen;
	uint64_t v;
	char *end;

	if (eq == NULL || eq == arg) {
		errmsg("--param %s: expected NAME=VALUE", arg);
		return -1;
	}
	if (strncmp(arg, spec->name, plen) == 0 && arg[plen] == '.')
		name = arg + plen + 1;
	nlen = (size_t)(eq - name);
	if (strcmp(eq + 1, "true") == 0) {
		v = 1;
	} else if (strcmp(eq + 1, "false") == 0) {
		v = 0;
	} else {
		errno = 0;
		v = strtoull(eq + 1, &end, 0);
		if (eq[1] == '\0' || eq[1] == '-' || *end != '\0' || errno != 0) {
			errmsg("--param %s: bad value '%s'", arg, eq + 1);
			return -1;
		}
	}
	for (unsigned i = 0; i < spec->ncvars; i++) {
		const struct pne_cvar *cv = &spec->cvars[i];
		const struct pne_str *s = &spec->strs[cv->name];

		if (!cv->is_param || s->len != nlen || memcmp(s->s, name, nlen) != 0)
			continue;
		if (cv->width < 8 && v >> (cv->width * 8) != 0) {
			errmsg("--param %s: value does not fit %u byte(s)", arg, cv->width);
			return -1;
		}
		params[i] = v;
		return 0;
	}
	errmsg("--param %s: spec %s has no parameter '%.*s'", arg, spec->name,
	       (int)nlen, name);
	return -1;
}

/* ---- reading the conversation -------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the hex digits of s (length n) into a new buffer. */
static uint8_t *unhex(const char *s, size_t n, size_t *len)
{
	uint8_t *buf;

	if (n == 0 || n % 2 != 0)
		return NULL;
	buf = malloc(n / 2);
	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0) {
			free(buf);
			return NULL;
		}
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return buf;
}

static void queue_push(struct queue *q, struct event *ev)
{
	ev->next = NULL;
	*q->tail = ev;
	q->tail = &ev->next;
}

/* Unlink and return the first event of q (not empty). */
static struct event *queue_take(struct queue *q)
{
	struct event *ev = q->head;

	q->head = ev->next;
	if (q->head == NULL)
		q->tail = &q->head;
	return ev;
}

static void queue_pop(struct queue *q)
{
	struct event *ev = queue_take(q);

	free(ev->data);
	free(ev);
}

/* Parse one non-comment line into a new event; NULL and a message on
 * error. line is modified (tokenised). */
static struct event *parse_line(char *line, enum pne_dir *dir, const char *file,
				unsigned long lineno)
{
	char *save = NULL;
	char *w0 = strtok_r(line, " \t", &save);
	char *w1 = strtok_r(NULL, " \t", &save);
	char *w2 = strtok_r(NULL, " \t", &save);
	char *extra = strtok_r(NULL, " \t", &save);
	struct event *ev = calloc(1, sizeof(*ev));
	char *end;

	if (ev == NULL) {
		errmsg("out of memory");
		return NULL;
	}
	if (parse_dir(w0, dir) == 0 && w1 != NULL && w2 == NULL) {
		ev->kind = EV_DATA;
		ev->data = unhex(w1, strlen(w1), &ev->len);
		if (ev->data != NULL)
			return ev;
	} else if (strcmp(w0, "gap") == 0 && w1 != NULL && parse_dir(w1, dir) == 0 &&
		   w2 != NULL && extra == NULL) {
		ev->kind = EV_GAP;
		errno = 0;
		ev->len = strtoull(w2, &end, 10);
		if (*end == '\0' && errno == 0 && ev->len > 0 && w2[0] != '-')
			return ev;
	} else if (strcmp(w0, "close") == 0 && w1 != NULL && parse_dir(w1, dir) == 0 &&
		   w2 == NULL) {
		ev->kind = EV_CLOSE;
		return ev;
	}
	free(ev);
	errmsg("%s:%lu: expected 'c2s|s2c HEX', 'gap c2s|s2c N' or 'close c2s|s2c'",
	       file, lineno);
	return NULL;
}

static int read_conversation(struct frame *fr, const char *file)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	unsigned long lineno = 0;
	uint64_t seq = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if (f == NULL) {
		errmsg("%s: %s", file, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p = line;
		enum pne_dir dir;
		struct event *ev;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
				 line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		ev = parse_line(p, &dir, file, lineno);
		if (ev == NULL)
			goto out;
		ev->seq = seq++;
		ev->dir = dir;
		queue_push(&fr->input, ev);
	}
	if (ferror(f)) {
		errmsg("%s: read error", file);
		goto out;
	}
	rc = 0;
out:
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* ---- running the interpreter --------------------------------------- */

static void print_adu(const struct pne_adu *adu, void *arg)
{
	struct frame *fr = arg;
	size_t need = pne_adu_fields_json(adu, fr->json, fr->json_cap);

	if (need >= fr->json_cap) {
		char *p = realloc(fr->json, need + 1);

		if (p == NULL) {
			fr->out_error = 1;
			return;
		}
		fr->json = p;
		fr->json_cap = need + 1;
		pne_adu_fields_json(adu, fr->json, fr->json_cap);
	}
	fputs("{\"flow\":", stdout);
	json_string(stdout, fr->flow);
	printf(",\"dir\":\"%s\",\"proto\":", dir_name[adu->dir]);
	json_string(stdout, fr->spec->name);
	fputs(",\"type\":", stdout);
	json_string(stdout, adu->type != NULL ? adu->type : "");
	printf(",\"off\":%" PRIu64 ",\"len\":%" PRIu64 ",\"synced\":%s,\"fields\":%s%s}\n",
	       adu->off, adu->len, adu->synced ? "true" : "false",
	       need > 0 ? fr->json : "{}", adu->closed ? ",\"closed\":true" : "");
	fr->nadus[adu->dir]++;
}

static int waiting(const struct frame *fr, enum pne_dir dir)
{
	return pne_interp_status(fr->conn, dir) == PNE_IS_WAITING;
}

/* Process the queued events of dir until it is empty or blocked. A
 * waiting direction may have taken all its bytes already (a header
 * gathered before a pop), so it is retried with no data first; a gap or
 * close is not delivered while the direction waits, since the other
 * direction may still release it. Returns 1 on any progress. */
static int drain(struct frame *fr, enum pne_dir dir)
{
	struct queue *q = &fr->q[dir];
	int progress = 0;

	if (fr->gave_up[dir])
		return 0;
	for (;;) {
		struct event *ev = q->head;

		if (waiting(fr, dir)) {
			pne_interp_feed(fr->conn, dir, NULL, 0, print_adu, fr);
			if (waiting(fr, dir))
				return progress;
			progress = 1;
		}
		if (ev == NULL)
			return progress;
		if (ev->kind == EV_DATA) {
			size_t used = pne_interp_feed(fr->conn, dir, ev->data + ev->pos,
						      ev->len - ev->pos, print_adu, fr);

			progress |= used > 0;
			ev->pos += used;
			if (ev->pos < ev->len)
				continue;   /* waiting on the other direction */
		} else if (ev->kind == EV_GAP) {
			pne_interp_gap(fr->conn, dir, ev->len, print_adu, fr);
			progress = 1;
		} else {
			pne_interp_close(fr->conn, dir, print_adu, fr);
			q->closed = 1;
			progress = 1;
		}
		fr->last_seq[dir] = ev->seq;
		queue_pop(q);
	}
}

/* Whether dir has input or a wait it cannot get past by itself. */
static int blocked(const struct frame *fr, enum pne_dir dir)
{
	return !fr->gave_up[dir] && (fr->q[dir].head != NULL || waiting(fr, dir));
}

/* Arrival order of what dir is stuck on: the event it waits inside, or
 * the last one it took when it waits between events. */
static uint64_t blocked_seq(const struct frame *fr, enum pne_dir dir)
{
	const struct event *ev = fr->q[dir].head;

	if (ev == NULL || (waiting(fr, dir) && ev->pos == 0))
		return fr->last_seq[dir];
	return ev->seq;
}

/* A blocked direction the other one can no longer release. */
static int hopeless(const struct frame *fr, enum pne_dir dir)
{
	enum pne_dir other = (enum pne_dir)!dir;
	enum pne_interp_status st = pne_interp_status(fr->conn, other);

	return blocked(fr, dir) && fr->q[other].head == NULL &&
	       (fr->q[other].closed || st == PNE_IS_OPAQUE || st == PNE_IS_CLOSED);
}

/* Force dir's wait and feed it again. One unit may wait several times
 * before it consumes a byte (consecutive pops), so force a few times;
 * give up (returns 0) rather than loop if it never moves. */
static int force(struct frame *fr, enum pne_dir dir)
{
	for (int i = 0; i < MAX_FORCES; i++) {
		int was_waiting = waiting(fr, dir);

		pne_interp_force(fr->conn, dir);
		/* resume the unit now: it may end an ADU without more bytes */
		pne_interp_feed(fr->conn, dir, NULL, 0, print_adu, fr);
		if (drain(fr, dir) || (was_waiting && !waiting(fr, dir)))
			return 1;
	}
	return 0;
}

/* Drain both directions until neither progresses, forcing a wait the
 * other direction can no longer end. */
static void settle(struct frame *fr)
{
	int progress;

	do {
		progress = drain(fr, PNE_C2S);
		progress |= drain(fr, PNE_S2C);
		for (int d = PNE_C2S; d <= PNE_S2C; d++)
			if (hopeless(fr, (enum pne_dir)d))
				progress |= force(fr, (enum pne_dir)d);
	} while (progress);
}

/* Deliver the events in arrival order, each direction taking what it
 * can; at the end, force the wait of the oldest blocked event until
 * everything is consumed. */
static void run(struct frame *fr)
{
	while (fr->input.head != NULL) {
		struct event *ev = queue_take(&fr->input);

		queue_push(&fr->q[ev->dir], ev);
		settle(fr);
	}
	for (;;) {
		enum pne_dir d;

		settle(fr);
		if (!blocked(fr, PNE_C2S) && !blocked(fr, PNE_S2C))
			return;
		if (!blocked(fr, PNE_C2S))
			d = PNE_S2C;
		else if (!blocked(fr, PNE_S2C))
			d = PNE_C2S;
		else
			d = blocked_seq(fr, PNE_C2S) <= blocked_seq(fr, PNE_S2C) ?
			    PNE_C2S : PNE_S2C;
		if (!force(fr, d)) {
			/* The interpreter must move after a force; never loop
			 * if it does not. */
			errmsg("%s: still blocked after %d forced waits; dropping "
			       "its remaining input", dir_name[d], MAX_FORCES);
			fr->gave_up[d] = 1;
			while (fr->q[d].head != NULL)
				queue_pop(&fr->q[d]);
		}
	}
}

static const char *status_name(enum pne_interp_status st)
{
	switch (st) {
	case PNE_IS_OK: return "ok";
	case PNE_IS_WAITING: return "waiting";
	case PNE_IS_RESYNC: return "resync";
	case PNE_IS_OPAQUE: return "opaque";
	case PNE_IS_CLOSED: return "closed";
	}
	return "?";
}

static void summary(const struct frame *fr)
{
	const struct pne_interp_stats *st = pne_interp_stats(fr->conn);

	fprintf(stderr, "pne-frame: %s: %" PRIu64 " ADUs (c2s %" PRIu64 ", s2c %" PRIu64
		"), invalid %" PRIu64 ", resyncs %" PRIu64 ", partial %" PRIu64
		", forced %" PRIu64 ", examined %" PRIu64 ", skipped %" PRIu64,
		fr->flow, fr->nadus[0] + fr->nadus[1], fr->nadus[0], fr->nadus[1],
		st->invalid, st->resyncs, st->partial, st->forced,
		st->bytes_examined, st->bytes_skipped);
	for (int d = 0; d < 2; d++) {
		const char *why = pne_interp_error(fr->conn, (enum pne_dir)d);

		fprintf(stderr, "; %s %s", dir_name[d],
			status_name(pne_interp_status(fr->conn, (enum pne_dir)d)));
		if (why != NULL)
			fprintf(stderr, " (%s)", why);
	}
	fputc('\n', stderr);
}

/* ---- main ---------------------------------------------------------- */

/* One line per built-in spec: "NAME<tab>PORT,PORT<tab>TITLE"; the corpus
 * harness picks specs by server port from it. */
static void list_specs(void)
{
	for (size_t i = 0; pne_builtin_specs[i] != NULL; i++) {
		const struct pne_spec *spec = pne_builtin_specs[i];

		printf("%s\t", spec->name);
		for (unsigned p = 0; p < spec->nports; p++)
			printf("%s%u", p > 0 ? "," : "", spec->ports[p]);
		printf("\t%s\n", spec->title != NULL ? spec->title : "");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "spec", required_argument, NULL, 's' },
		{ "param", required_argument, NULL, 'p' },
		{ "flow", required_argument, NULL, 'f' },
		{ "unsynced", required_argument, NULL, 'u' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *param_args[MAX_PARAMS];
	uint64_t params[PNE_MAX_CVARS];
	struct frame fr = { 0 };
	const char *spec_name = NULL;
	int synced[2] = { 1, 1 };
	unsigned nparams = 0;
	size_t size;
	int rc = 2;
	int c;

	fr.input.tail = &fr.input.head;
	fr.q[0].tail = &fr.q[0].head;
	fr.q[1].tail = &fr.q[1].head;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		enum pne_dir d;

		switch (c) {
		case 's':
			spec_name = optarg;
			break;
		case 'p':
			if (nparams == MAX_PARAMS) {
				errmsg("too many --param options");
				return 2;
			}
			param_args[nparams++] = optarg;
			break;
		case 'f':
			fr.flow = optarg;
			break;
		case 'u':
			if (parse_dir(optarg, &d) != 0) {
				errmsg("--unsynced: expected c2s or s2c, not '%s'", optarg);
				return 2;
			}
			synced[d] = 0;
			break;
		case 'l':
			list_specs();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (spec_name == NULL || optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	fr.spec = pne_builtin_spec(spec_name);
	if (fr.spec == NULL) {
		errmsg("no built-in spec '%s' (see --list)", spec_name);
		return 2;
	}
	if (fr.spec->abi != PNE_TABLE_ABI) {
		errmsg("spec '%s' has table ABI %u, this build expects %u",
		       spec_name, fr.spec->abi, PNE_TABLE_ABI);
		return 2;
	}
	for (unsigned i = 0; i < fr.spec->ncvars && i < PNE_MAX_CVARS; i++)
		params[i] = fr.spec->cvars[i].init;
	for (unsigned i = 0; i < nparams; i++)
		if (set_param(fr.spec, params, param_args[i]) != 0)
			return 2;
	if (fr.flow == NULL)
		fr.flow = argv[optind];

	rc = 1;
	if (read_conversation(&fr, argv[optind]) != 0)
		goto out;
	size = (pne_interp_conn_size(fr.spec) + 7) & ~(size_t)7;
	fr.conn = aligned_alloc(8, size);
	if (fr.conn == NULL) {
		errmsg("out of memory (%zu bytes of connection state)", size);
		goto out;
	}
	pne_interp_init(fr.conn, fr.spec, params, synced);
	run(&fr);
	if (fflush(stdout) != 0 || ferror(stdout) || fr.out_error) {
		errmsg("error writing the ADUs");
		goto out;
	}
	summary(&fr);
	rc = 0;
out:
	while (fr.input.head != NULL)
		queue_pop(&fr.input);
	for (int d = 0; d < 2; d++)
		while (fr.q[d].head != NULL)
			queue_pop(&fr.q[d]);
	free(fr.conn);
	free(fr.json);
	return rc;
}
