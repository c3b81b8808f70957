/*
 * pnec's grammar (docs/spec-language.md, "Grammar"). Builds the AST of
 * ast.h; every node comes from the spec's arena, so an aborted parse
 * leaks nothing and needs no %destructor.
 *
 * Error recovery works at three levels: a declaration (item), a unit
 * body entry or statement, and a header/text field each resynchronise at
 * the next ';' (or the '}' that closes their list), so one run reports
 * every independent syntax error, up to PNEC_MAX_ERRORS.
 *
 * Nesting is bounded twice so that neither this parser nor the recursive
 * passes after it (check.c, ir.c) can exhaust the C stack: the scanner
 * caps bracket nesting at PNEC_MAX_NEST, and expression trees (where
 * left-associative chains nest without brackets) are capped at
 * PNEC_MAX_EXPR_DEPTH. The parser's own stack lives on the heap and is
 * capped by YYMAXDEPTH.
 */
%require "3.8"
%define api.pure full
%define api.prefix {pnec_yy}
%define api.token.prefix {T_}
%define api.location.type {struct pnec_loc}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {struct pnec_pctx *ctx}
%expect 0

%code requires {
#include <stdint.h>
#include "ast.h"
#include "diag.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

#define PNEC_MAX_NEST       256  /* open brackets at once */
#define PNEC_MAX_EXPR_DEPTH 256  /* height of an expression tree */
#define PNEC_FT_EXPLICIT    0x100 /* FTYPE token: a be/le suffix was written */

/* Parse state shared by the scanner (yyextra) and the grammar actions. */
struct pnec_pctx {
	struct pnec_ast *ast;
	struct pnec_arena *arena;
	struct pnec_diag *d;
	int line, col;                 /* position of the next input byte */
	int fatal;                     /* stop: the scanner returns end of file */
	int oom;                       /* out of memory: pnec_parse fails */
	const char *tok;               /* text of the last token read */
	size_t toklen;
	struct pnec_item *items_tail;
	struct pnec_unit_ast *unit;    /* the unit being parsed */
	struct pnec_stmt *body_tail;   /* end of unit->body */
	struct pnec_rep *reps_tail;    /* end of unit->reports */
	int nopen;                     /* open brackets, innermost last */
	struct pnec_open { char c; struct pnec_loc loc; } open[PNEC_MAX_NEST];
	int pending;                   /* bracket not yet on the stack, or 0 */
	struct pnec_loc pending_loc;
};

/* Values under construction. */
struct pexpr { struct pnec_expr *e; int depth; };
struct parr { void *v; int n; int depth; };
struct stmt_list { struct pnec_stmt *head, *tail; };
struct case_list { struct pnec_case *head, *tail; int depth; };
struct bf_list { struct pnec_bfield *head, *tail; };
struct tf_list { struct pnec_tfield *head, *tail; };
struct arm_list { struct pnec_arm *head, *tail; };
struct tm_list { struct pnec_typemap_ast *head, *tail; };
struct rep_list { struct pnec_rep *head, *tail; };

int pnec_lex_open(struct pnec_pctx *ctx, const char *src, size_t len,
		  yyscan_t *scanner);
void pnec_lex_close(yyscan_t scanner);
}

%code provides {
int pnec_yylex(PNEC_YYSTYPE *lval, struct pnec_loc *lloc, yyscan_t scanner);
}

%code {
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "pne/table.h"

/* The stack grows on the heap up to this many entries; past it the
 * input is nested beyond anything a real spec needs. */
#define YYMAXDEPTH 10000

static void pnec_yyerror(const struct pnec_loc *loc, yyscan_t scanner,
			 struct pnec_pctx *ctx, const char *msg);

#define APPEND(l, n) do {					\
		if ((l).tail != NULL)				\
			(l).tail->next = (n);			\
		else						\
			(l).head = (n);				\
		(l).tail = (n);					\
	} while (0)

/* Allocate a zeroed node from the arena or fail the parse (YYNOMEM). */
#define NEW(p) do {							\
		if (((p) = pnec_arena_alloc(ctx->arena, sizeof(*(p)))) == NULL) { \
			ctx->oom = 1;					\
			YYNOMEM;					\
		}							\
	} while (0)
#define OK(x) do { if (!(x)) { ctx->oom = 1; YYNOMEM; } } while (0)

static struct pnec_loc span(const struct pnec_loc *a, const struct pnec_loc *b)
{
	struct pnec_loc l = *a;

	l.last_line = b->last_line;
	l.last_column = b->last_column;
	return l;
}

/* Append el (size bytes) to a growing arena array, doubling its
 * capacity at powers of two; returns 0 or -1 (out of memory). */
static int arr_push(struct pnec_pctx *ctx, struct parr *a, size_t size,
		    const void *el)
{
	if (a->n == 0 || (a->n & (a->n - 1)) == 0) {
		size_t cap = a->n == 0 ? 1 : (size_t)a->n * 2;
		void *v = pnec_arena_alloc(ctx->arena, cap * size);

		if (v == NULL)
			return -1;
		if (a->n > 0)
			memcpy(v, a->v, (size_t)a->n * size);
		a->v = v;
	}
	memcpy((char *)a->v + (size_t)a->n * size, el, size);
	a->n++;
	return 0;
}

/* A new expression node one level above its deepest operand. */
static struct pexpr expr_new(struct pnec_pctx *ctx, enum pnec_expr_kind kind,
			     int depth, const struct pnec_loc *loc)
{
	struct pexpr x = { pnec_arena_alloc(ctx->arena, sizeof(struct pnec_expr)),
			   depth + 1 };

	if (x.e == NULL) {
		ctx->oom = 1;
		return x;
	}
	x.e->kind = kind;
	x.e->loc = *loc;
	if (x.depth > PNEC_MAX_EXPR_DEPTH && !ctx->fatal) {
		pnec_error(ctx->d, loc,
			   "expression nested too deeply (the limit is %d levels)",
			   PNEC_MAX_EXPR_DEPTH);
		ctx->fatal = 1;
	}
	return x;
}

static struct pexpr expr_bin(struct pnec_pctx *ctx, int op, struct pexpr a,
			     struct pexpr b, const struct pnec_loc *loc)
{
	struct pexpr x = expr_new(ctx, PNEC_E_BINARY,
				  a.depth > b.depth ? a.depth : b.depth, loc);

