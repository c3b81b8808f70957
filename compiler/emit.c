/*
 * The C emitter: prints an IR as constant tables in the layout of
 * include/pne/table.h. The output is meant to be read and diffed (golden
 * copies live in tests/golden/): one entry per line with designated
 * initializers and symbolic names, a comment column aligned per table,
 * and nothing that changes between runs (no dates, versions or absolute
 * paths: the source name is what the caller gives).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "ir.h"
#include "ir_priv.h"

#define COMMENT_COL_MAX 80  /* don't pad a comment column further than this */

/* A growable string. */
struct dstr {
	char *s;
	size_t len, cap;
	int oom;
};

static void ds_vprintf(struct dstr *d, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || d->oom)
		return;
	if (d->len + (size_t)n + 1 > d->cap) {
		size_t cap = (d->len + (size_t)n + 1) * 2;
		char *s = realloc(d->s, cap);

		if (s == NULL) {
			d->oom = 1;
			return;
		}
		d->s = s;
		d->cap = cap;
	}
	vsnprintf(d->s + d->len, d->cap - d->len, fmt, ap);
	d->len += (size_t)n;
}

static void ds_printf(struct dstr *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ds_printf(struct dstr *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ds_vprintf(d, fmt, ap);
	va_end(ap);
}

/* A C string literal; octal escapes are always 3 digits so a following
 * digit can't extend them, and "??" can't form a trigraph. */
static void ds_cstring(struct dstr *d, const char *s, size_t len)
{
	ds_printf(d, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\r': ds_printf(d, "\\r"); break;
		case '\n': ds_printf(d, "\\n"); break;
		case '\t': ds_printf(d, "\\t"); break;
		case '\\': ds_printf(d, "\\\\"); break;
		case '"': ds_printf(d, "\\\""); break;
		case '?': ds_printf(d, i + 1 < len && s[i + 1] == '?' ? "\\?" : "?"); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				ds_printf(d, "%c", c);
			else
				ds_printf(d, "\\%03o", c);
		}
	}
	ds_printf(d, "\"");
}

/* ------------------------------------------------------------------ */
/* Tables with an aligned comment column                               */
/* ------------------------------------------------------------------ */

struct table {
	struct dstr *text, *comment;
	size_t n;
	int oom;
};

