/*
 * pnec's abstract syntax tree. The parser (parser.y) builds it, the
 * checker (check.c) validates it and computes value ranges, the lowering
 * (ir.c) turns it into the table program (struct pnec_ir), which the
 * emitter (emit.c) prints as C.
 *
 * All nodes live in one arena owned by struct pnec_ast and are freed
 * together; nodes are never freed one by one.
 */
#ifndef PNEC_AST_H
#define PNEC_AST_H

#include <stddef.h>
#include <stdint.h>

/* A source position: 1-based line and column, as bison's YYLTYPE. */
struct pnec_loc {
	int first_line, first_column;
	int last_line, last_column;
};

/* A string literal or identifier: bytes plus length (may hold NUL). */
struct pnec_str {
	char  *s;   /* NUL-terminated copy, arena-owned */
	size_t len;
};

enum pnec_expr_kind {
	PNEC_E_NUM,     /* num */
	PNEC_E_NAME,    /* name: a slot, var, param, const */
	PNEC_E_UNARY,   /* op ('!', '~', '-'), a */
	PNEC_E_BINARY,  /* op (enum pnec_binop), a, b */
	PNEC_E_COND,    /* a ? b : c */
	PNEC_E_CALL,    /* name (pad4, align, padding, min, max, len, unconfirmed), args */
	PNEC_E_IN,      /* a in { cases } */
};

enum pnec_binop {
	PNEC_OP_ADD, PNEC_OP_SUB, PNEC_OP_MUL, PNEC_OP_DIV, PNEC_OP_MOD,
	PNEC_OP_AND, PNEC_OP_OR, PNEC_OP_XOR, PNEC_OP_SHL, PNEC_OP_SHR,
	PNEC_OP_EQ, PNEC_OP_NE, PNEC_OP_LT, PNEC_OP_LE, PNEC_OP_GT, PNEC_OP_GE,
	PNEC_OP_LAND, PNEC_OP_LOR,
};

struct pnec_case;

struct pnec_expr {
	enum pnec_expr_kind kind;
	struct pnec_loc loc;
	uint64_t num;                /* PNEC_E_NUM */
	struct pnec_str name;        /* PNEC_E_NAME, PNEC_E_CALL */
	int op;                      /* PNEC_E_UNARY: the char; BINARY: enum pnec_binop */
	struct pnec_expr *a, *b, *c; /* operands */
	struct pnec_expr **args;     /* PNEC_E_CALL */
	int nargs;
	struct pnec_case *cases;     /* PNEC_E_IN: list of values/ranges */
	/* Filled by the checker: */
	uint64_t lo, hi;             /* value range */
	int resolved;                /* enum pnec_sym_kind of a NAME */
	int index;                   /* slot/cvar/fifo index of a NAME */
};

/* A case value or range: lo .. hi (hi == NULL: a single value). */
struct pnec_case {
	struct pnec_expr *lo, *hi;
	struct pnec_case *next;
};

/* A binary header field: name : type @ off (& mask | >> shift)* */
struct pnec_bfield {
	struct pnec_loc loc;
	struct pnec_str name;
	int type;                    /* enum pne_ftype (include/pne/table.h) */
	struct pnec_expr *off;
	struct pnec_fop { int op; struct pnec_expr *arg; struct pnec_loc loc; } *ops;
	int nops;                    /* '&' or '>' (shift right), in order */
	struct pnec_bfield *next;
};

/* A text field: name = src conv */
struct pnec_tfield {
	struct pnec_loc loc;
	struct pnec_str name;
	int src;                     /* enum pne_tsrc */
	uint64_t arg;                /* word/line number */
	struct pnec_str key;         /* PNE_TS_HEADER */
	int conv;                    /* enum pne_tconv */
	struct pnec_str lit;         /* CONTAINS/IS/PREFIX/SUFFIX */
	struct pnec_expr *max;       /* DECIMAL/HEX/STRING bound, or NULL */
	struct pnec_tfield *next;
};

enum pnec_stmt_kind {
	PNEC_S_HEADER,   /* size (expr), max (expr or NULL), bfields */
	PNEC_S_VARINT,   /* name, maxbytes (expr) */
	PNEC_S_TEXT,     /* delim or size, max, linesep, kvsep, tfields */
	PNEC_S_SKIP,     /* e */
	PNEC_S_LET,      /* name = e (declares a slot) */
	PNEC_S_ASSIGN,   /* name = e (slot, var or param) */
	PNEC_S_PUSH,     /* name (fifo), e */
	PNEC_S_POP,      /* name (fifo), into (slot), e (default or NULL) */
	PNEC_S_WAIT,     /* e */
	PNEC_S_REQUIRE,  /* e, msg (may be empty) */
	PNEC_S_IF,       /* e, body, orelse (NULL or a block/if) */
	PNEC_S_SWITCH,   /* e, arms */
	PNEC_S_REPEAT,   /* max (expr), body */
	PNEC_S_BREAK,
	PNEC_S_DO,       /* name (sub) */
	PNEC_S_UNTIL_CLOSE,
	PNEC_S_OPAQUE,
	PNEC_S_BLOCK,    /* body */
};

