/*
 * Readable views of the table program: the expression disassembler and
 * op descriptions shared with the emitter's comments, pnec --dump-ir (a
 * listing) and pnec --dot (a Graphviz graph of the ops, one cluster per
 * unit). All output is a pure function of the IR, so it is reproducible.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_priv.h"
#include "ir.h"
#include "ir_priv.h"

const char *const pnec_op_names[PNE_OP__COUNT] = {
#define X(name, str, doc) str,
#include "pne/ops.def"
#undef X
};

const char *const pnec_x_names[PNE_X__COUNT] = {
#define X(name, str, imm, pops, pushes) str,
#include "pne/expr.def"
#undef X
};

const uint8_t pnec_x_imm[PNE_X__COUNT] = {
#define X(name, str, imm, pops, pushes) imm,
#include "pne/expr.def"
#undef X
};

static const int8_t x_pops[PNE_X__COUNT] = {
#define X(name, str, imm, pops, pushes) pops,
#include "pne/expr.def"
#undef X
};

/* A bounded string builder; len keeps counting past cap (snprintf-like). */
struct sb {
	char *buf;
	size_t cap, len;
};

static void sb_printf(struct sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	size_t room = b->len < b->cap ? b->cap - b->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? b->buf + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* A spec string as a C-like literal: "\r\n", "\x00". */
static void sb_quote(struct sb *b, const char *s, size_t len)
{
	sb_printf(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\r': sb_printf(b, "\\r"); break;
		case '\n': sb_printf(b, "\\n"); break;
		case '\t': sb_printf(b, "\\t"); break;
		case '\\': sb_printf(b, "\\\\"); break;
		case '"': sb_printf(b, "\\\""); break;
		default:
			if (c >= 0x20 && c < 0x7f)
				sb_printf(b, "%c", c);
			else
				sb_printf(b, "\\x%02x", c);
		}
	}
	sb_printf(b, "\"");
}

static void sb_str(struct sb *b, const struct pnec_ir *ir, uint16_t i)
{
	if (i == PNE_NO_STR || i >= ir->nstrs)
		sb_printf(b, "-");
	else
		sb_quote(b, ir->strs[i].s, ir->strs[i].len);
}

static const char *ir_str(const struct pnec_ir *ir, uint16_t i)
{
	return i < ir->nstrs ? ir->strs[i].s : "?";
}

