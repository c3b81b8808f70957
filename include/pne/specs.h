/* The specs compiled into this build (every specs/NAME.pne). */
#ifndef PNE_SPECS_H
#define PNE_SPECS_H

#include "pne/table.h"

/* NULL-terminated, sorted by file name. */
extern const struct pne_spec *const pne_builtin_specs[];

/* The built-in spec called name, or NULL. */
const struct pne_spec *pne_builtin_spec(const char *name);

#endif /* PNE_SPECS_H */