	if (x.e != NULL) {
		x.e->op = op;
		x.e->a = a.e;
		x.e->b = b.e;
	}
	return x;
}

static struct pexpr expr_num(struct pnec_pctx *ctx, uint64_t v,
			     const struct pnec_loc *loc)
{
	struct pexpr x = expr_new(ctx, PNEC_E_NUM, 0, loc);

	if (x.e != NULL)
		x.e->num = v;
	return x;
}

/* The built-in functions and their arities. */
static const struct { const char *name; int nargs; } functions[] = {
	{ "pad4", 1 }, { "align", 2 }, { "padding", 2 },
	{ "min", 2 }, { "max", 2 }, { "len", 1 }, { "unconfirmed", 0 },
};

static void check_call(struct pnec_pctx *ctx, const struct pnec_str *name,
		       const struct pnec_loc *nloc, int nargs)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		if (strcmp(functions[i].name, name->s) != 0)
			continue;
		if (functions[i].nargs != nargs)
			pnec_error(ctx->d, nloc, "'%s' takes %d argument%s, not %d",
				   name->s, functions[i].nargs,
				   functions[i].nargs == 1 ? "" : "s", nargs);
		return;
	}
	pnec_error(ctx->d, nloc,
		   "unknown function '%s' (functions: pad4, align, padding, min, max, len, unconfirmed)",
		   name->s);
}

/* A unit clause that may appear only once. */
static int unit_once(struct pnec_pctx *ctx, int seen, const char *what,
		     const struct pnec_loc *loc, const struct pnec_loc *first)
{
	if (!seen)
		return 1;
	pnec_error(ctx->d, loc, "a unit has one '%s' clause", what);
	pnec_note(ctx->d, first, "the first '%s' is here", what);
	return 0;
}

static struct pnec_stmt *stmt_new(struct pnec_pctx *ctx, enum pnec_stmt_kind k,
				  const struct pnec_loc *loc)
{
	struct pnec_stmt *s = pnec_arena_alloc(ctx->arena, sizeof(*s));

	if (s == NULL) {
		ctx->oom = 1;
		return NULL;
	}
	s->kind = k;
	s->loc = *loc;
	return s;
}

#define STMT(p, k, loc) do {					\
		if (((p) = stmt_new(ctx, (k), (loc))) == NULL)	\
			YYNOMEM;				\
	} while (0)
}

%union {
	uint64_t num;
	int ival;
	struct pnec_str str;
	struct pexpr x;
	struct parr a;
	struct pnec_stmt *st;
	struct pnec_item *it;
	struct pnec_tfield *tf;
	struct pnec_bfield *bf;
	struct stmt_list sl;
	struct case_list cl;
	struct bf_list bl;
	struct tf_list tl;
	struct arm_list al;
	struct tm_list ml;
	struct rep_list rl;
	struct pnec_rep *rep;
	struct pnec_typemap_ast *tm;
	struct pnec_arm *arm;
}

%token END 0 "end of file"
%token <num> NUMBER "number"
%token <str> IDENT "identifier"
%token <str> STRING "string literal"
%token <ival> FTYPE "field type"
%token PROTOCOL "protocol" PORTS "ports" PARAM "param" VAR "var" FIFO "fifo"
%token CONST "const" C2S "c2s" S2C "s2c" SUB "sub" UNIT "unit" MAX "max"
%token RESYNC "resync" REPORT "report" DEFAULT "default" AS "as"
%token HEADER "header" VARINT "varint" TEXT "text" SKIP "skip" LET "let"
%token PUSH "push" POP "pop" INTO "into" ELSE "else" WAIT "wait"
%token REQUIRE "require" IF "if" SWITCH "switch" CASE "case" REPEAT "repeat"
%token BREAK "break" DO "do" UNTIL_CLOSE "until_close" OPAQUE "opaque"
%token BOOL "bool" IN "in"
%token <str> TYPE "type" ANCHOR "anchor" CONFIRM "confirm" WITHIN "within" UNTIL "until"
%token <str> SIZE "size" LINES "lines" SEP "sep" WORD "word" LINE "line"
%token <str> ALL "all" TAIL "tail" DECIMAL "decimal" HEX "hex" STRKW "string"
%token <str> CONTAINS "contains" IS "is" PREFIX "prefix" SUFFIX "suffix"
%token <str> NUMERIC "numeric" PRESENT "present" LENGTH "length"
%token <str> FOLD "fold" LIST "list" PEEK "peek" DELIM "delim"
%token EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>" LAND "&&" LOR "||"
%token DOTDOT ".."

%right '?' ':'
%left LOR
%left LAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' LE '>' GE IN
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'

%type <str> name opt_title opt_string opt_as opt_lines opt_sep
%type <ival> vtype opt_peek
%type <x> expr unary primary fexpr fterm opt_max opt_init pop_else
%type <a> ports anchors args fops
%type <it> item unit_head
%type <st> stmt if_stmt text_head
%type <sl> stmts block
%type <cl> cases caseval
%type <bl> bfields bfield_block
%type <bf> bfield
%type <tl> tfields tfield_block
%type <tf> tfield tsrc tconv
%type <al> arms
%type <arm> arm
%type <ml> typecases typecase_block
%type <tm> typecase
%type <rl> reps
%type <rep> rep

%%

/* spec -> 'protocol' IDENT STRING? '{' item* '}' */
spec:
	PROTOCOL name opt_title
		{
			ctx->ast->name = $2;
			ctx->ast->name_loc = @2;
			ctx->ast->title = $3;
		}
	'{' items '}'
	;

opt_title:
	%empty		{ $$ = (struct pnec_str){ "", 0 }; }
	| STRING
	;

items:
	%empty
	| items item
		{
			if ($2 != NULL) {
				if (ctx->items_tail != NULL)
					ctx->items_tail->next = $2;
				else
					ctx->ast->items = $2;
				ctx->items_tail = $2;
			}
		}
	;

