/*
 * Number parsers and the pipeline options of pne-replay and dpdk-pne
 * (cli_common.h). One copy, so the two programs can't drift apart in
 * syntax, defaults or messages.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "pne/interp.h"
#include "pne/pipe.h"

#define NS_PER_S 1000000000.0

/* Default idle timeouts, seconds. */
static const double def_tmo[PNE_FLOW_TMO__COUNT] = {
	[PNE_FLOW_TMO_ESTABLISHED] = 3600,
	[PNE_FLOW_TMO_CLOSING]     = 60,
	[PNE_FLOW_TMO_HALF_OPEN]   = 60,
};

void rpl_err(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int rpl_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;

	/* strtoull() would take a sign or leading blanks */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1u << 10; end++; break;
	case 'm': case 'M': mul = 1u << 20; end++; break;
	case 'g': case 'G': mul = 1u << 30; end++; break;
	default: break;
	}
	if (*end != '\0' || v > max / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int rpl_parse_secs(const char *s, double *secs)
{
	char *end;
	double v;

	/* strtod() would take a sign, blanks, "inf", "nan" and hex */
	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*secs = v;
	return 0;
}

int rpl_parse_ns(const char *s, uint64_t *ns)
{
	double v;

	if (rpl_parse_secs(s, &v) != 0)
		return -1;
	*ns = (uint64_t)llround(v * NS_PER_S);
	return 0;
}

void rpl_pipe_opts_defaults(struct rpl_pipe_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->max_flows = PNE_PIPE_DEF_MAX_FLOWS;
	po->tconf.gap_timeout = (uint64_t)(RPL_DEF_GAP_TIMEOUT_S * NS_PER_S);
	for (int i = 0; i < PNE_FLOW_TMO__COUNT; i++)
		po->tmo[i] = (uint64_t)(def_tmo[i] * NS_PER_S);
}

void rpl_pipe_describe(const struct rpl_pipe_opts *po, char *buf, size_t len)
{
	const struct pne_tracker_conf *tc = &po->tconf;

	snprintf(buf, len, "%u flows, memcap %zu, hdr-memcap %zu bytes", po->max_flows,
		 tc->memcap ? tc->memcap : (size_t)PNE_TRACKER_DEF_MEMCAP,
		 tc->hdr_memcap ? tc->hdr_memcap : (size_t)PNE_TRACKER_DEF_HDR_MEMCAP);
}

/* "[CLASS=]SECS": the idle timeout of CLASS (established by default). */
static int flow_timeout(struct rpl_pipe_opts *po, const char *prog, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *val = eq != NULL ? eq + 1 : arg;
	int cls = PNE_FLOW_TMO_ESTABLISHED;
	uint64_t ns;

	if (eq != NULL) {
		size_t len = (size_t)(eq - arg);

		cls = -1;
		for (int c = 0; c < PNE_FLOW_TMO__COUNT; c++) {
			const char *name = pne_flow_tmo_name((enum pne_flow_tmo)c);

			if (strlen(name) == len && strncmp(arg, name, len) == 0)
				cls = c;
		}
		if (cls < 0) {
			rpl_err(prog, "--flow-timeout %s: no timeout class '%.*s' (established, "
			       "closing, half_open)", arg, (int)len, arg);
			return -1;
		}
	}
	if (rpl_parse_ns(val, &ns) != 0 || ns == 0) {
		rpl_err(prog, "--flow-timeout %s: expected seconds above 0", arg);
		return -1;
	}
	po->tmo[cls] = ns;
	return 0;
}

/* The sizes: memory caps and the flow table. */
static int size_option(struct rpl_pipe_opts *po, const char *prog, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case RPL_OPT_MEMCAP:
		if (rpl_parse_size(arg, SIZE_MAX, &v) != 0 || v == 0) {
			rpl_err(prog, "--memcap %s: expected a size above 0", arg);
			return -1;
		}
		po->tconf.memcap = (size_t)v;
		return 0;
	case RPL_OPT_HDR_MEMCAP:
		/* the tracker refuses a pool without a single block (EINVAL):
		 * say so here, by name, rather than at pipeline creation */
		if (rpl_parse_size(arg, SIZE_MAX, &v) != 0 || v < PNE_HDR_BLOCK) {
			rpl_err(prog, "--hdr-memcap %s: expected a size of at least %uK "
			       "(one header buffer)", arg, PNE_HDR_BLOCK / 1024);
			return -1;
		}
		po->tconf.hdr_memcap = (size_t)v;
		return 0;
	case RPL_OPT_FLOW_HOLD:
		if (rpl_parse_size(arg, UINT32_MAX, &v) != 0 || v == 0) {
			rpl_err(prog, "--flow-hold %s: expected a size from 1 to 4G-1", arg);
			return -1;
		}
		po->tconf.flow_hold = (uint32_t)v;
		return 0;
	case RPL_OPT_MAX_FLOWS:
		if (rpl_parse_size(arg, 1u << 31, &v) != 0 || v == 0) {
			rpl_err(prog, "--max-flows %s: expected a count from 1 to 2^31", arg);
			return -1;
		}
		po->max_flows = (uint32_t)v;
		return 0;
	default:
		rpl_err(prog, "internal error: option %d is not a pipeline option", opt);
		return -1;
	}
}

int rpl_pipe_option(struct rpl_pipe_opts *po, const char *prog, int opt, const char *arg)
{
	switch (opt) {
	case RPL_OPT_GAP_TIMEOUT:
		if (rpl_parse_ns(arg, &po->tconf.gap_timeout) != 0) {
			rpl_err(prog, "--gap-timeout %s: expected seconds (0: no timeout)", arg);
			return -1;
		}
		return 0;
	case RPL_OPT_FLOW_TIMEOUT:
		return flow_timeout(po, prog, arg);
	default:
		return size_option(po, prog, opt, arg);
	}
}
