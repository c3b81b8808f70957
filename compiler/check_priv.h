/*
 * Private to the checker (check.c) and the lowering (ir.c): the symbol
 * table both build from the same AST, so they agree on every slot,
 * connection variable and FIFO index without the AST carrying them.
 */
#ifndef PNEC_CHECK_PRIV_H
#define PNEC_CHECK_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* What a name stands for; stored in pnec_expr.resolved by the checker. */
enum pnec_sym_kind {
	PNEC_SYM_NONE,
	PNEC_SYM_SLOT,    /* per-direction slot: field, let, pop or varint */
	PNEC_SYM_VAR,     /* connection variable */
	PNEC_SYM_PARAM,   /* connection variable the user may set */
	PNEC_SYM_FIFO,
	PNEC_SYM_CONST,
	PNEC_SYM_SUB,
	PNEC_SYM_UNIT,
};

struct pnec_sym {
	const char *name;
	size_t len;
	enum pnec_sym_kind kind;
	int index;                   /* slot, cvar, fifo or unit index */
	struct pnec_loc loc;         /* first definition */
	int rkind;                   /* slots: enum pne_rkind */
	int width;                   /* cvars/fifos: bytes; 0 = bool */
	const struct pnec_item *item; /* top-level items */
	uint64_t lo, hi;             /* checker: value range */
	uint64_t value;              /* constants, once evaluated */
	int state;                   /* constants: 0 new, 1 evaluating, 2 done, 3 bad */
	int used;                    /* read, reported or called */
	/* Subs: recursion colour, then the memoised progress summary. */
	int colour;                  /* 0 white, 1 on the walk, 2 done */
	int pstate;                  /* 0 new, 1 being analysed, 2 done */
	int prog_k;                  /* every normal exit consumed a byte */
	int prog_b;                  /* every break leaving it consumed a byte */
	int prog_depth;              /* repeat nesting inside it */
	const struct pnec_stmt *free_brk; /* a break not inside its own repeat */
	int peek_state;              /* 0 new, 1 being searched, 2 done */
	const struct pnec_stmt *peek; /* a peek it runs, through its subs */
};

struct pnec_symtab {
	struct pnec_sym *syms;
	size_t n, cap;
	int nslots, ncvars, nfifos, nunits;
};

/*
 * Collect every name of ast in a deterministic order: top-level items in
 * source order, then slots in order of their first definition (units and
 * subs in source order). Duplicate definitions and conflicting slot kinds
 * are reported through d when d is not NULL. Returns 0, or -1 on error
 * (including out of memory, reported when d is set).
 */
int pnec_symtab_build(const struct pnec_ast *ast, struct pnec_symtab *t,
		      struct pnec_diag *d);
struct pnec_sym *pnec_sym_find(const struct pnec_symtab *t, const char *name,
			       size_t len);
void pnec_symtab_free(struct pnec_symtab *t);

/* 1 if e is a compile-time constant (after a successful check). */
int pnec_expr_is_const(const struct pnec_expr *e);

/* Print e in infix form, as written modulo parentheses; returns the
 * length it needs (like snprintf). */
size_t pnec_expr_print(const struct pnec_expr *e, char *buf, size_t cap);

/* Name of a text field source or conversion, for messages and dumps. */
const char *pnec_tconv_name(int conv);

/* Most type map entries a unit may have, ranges expanded. */
#define PNEC_MAX_TYPEMAP 1024

/* Longest text delimiter and resync anchor. */
#define PNEC_MAX_LITERAL 255

/* Names reserved for the compiler's repeat counters start with '.'. */
#define PNEC_REPEAT_SLOT_FMT ".r%d"

#endif /* PNEC_CHECK_PRIV_H */
