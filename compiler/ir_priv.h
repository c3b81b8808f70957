/*
 * Private to the back end (ir.c, emit.c, dump.c) and its tests: the
 * automaton builder and the expression disassembler.
 */
#ifndef PNEC_IR_PRIV_H
#define PNEC_IR_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "ir.h"

/*
 * Build the Aho-Corasick automaton of n non-empty literals (a KMP
 * automaton when n == 1) in the form of struct pne_dfa: state 0 starts,
 * states >= accept have just seen a literal end, accept_len gives the
 * longest such literal. Bytes that behave alike share a class. Returns 0,
 * -ENOMEM, or -E2BIG when it would need over 65535 states. On success the
 * caller frees dfa->next and dfa->accept_len.
 */
int pnec_dfa_build(const struct pnec_str *lits, size_t n, struct pnec_ir_dfa *dfa);

/* Stack entries the lowered bytecode of e, or of "a in cases" (a switch
 * arm's test), needs; 0 if it can't be lowered (unchecked names). */
int pnec_expr_depth(const struct pnec_expr *e);
int pnec_expr_in_depth(const struct pnec_expr *a, const struct pnec_case *cs);

/* Length of the expression at code[off] up to and including its END;
 * 0 if it runs off the end of the code or has a bad opcode. */
size_t pnec_expr_len(const uint8_t *code, size_t ncode, size_t off);

/*
 * The expression at ir->code[off] in infix form ("4 * ahslen + 3"),
 * names from ir. Returns the length it needs (like snprintf).
 */
size_t pnec_expr_infix(const struct pnec_ir *ir, uint32_t off, char *buf, size_t cap);

/* Name of a slot operand (slot or PNE_SLOT_CVAR|cvar), into buf. */
const char *pnec_slot_name(const struct pnec_ir *ir, unsigned slot, char *buf,
			   size_t cap);

/* One op as text ("skip 4 * ahslen + 3"), into buf; returns buf. */
const char *pnec_op_text(const struct pnec_ir *ir, size_t pc, char *buf, size_t cap);

/* Names of the X-macro lists. */
extern const char *const pnec_op_names[PNE_OP__COUNT];
extern const char *const pnec_x_names[PNE_X__COUNT];
extern const uint8_t pnec_x_imm[PNE_X__COUNT];

#endif /* PNEC_IR_PRIV_H */