/* item -> ports | param | var | fifo | const | c2s/s2c | sub | unit */
item:
	PORTS ports ';'
		{
			NEW($$);
			$$->kind = PNEC_I_PORTS;
			$$->loc = span(&@1, &@2);
			$$->ports = $2.v;
			$$->nports = $2.n;
		}
	| PARAM name ':' vtype opt_init ';'
		{
			NEW($$);
			$$->kind = PNEC_I_PARAM;
			$$->loc = @2;
			$$->name = $2;
			$$->vtype = $4;
			$$->e = $5.e;
		}
	| VAR name ':' vtype opt_init ';'
		{
			NEW($$);
			$$->kind = PNEC_I_VAR;
			$$->loc = @2;
			$$->name = $2;
			$$->vtype = $4;
			$$->e = $5.e;
		}
	| FIFO name ':' vtype '[' NUMBER ']' ';'
		{
			NEW($$);
			$$->kind = PNEC_I_FIFO;
			$$->loc = @2;
			$$->name = $2;
			$$->vtype = $4;
			$$->depth = $6;
		}
	| CONST name '=' expr ';'
		{
			NEW($$);
			$$->kind = PNEC_I_CONST;
			$$->loc = @2;
			$$->name = $2;
			$$->e = $4.e;
		}
	| C2S name ';'
		{
			NEW($$);
			$$->kind = PNEC_I_START;
			$$->loc = @2;
			$$->dir = 0;
			$$->unit = $2;
		}
	| S2C name ';'
		{
			NEW($$);
			$$->kind = PNEC_I_START;
			$$->loc = @2;
			$$->dir = 1;
			$$->unit = $2;
		}
	| SUB name block
		{
			NEW($$);
			$$->kind = PNEC_I_SUB;
			$$->loc = @2;
			$$->name = $2;
			$$->body = $3.head;
		}
	| unit_head unit_items '}'
		{ $$ = $1; }
	| unit_head unit_items error '}'
		{ $$ = $1; }
	| error ';'
		{ $$ = NULL; yyerrok; }
	;

ports:
	NUMBER
		{
			$$ = (struct parr){ 0 };
			if ($1 == 0 || $1 > 65535)
				pnec_error(ctx->d, &@1, "port %llu is out of range (1..65535)",
					   (unsigned long long)$1);
			OK(arr_push(ctx, &$$, sizeof(uint64_t), &$1) == 0);
		}
	| ports ',' NUMBER
		{
			$$ = $1;
			if ($3 == 0 || $3 > 65535)
				pnec_error(ctx->d, &@3, "port %llu is out of range (1..65535)",
					   (unsigned long long)$3);
			OK(arr_push(ctx, &$$, sizeof(uint64_t), &$3) == 0);
		}
	;

/* vtype -> u8 | u16 | u32 | u64 | bool: the width in bytes, 0 for bool */
vtype:
	FTYPE
		{
			$$ = $1 & 0xf;
			if (($1 & PNEC_FT_EXPLICIT) || $$ == PNE_FT_U24)
				pnec_error(ctx->d, &@1,
					   "variables are u8, u16, u32, u64 or bool (byte order and u24 are for header fields)");
		}
	| BOOL		{ $$ = 0; }
	;

opt_init:
	%empty		{ $$ = (struct pexpr){ NULL, 0 }; }
	| '=' expr	{ $$ = $2; }
	;

/* unit -> 'unit' IDENT '{' unit_item* '}' */
unit_head:
	UNIT name '{'
		{
			NEW($$);
			NEW($$->u);
			$$->kind = PNEC_I_UNIT;
			$$->loc = @2;
			$$->name = $2;
			ctx->unit = $$->u;
			ctx->body_tail = NULL;
			ctx->reps_tail = NULL;
		}
	;

unit_items:
	%empty
	| unit_items unit_item
	;

/* unit_item -> max | resync | type | report | stmt */
unit_item:
	MAX expr ';'
		{
			struct pnec_loc l = span(&@1, &@2);

			if (unit_once(ctx, ctx->unit->max != NULL, "max", &l,
				      &ctx->unit->max_loc)) {
				ctx->unit->max = $2.e;
				ctx->unit->max_loc = l;
			}
		}
	| RESYNC ANCHOR anchors ';'
		{
			struct pnec_loc l = span(&@1, &@3);

			if (unit_once(ctx, ctx->unit->resync != PNE_RESYNC_NONE,
				      "resync", &l, &ctx->unit->resync_loc)) {
				ctx->unit->resync = PNE_RESYNC_ANCHOR;
				ctx->unit->resync_loc = l;
				ctx->unit->anchors = $3.v;
				ctx->unit->nanchors = $3.n;
			}
		}
	| RESYNC CONFIRM NUMBER ';'
		{
			struct pnec_loc l = span(&@1, &@3);

			if (unit_once(ctx, ctx->unit->resync != PNE_RESYNC_NONE,
				      "resync", &l, &ctx->unit->resync_loc)) {
				ctx->unit->resync = PNE_RESYNC_CONFIRM;
				ctx->unit->resync_loc = l;
				ctx->unit->confirm = $3;
			}
		}
	| RESYNC CONFIRM NUMBER WITHIN expr ';'
		{
			struct pnec_loc l = span(&@1, &@5);

			if (unit_once(ctx, ctx->unit->resync != PNE_RESYNC_NONE,
				      "resync", &l, &ctx->unit->resync_loc)) {
				ctx->unit->resync = PNE_RESYNC_CONFIRM;
				ctx->unit->resync_loc = l;
				ctx->unit->confirm = $3;
				ctx->unit->window = $5.e;
			}
		}
	| TYPE name typecase_block
		{
			struct pnec_loc l = span(&@1, &@2);

			if (unit_once(ctx, ctx->unit->type_slot.len != 0, "type",
				      &l, &ctx->unit->type_loc)) {
				ctx->unit->type_slot = $2;
				ctx->unit->type_loc = l;
				ctx->unit->types = $3.head;
			}
		}
	| REPORT reps ';'
		{
			if (ctx->reps_tail != NULL)
				ctx->reps_tail->next = $2.head;
			else
				ctx->unit->reports = $2.head;
			ctx->reps_tail = $2.tail;
		}
	| stmt
		{
			if ($1 != NULL) {
				if (ctx->body_tail != NULL)
					ctx->body_tail->next = $1;
				else
					ctx->unit->body = $1;
				ctx->body_tail = $1;
			}
		}
	;

