#!/bin/sh
# Refresh the golden copies of the generated tables after an intended
# change to pnec or to a spec:  tests/golden/update.sh [PNEC]
# PNEC defaults to build/bin/pnec. Review the resulting diff like code.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
pnec=${1:-$root/build/bin/pnec}
if [ ! -x "$pnec" ]; then
	echo "update.sh: no pnec at $pnec; build first or pass its path" >&2
	exit 2
fi
cd "$root"
for f in specs/*.pne; do
	n=$(basename "$f" .pne)
	"$pnec" -o "tests/golden/spec_$n.c" --symbol "pne_spec_$n" \
		--source-name "specs/$n.pne" "$f"
done
# Drop golden copies of specs that no longer exist.
for g in tests/golden/spec_*.c; do
	[ -e "$g" ] || continue
	n=$(basename "$g" .c)
	n=${n#spec_}
	if [ ! -e "specs/$n.pne" ]; then
		rm -f "tests/golden/spec_$n.c" "tests/golden/spec_$n.h"
	fi
done
echo "golden copies refreshed; review with: git diff tests/golden"