struct pnec_stmt;

/* A switch arm: case values (NULL cases = default) and its statements. */
struct pnec_arm {
	struct pnec_loc loc;
	struct pnec_case *cases;
	struct pnec_stmt *body;      /* list */
	struct pnec_arm *next;
};

struct pnec_stmt {
	enum pnec_stmt_kind kind;
	struct pnec_loc loc;
	struct pnec_str name;        /* LET/ASSIGN target, VARINT dest, PUSH/POP fifo, DO sub */
	struct pnec_str into;        /* POP destination slot */
	struct pnec_expr *e;         /* value, condition, size, count */
	struct pnec_expr *max;       /* HEADER/TEXT/REPEAT/VARINT bound */
	struct pnec_str delim;       /* TEXT until (len 0 = sized text) */
	struct pnec_str linesep, kvsep; /* TEXT (len 0 = default) */
	int has_delim;               /* TEXT: until (1) or size (0) */
	int peek;                    /* TEXT: looks at the bytes, leaves them */
	struct pnec_str msg;         /* REQUIRE */
	struct pnec_bfield *bfields; /* HEADER */
	struct pnec_tfield *tfields; /* TEXT */
	struct pnec_stmt *body;      /* IF then, REPEAT/BLOCK body (list) */
	struct pnec_stmt *orelse;    /* IF else (list) */
	struct pnec_arm *arms;       /* SWITCH */
	struct pnec_stmt *next;      /* next statement in its list */
};

enum pnec_item_kind {
	PNEC_I_PORTS, PNEC_I_PARAM, PNEC_I_VAR, PNEC_I_FIFO, PNEC_I_CONST,
	PNEC_I_START, PNEC_I_SUB, PNEC_I_UNIT,
};

struct pnec_typemap_ast {
	struct pnec_loc loc;
	struct pnec_case *cases;     /* NULL: default */
	struct pnec_str name;
	struct pnec_typemap_ast *next;
};

struct pnec_rep {
	struct pnec_loc loc;
	struct pnec_str name;        /* slot or connection variable */
	struct pnec_str as;          /* JSON key (len 0: name) */
	struct pnec_rep *next;
};

struct pnec_unit_ast {
	struct pnec_expr *max;        /* NULL if missing (a checker error) */
	struct pnec_loc max_loc;
	int resync;                   /* enum pne_resync_mode */
	struct pnec_loc resync_loc;
	struct pnec_str *anchors;     /* PNE_RESYNC_ANCHOR */
	int nanchors;
	uint64_t confirm;             /* PNE_RESYNC_CONFIRM */
	struct pnec_expr *window;     /* its 'within N', a constant; NULL if none */
	struct pnec_str type_slot;    /* len 0: no type map */
	struct pnec_loc type_loc;
	struct pnec_typemap_ast *types;
	struct pnec_rep *reports;
	struct pnec_stmt *body;       /* list */
};

struct pnec_item {
	enum pnec_item_kind kind;
	struct pnec_loc loc;
	struct pnec_str name;
	uint64_t *ports;              /* PNEC_I_PORTS */
	int nports;
	int vtype;                    /* PARAM/VAR/FIFO: width in bytes, 0 = bool */
	struct pnec_expr *e;          /* PARAM/VAR init, CONST value (or NULL) */
	uint64_t depth;               /* FIFO */
	int dir;                      /* PNEC_I_START: 0 = c2s, 1 = s2c */
	struct pnec_str unit;         /* PNEC_I_START: unit name */
	struct pnec_stmt *body;       /* SUB (list) */
	struct pnec_unit_ast *u;      /* UNIT */
	struct pnec_item *next;
};

/* A parsed spec. */
struct pnec_ast {
	const char *file;             /* path as given, for diagnostics */
	const char *src;              /* the whole source, for caret lines */
	size_t srclen;
	struct pnec_str name, title;
	struct pnec_loc name_loc;
	struct pnec_item *items;      /* in source order */
	struct pnec_arena *arena;
};

/* Arena allocation for all AST nodes and strings. */
struct pnec_arena;
struct pnec_arena *pnec_arena_new(void);
void *pnec_arena_alloc(struct pnec_arena *a, size_t n); /* zeroed; NULL on OOM */
char *pnec_arena_strndup(struct pnec_arena *a, const char *s, size_t n);
void pnec_arena_free(struct pnec_arena *a);            /* accepts NULL */

#endif /* PNEC_AST_H */