anchors:
	STRING
		{
			$$ = (struct parr){ 0 };
			OK(arr_push(ctx, &$$, sizeof($1), &$1) == 0);
		}
	| anchors ',' STRING
		{
			$$ = $1;
			OK(arr_push(ctx, &$$, sizeof($3), &$3) == 0);
		}
	;

typecase_block:
	'{' typecases '}'		{ $$ = $2; }
	| '{' typecases error '}'	{ $$ = $2; }
	;

/* typecase -> caseval (',' caseval)* ':' STRING ';' | 'default' ':' STRING ';' */
typecases:
	%empty		{ $$ = (struct tm_list){ 0 }; }
	| typecases typecase
		{
			$$ = $1;
			if ($2 != NULL) {
				if ($2->cases == NULL) {
					for (struct pnec_typemap_ast *t = $$.head; t; t = t->next) {
						if (t->cases != NULL)
							continue;
						pnec_error(ctx->d, &$2->loc,
							   "a type map has one 'default'");
						pnec_note(ctx->d, &t->loc,
							  "the first 'default' is here");
						break;
					}
				}
				APPEND($$, $2);
			}
		}
	;

typecase:
	cases ':' STRING ';'
		{
			NEW($$);
			$$->loc = @1;
			$$->cases = $1.head;
			$$->name = $3;
		}
	| DEFAULT ':' STRING ';'
		{
			NEW($$);
			$$->loc = @1;
			$$->name = $3;
		}
	| error ';'	{ $$ = NULL; yyerrok; }
	;

reps:
	rep		{ $$ = (struct rep_list){ $1, $1 }; }
	| reps ',' rep	{ $$ = $1; APPEND($$, $3); }
	;

/* rep -> IDENT ('as' STRING)? */
rep:
	name opt_as
		{
			NEW($$);
			$$->loc = @1;
			$$->name = $1;
			$$->as = $2;
		}
	;

opt_as:
	%empty		{ $$ = (struct pnec_str){ "", 0 }; }
	| AS STRING	{ $$ = $2; }
	;

block:
	'{' stmts '}'		{ $$ = $2; }
	| '{' stmts error '}'	{ $$ = $2; }
	;

stmts:
	%empty		{ $$ = (struct stmt_list){ 0 }; }
	| stmts stmt
		{
			$$ = $1;
			if ($2 != NULL)
				APPEND($$, $2);
		}
	;

stmt:
	/* 'header' expr ('max' expr)? '{' bfield* '}' */
	HEADER expr opt_max bfield_block
		{
			struct pnec_loc l = span(&@1, &@3);

			STMT($$, PNEC_S_HEADER, &l);
			$$->e = $2.e;
			$$->max = $3.e;
			$$->bfields = $4.head;
		}
	/* 'varint' IDENT 'max' NUMBER ';' */
	| VARINT name MAX NUMBER ';'
		{
			STMT($$, PNEC_S_VARINT, &@$);
			$$->name = $2;
			$$->max = expr_num(ctx, $4, &@4).e;
			OK($$->max != NULL);
		}
	/* 'text' ('until' STRING | 'size' expr) ('max' expr)?
	 *        ('lines' STRING)? ('sep' STRING)? 'peek'? '{' tfield* '}' */
	| text_head opt_max opt_lines opt_sep opt_peek tfield_block
		{
			$$ = $1;
			$$->loc = span(&@1, &@5);
			$$->max = $2.e;
			$$->linesep = $3;
			$$->kvsep = $4;
			$$->peek = $5;
			$$->tfields = $6.head;
		}
	| SKIP expr ';'
		{
			STMT($$, PNEC_S_SKIP, &@$);
			$$->e = $2.e;
		}
	| LET name '=' expr ';'
		{
			STMT($$, PNEC_S_LET, &@$);
			$$->name = $2;
			$$->e = $4.e;
		}
	| name '=' expr ';'
		{
			STMT($$, PNEC_S_ASSIGN, &@$);
			$$->name = $1;
			$$->e = $3.e;
		}
	| PUSH name expr ';'
		{
			STMT($$, PNEC_S_PUSH, &@$);
			$$->name = $2;
			$$->e = $3.e;
		}
	/* 'pop' IDENT 'into' IDENT ('else' expr)? ';' */
	| POP name INTO name pop_else ';'
		{
			STMT($$, PNEC_S_POP, &@$);
			$$->name = $2;
			$$->into = $4;
			$$->e = $5.e;
		}
	| WAIT expr ';'
		{
			STMT($$, PNEC_S_WAIT, &@$);
			$$->e = $2.e;
		}
	| REQUIRE expr opt_string ';'
		{
			STMT($$, PNEC_S_REQUIRE, &@$);
			$$->e = $2.e;
			$$->msg = $3;
		}
	| if_stmt
	/* 'switch' '(' expr ')' '{' arm* '}' */
	| SWITCH '(' expr ')' '{' arms '}'
		{
			struct pnec_loc l = span(&@1, &@4);

			STMT($$, PNEC_S_SWITCH, &l);
			$$->e = $3.e;
			$$->arms = $6.head;
		}
	| REPEAT MAX expr block
		{
			struct pnec_loc l = span(&@1, &@3);

			STMT($$, PNEC_S_REPEAT, &l);
			$$->max = $3.e;
			$$->body = $4.head;
		}
	| BREAK ';'		{ STMT($$, PNEC_S_BREAK, &@$); }
	| DO name ';'
		{
			STMT($$, PNEC_S_DO, &@$);
			$$->name = $2;
		}
	| UNTIL_CLOSE ';'	{ STMT($$, PNEC_S_UNTIL_CLOSE, &@$); }
	| OPAQUE ';'		{ STMT($$, PNEC_S_OPAQUE, &@$); }
	| block
		{
			STMT($$, PNEC_S_BLOCK, &@1);
			$$->loc.last_line = $$->loc.first_line;
			$$->loc.last_column = $$->loc.first_column;
			$$->body = $1.head;
		}
	| error ';'		{ $$ = NULL; yyerrok; }
	;

opt_max:
	%empty		{ $$ = (struct pexpr){ NULL, 0 }; }
	| MAX expr	{ $$ = $2; }
	;

