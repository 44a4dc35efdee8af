#!/bin/sh
# `make demo`, the README's first command, keeps telling the truth: doc/demo.sh runs its three
# parts (allowed, denied with the audit record, the network refused with a hint) and says so.
# Prints TAP.
set -u

# shellcheck source=tests/lib/cli.sh
tag=demo && . "$(dirname "$0")/../lib/cli.sh"
SRC=${SBX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

code=0
SBX_BUILD="$SBX_BUILD" timeout -s KILL 60 sh "$SRC/doc/demo.sh" >"$T/out" 2>"$T/err" </dev/null || code=$?
[ $code -eq 0 ] && grep -q "^== Done: allowed, denied and network checks behaved as expected" "$T/out"
ok $? "doc/demo.sh (make demo) passes every part"
grep -q "Hint: --allow-connect 192.0.2.1:80" "$T/out" "$T/err"
ok $? "its network part shows the denial line with the flag"

echo "1..$n"
[ $failed -eq 0 ]
