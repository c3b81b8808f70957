/*
 * libFuzzer target for pnec: any input is parsed, and a spec that parses
 * is checked, lowered, emitted as C and dumped, all into memory. Built
 * with -DPNE_FUZZ=ON (clang); see tests.cmake. Any crash, sanitizer
 * report, leak or hang is a bug in the compiler.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Exercise everything after a successful parse. */
static void back_end(struct pnec_ast *ast, struct pnec_diag *d, FILE *sink)
{
	struct pnec_ir ir;
	char *cbuf = NULL, *hbuf = NULL;
	size_t clen = 0, hlen = 0;
	FILE *c, *h;

	memset(&ir, 0, sizeof(ir));
	if (pnec_check(ast, d) != 0 || d->nerrors > 0)
		return;
	if (pnec_lower(ast, &ir, d) != 0 || d->nerrors > 0)
		goto out;
	c = open_memstream(&cbuf, &clen);
	h = open_memstream(&hbuf, &hlen);
	if (c != NULL && h != NULL)
		pnec_emit_c(&ir, c, h, "fuzz.h", "pne_spec_fuzz", 1);
	if (c != NULL)
		fclose(c);
	if (h != NULL)
		fclose(h);
	free(cbuf);
	free(hbuf);
	pnec_dump_ir(&ir, sink);
	pnec_dump_dot(&ir, sink);
out:
	pnec_ir_free(&ir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct pnec_diag d;
	struct pnec_ast *ast;

	/* Diagnostics and dumps are formatted for real, then thrown away. */
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		abort();
	pnec_diag_init(&d, "fuzz.pne", (const char *)data, size, sink);
	ast = pnec_parse("fuzz.pne", (const char *)data, size, &d);
	if (ast != NULL && d.nerrors == 0)
		back_end(ast, &d, sink);
	pnec_ast_free(ast);
	return 0;
}