static void tab_add(struct table *t, const char *comment, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tab_add(struct table *t, const char *comment, const char *fmt, ...)
{
	struct dstr *x, *c;
	va_list ap;

	x = realloc(t->text, (t->n + 1) * sizeof(*x));
	if (x != NULL)
		t->text = x;
	c = realloc(t->comment, (t->n + 1) * sizeof(*c));
	if (c != NULL)
		t->comment = c;
	if (x == NULL || c == NULL) {
		t->oom = 1;
		return;
	}
	memset(&t->text[t->n], 0, sizeof(*x));
	memset(&t->comment[t->n], 0, sizeof(*c));
	va_start(ap, fmt);
	ds_vprintf(&t->text[t->n], fmt, ap);
	va_end(ap);
	if (comment != NULL)
		ds_printf(&t->comment[t->n], "%s", comment);
	if (t->text[t->n].oom || t->comment[t->n].oom)
		t->oom = 1;
	t->n++;
}

/* Comment text can't close the comment or open a nested one. */
static void ds_comment_text(struct dstr *d, const char *s)
{
	ds_printf(d, "%s", "");
	for (; *s != '\0'; s++) {
		ds_printf(d, "%c", *s);
		if ((s[0] == '*' && s[1] == '/') || (s[0] == '/' && s[1] == '*'))
			ds_printf(d, " ");
	}
}

static void put_comment(FILE *f, const char *s)
{
	struct dstr d = { 0 };

	ds_comment_text(&d, s);
	fprintf(f, "/* %s */", d.s != NULL ? d.s : "");
	free(d.s);
}

static void tab_flush(FILE *f, struct table *t, const char *indent)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->comment[i].len > 0 && t->text[i].len > w && t->text[i].len <= COMMENT_COL_MAX)
			w = t->text[i].len;
	for (size_t i = 0; i < t->n; i++) {
		fprintf(f, "%s%s", indent, t->text[i].s != NULL ? t->text[i].s : "");
		if (t->comment[i].len > 0) {
			fprintf(f, "%*s", (int)(w > t->text[i].len ? w - t->text[i].len : 0), "");
			fputs("  ", f);
			put_comment(f, t->comment[i].s);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->n; i++) {
		free(t->text[i].s);
		free(t->comment[i].s);
	}
	free(t->text);
	free(t->comment);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ */
/* Symbolic operands                                                   */
/* ------------------------------------------------------------------ */

static const char *const op_syms[] = {
#define X(name, str, doc) "PNE_OP_" #name,
#include "pne/ops.def"
#undef X
};

static const char *const x_syms[] = {
#define X(name, str, imm, pops, pushes) "PNE_X_" #name,
#include "pne/expr.def"
#undef X
};

static void ds_slot(struct dstr *d, unsigned slot)
{
	if (slot & PNE_SLOT_CVAR)
		ds_printf(d, "PNE_SLOT_CVAR | %u", slot & 0x7f);
	else
		ds_printf(d, "%u", slot);
}

static void ds_stridx(struct dstr *d, uint16_t i)
{
	if (i == PNE_NO_STR)
		ds_printf(d, "PNE_NO_STR");
	else
		ds_printf(d, "%u", i);
}

static void ds_expr(struct dstr *d, uint32_t x)
{
	if (x == PNE_NO_EXPR)
		ds_printf(d, "PNE_NO_EXPR");
	else
		ds_printf(d, "%" PRIu32, x);
}

static void ds_u64(struct dstr *d, uint64_t v)
{
	if (v == UINT64_MAX)
		ds_printf(d, "UINT64_MAX");
	else if (v > 0xffff)
		ds_printf(d, "UINT64_C(0x%" PRIx64 ")", v);
	else
		ds_printf(d, "%" PRIu64, v);
}

static void ds_ftype(struct dstr *d, uint8_t type)
{
	static const char *const w[] = { "?", "PNE_FT_U8", "PNE_FT_U16", "PNE_FT_U24",
					 "PNE_FT_U32", "?", "?", "?", "PNE_FT_U64" };
	ds_printf(d, "%s%s", w[(type & 0x0f) <= 8 ? type & 0x0f : 0],
		  (type & PNE_FT_LE) ? " | PNE_FT_LE" : "");
}

static const char *str_of(const struct pnec_ir *ir, uint16_t i)
{
	return i < ir->nstrs ? ir->strs[i].s : "";
}

/* A quoted spec string for a comment. */
static const char *quoted(const struct pnec_ir *ir, uint16_t i, struct dstr *d)
{
	d->len = 0;
	if (i >= ir->nstrs)
		ds_printf(d, "-");
	else
		ds_cstring(d, ir->strs[i].s, ir->strs[i].len);
	return d->s != NULL ? d->s : "";
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */
/* ------------------------------------------------------------------ */

struct emit {
	const struct pnec_ir *ir;
	FILE *f;
	int oom;
	struct dstr tmp, tmp2;
};

static void begin(struct emit *e, const char *decl)
{
	fprintf(e->f, "\n%s = {\n", decl);
}

static void end(struct emit *e, struct table *t)
{
	if (t->oom)
		e->oom = 1;
	tab_flush(e->f, t, "\t");
	fprintf(e->f, "};\n");
}

static void emit_ports(struct emit *e)
{
	struct table t = { 0 };

	if (e->ir->nports == 0)
		return;
	begin(e, "static const uint16_t ports[]");
	for (size_t i = 0; i < e->ir->nports; i++)
		tab_add(&t, NULL, "%u,", e->ir->ports[i]);
	end(e, &t);
}

static void emit_ops(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };
	char text[1024], comment[1100];
	struct dstr d = { 0 };

	if (ir->nops == 0)
		return;
	begin(e, "static const struct pne_op ops[]");
	for (size_t pc = 0; pc < ir->nops; pc++) {
		const struct pne_op *op = &ir->ops[pc];

		for (size_t u = 0; u < ir->nunits; u++)
			if (ir->units[u].entry == pc)
				tab_add(&t, NULL, "/* unit %s */", str_of(ir, ir->units[u].name));
		d.len = 0;
		ds_printf(&d, "[%zu] = { .code = %s", pc, op_syms[op->code]);
		if (op->slot) {
			ds_printf(&d, ", .slot = ");
			ds_slot(&d, op->slot);
		}
		if (op->aux) {
			ds_printf(&d, ", .aux = ");
			if (op->code == PNE_OP_REQUIRE)
				ds_stridx(&d, op->aux);
			else
				ds_printf(&d, "%u", op->aux);
		}
		ds_printf(&d, ", .expr = ");
		ds_expr(&d, op->expr);
		if (op->max) {
			ds_printf(&d, ", .max = ");
			ds_u64(&d, op->max);
		}
		ds_printf(&d, " },");
		snprintf(comment, sizeof(comment), "%4d  %s",
			 ir->op_line != NULL ? ir->op_line[pc] : 0,
			 pnec_op_text(ir, pc, text, sizeof(text)));
		tab_add(&t, comment, "%s", d.s != NULL ? d.s : "");
	}
	free(d.s);
	end(e, &t);
}

/* The instruction at code[pc] as a comment ("slot ahslen", "const 65536"). */
static void insn_comment(const struct pnec_ir *ir, size_t pc, char *buf, size_t cap)
{
	uint8_t op = ir->code[pc];
	uint32_t arg = 0;
	char tmp[16];

	for (unsigned i = 0; i < pnec_x_imm[op]; i++)
		arg |= (uint32_t)ir->code[pc + 1 + i] << (8 * i);
	switch (op) {
	case PNE_X_IMM8:
		snprintf(buf, cap, "%4zu  imm8 %" PRIu32, pc, arg);
		break;
	case PNE_X_CONST:
		snprintf(buf, cap, "%4zu  const [%" PRIu32 "] = %" PRIu64, pc, arg,
			 arg < ir->nconsts ? ir->consts[arg] : 0);
		break;
	case PNE_X_SLOT:
	case PNE_X_CVAR:
		snprintf(buf, cap, "%4zu  %s %s", pc, pnec_x_names[op],
			 pnec_slot_name(ir, op == PNE_X_CVAR ? PNE_SLOT_CVAR | arg : arg,
					tmp, sizeof(tmp)));
		break;
	case PNE_X_FIFOLEN:
		snprintf(buf, cap, "%4zu  fifolen %s", pc,
			 arg < ir->nfifos ? str_of(ir, ir->fifos[arg].name) : "?");
		break;
	default:
		snprintf(buf, cap, "%4zu  %s", pc, pnec_x_names[op]);
		break;
	}
}

static void emit_code(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };
	char infix[1024], comment[256];

	if (ir->ncode == 0)
		return;
	begin(e, "static const uint8_t code[]");
	for (size_t pc = 0; pc < ir->ncode;) {
		size_t len = pnec_expr_len(ir->code, ir->ncode, pc);

		if (len == 0)
			break;
		pnec_expr_infix(ir, (uint32_t)pc, infix, sizeof(infix));
		e->tmp.len = 0;
		ds_comment_text(&e->tmp, infix);
		tab_add(&t, NULL, "/* @%zu: %s */", pc, e->tmp.s != NULL ? e->tmp.s : "");
		for (size_t end = pc + len; pc < end;) {
			uint8_t op = ir->code[pc];
			struct dstr d = { 0 };

			ds_printf(&d, "%s,", x_syms[op]);
			for (unsigned i = 0; i < pnec_x_imm[op]; i++)
				ds_printf(&d, " %u,", ir->code[pc + 1 + i]);
			insn_comment(ir, pc, comment, sizeof(comment));
			tab_add(&t, comment, "%s", d.s != NULL ? d.s : "");
			free(d.s);
			pc += 1 + pnec_x_imm[op];
		}
	}
	end(e, &t);
}

