/*
 * Which specs pne-replay runs, on which server ports, with which
 * parameter values: --spec NAME[:PORT,...] (built-in), --spec
 * FILE.so[:PORT,...] (a pnec --module), --param SPEC.NAME=VALUE.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "pne/specs.h"
#include "replay.h"

const char *rpl_specs_prog = "pne-replay";

#define errmsg(...) rpl_err(rpl_specs_prog, __VA_ARGS__)

/* "80,8080" into a new array; -1 on a malformed list or a port out of
 * 1..65535. */
static int parse_ports(const char *s, uint16_t **out, unsigned *n)
{
	size_t cap = strlen(s) / 2 + 1;
	uint16_t *p = malloc(cap * sizeof(*p));
	unsigned k = 0;

	if (p == NULL)
		return -1;
	for (;;) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9')
			goto bad;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || v == 0 || v > 65535 || k == cap)
			goto bad;
		p[k++] = (uint16_t)v;
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		s = end + 1;
	}
	*out = p;
	*n = k;
	return 0;
bad:
	free(p);
	return -1;
}

static const struct pne_spec *module_load(const char *path, void **handle)
{
	const struct pne_spec *const *sym;
	const struct pne_spec *spec;
	char local[4096];
	void *dl;

	/* dlopen() looks a bare name up in the library path: a module named
	 * on the command line is a file, relative to the current directory */
	if (strchr(path, '/') == NULL &&
	    (size_t)snprintf(local, sizeof(local), "./%s", path) < sizeof(local))
		dl = dlopen(local, RTLD_NOW | RTLD_LOCAL);
	else
		dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (dl == NULL) {
		errmsg("--spec %s: %s", path, dlerror());
		return NULL;
	}
	sym = dlsym(dl, PNE_MODULE_SYMBOL);
	spec = sym != NULL ? *sym : NULL;
	if (spec == NULL) {
		errmsg("--spec %s: not a pnec module (no %s)", path, PNE_MODULE_SYMBOL);
	} else if (spec->abi != PNE_TABLE_ABI) {
		errmsg("--spec %s: table ABI %u, this build reads %u (recompile it with "
		       "this pnec)", path, spec->abi, PNE_TABLE_ABI);
		spec = NULL;
	} else if (spec->name == NULL || spec->name[0] == '\0') {
		errmsg("--spec %s: the spec has no name", path);
		spec = NULL;
	}
	if (spec == NULL) {
		dlclose(dl);
		return NULL;
	}
	*handle = dl;
	return spec;
}