opt_string:
	%empty		{ $$ = (struct pnec_str){ "", 0 }; }
	| STRING
	;

pop_else:
	%empty		{ $$ = (struct pexpr){ NULL, 0 }; }
	| ELSE expr	{ $$ = $2; }
	;

text_head:
	TEXT UNTIL STRING
		{
			STMT($$, PNEC_S_TEXT, &@$);
			$$->has_delim = 1;
			$$->delim = $3;
			if ($3.len == 0)
				pnec_error(ctx->d, &@3, "a text delimiter can't be empty");
		}
	| TEXT SIZE expr
		{
			STMT($$, PNEC_S_TEXT, &@$);
			$$->e = $3.e;
		}
	;

opt_peek:
	%empty		{ $$ = 0; }
	| PEEK		{ $$ = 1; }
	;

opt_lines:
	%empty		{ $$ = (struct pnec_str){ "", 0 }; }
	| LINES STRING
		{
			$$ = $2;
			if ($2.len == 0)
				pnec_error(ctx->d, &@2, "a line separator can't be empty");
		}
	;

opt_sep:
	%empty		{ $$ = (struct pnec_str){ "", 0 }; }
	| SEP STRING
		{
			$$ = $2;
			if ($2.len == 0)
				pnec_error(ctx->d, &@2, "a key/value separator can't be empty");
		}
	;

/* 'if' '(' expr ')' block ('else' (block | if_stmt))? */
if_stmt:
	IF '(' expr ')' block
		{
			struct pnec_loc l = span(&@1, &@4);

			STMT($$, PNEC_S_IF, &l);
			$$->e = $3.e;
			$$->body = $5.head;
		}
	| IF '(' expr ')' block ELSE block
		{
			struct pnec_loc l = span(&@1, &@4);

			STMT($$, PNEC_S_IF, &l);
			$$->e = $3.e;
			$$->body = $5.head;
			STMT($$->orelse, PNEC_S_BLOCK, &@7);
			$$->orelse->loc.last_line = $$->orelse->loc.first_line;
			$$->orelse->loc.last_column = $$->orelse->loc.first_column;
			$$->orelse->body = $7.head;
		}
	| IF '(' expr ')' block ELSE if_stmt
		{
			struct pnec_loc l = span(&@1, &@4);

			STMT($$, PNEC_S_IF, &l);
			$$->e = $3.e;
			$$->body = $5.head;
			$$->orelse = $7;
		}
	;

/* arm -> 'case' caseval (',' caseval)* ':' stmt* | 'default' ':' stmt* */
arms:
	%empty		{ $$ = (struct arm_list){ 0 }; }
	| arms arm
		{
			$$ = $1;
			if ($$.tail != NULL && $$.tail->cases == NULL) {
				pnec_error(ctx->d, &$2->loc,
					   $2->cases == NULL ? "a switch has one 'default'"
					   : "'default' must be the last arm of a switch");
				pnec_note(ctx->d, &$$.tail->loc, "'default' is here");
			}
			APPEND($$, $2);
		}
	;

arm:
	CASE cases ':' stmts
		{
			NEW($$);
			$$->loc = span(&@1, &@2);
			$$->cases = $2.head;
			$$->body = $4.head;
		}
	| DEFAULT ':' stmts
		{
			NEW($$);
			$$->loc = @1;
			$$->body = $3.head;
		}
	;

cases:
	caseval
	| cases ',' caseval
		{
			$$ = $1;
			APPEND($$, $3.head);
			if ($3.depth > $$.depth)
				$$.depth = $3.depth;
		}
	;

/* caseval -> expr ('..' expr)? */
caseval:
	expr
		{
			NEW($$.head);
			$$.tail = $$.head;
			$$.head->lo = $1.e;
			$$.depth = $1.depth;
		}
	| expr DOTDOT expr
		{
			NEW($$.head);
			$$.tail = $$.head;
			$$.head->lo = $1.e;
			$$.head->hi = $3.e;
			$$.depth = $1.depth > $3.depth ? $1.depth : $3.depth;
		}
	;

bfield_block:
	'{' bfields '}'			{ $$ = $2; }
	| '{' bfields error '}'		{ $$ = $2; }
	;

/* bfield -> IDENT ':' FTYPE '@' expr (('&' | '>>') expr)* ';' */
bfields:
	%empty		{ $$ = (struct bf_list){ 0 }; }
	| bfields bfield
		{
			$$ = $1;
			if ($2 != NULL)
				APPEND($$, $2);
		}
	;

bfield:
	name ':' FTYPE '@' fexpr fops ';'
		{
			NEW($$);
			$$->loc = @1;
			$$->name = $1;
			$$->type = $3 & ~PNEC_FT_EXPLICIT;
			$$->off = $5.e;
			$$->ops = $6.v;
			$$->nops = $6.n;
		}
	| error ';'	{ $$ = NULL; yyerrok; }
	;

/* Offsets and operands of '&' and '>>' are additive expressions, so
 * that "@ 0 & 0x3f" reads as a mask, not as the offset 0 & 0x3f. */
fops:
	%empty		{ $$ = (struct parr){ 0 }; }
	| fops '&' fexpr
		{
			struct pnec_fop op = { '&', $3.e, span(&@2, &@3) };

			$$ = $1;
			OK(arr_push(ctx, &$$, sizeof(op), &op) == 0);
		}
	| fops SHR fexpr
		{
			struct pnec_fop op = { '>', $3.e, span(&@2, &@3) };

			$$ = $1;
			OK(arr_push(ctx, &$$, sizeof(op), &op) == 0);
		}
	;

fexpr:
	fterm
	| fexpr '+' fterm { $$ = expr_bin(ctx, PNEC_OP_ADD, $1, $3, &@$); OK($$.e); }
	| fexpr '-' fterm { $$ = expr_bin(ctx, PNEC_OP_SUB, $1, $3, &@$); OK($$.e); }
	;

fterm:
	unary
	| fterm '*' unary { $$ = expr_bin(ctx, PNEC_OP_MUL, $1, $3, &@$); OK($$.e); }
	| fterm '/' unary { $$ = expr_bin(ctx, PNEC_OP_DIV, $1, $3, &@$); OK($$.e); }
	| fterm '%' unary { $$ = expr_bin(ctx, PNEC_OP_MOD, $1, $3, &@$); OK($$.e); }
	;