static void emit_consts(struct emit *e)
{
	struct table t = { 0 };
	struct dstr d = { 0 };
	char c[32];

	if (e->ir->nconsts == 0)
		return;
	begin(e, "static const uint64_t consts[]");
	for (size_t i = 0; i < e->ir->nconsts; i++) {
		d.len = 0;
		ds_u64(&d, e->ir->consts[i]);
		snprintf(c, sizeof(c), "%" PRIu64, e->ir->consts[i]);
		tab_add(&t, c, "[%zu] = %s,", i, d.s != NULL ? d.s : "");
	}
	free(d.s);
	end(e, &t);
}

static void emit_units(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	static const char *const modes[] = {
		"PNE_RESYNC_NONE", "PNE_RESYNC_ANCHOR", "PNE_RESYNC_CONFIRM"
	};
	struct table t = { 0 };
	struct dstr d = { 0 };

	begin(e, "static const struct pne_unit units[]");
	for (size_t i = 0; i < ir->nunits; i++) {
		const struct pne_unit *u = &ir->units[i];

		d.len = 0;
		ds_printf(&d, "[%zu] = { .name = %u, .entry = %u, .resync = %s, .confirm = %u, .anchor_dfa = ",
			  i, u->name, u->entry, modes[u->resync <= 2 ? u->resync : 0], u->confirm);
		ds_stridx(&d, u->anchor_dfa);
		ds_printf(&d, ", .max_len = ");
		ds_u64(&d, u->max_len);
		ds_printf(&d, ", .report = %u, .nreports = %u, .typemap = %u, .ntypemaps = %u, .type_slot = %u, .type_default = ",
			  u->report, u->nreports, u->typemap, u->ntypemaps, u->type_slot);
		ds_stridx(&d, u->type_default);
		if (u->window_lo != 0 || u->window_hi != 0)
			ds_printf(&d, ", .window_lo = %u, .window_hi = %u",
				  u->window_lo, u->window_hi);
		ds_printf(&d, " },");
		tab_add(&t, str_of(ir, u->name), "%s", d.s != NULL ? d.s : "");
	}
	free(d.s);
	end(e, &t);
}

