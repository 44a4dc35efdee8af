#!/bin/sh
# What sbx leaves the command and what it leaves behind: SBX_SANDBOX and SBX_SANDBOX_NET in the
# command's environment; processes the command left running (a double fork, a setsid daemon)
# stopped when it exits, kept with --leave-running; the command's status through it all.
# Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=life && . "$(dirname "$0")/../lib/cli.sh"

run -- sh -c 'echo "$SBX_SANDBOX $SBX_SANDBOX_NET"'
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "1 filtered" ]
ok $? "the command sees SBX_SANDBOX=1 and SBX_SANDBOX_NET=filtered"

gone() { # gone PID: not running, or a zombie
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# A double fork and a setsid daemon, each writing its pid; the command exits 3 at once.
daemons='
	(sleep 1000 & echo $! >"$0/double.pid") &
	setsid sh -c "trap \"\" TERM; sleep 1000 & echo \$! >\"$0/setsid-sleep.pid\"; echo \$\$ >\"$0/setsid.pid\"; wait" &
	i=0; while [ $i -lt 50 ] && ! [ -s "$0/setsid-sleep.pid" ] || ! [ -s "$0/double.pid" ]; do sleep 0.1; i=$((i + 1)); done
	exit 3'
rm -f "$T"/*.pid
run --rw "$T" -- sh -c "$daemons" "$T"
d=$(cat "$T/double.pid" 2>/dev/null); s=$(cat "$T/setsid.pid" 2>/dev/null)
ss=$(cat "$T/setsid-sleep.pid" 2>/dev/null)
[ $code -eq 3 ] && [ -n "$d" ] && [ -n "$s" ] && gone "$d" && gone "$s" && gone "$ss"
ok $? "processes the command left running (a double fork, a setsid daemon that ignores SIGTERM) are gone when sbx exits, and its status is the command's (3)"

rm -f "$T"/*.pid
run --leave-running --rw "$T" -- sh -c "$daemons" "$T"
d=$(cat "$T/double.pid" 2>/dev/null); s=$(cat "$T/setsid.pid" 2>/dev/null)
ss=$(cat "$T/setsid-sleep.pid" 2>/dev/null)
[ $code -eq 3 ] && [ -n "$d" ] && ! gone "$d" && ! gone "$ss"
ok $? "with --leave-running they keep running after sbx exits"
for p in $d $s $ss; do kill -9 "$p" 2>/dev/null; done

echo "1..$n"
[ $failed -eq 0 ]
