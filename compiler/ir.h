/*
 * pnec's intermediate representation: the table program in memory, in
 * the very shape of include/pne/table.h but with growable arrays and
 * owned strings. ir.c lowers a checked AST into it; emit.c prints it as
 * C; dump.c prints it for --dump-ir and --dot. The runtime can also run
 * an IR directly through pnec_ir_to_spec() (tests use this).
 */
#ifndef PNEC_IR_H
#define PNEC_IR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pne/table.h"
#include "ast.h"
#include "diag.h"

struct pnec_ir {
	char *name, *title;
	uint16_t *ports; size_t nports;
	uint16_t start[2];
	struct pne_op *ops;            size_t nops;
	uint8_t *code;                 size_t ncode;
	uint64_t *consts;              size_t nconsts;
	struct pne_unit *units;        size_t nunits;
	struct pne_hdr *hdrs;          size_t nhdrs;
	struct pne_field *fields;      size_t nfields;
	struct pne_text *texts;        size_t ntexts;
	struct pne_tfield *tfields;    size_t ntfields;
	struct pnec_ir_dfa { uint8_t cls[256]; uint16_t *next; uint16_t *accept_len;
		uint16_t nstates, nclasses, accept; } *dfas; size_t ndfas;
	struct pne_report *reports;    size_t nreports;
	struct pne_typemap *typemaps;  size_t ntypemaps;
	struct pne_cvar *cvars;        size_t ncvars;
	struct pne_fifo *fifos;        size_t nfifos;
	struct pne_slotinfo *slots;    size_t nslots;
	struct pnec_ir_str { char *s; uint32_t len; } *strs; size_t nstrs;
	uint32_t hdr_max, str_max;
	uint32_t peek_max;             /* the largest peek's max, 0 without any */
	/* Source lines of each op, for --dump-ir and the emitter's comments. */
	int *op_line;
	char *src_file;                /* spec path as given */
};

/* Check ast; on success lower it into *ir and return 0, else report
 * through d and return -1 (ir is left empty). */
int pnec_check(struct pnec_ast *ast, struct pnec_diag *d);
int pnec_lower(const struct pnec_ast *ast, struct pnec_ir *ir, struct pnec_diag *d);
void pnec_ir_free(struct pnec_ir *ir);   /* accepts an empty IR */

/* A struct pne_spec view of ir (pointers into ir; valid while ir lives). */
void pnec_ir_to_spec(const struct pnec_ir *ir, struct pne_spec *spec,
		     struct pne_dfa *dfas /* ir->ndfas entries */,
		     struct pne_str *strs /* ir->nstrs entries */);

/* Emitters: return 0, or -errno on a write error. */
int pnec_emit_c(const struct pnec_ir *ir, FILE *c, FILE *h,
		const char *hname /* basename of the .h, for #include */,
		const char *sym /* C symbol of the spec, e.g. pne_spec_http */,
		int module /* also export PNE_MODULE_SYMBOL */);
int pnec_dump_ir(const struct pnec_ir *ir, FILE *out);
int pnec_dump_dot(const struct pnec_ir *ir, FILE *out);

/* Parse a spec file's contents; NULL on fatal (OOM); syntax errors go
 * through d (check d->nerrors). The AST keeps pointers into src. */
struct pnec_ast *pnec_parse(const char *file, const char *src, size_t len,
			    struct pnec_diag *d);
void pnec_ast_free(struct pnec_ast *ast);   /* accepts NULL */

#endif /* PNEC_IR_H */