static void emit_hdrs(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };
	struct dstr d = { 0 };
	char n[16];

	if (ir->nhdrs > 0) {
		begin(e, "static const struct pne_hdr hdrs[]");
		for (size_t i = 0; i < ir->nhdrs; i++) {
			const struct pne_hdr *h = &ir->hdrs[i];

			tab_add(&t, NULL, "[%zu] = { .size = %" PRIu32 ", .max = %" PRIu32
				", .field = %u, .nfields = %u },", i, h->size, h->max,
				h->field, h->nfields);
		}
		end(e, &t);
	}
	if (ir->nfields == 0)
		return;
	begin(e, "static const struct pne_field fields[]");
	for (size_t i = 0; i < ir->nfields; i++) {
		const struct pne_field *f = &ir->fields[i];

		d.len = 0;
		ds_printf(&d, "[%zu] = { .off = %u, .type = ", i, f->off);
		ds_ftype(&d, f->type);
		ds_printf(&d, ", .shift = %u, .slot = %u, .mask = ", f->shift, f->slot);
		ds_u64(&d, f->mask);
		ds_printf(&d, " },");
		tab_add(&t, pnec_slot_name(ir, f->slot, n, sizeof(n)), "%s",
			d.s != NULL ? d.s : "");
	}
	free(d.s);
	end(e, &t);
}

