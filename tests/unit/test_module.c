/*
 * pnec --module: every shipped spec built as a loadable module must load
 * with dlopen, export PNE_MODULE_SYMBOL, hold exactly the tables the
 * build linked in, and frame a stream like the built-in spec does.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "spec_harness.h"

#ifndef PNE_BINARY_DIR
#error "PNE_BINARY_DIR must name the build directory"
#endif

static char tmpdir[] = "/tmp/pne-module-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Build specs/<name>.pne as a module and return its dlopen handle. */
static void *build_module(const char *name)
{
	char cmd[3 * PATH_MAX], so[PATH_MAX];
	void *h;
	int rc;

	snprintf(so, sizeof(so), "%s/%s.so", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "'%s/bin/pnec' --module -o '%s' '%s/specs/%s.pne'",
		 PNE_BINARY_DIR, so, PNE_SOURCE_DIR, name);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fail_msg("dlopen %s: %s", so, dlerror());
	return h;
}

static const struct pne_spec *module_spec(void *h)
{
	const struct pne_spec *const *p = dlsym(h, PNE_MODULE_SYMBOL);

	assert_non_null(p);
	assert_non_null(*p);
	return *p;
}

#define SAME_ARRAY(a, b, field, count)                                       \
	do {                                                                 \
		assert_int_equal((a)->count, (b)->count);                    \
		if ((a)->count > 0)                                          \
			assert_memory_equal((a)->field, (b)->field,          \
					    (a)->count * sizeof(*(a)->field)); \
	} while (0)

/* The module's tables equal the built-in ones, field by field. */
static void assert_same_spec(const struct pne_spec *m, const struct pne_spec *b)
{
	assert_int_equal(m->abi, PNE_TABLE_ABI);
	assert_string_equal(m->name, b->name);
	assert_string_equal(m->title, b->title);
	SAME_ARRAY(m, b, ports, nports);
	assert_memory_equal(m->start, b->start, sizeof(m->start));
	assert_int_equal(m->nslots, b->nslots);
	assert_int_equal(m->ncvars, b->ncvars);
	assert_int_equal(m->nfifos, b->nfifos);
	assert_int_equal(m->hdr_max, b->hdr_max);
	assert_int_equal(m->str_max, b->str_max);
	SAME_ARRAY(m, b, ops, nops);
	SAME_ARRAY(m, b, code, ncode);
	SAME_ARRAY(m, b, consts, nconsts);
	SAME_ARRAY(m, b, units, nunits);
	SAME_ARRAY(m, b, hdrs, nhdrs);
	SAME_ARRAY(m, b, fields, nfields);
	SAME_ARRAY(m, b, texts, ntexts);
	SAME_ARRAY(m, b, tfields, ntfields);
	SAME_ARRAY(m, b, reports, nreports);
	SAME_ARRAY(m, b, typemaps, ntypemaps);
	if (m->ncvars > 0)
		assert_memory_equal(m->cvars, b->cvars, m->ncvars * sizeof(*m->cvars));
	if (m->nfifos > 0)
		assert_memory_equal(m->fifos, b->fifos, m->nfifos * sizeof(*m->fifos));
	if (m->nslots > 0)
		assert_memory_equal(m->slots, b->slots, m->nslots * sizeof(*m->slots));
	assert_int_equal(m->nstrs, b->nstrs);
	for (unsigned i = 0; i < m->nstrs; i++) {
		assert_int_equal(m->strs[i].len, b->strs[i].len);
		assert_memory_equal(m->strs[i].s, b->strs[i].s, m->strs[i].len);
	}
	assert_int_equal(m->ndfas, b->ndfas);
	for (unsigned i = 0; i < m->ndfas; i++) {
		const struct pne_dfa *x = &m->dfas[i], *y = &b->dfas[i];

		assert_int_equal(x->nstates, y->nstates);
		assert_int_equal(x->nclasses, y->nclasses);
		assert_int_equal(x->accept, y->accept);
		assert_memory_equal(x->cls, y->cls, 256);
		assert_memory_equal(x->next, y->next,
				    (size_t)x->nstates * x->nclasses * sizeof(*x->next));
		assert_memory_equal(x->accept_len, y->accept_len,
				    (size_t)(x->nstates - x->accept) * sizeof(*x->accept_len));
	}
}

static void test_every_shipped_spec_as_module(void **state)
{
	(void)state;
	for (size_t i = 0; pne_builtin_specs[i] != NULL; i++) {
		const struct pne_spec *b = pne_builtin_specs[i];
		void *h = build_module(b->name);

		assert_same_spec(module_spec(h), b);
		assert_int_equal(dlclose(h), 0);
	}
	assert_non_null(pne_builtin_spec("http"));
	assert_non_null(pne_builtin_spec("iscsi"));
}

/* A module frames a real exchange exactly as the RFC says. */
static void test_module_frames_http(void **state)
{
	static const struct sh_msg msgs[] = {
		SH_C2S("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		       "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"),
		SH_S2C("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
		       "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"),
	};
	static const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 28, "request", "\"uri\":\"/a\""),
		SH_EXP(PNE_C2S, 28, 29, "request", "\"method\":\"HEAD\""),
		SH_EXP(PNE_S2C, 0, 43, "response", "\"status\":200"),
		SH_EXP(PNE_S2C, 43, 38, "response", "\"content_length\":9"),
	};
	void *h = build_module("http");
	struct sh_conv conv = { .spec = module_spec(h), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
	assert_int_equal(dlclose(h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_spec_as_module),
		cmocka_unit_test(test_module_frames_http),
	};

	return cmocka_run_group_tests_name("module", tests, setup, teardown);
}