static int is_module(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

static struct rpl_spec *spec_find(struct rpl_specs *ss, const char *name, size_t len)
{
	for (unsigned i = 0; i < ss->n; i++)
		if (strlen(ss->s[i].spec->name) == len &&
		    memcmp(ss->s[i].spec->name, name, len) == 0)
			return &ss->s[i];
	return NULL;
}

/* Append spec with its default ports, or with the ports of list. */
static int spec_append(struct rpl_specs *ss, const struct pne_spec *spec,
		       const char *source, void *dl, const char *list)
{
	struct rpl_spec *r;

	if (spec_find(ss, spec->name, strlen(spec->name)) != NULL) {
		errmsg("--spec %s: spec '%s' is already selected", source, spec->name);
		return -1;
	}
	if (ss->n == RPL_MAX_SPECS) {
		errmsg("--spec %s: more than %d specs", source, RPL_MAX_SPECS);
		return -1;
	}
	r = &ss->s[ss->n];
	memset(r, 0, sizeof(*r));
	if (list != NULL) {
		if (parse_ports(list, &r->ports, &r->nports) != 0) {
			errmsg("--spec %s: bad port list '%s' (expected PORT[,PORT...], "
			       "each 1-65535)", source, list);
			return -1;
		}
	} else if (spec->nports > 0) {
		r->ports = malloc(spec->nports * sizeof(*r->ports));
		if (r->ports == NULL) {
			errmsg("out of memory");
			return -1;
		}
		memcpy(r->ports, spec->ports, spec->nports * sizeof(*r->ports));
		r->nports = spec->nports;
	}
	r->spec = spec;
	r->source = source;
	r->dl = dl;
	for (unsigned i = 0; i < spec->ncvars && i < PNE_MAX_CVARS; i++)
		r->params[i] = spec->cvars[i].init;
	ss->n++;
	return 0;
}

int rpl_specs_add(struct rpl_specs *ss, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	const struct pne_spec *spec;
	char *name;
	void *dl = NULL;
	int rc;

	/* a colon followed by anything but a port list belongs to the path */
	if (colon != NULL && strspn(colon + 1, "0123456789,") != strlen(colon + 1))
		colon = NULL;
	name = colon != NULL ? strndup(arg, (size_t)(colon - arg)) : strdup(arg);
	if (name == NULL) {
		errmsg("out of memory");
		return -1;
	}
	if (is_module(name)) {
		spec = module_load(name, &dl);
		if (spec == NULL) {
			free(name);
			return -1;
		}
	} else {
		spec = pne_builtin_spec(name);
		if (spec == NULL || spec->abi != PNE_TABLE_ABI) {
			errmsg("--spec %s: no built-in spec '%s' (see --list-specs; a module "
			       "needs a path or a .so name)", arg, name);
			free(name);
			return -1;
		}
	}
	free(name);
	rc = spec_append(ss, spec, dl != NULL ? arg : "builtin", dl,
			 colon != NULL ? colon + 1 : NULL);
	if (rc != 0 && dl != NULL)
		dlclose(dl);
	return rc;
}

int rpl_specs_add_builtin(struct rpl_specs *ss)
{
	for (size_t i = 0; pne_builtin_specs[i] != NULL; i++)
		if (pne_builtin_specs[i]->abi == PNE_TABLE_ABI &&
		    spec_append(ss, pne_builtin_specs[i], "builtin", NULL, NULL) != 0)
			return -1;
	return 0;
}

/* VALUE of --param: a number (decimal, 0x hex) or true/false. */
static int parse_value(const char *s, uint64_t *v)
{
	char *end;

	if (strcmp(s, "true") == 0) {
		*v = 1;
		return 0;
	}
	if (strcmp(s, "false") == 0) {
		*v = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *end != '\0' || errno != 0 ? -1 : 0;
}

int rpl_specs_param(struct rpl_specs *ss, const char *arg)
{
	const char *dot = strchr(arg, '.');
	const char *eq = strchr(arg, '=');
	const struct pne_spec *spec;
	struct rpl_spec *r;
	const char *name;
	size_t nlen;
	uint64_t v;

	if (dot == NULL || eq == NULL || dot > eq || dot == arg || eq == dot + 1) {
		errmsg("--param %s: expected SPEC.NAME=VALUE", arg);
		return -1;
	}
	r = spec_find(ss, arg, (size_t)(dot - arg));
	if (r == NULL) {
		errmsg("--param %s: spec '%.*s' is not selected", arg, (int)(dot - arg), arg);
		return -1;
	}
	if (parse_value(eq + 1, &v) != 0) {
		errmsg("--param %s: bad value '%s' (a number or true/false)", arg, eq + 1);
		return -1;
	}
	spec = r->spec;
	name = dot + 1;
	nlen = (size_t)(eq - name);
	for (unsigned i = 0; i < spec->ncvars && i < PNE_MAX_CVARS; i++) {
		const struct pne_cvar *cv = &spec->cvars[i];
		const struct pne_str *s = &spec->strs[cv->name];

		if (!cv->is_param || s->len != nlen || memcmp(s->s, name, nlen) != 0)
			continue;
		if (cv->width < 8 && v >> (cv->width * 8) != 0) {
			errmsg("--param %s: value does not fit %u byte(s)", arg, cv->width);
			return -1;
		}
		r->params[i] = v;
		return 0;
	}
	errmsg("--param %s: spec %s has no parameter '%.*s'", arg, spec->name,
	       (int)nlen, name);
	return -1;
}

void rpl_specs_ports(struct rpl_specs *ss, int quiet)
{
	memset(ss->port_spec, RPL_NO_SPEC, sizeof(ss->port_spec));
	ss->conflicts = 0;
	for (unsigned i = 0; i < ss->n; i++) {
		for (unsigned k = 0; k < ss->s[i].nports; k++) {
			uint16_t p = ss->s[i].ports[k];
			uint8_t *owner = &ss->port_spec[p];

			if (*owner == RPL_NO_SPEC) {
				*owner = (uint8_t)i;
			} else if (*owner != i) {
				ss->conflicts++;
				if (!quiet)
					fprintf(stderr, "%s: warning: port %u is claimed "
						"by %s and %s; %s (listed first) gets it\n",
						rpl_specs_prog, p,
						ss->s[*owner].spec->name, ss->s[i].spec->name,
						ss->s[*owner].spec->name);
			}
		}
	}
}

void rpl_specs_list(const struct rpl_specs *ss, FILE *f)
{
	for (unsigned i = 0; i < ss->n; i++) {
		const struct rpl_spec *r = &ss->s[i];
		const struct pne_spec *spec = r->spec;
		int first = 1;

		fprintf(f, "%s\t", spec->name);
		for (unsigned k = 0; k < r->nports; k++)
			fprintf(f, "%s%u", k > 0 ? "," : "", r->ports[k]);
		fprintf(f, "\t%s\t", spec->title != NULL ? spec->title : "");
		for (unsigned c = 0; c < spec->ncvars; c++) {
			const struct pne_str *s = &spec->strs[spec->cvars[c].name];

			if (!spec->cvars[c].is_param)
				continue;
			fprintf(f, "%s%s.%.*s=%llu", first ? "" : ",", spec->name, (int)s->len,
				s->s, (unsigned long long)r->params[c]);
			first = 0;
		}
		fputc('\n', f);
	}
}

void rpl_specs_free(struct rpl_specs *ss)
{
	for (unsigned i = 0; i < ss->n; i++) {
		free(ss->s[i].ports);
		if (ss->s[i].dl != NULL)
			dlclose(ss->s[i].dl);
	}
	ss->n = 0;
}