static void emit_texts(struct emit *e)
{
	static const char *const srcs[] = {
		"PNE_TS_WORD", "PNE_TS_LINE", "PNE_TS_HEADER", "PNE_TS_ALL", "PNE_TS_TAIL",
		"PNE_TS_FOLD", "PNE_TS_DELIM",
	};
	static const char *const convs[] = {
		"PNE_TC_DECIMAL", "PNE_TC_HEX", "PNE_TC_STRING", "PNE_TC_CONTAINS",
		"PNE_TC_IS", "PNE_TC_PREFIX", "PNE_TC_NUMERIC", "PNE_TC_PRESENT",
		"PNE_TC_LENGTH", "PNE_TC_SUFFIX", "PNE_TC_LIST",
	};
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };
	struct dstr d = { 0 };
	char n[16];

	if (ir->ntexts > 0) {
		begin(e, "static const struct pne_text texts[]");
		for (size_t i = 0; i < ir->ntexts; i++) {
			const struct pne_text *x = &ir->texts[i];

			d.len = 0;
			ds_printf(&d, "[%zu] = { .delim = ", i);
			ds_stridx(&d, x->delim);
			ds_printf(&d, ", .dfa = ");
			ds_stridx(&d, x->dfa);
			ds_printf(&d, ", .linesep = %u, .kvsep = %u, .max = %" PRIu32
				  ", .field = %u, .nfields = %u, .size_expr = ",
				  x->linesep, x->kvsep, x->max, x->field, x->nfields);
			ds_expr(&d, x->size_expr);
			ds_printf(&d, " },");
			tab_add(&t, x->delim != PNE_NO_STR ? quoted(ir, x->delim, &e->tmp) : NULL,
				"%s", d.s != NULL ? d.s : "");
		}
		end(e, &t);
	}
	if (ir->ntfields > 0) {
		begin(e, "static const struct pne_tfield tfields[]");
		for (size_t i = 0; i < ir->ntfields; i++) {
			const struct pne_tfield *f = &ir->tfields[i];

			d.len = 0;
			ds_printf(&d, "[%zu] = { .src = %s, .conv = %s, .slot = %u, .arg = %u, .lit = ",
				  i, srcs[f->src <= PNE_TS_DELIM ? f->src : 0],
				  convs[f->conv <= PNE_TC_LIST ? f->conv : 0], f->slot, f->arg);
			ds_stridx(&d, f->lit);
			ds_printf(&d, ", .max = ");
			ds_u64(&d, f->max);
			ds_printf(&d, " },");
			tab_add(&t, pnec_slot_name(ir, f->slot, n, sizeof(n)), "%s",
				d.s != NULL ? d.s : "");
		}
		end(e, &t);
	}
	free(d.s);
}

/* A byte class table as a 16x16 grid with hex row and column headers. */
static void emit_dfa_cls(struct emit *e, size_t i)
{
	const struct pnec_ir_dfa *dfa = &e->ir->dfas[i];

	fprintf(e->f, "\nstatic const uint8_t dfa%zu_cls[256] = {\n", i);
	fprintf(e->f, "\t/*      ");
	for (int c = 0; c < 16; c++)
		fprintf(e->f, "  _%X  ", c);
	fprintf(e->f, "*/\n");
	for (int r = 0; r < 16; r++) {
		fprintf(e->f, "\t/* %X_ */", r);
		for (int c = 0; c < 16; c++)
			fprintf(e->f, " 0x%02x,", dfa->cls[r * 16 + c]);
		fprintf(e->f, "\n");
	}
	fprintf(e->f, "};\n");
}