tfield_block:
	'{' tfields '}'			{ $$ = $2; }
	| '{' tfields error '}'		{ $$ = $2; }
	;

/* tfield -> IDENT '=' tsrc tconv ';' */
tfields:
	%empty		{ $$ = (struct tf_list){ 0 }; }
	| tfields tfield
		{
			$$ = $1;
			if ($2 != NULL)
				APPEND($$, $2);
		}
	;

tfield:
	name '=' tsrc tconv ';'
		{
			$$ = $3;
			$$->loc = @1;
			$$->name = $1;
			$$->conv = $4->conv;
			$$->lit = $4->lit;
			$$->max = $4->max;
		}
	| error ';'	{ $$ = NULL; yyerrok; }
	;

/* tsrc -> 'word' NUMBER | 'line' NUMBER | 'header' STRING | 'all' | 'tail'
 *         | 'fold' | 'delim' */
tsrc:
	WORD NUMBER	{ NEW($$); $$->src = PNE_TS_WORD; $$->arg = $2; }
	| LINE NUMBER	{ NEW($$); $$->src = PNE_TS_LINE; $$->arg = $2; }
	| HEADER STRING	{ NEW($$); $$->src = PNE_TS_HEADER; $$->key = $2; }
	| ALL		{ NEW($$); $$->src = PNE_TS_ALL; }
	| TAIL		{ NEW($$); $$->src = PNE_TS_TAIL; }
	| FOLD		{ NEW($$); $$->src = PNE_TS_FOLD; }
	| DELIM		{ NEW($$); $$->src = PNE_TS_DELIM; }
	;

/* tconv: the conversion, carried in a scratch tfield */
tconv:
	AS DECIMAL opt_max
		{ NEW($$); $$->conv = PNE_TC_DECIMAL; $$->max = $3.e; }
	| AS HEX opt_max
		{ NEW($$); $$->conv = PNE_TC_HEX; $$->max = $3.e; }
	/* The doc's NUMBER, widened to a (constant) expression so that a
	 * named const may bound a string too. */
	| AS STRKW opt_max
		{ NEW($$); $$->conv = PNE_TC_STRING; $$->max = $3.e; }
	| AS LIST opt_max
		{ NEW($$); $$->conv = PNE_TC_LIST; $$->max = $3.e; }
	| CONTAINS STRING	{ NEW($$); $$->conv = PNE_TC_CONTAINS; $$->lit = $2; }
	| IS STRING		{ NEW($$); $$->conv = PNE_TC_IS; $$->lit = $2; }
	| PREFIX STRING		{ NEW($$); $$->conv = PNE_TC_PREFIX; $$->lit = $2; }
	| SUFFIX STRING		{ NEW($$); $$->conv = PNE_TC_SUFFIX; $$->lit = $2; }
	| NUMERIC		{ NEW($$); $$->conv = PNE_TC_NUMERIC; }
	| PRESENT		{ NEW($$); $$->conv = PNE_TC_PRESENT; }
	| LENGTH		{ NEW($$); $$->conv = PNE_TC_LENGTH; }
	;

/* Names: identifiers and the contextual keywords. */
name:
	IDENT | TYPE | ANCHOR | CONFIRM | WITHIN | UNTIL | SIZE | LINES | SEP | WORD
	| LINE | ALL | TAIL | DECIMAL | HEX | STRKW | CONTAINS | IS | PREFIX
	| SUFFIX | NUMERIC | PRESENT | LENGTH | FOLD | LIST | PEEK | DELIM
	;

/* expr: C operators and precedence over unsigned 64-bit values */
expr:
	unary
	| expr '?' expr ':' expr
		{
			int d = $1.depth > $3.depth ? $1.depth : $3.depth;

			$$ = expr_new(ctx, PNEC_E_COND, d > $5.depth ? d : $5.depth, &@$);
			OK($$.e);
			$$.e->a = $1.e;
			$$.e->b = $3.e;
			$$.e->c = $5.e;
		}
	| expr LOR expr	{ $$ = expr_bin(ctx, PNEC_OP_LOR, $1, $3, &@$); OK($$.e); }
	| expr LAND expr { $$ = expr_bin(ctx, PNEC_OP_LAND, $1, $3, &@$); OK($$.e); }
	| expr '|' expr	{ $$ = expr_bin(ctx, PNEC_OP_OR, $1, $3, &@$); OK($$.e); }
	| expr '^' expr	{ $$ = expr_bin(ctx, PNEC_OP_XOR, $1, $3, &@$); OK($$.e); }
	| expr '&' expr	{ $$ = expr_bin(ctx, PNEC_OP_AND, $1, $3, &@$); OK($$.e); }
	| expr EQ expr	{ $$ = expr_bin(ctx, PNEC_OP_EQ, $1, $3, &@$); OK($$.e); }
	| expr NE expr	{ $$ = expr_bin(ctx, PNEC_OP_NE, $1, $3, &@$); OK($$.e); }
	| expr '<' expr	{ $$ = expr_bin(ctx, PNEC_OP_LT, $1, $3, &@$); OK($$.e); }
	| expr LE expr	{ $$ = expr_bin(ctx, PNEC_OP_LE, $1, $3, &@$); OK($$.e); }
	| expr '>' expr	{ $$ = expr_bin(ctx, PNEC_OP_GT, $1, $3, &@$); OK($$.e); }
	| expr GE expr	{ $$ = expr_bin(ctx, PNEC_OP_GE, $1, $3, &@$); OK($$.e); }
	| expr SHL expr	{ $$ = expr_bin(ctx, PNEC_OP_SHL, $1, $3, &@$); OK($$.e); }
	| expr SHR expr	{ $$ = expr_bin(ctx, PNEC_OP_SHR, $1, $3, &@$); OK($$.e); }
	| expr '+' expr	{ $$ = expr_bin(ctx, PNEC_OP_ADD, $1, $3, &@$); OK($$.e); }
	| expr '-' expr	{ $$ = expr_bin(ctx, PNEC_OP_SUB, $1, $3, &@$); OK($$.e); }
	| expr '*' expr	{ $$ = expr_bin(ctx, PNEC_OP_MUL, $1, $3, &@$); OK($$.e); }
	| expr '/' expr	{ $$ = expr_bin(ctx, PNEC_OP_DIV, $1, $3, &@$); OK($$.e); }
	| expr '%' expr	{ $$ = expr_bin(ctx, PNEC_OP_MOD, $1, $3, &@$); OK($$.e); }
	/* e 'in' '{' caseval (',' caseval)* '}' */
	| expr IN '{' cases '}' %prec IN
		{
			$$ = expr_new(ctx, PNEC_E_IN,
				      $1.depth > $4.depth ? $1.depth : $4.depth, &@$);
			OK($$.e);
			$$.e->a = $1.e;
			$$.e->cases = $4.head;
		}
	;

