#!/bin/sh
# sbx-supervise is linked with its start-up code first (Makefile, ORDER): the functions a start
# runs, listed in bench/startup.order, lie together at the head of .text, where they fault in a
# few windows of pages instead of ~18 (doc/performance.md). This checks the build did it and the
# list still names this build's functions. Prints TAP.
set -u
export LC_ALL=C # sort and join must agree on the order

# shellcheck source=tests/lib/cli.sh
tag=layout && . "$(dirname "$0")/../lib/cli.sh"
SRC=${SBX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ORDER=$SRC/bench/startup.order

if readelf -lW "$SBX" 2>/dev/null | grep -q INTERP; then
	echo "1..0 # SKIP sbx-supervise is linked dynamically (STATIC=0 or a sanitizer build): no order"
	exit 0
fi
if ! command -v ld.lld >/dev/null 2>&1; then
	echo "1..0 # SKIP no ld.lld: the build links without the start-up order (.ci/deps installs lld)"
	exit 0
fi
echo "1..3"
code=0 # ok's report on failure: no sbx run here, the assertion says what is wrong
: >"$T/out"
: >"$T/err"

nm -S --defined-only "$SBX" | awk 'NF == 4 { print $4, $1, $2 }' | sort >"$T/syms"
text=$(readelf -SW "$SBX" | awk '$2 == ".text" { print $4 }')
grep -v '^#' "$ORDER" | sort -u >"$T/order"
listed=$(wc -l <"$T/order")
have=$(join "$T/order" "$T/syms" | cut -d' ' -f1 | sort -u | wc -l)
# A function renamed or inlined since the list was written drops out of it: a tenth gone
# means the list no longer describes this build.
[ "$listed" -gt 100 ] && [ $((have * 10)) -ge $((listed * 9)) ]
ok $? "bench/startup.order names this build's functions ($have of $listed; else: make startup-order)"

# What runs first in every start, and lies ~0.7-1.2 MB into .text in link order.
far=""
for f in __libc_start_main_impl __tunables_init _dl_relocate_static_pie; do
	a=$(awk -v f="$f" '$1 == f { print $2 }' "$T/syms")
	[ -n "$a" ] && [ $((0x$a - 0x$text)) -lt 65536 ] || far="$far $f"
done
[ -z "$far" ]
ok $? "libc's start-up lies in the first 64 KiB of .text (not:${far:- none})"

end=$(join "$T/order" "$T/syms" | {
	m=0
	while read -r _ a s; do
		e=$((0x$a + 0x$s))
		[ "$e" -gt "$m" ] && m=$e
	done
	echo "$m"
})
[ "$end" -gt 0 ] && [ $((end - 0x$text)) -lt $((512 * 1024)) ]
ok $? "every listed function ends within the first 512 KiB of .text ($(((end - 0x$text) / 1024)) KiB)"
exit $((failed > 0))