static void emit_dfa(struct emit *e, size_t i)
{
	const struct pnec_ir_dfa *dfa = &e->ir->dfas[i];
	struct table t = { 0 };
	struct dstr d = { 0 };
	char decl[80], c[64];

	emit_dfa_cls(e, i);
	snprintf(decl, sizeof(decl), "static const uint16_t dfa%zu_next[%u * %u]", i,
		 dfa->nstates, dfa->nclasses);
	begin(e, decl);
	d.len = 0;
	ds_printf(&d, "/* class:");
	for (unsigned k = 0; k < dfa->nclasses; k++)
		ds_printf(&d, " %4u", k);
	ds_printf(&d, " */");
	tab_add(&t, NULL, "%s", d.s != NULL ? d.s : "");
	for (unsigned s = 0; s < dfa->nstates; s++) {
		d.len = 0;
		ds_printf(&d, "/* %5u */", s);
		for (unsigned k = 0; k < dfa->nclasses; k++)
			ds_printf(&d, " %4u,", dfa->next[s * dfa->nclasses + k]);
		if (s >= dfa->accept)
			snprintf(c, sizeof(c), "accepts, length %u", dfa->accept_len[s - dfa->accept]);
		tab_add(&t, s >= dfa->accept ? c : NULL, "%s", d.s != NULL ? d.s : "");
	}
	free(d.s);
	end(e, &t);
	snprintf(decl, sizeof(decl), "static const uint16_t dfa%zu_accept_len[]", i);
	begin(e, decl);
	for (unsigned s = dfa->accept; s < dfa->nstates; s++) {
		snprintf(c, sizeof(c), "state %u", s);
		tab_add(&t, c, "%u,", dfa->accept_len[s - dfa->accept]);
	}
	end(e, &t);
}

static void emit_dfas(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };

	if (ir->ndfas == 0)
		return;
	for (size_t i = 0; i < ir->ndfas; i++)
		emit_dfa(e, i);
	begin(e, "static const struct pne_dfa dfas[]");
	for (size_t i = 0; i < ir->ndfas; i++) {
		const struct pnec_ir_dfa *dfa = &ir->dfas[i];

		tab_add(&t, NULL, "[%zu] = { .cls = dfa%zu_cls, .next = dfa%zu_next, .accept_len = dfa%zu_accept_len, .nstates = %u, .nclasses = %u, .accept = %u },",
			i, i, i, i, dfa->nstates, dfa->nclasses, dfa->accept);
	}
	end(e, &t);
}

static void emit_unit_tables(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };
	char n[16], c[128];

	if (ir->nreports > 0) {
		begin(e, "static const struct pne_report reports[]");
		for (size_t i = 0; i < ir->nreports; i++) {
			const struct pne_report *r = &ir->reports[i];
			static const char *const kinds[] = { "PNE_RK_UINT", "PNE_RK_BOOL", "PNE_RK_STRING" };
			struct dstr d = { 0 };

			ds_printf(&d, "[%zu] = { .name = %u, .slot = ", i, r->name);
			ds_slot(&d, r->slot);
			ds_printf(&d, ", .kind = %s },", kinds[r->kind <= 2 ? r->kind : 0]);
			snprintf(c, sizeof(c), "%s <- %s", str_of(ir, r->name),
				 pnec_slot_name(ir, r->slot, n, sizeof(n)));
			tab_add(&t, c, "%s", d.s != NULL ? d.s : "");
			free(d.s);
		}
		end(e, &t);
	}
	if (ir->ntypemaps > 0) {
		begin(e, "static const struct pne_typemap typemaps[]");
		for (size_t i = 0; i < ir->ntypemaps; i++) {
			struct dstr d = { 0 };

			ds_printf(&d, "[%zu] = { .value = ", i);
			ds_u64(&d, ir->typemaps[i].value);
			ds_printf(&d, ", .name = %u },", ir->typemaps[i].name);
			tab_add(&t, str_of(ir, ir->typemaps[i].name), "%s", d.s != NULL ? d.s : "");
			free(d.s);
		}
		end(e, &t);
	}
}