unary:
	primary
	| '!' unary
		{
			$$ = expr_new(ctx, PNEC_E_UNARY, $2.depth, &@$);
			OK($$.e);
			$$.e->op = '!';
			$$.e->a = $2.e;
		}
	| '~' unary
		{
			$$ = expr_new(ctx, PNEC_E_UNARY, $2.depth, &@$);
			OK($$.e);
			$$.e->op = '~';
			$$.e->a = $2.e;
		}
	;

primary:
	NUMBER		{ $$ = expr_num(ctx, $1, &@1); OK($$.e); }
	| name
		{
			$$ = expr_new(ctx, PNEC_E_NAME, 0, &@1);
			OK($$.e);
			$$.e->name = $1;
		}
	| '(' expr ')'	{ $$ = $2; }
	| name '(' args ')'
		{
			check_call(ctx, &$1, &@1, $3.n);
			$$ = expr_new(ctx, PNEC_E_CALL, $3.depth, &@$);
			OK($$.e);
			$$.e->name = $1;
			$$.e->args = $3.v;
			$$.e->nargs = $3.n;
		}
	| name '(' ')'
		{
			check_call(ctx, &$1, &@1, 0);
			$$ = expr_new(ctx, PNEC_E_CALL, 0, &@$);
			OK($$.e);
			$$.e->name = $1;
			$$.e->args = NULL;
			$$.e->nargs = 0;
		}
	| MAX '(' args ')'
		{
			struct pnec_str n = { "max", 3 };

			check_call(ctx, &n, &@1, $3.n);
			$$ = expr_new(ctx, PNEC_E_CALL, $3.depth, &@$);
			OK($$.e);
			$$.e->name.s = pnec_arena_strndup(ctx->arena, "max", 3);
			$$.e->name.len = 3;
			OK($$.e->name.s);
			$$.e->args = $3.v;
			$$.e->nargs = $3.n;
		}
	;

args:
	expr
		{
			$$ = (struct parr){ 0 };
			$$.depth = $1.depth;
			OK(arr_push(ctx, &$$, sizeof($1.e), &$1.e) == 0);
		}
	| args ',' expr
		{
			$$ = $1;
			if ($3.depth > $$.depth)
				$$.depth = $3.depth;
			OK(arr_push(ctx, &$$, sizeof($3.e), &$3.e) == 0);
		}
	;

%%

/*
 * Syntax error messages: "unexpected X, expected A, B or C". Bison's raw
 * expected set names every token that may start an expression, a
 * statement or a declaration, so such groups are folded into one word;
 * operators are left out (any operand may be followed by one), and a
 * list still longer than MAX_LISTED is dropped. When the closer of the
 * innermost open bracket is possible, the message names it and, if the
 * bracket is on another line, where it was opened.
 */
#define MAX_LISTED 5

static const char *const name_words[] = {
	"type", "anchor", "confirm", "within", "until", "size", "lines", "sep", "word",
	"line", "all", "tail", "decimal", "hex", "string", "contains", "is",
	"prefix", "suffix", "numeric", "present", "length", "fold", "list", "peek",
	"delim", NULL,
};
static const char *const expr_words[] = {
	"number", "identifier", "'('", "'!'", "'~'", "max", NULL,
};
static const char *const op_words[] = {
	"'?'", "||", "&&", "'|'", "'^'", "'&'", "==", "!=", "'<'", "<=",
	"'>'", ">=", "in", "<<", ">>", "'+'", "'-'", "'*'", "'/'", "'%'", NULL,
};
static const char *const stmt_words[] = {
	"header", "varint", "text", "skip", "let", "push", "pop", "wait",
	"require", "if", "switch", "repeat", "break", "do", "until_close",
	"opaque", "'{'", "identifier", "max", "resync", "report", NULL,
};
static const char *const decl_words[] = {
	"ports", "param", "var", "fifo", "const", "c2s", "s2c", "sub", "unit",
	NULL,
};
static const char *const tsrc_words[] = {
	"word", "line", "header", "all", "tail", "fold", "delim", NULL,
};
static const char *const tconv_words[] = {
	"as", "contains", "is", "prefix", "suffix", "numeric", "present", "length",
	NULL,
};

struct expected {
	const char *tok[YYNTOKENS];   /* symbol names; NULL once folded */
	int n;
};

static int exp_has(const struct expected *x, const char *name)
{
	for (int i = 0; i < x->n; i++)
		if (x->tok[i] != NULL && strcmp(x->tok[i], name) == 0)
			return 1;
	return 0;
}

static void exp_drop(struct expected *x, const char *const *names)
{
	for (int i = 0; i < x->n; i++)
		for (const char *const *p = names; *p != NULL; p++)
			if (x->tok[i] != NULL && strcmp(x->tok[i], *p) == 0)
				x->tok[i] = NULL;
}

/* Fold token groups into words (NULL-terminated, at most 6) and drop
 * operators unless nothing else fits; returns how many entries remain
 * in x->tok and words together. */