const char *pnec_slot_name(const struct pnec_ir *ir, unsigned slot, char *buf,
			   size_t cap)
{
	if (slot & PNE_SLOT_CVAR) {
		slot &= 0x7f;
		if (slot < ir->ncvars)
			return ir_str(ir, ir->cvars[slot].name);
	} else if (slot < ir->nslots) {
		return ir_str(ir, ir->slots[slot].name);
	}
	snprintf(buf, cap, "?%u", slot);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

size_t pnec_expr_len(const uint8_t *code, size_t ncode, size_t off)
{
	for (size_t pc = off; pc < ncode;) {
		uint8_t op = code[pc];

		if (op >= PNE_X__COUNT)
			return 0;
		pc += 1 + pnec_x_imm[op];
		if (op == PNE_X_END)
			return pc <= ncode ? pc - off : 0;
	}
	return 0;
}

#define ENT_MAX 160

struct ent {
	char s[ENT_MAX];
	int prec;   /* as C: 12 atoms, 11 unary, 10 '*' ... 0 '?:' */
};

static int x_prec(int op, const char **sym)
{
	static const struct { int op; const char *sym; int prec; } t[] = {
		{ PNE_X_MUL, "*", 10 }, { PNE_X_DIV, "/", 10 }, { PNE_X_MOD, "%", 10 },
		{ PNE_X_ADD, "+", 9 }, { PNE_X_SUB, "-", 9 },
		{ PNE_X_SHL, "<<", 8 }, { PNE_X_SHR, ">>", 8 },
		{ PNE_X_LT, "<", 7 }, { PNE_X_LE, "<=", 7 }, { PNE_X_GT, ">", 7 },
		{ PNE_X_GE, ">=", 7 }, { PNE_X_EQ, "==", 6 }, { PNE_X_NE, "!=", 6 },
		{ PNE_X_AND, "&", 5 }, { PNE_X_XOR, "^", 4 }, { PNE_X_OR, "|", 3 },
		{ PNE_X_LAND, "&&", 2 }, { PNE_X_LOR, "||", 1 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].op == op) {
			*sym = t[i].sym;
			return t[i].prec;
		}
	return -1;
}

/* snprintf that may truncate (entries are bounded on purpose). */
static void ent_fmt(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ent_fmt(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
}

/* Wrap in parentheses when binding looser than need. */
static void paren(char *out, size_t cap, const struct ent *e, int need)
{
	ent_fmt(out, cap, e->prec < need ? "(%s)" : "%s", e->s);
}

static void ent_binary(struct ent *a, const struct ent *b, const char *sym, int prec)
{
	char l[ENT_MAX], r[ENT_MAX];

	paren(l, sizeof(l), a, prec);
	paren(r, sizeof(r), b, prec + 1);
	ent_fmt(a->s, sizeof(a->s), "%s %s %s", l, sym, r);
	a->prec = prec;
}

static void ent_operand(const struct pnec_ir *ir, struct ent *e, int op, uint32_t arg)
{
	char tmp[16];

	e->prec = 12;
	switch (op) {
	case PNE_X_IMM8:
		ent_fmt(e->s, sizeof(e->s), "%" PRIu32, arg);
		break;
	case PNE_X_CONST:
		if (arg < ir->nconsts)
			ent_fmt(e->s, sizeof(e->s), ir->consts[arg] > 0xffff ?
				 "0x%" PRIx64 : "%" PRIu64, ir->consts[arg]);
		else
			ent_fmt(e->s, sizeof(e->s), "const[%" PRIu32 "]", arg);
		break;
	case PNE_X_SLOT:
		ent_fmt(e->s, sizeof(e->s), "%s", pnec_slot_name(ir, arg, tmp, sizeof(tmp)));
		break;
	case PNE_X_CVAR:
		ent_fmt(e->s, sizeof(e->s), "%s",
			 pnec_slot_name(ir, PNE_SLOT_CVAR | arg, tmp, sizeof(tmp)));
		break;
	default:
		ent_fmt(e->s, sizeof(e->s), "len(%s)", arg < ir->nfifos ?
			 ir_str(ir, ir->fifos[arg].name) : "?");
		break;
	}
}

static void ent_apply(struct ent *st, int *sp, int op)
{
	char a[ENT_MAX], b[ENT_MAX];
	const char *sym;
	int prec = x_prec(op, &sym);

	if (prec >= 0) {
		ent_binary(&st[*sp - 2], &st[*sp - 1], sym, prec);
		(*sp)--;
		return;
	}
	switch (op) {
	case PNE_X_LNOT:
	case PNE_X_BNOT:
		paren(a, sizeof(a), &st[*sp - 1], 11);
		ent_fmt(st[*sp - 1].s, ENT_MAX, "%c%s", op == PNE_X_LNOT ? '!' : '~', a);
		st[*sp - 1].prec = 11;
		break;
	case PNE_X_MIN:
	case PNE_X_MAX:
		ent_fmt(a, sizeof(a), "%s(%s, %s)", op == PNE_X_MIN ? "min" : "max",
			 st[*sp - 2].s, st[*sp - 1].s);
		memcpy(st[*sp - 2].s, a, ENT_MAX);
		st[*sp - 2].prec = 12;
		(*sp)--;
		break;
	case PNE_X_SEL:
		paren(a, sizeof(a), &st[*sp - 3], 1);
		ent_fmt(b, sizeof(b), "%s ? %s : %s", a, st[*sp - 2].s, st[*sp - 1].s);
		memcpy(st[*sp - 3].s, b, ENT_MAX);
		st[*sp - 3].prec = 0;
		*sp -= 2;
		break;
	}
}

size_t pnec_expr_infix(const struct pnec_ir *ir, uint32_t off, char *buf, size_t cap)
{
	struct ent st[PNE_MAX_STACK + 1];
	struct sb b = { .buf = buf, .cap = cap };
	int sp = 0;

	if (cap > 0)
		buf[0] = '\0';
	if (off == PNE_NO_EXPR || pnec_expr_len(ir->code, ir->ncode, off) == 0) {
		sb_printf(&b, "<bad expression @%" PRIu32 ">", off);
		return b.len;
	}
	for (size_t pc = off;;) {
		uint8_t op = ir->code[pc];
		uint32_t arg = 0;

		for (unsigned i = 0; i < pnec_x_imm[op]; i++)
			arg |= (uint32_t)ir->code[pc + 1 + i] << (8 * i);
		pc += 1 + pnec_x_imm[op];
		if (sp < x_pops[op] || (pnec_x_imm[op] > 0 && sp == PNE_MAX_STACK)) {
			sb_printf(&b, "<bad expression @%" PRIu32 ">", off);
			return b.len;
		}
		if (op == PNE_X_END) {
			sb_printf(&b, "%s", st[sp - 1].s);
			return b.len;
		}
		if (pnec_x_imm[op] > 0)
			ent_operand(ir, &st[sp++], op, arg);
		else
			ent_apply(st, &sp, op);
	}
}

/* ------------------------------------------------------------------ */
/* Ops                                                                 */
/* ------------------------------------------------------------------ */

static void sb_expr(struct sb *b, const struct pnec_ir *ir, uint32_t off)
{
	char tmp[512];

	pnec_expr_infix(ir, off, tmp, sizeof(tmp));
	sb_printf(b, "%s", tmp);
}

static const char *ftype_name(uint8_t type, char *buf, size_t cap)
{
	snprintf(buf, cap, "u%d%s", 8 * (type & 0x0f),
		 (type & 0x0f) == 1 ? "" : (type & PNE_FT_LE) ? "le" : "be");
	return buf;
}

static void sb_hdr(struct sb *b, const struct pnec_ir *ir, const struct pne_op *op)
{
	const struct pne_hdr *h = op->aux < ir->nhdrs ? &ir->hdrs[op->aux] : NULL;
	char t[8], n[16];

	if (h == NULL)
		return sb_printf(b, "hdr ?%u", op->aux);
	sb_printf(b, "hdr ");
	if (op->expr != PNE_NO_EXPR) {
		sb_expr(b, ir, op->expr);
		sb_printf(b, " max %" PRIu32, h->max);
	} else {
		sb_printf(b, "%" PRIu32, h->size);
	}
	for (unsigned i = 0; i < h->nfields && h->field + i < ir->nfields; i++) {
		const struct pne_field *f = &ir->fields[h->field + i];

		sb_printf(b, "%s%s=%s@%u", i ? ", " : " { ",
			  pnec_slot_name(ir, f->slot, n, sizeof(n)),
			  ftype_name(f->type, t, sizeof(t)), f->off);
		if (f->shift)
			sb_printf(b, ">>%u", f->shift);
		if (f->mask != (((f->type & 0x0f) >= 8 ? UINT64_MAX :
				 (UINT64_C(1) << (8 * (f->type & 0x0f))) - 1) >> f->shift))
			sb_printf(b, "&0x%" PRIx64, f->mask);
		if (i + 1 == h->nfields)
			sb_printf(b, " }");
	}
}

static void sb_text(struct sb *b, const struct pnec_ir *ir, const struct pne_op *op)
{
	static const char *const srcs[] = {
		"word", "line", "header", "all", "tail", "fold", "delim",
	};
	const struct pne_text *tx = op->aux < ir->ntexts ? &ir->texts[op->aux] : NULL;
	char n[16];

	if (tx == NULL)
		return sb_printf(b, "%s ?%u", pnec_op_names[op->code], op->aux);
	if (tx->delim != PNE_NO_STR) {
		sb_printf(b, "text until ");
		sb_str(b, ir, tx->delim);
	} else {
		sb_printf(b, "text size ");
		sb_expr(b, ir, tx->size_expr);
	}
	sb_printf(b, " max %" PRIu32, tx->max);
	if (op->code == PNE_OP_PEEK)
		sb_printf(b, " peek");
	for (unsigned i = 0; i < tx->nfields && tx->field + i < ir->ntfields; i++) {
		const struct pne_tfield *f = &ir->tfields[tx->field + i];

		sb_printf(b, "%s%s=%s", i ? ", " : " { ",
			  pnec_slot_name(ir, f->slot, n, sizeof(n)),
			  f->src <= PNE_TS_DELIM ? srcs[f->src] : "?");
		if (f->src == PNE_TS_HEADER) {
			sb_printf(b, " ");
			sb_str(b, ir, f->arg);
		} else if (f->src <= PNE_TS_LINE) {
			sb_printf(b, " %u", f->arg);
		}
		sb_printf(b, " %s", pnec_tconv_name(f->conv));
		if (f->lit != PNE_NO_STR) {
			sb_printf(b, " ");
			sb_str(b, ir, f->lit);
		}
		if (f->max)
			sb_printf(b, " max %" PRIu64, f->max);
		if (i + 1 == tx->nfields)
			sb_printf(b, " }");
	}
}

const char *pnec_op_text(const struct pnec_ir *ir, size_t pc, char *buf, size_t cap)
{
	const struct pne_op *op = &ir->ops[pc];
	struct sb b = { .buf = buf, .cap = cap };
	char n[16];

	if (cap > 0)
		buf[0] = '\0';
	switch (op->code) {
	case PNE_OP_HDR:
		sb_hdr(&b, ir, op);
		break;
	case PNE_OP_TEXT:
	case PNE_OP_PEEK:
		sb_text(&b, ir, op);
		break;
	case PNE_OP_VARINT:
		sb_printf(&b, "varint %s max %" PRIu64,
			  pnec_slot_name(ir, op->slot, n, sizeof(n)), op->max);
		break;
	case PNE_OP_SET:
		sb_printf(&b, "set %s = ", pnec_slot_name(ir, op->slot, n, sizeof(n)));
		sb_expr(&b, ir, op->expr);
		break;
	case PNE_OP_JMP:
		sb_printf(&b, "jmp %u", op->aux);
		break;
	case PNE_OP_JZ:
		sb_printf(&b, "jz ");
		sb_expr(&b, ir, op->expr);
		sb_printf(&b, " -> %u", op->aux);
		break;
	case PNE_OP_PUSH:
	case PNE_OP_POP:
		sb_printf(&b, "%s %s ", pnec_op_names[op->code],
			  op->aux < ir->nfifos ? ir_str(ir, ir->fifos[op->aux].name) : "?");
		if (op->code == PNE_OP_POP)
			sb_printf(&b, "into %s else ", pnec_slot_name(ir, op->slot, n, sizeof(n)));
		sb_expr(&b, ir, op->expr);
		break;
	case PNE_OP_REQUIRE:
		sb_printf(&b, "require ");
		sb_expr(&b, ir, op->expr);
		if (op->aux != PNE_NO_STR) {
			sb_printf(&b, " ");
			sb_str(&b, ir, op->aux);
		}
		break;
	case PNE_OP_SKIP:
	case PNE_OP_WAIT:
		sb_printf(&b, "%s ", pnec_op_names[op->code]);
		sb_expr(&b, ir, op->expr);
		break;
	default:
		sb_printf(&b, "%s", op->code < PNE_OP__COUNT ? pnec_op_names[op->code] : "?");
		break;
	}
	return buf;
}

/* ------------------------------------------------------------------ */
/* --dump-ir                                                           */
/* ------------------------------------------------------------------ */

static const char *rkind_name(int k)
{
	return k == PNE_RK_BOOL ? "bool" : k == PNE_RK_STRING ? "string" : "uint";
}

static void dump_decls(const struct pnec_ir *ir, FILE *out)
{
	fprintf(out, "protocol %s \"%s\"\n", ir->name, ir->title);
	fprintf(out, "ports");
	for (size_t i = 0; i < ir->nports; i++)
		fprintf(out, " %u", ir->ports[i]);
	fprintf(out, "\nc2s %s, s2c %s\n",
		ir->start[0] < ir->nunits ? ir_str(ir, ir->units[ir->start[0]].name) : "?",
		ir->start[1] < ir->nunits ? ir_str(ir, ir->units[ir->start[1]].name) : "?");
	fprintf(out, "hdr_max %" PRIu32 ", str_max %" PRIu32, ir->hdr_max, ir->str_max);
	if (ir->peek_max > 0)
		fprintf(out, ", peek_max %" PRIu32, ir->peek_max);
	fprintf(out, "\n");
	fprintf(out, "\nslots\n");
	for (size_t i = 0; i < ir->nslots; i++)
		fprintf(out, "  %3zu  %-20s %s\n", i, ir_str(ir, ir->slots[i].name),
			rkind_name(ir->slots[i].kind));
	fprintf(out, "cvars\n");
	for (size_t i = 0; i < ir->ncvars; i++)
		fprintf(out, "  %3zu  %-20s %s u%d = %" PRIu64 "\n", i,
			ir_str(ir, ir->cvars[i].name),
			ir->cvars[i].is_param ? "param" : "var",
			8 * ir->cvars[i].width, ir->cvars[i].init);
	fprintf(out, "fifos\n");
	for (size_t i = 0; i < ir->nfifos; i++)
		fprintf(out, "  %3zu  %-20s u%d[%u]\n", i, ir_str(ir, ir->fifos[i].name),
			8 * ir->fifos[i].width, ir->fifos[i].depth);
}

static void dump_unit_head(const struct pnec_ir *ir, size_t u, FILE *out)
{
	static const char *const modes[] = { "none", "anchor", "confirm" };
	const struct pne_unit *pu = &ir->units[u];
	char n[16];

	fprintf(out, "\nunit %s  entry %u  max %" PRIu64 "  resync %s",
		ir_str(ir, pu->name), pu->entry, pu->max_len,
		pu->resync <= PNE_RESYNC_CONFIRM ? modes[pu->resync] : "?");
	if (pu->resync == PNE_RESYNC_ANCHOR)
		fprintf(out, " (dfa %u)", pu->anchor_dfa);
	else if (pu->resync == PNE_RESYNC_CONFIRM)
		fprintf(out, " %u within %" PRIu32, pu->confirm, pne_unit_window(pu));
	fprintf(out, "\n");
	if (pu->ntypemaps > 0 || pu->type_default != PNE_NO_STR) {
		fprintf(out, "  type by %s:", pnec_slot_name(ir, pu->type_slot, n, sizeof(n)));
		for (unsigned i = 0; i < pu->ntypemaps; i++) {
			const struct pne_typemap *m = &ir->typemaps[pu->typemap + i];

			fprintf(out, " %" PRIu64 "=%s", m->value, ir_str(ir, m->name));
		}
		if (pu->type_default != PNE_NO_STR)
			fprintf(out, " default=%s", ir_str(ir, pu->type_default));
		fprintf(out, "\n");
	}
	if (pu->nreports > 0) {
		fprintf(out, "  report");
		for (unsigned i = 0; i < pu->nreports; i++) {
			const struct pne_report *r = &ir->reports[pu->report + i];

			fprintf(out, " %s=%s(%s)", ir_str(ir, r->name),
				pnec_slot_name(ir, r->slot, n, sizeof(n)), rkind_name(r->kind));
		}
		fprintf(out, "\n");
	}
}

/* Ops of unit u: [entry, next unit's entry). Units are lowered in order. */
static size_t unit_end(const struct pnec_ir *ir, size_t u)
{
	return u + 1 < ir->nunits ? ir->units[u + 1].entry : ir->nops;
}

static void dump_dfa(const struct pnec_ir *ir, size_t i, FILE *out)
{
	const struct pnec_ir_dfa *d = &ir->dfas[i];

	fprintf(out, "  dfa %zu: %u states, %u classes, accepting from %u\n", i,
		d->nstates, d->nclasses, d->accept);
	for (unsigned s = 0; s < d->nstates; s++) {
		fprintf(out, "    %3u:", s);
		for (unsigned c = 0; c < d->nclasses; c++)
			fprintf(out, " %u", d->next[s * d->nclasses + c]);
		if (s >= d->accept)
			fprintf(out, "  (accept, len %u)", d->accept_len[s - d->accept]);
		fprintf(out, "\n");
	}
}

int pnec_dump_ir(const struct pnec_ir *ir, FILE *out)
{
	char buf[1024];

	dump_decls(ir, out);
	for (size_t u = 0; u < ir->nunits; u++) {
		dump_unit_head(ir, u, out);
		for (size_t pc = ir->units[u].entry; pc < unit_end(ir, u); pc++)
			fprintf(out, "  %4zu  %-60s ; line %d\n", pc,
				pnec_op_text(ir, pc, buf, sizeof(buf)),
				ir->op_line != NULL ? ir->op_line[pc] : 0);
	}
	if (ir->ndfas > 0)
		fprintf(out, "\nautomata\n");
	for (size_t i = 0; i < ir->ndfas; i++)
		dump_dfa(ir, i, out);
	fprintf(out, "\nstrings\n");
	for (size_t i = 0; i < ir->nstrs; i++) {
		struct sb b = { .buf = buf, .cap = sizeof(buf) };

		sb_quote(&b, ir->strs[i].s, ir->strs[i].len);
		fprintf(out, "  %3zu  %s\n", i, buf);
	}
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* --dot                                                               */
/* ------------------------------------------------------------------ */

static void dot_label(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int falls_through(int code)
{
	return code != PNE_OP_JMP && code != PNE_OP_END &&
	       code != PNE_OP_UNTIL_CLOSE && code != PNE_OP_OPAQUE;
}

static void dot_edges(const struct pnec_ir *ir, size_t pc, FILE *out)
{
	const struct pne_op *op = &ir->ops[pc];

	if (op->code == PNE_OP_JMP || op->code == PNE_OP_JZ)
		fprintf(out, "\top%zu -> op%u [label=\"%s\"%s];\n", pc, op->aux,
			op->code == PNE_OP_JZ ? "zero" : "jmp",
			op->aux <= pc ? ", style=dashed" : "");
	if (falls_through(op->code) && pc + 1 < ir->nops)
		fprintf(out, "\top%zu -> op%zu%s;\n", pc, pc + 1,
			op->code == PNE_OP_JZ ? " [label=\"nonzero\"]" : "");
	if (op->code == PNE_OP_END)
		fprintf(out, "\top%zu -> adu [style=dotted];\n", pc);
}

int pnec_dump_dot(const struct pnec_ir *ir, FILE *out)
{
	char buf[1024], label[1100];

	fprintf(out, "digraph ");
	dot_label(out, ir->name != NULL ? ir->name : "spec");
	fprintf(out, " {\n\tnode [shape=box, fontname=\"monospace\"];\n");
	fprintf(out, "\tadu [shape=ellipse, label=\"ADU boundary\"];\n");
	for (size_t u = 0; u < ir->nunits; u++) {
		fprintf(out, "\tsubgraph cluster_%zu {\n\t\tlabel=", u);
		snprintf(label, sizeof(label), "unit %s", ir_str(ir, ir->units[u].name));
		dot_label(out, label);
		fprintf(out, ";\n");
		for (size_t pc = ir->units[u].entry; pc < unit_end(ir, u); pc++) {
			snprintf(label, sizeof(label), "%zu: %s", pc,
				 pnec_op_text(ir, pc, buf, sizeof(buf)));
			fprintf(out, "\t\top%zu [label=", pc);
			dot_label(out, label);
			fprintf(out, "];\n");
		}
		fprintf(out, "\t}\n");
	}
	for (size_t pc = 0; pc < ir->nops; pc++)
		dot_edges(ir, pc, out);
	fprintf(out, "}\n");
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