static void emit_vars(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	static const char *const kinds[] = { "PNE_RK_UINT", "PNE_RK_BOOL", "PNE_RK_STRING" };
	struct table t = { 0 };

	if (ir->ncvars > 0) {
		begin(e, "static const struct pne_cvar cvars[]");
		for (size_t i = 0; i < ir->ncvars; i++) {
			const struct pne_cvar *v = &ir->cvars[i];
			struct dstr d = { 0 };

			ds_printf(&d, "[%zu] = { .name = %u, .is_param = %u, .width = %u, .init = ",
				  i, v->name, v->is_param, v->width);
			ds_u64(&d, v->init);
			ds_printf(&d, " },");
			tab_add(&t, str_of(ir, v->name), "%s", d.s != NULL ? d.s : "");
			free(d.s);
		}
		end(e, &t);
	}
	if (ir->nfifos > 0) {
		begin(e, "static const struct pne_fifo fifos[]");
		for (size_t i = 0; i < ir->nfifos; i++)
			tab_add(&t, str_of(ir, ir->fifos[i].name),
				"[%zu] = { .name = %u, .depth = %u, .width = %u },", i,
				ir->fifos[i].name, ir->fifos[i].depth, ir->fifos[i].width);
		end(e, &t);
	}
	if (ir->nslots > 0) {
		begin(e, "static const struct pne_slotinfo slots[]");
		for (size_t i = 0; i < ir->nslots; i++)
			tab_add(&t, str_of(ir, ir->slots[i].name),
				"[%zu] = { .name = %u, .kind = %s },", i, ir->slots[i].name,
				kinds[ir->slots[i].kind <= 2 ? ir->slots[i].kind : 0]);
		end(e, &t);
	}
}

static void emit_strs(struct emit *e)
{
	const struct pnec_ir *ir = e->ir;
	struct table t = { 0 };

	if (ir->nstrs == 0)
		return;
	begin(e, "static const struct pne_str strs[]");
	for (size_t i = 0; i < ir->nstrs; i++) {
		struct dstr d = { 0 };

		ds_cstring(&d, ir->strs[i].s, ir->strs[i].len);
		tab_add(&t, NULL, "[%zu] = { .s = %s, .len = %" PRIu32 " },", i,
			d.s != NULL ? d.s : "\"\"", ir->strs[i].len);
		free(d.s);
	}
	end(e, &t);
}

/* "ptr" or NULL when the table is empty (C has no empty arrays). */
static const char *tbl(size_t n, const char *name)
{
	return n > 0 ? name : "NULL";
}

static void emit_spec(struct emit *e, const char *sym)
{
	const struct pnec_ir *ir = e->ir;
	FILE *f = e->f;
	struct dstr d = { 0 };

	fprintf(f, "\nconst struct pne_spec %s = {\n", sym);
	fprintf(f, "\t.abi = PNE_TABLE_ABI,\n");
	ds_cstring(&d, ir->name != NULL ? ir->name : "", ir->name != NULL ? strlen(ir->name) : 0);
	fprintf(f, "\t.name = %s,\n", d.s != NULL ? d.s : "\"\"");
	d.len = 0;
	ds_cstring(&d, ir->title != NULL ? ir->title : "", ir->title != NULL ? strlen(ir->title) : 0);
	fprintf(f, "\t.title = %s,\n", d.s != NULL ? d.s : "\"\"");
	free(d.s);
	fprintf(f, "\t.ports = %s,\n\t.nports = %zu,\n", tbl(ir->nports, "ports"), ir->nports);
	fprintf(f, "\t.start = { %u, %u },\n", ir->start[0], ir->start[1]);
	fprintf(f, "\t.nslots = %zu,\n\t.ncvars = %zu,\n\t.nfifos = %zu,\n",
		ir->nslots, ir->ncvars, ir->nfifos);
	fprintf(f, "\t.nunits = %zu,\n\t.nops = %zu,\n\t.ncode = %zu,\n\t.nconsts = %zu,\n",
		ir->nunits, ir->nops, ir->ncode, ir->nconsts);
	fprintf(f, "\t.hdr_max = %" PRIu32 ",\n\t.str_max = %" PRIu32 ",\n",
		ir->hdr_max, ir->str_max);
	if (ir->peek_max > 0)
		fprintf(f, "\t.peek_max = %" PRIu32 ",\n", ir->peek_max);
	fprintf(f, "\t.ops = %s,\n", tbl(ir->nops, "ops"));
	fprintf(f, "\t.code = %s,\n", tbl(ir->ncode, "code"));
	fprintf(f, "\t.consts = %s,\n", tbl(ir->nconsts, "consts"));
	fprintf(f, "\t.units = %s,\n", tbl(ir->nunits, "units"));
	fprintf(f, "\t.hdrs = %s,\n", tbl(ir->nhdrs, "hdrs"));
	fprintf(f, "\t.fields = %s,\n", tbl(ir->nfields, "fields"));
	fprintf(f, "\t.texts = %s,\n", tbl(ir->ntexts, "texts"));
	fprintf(f, "\t.tfields = %s,\n", tbl(ir->ntfields, "tfields"));
	fprintf(f, "\t.dfas = %s,\n", tbl(ir->ndfas, "dfas"));
	fprintf(f, "\t.reports = %s,\n", tbl(ir->nreports, "reports"));
	fprintf(f, "\t.typemaps = %s,\n", tbl(ir->ntypemaps, "typemaps"));
	fprintf(f, "\t.cvars = %s,\n", tbl(ir->ncvars, "cvars"));
	fprintf(f, "\t.fifos = %s,\n", tbl(ir->nfifos, "fifos"));
	fprintf(f, "\t.slots = %s,\n", tbl(ir->nslots, "slots"));
	fprintf(f, "\t.strs = %s,\n", tbl(ir->nstrs, "strs"));
	fprintf(f, "\t.nhdrs = %zu,\n\t.nfields = %zu,\n\t.ntexts = %zu,\n\t.ntfields = %zu,\n",
		ir->nhdrs, ir->nfields, ir->ntexts, ir->ntfields);
	fprintf(f, "\t.ndfas = %zu,\n\t.nreports = %zu,\n\t.ntypemaps = %zu,\n\t.nstrs = %zu,\n",
		ir->ndfas, ir->nreports, ir->ntypemaps, ir->nstrs);
	fprintf(f, "};\n");
}