static int exp_fold(struct expected *x, const char **words)
{
	struct expected y;
	int nw = 0, n = 0;

	if (exp_has(x, "ports")) {
		exp_drop(x, decl_words);
		words[nw++] = "declaration";
	}
	if (exp_has(x, "skip")) {
		exp_drop(x, stmt_words);
		exp_drop(x, name_words);
		words[nw++] = "statement";
	}
	if (exp_has(x, "number") && exp_has(x, "'('")) {
		exp_drop(x, expr_words);
		exp_drop(x, name_words);
		words[nw++] = "expression";
	}
	if (exp_has(x, "identifier")) {
		exp_drop(x, name_words);
		exp_drop(x, (const char *const[]){ "identifier", NULL });
		words[nw++] = "name";
	}
	if (exp_has(x, "word")) {
		exp_drop(x, tsrc_words);
		words[nw++] = "text source (word, line, header, all or tail)";
	}
	if (exp_has(x, "contains")) {
		exp_drop(x, tconv_words);
		words[nw++] = "text conversion (as, contains, is, prefix, suffix, numeric, present or length)";
	}
	words[nw] = NULL;
	y = *x;
	exp_drop(&y, op_words);
	for (int i = 0; i < y.n; i++)
		n += y.tok[i] != NULL;
	if (n + nw > 0)
		*x = y;
	n = 0;
	for (int i = 0; i < x->n; i++)
		n += x->tok[i] != NULL;
	return n + nw;
}

static void put_name(FILE *f, const char *n)
{
	if (n[0] == '\'' || strcmp(n, "number") == 0 ||
	    strcmp(n, "string literal") == 0 || strcmp(n, "field type") == 0 ||
	    strcmp(n, "end of file") == 0)
		fputs(n, f);
	else
		fprintf(f, "'%s'", n);
}

static char closer_of(char c)
{
	return c == '{' ? '}' : c == '(' ? ')' : ']';
}

/* Describe the lookahead token: its text where that helps. */
static void put_unexpected(FILE *f, struct pnec_pctx *ctx, yysymbol_kind_t t)
{
	int len = ctx->toklen > 40 ? 40 : (int)ctx->toklen;
	const char *more = ctx->toklen > 40 ? "..." : "";

	switch (t) {
	case YYSYMBOL_YYEOF:
		fputs("end of file", f);
		break;
	case YYSYMBOL_STRING:
		fputs("string literal", f);
		break;
	case YYSYMBOL_IDENT:
		fprintf(f, "identifier '%.*s%s'", len, ctx->tok, more);
		break;
	case YYSYMBOL_NUMBER:
		fprintf(f, "number '%.*s%s'", len, ctx->tok, more);
		break;
	default:
		fprintf(f, "'%.*s%s'", len, ctx->tok, more);
		break;
	}
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner,
				 struct pnec_pctx *ctx)
{
	yysymbol_kind_t kinds[YYNTOKENS];
	const yysymbol_kind_t t = yypcontext_token(yyctx);
	const struct pnec_loc *loc = yypcontext_location(yyctx);
	const struct pnec_open *open = NULL;
	struct expected x = { .n = 0 };
	const char *words[8];
	char closer[4] = "";
	int n, listed;
	char *msg = NULL;
	size_t msglen = 0;
	FILE *f;

	/* After a fatal error the scanner cut the input short: the parser's
	 * complaint about the early end of file is no news. */
	if (ctx->fatal)
		return 0;
	n = yypcontext_expected_tokens(yyctx, kinds, YYNTOKENS);
	for (int i = 0; i < n; i++)
		x.tok[x.n++] = yysymbol_name(kinds[i]);
	if (ctx->nopen > 0) {
		open = &ctx->open[ctx->nopen - 1];
		snprintf(closer, sizeof(closer), "'%c'", closer_of(open->c));
		if (!exp_has(&x, closer))
			open = NULL;
	}
	listed = exp_fold(&x, words);

	f = open_memstream(&msg, &msglen);
	if (f == NULL)
		return YYENOMEM;
	fputs("unexpected ", f);
	put_unexpected(f, ctx, t);
	if (listed > 0 && listed <= MAX_LISTED) {
		int k = 0;

		fputs(", expected ", f);
		for (int i = 0; words[i] != NULL; i++, k++) {
			if (k > 0)
				fputs(k == listed - 1 ? " or " : ", ", f);
			fputs(words[i], f);
		}
		for (int i = 0; i < x.n; i++) {
			if (x.tok[i] == NULL)
				continue;
			if (k > 0)
				fputs(k == listed - 1 ? " or " : ", ", f);
			put_name(f, x.tok[i]);
			k++;
		}
	} else if (open != NULL) {
		fprintf(f, ", expected %s", closer);
	}
	if (open != NULL && open->loc.first_line != loc->first_line)
		fprintf(f, " (to close '%c' at line %d)", open->c,
			open->loc.first_line);
	if (fclose(f) != 0) {
		free(msg);
		return YYENOMEM;
	}
	pnec_error(ctx->d, loc, "%s", msg);
	free(msg);
	(void)scanner;
	return 0;
}

static void pnec_yyerror(const struct pnec_loc *loc, yyscan_t scanner,
			 struct pnec_pctx *ctx, const char *msg)
{
	(void)scanner;
	if (ctx->oom || ctx->fatal)
		return;
	/* Bison's only other message: its stack hit YYMAXDEPTH. */
	pnec_error(ctx->d, loc, "nesting too deep (the parser's stack is full)");
	(void)msg;
	ctx->fatal = 1;
}

struct pnec_ast *pnec_parse(const char *file, const char *src, size_t len,
			    struct pnec_diag *d)
{
	struct pnec_pctx *ctx;
	struct pnec_arena *arena;
	struct pnec_ast *ast = NULL;
	yyscan_t scanner;

	ctx = calloc(1, sizeof(*ctx));
	arena = pnec_arena_new();
	if (ctx == NULL || arena == NULL)
		goto fail;
	ast = pnec_arena_alloc(arena, sizeof(*ast));
	if (ast == NULL)
		goto fail;
	ast->file = file;
	ast->src = src;
	ast->srclen = len;
	ast->arena = arena;
	ast->name.s = ast->title.s = "";
	ctx->ast = ast;
	ctx->arena = arena;
	ctx->d = d;
	if (pnec_lex_open(ctx, src, len, &scanner) != 0)
		goto fail;
	pnec_yyparse(scanner, ctx);
	pnec_lex_close(scanner);
	if (ctx->oom)
		goto fail;
	free(ctx);
	return ast;
fail:
	pnec_arena_free(arena);
	free(ctx);
	return NULL;
}