static void emit_banner(FILE *f, const struct pnec_ir *ir)
{
	char line[1200];

	snprintf(line, sizeof(line), "Generated by pnec from %s. Do not edit.",
		 ir->src_file != NULL && ir->src_file[0] != '\0' ? ir->src_file : "a spec");
	put_comment(f, line);
	fputc('\n', f);
}

static int emit_header(const struct pnec_ir *ir, FILE *h, const char *sym)
{
	char guard[256];
	size_t n = 0;

	for (const char *s = sym; *s != '\0' && n + 3 < sizeof(guard); s++)
		guard[n++] = isalnum((unsigned char)*s) ? (char)toupper((unsigned char)*s) : '_';
	memcpy(guard + n, "_H", 3);
	emit_banner(h, ir);
	fprintf(h, "#ifndef %s\n#define %s\n\n#include \"pne/table.h\"\n\n", guard, guard);
	fprintf(h, "extern const struct pne_spec %s;\n\n#endif /* %s */\n", sym, guard);
	fflush(h);
	return ferror(h) ? -EIO : 0;
}

int pnec_emit_c(const struct pnec_ir *ir, FILE *c, FILE *h, const char *hname,
		const char *sym, int module)
{
	struct emit e = { .ir = ir, .f = c };

	emit_banner(c, ir);
	fprintf(c, "#include <stddef.h>\n#include <stdint.h>\n\n#include \"pne/table.h\"\n");
	if (hname != NULL)
		fprintf(c, "#include \"%s\"\n", hname);
	emit_ports(&e);
	emit_ops(&e);
	emit_code(&e);
	emit_consts(&e);
	emit_units(&e);
	emit_hdrs(&e);
	emit_texts(&e);
	emit_dfas(&e);
	emit_unit_tables(&e);
	emit_vars(&e);
	emit_strs(&e);
	emit_spec(&e, sym);
	if (module)
		fprintf(c, "\nextern const struct pne_spec *const pne_module_spec;\n"
			"const struct pne_spec *const pne_module_spec = &%s;\n", sym);
	free(e.tmp.s);
	free(e.tmp2.s);
	fflush(c);
	if (e.oom)
		return -ENOMEM;
	if (ferror(c))
		return -EIO;
	return h != NULL ? emit_header(ir, h, sym) : 0;
}
