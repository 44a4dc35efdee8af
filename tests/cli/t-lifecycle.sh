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

# The sandbox's own TMPDIR: writable, exported, removed afterwards; the rest of /tmp is not.
run -- sh -c 'f=$(mktemp) && echo x >"$f" && [ "$TMP" = "$TMPDIR" ] && [ "$TEMP" = "$TMPDIR" ] &&
	echo "$TMPDIR"; touch /tmp/sbx-outside-$$ 2>/dev/null && echo OUTSIDE-WRITABLE; true'
tmp=$(head -n1 "$T/out")
[ $code -eq 0 ] && [ -n "$tmp" ] && ! grep -q OUTSIDE-WRITABLE "$T/out" && [ ! -e "$tmp" ]
ok $? "the command writes its temporary files in its own TMPDIR (TMP and TEMP too), not elsewhere in /tmp, and the directory is gone afterwards"

# Under a --rw that covers it, the TMPDIR also has a Landlock rule of its own (llplan.h,
# hold): it is still removed, left empty (one rmdir) or not, and the command still cannot
# write outside what it was given.
mkdir -p "$T/base" "$T/outside"
for what in empty file; do
	TMPDIR="$T/base" run --rw "$T/base" -- sh -c 'echo "$TMPDIR"; [ "$1" = file ] &&
		mkdir "$TMPDIR/d" && echo x >"$TMPDIR/d/f"; touch "$2/x" 2>/dev/null &&
		echo OUTSIDE-WRITABLE; true' sh "$what" "$T/outside"
	tmp=$(head -n1 "$T/out")
	case $tmp in "$T"/base/sbx-tmp.*) in_base=0 ;; *) in_base=1 ;; esac
	[ $code -eq 0 ] && [ $in_base -eq 0 ] && [ ! -e "$tmp" ] && ! grep -q OUTSIDE-WRITABLE "$T/out"
	ok $? "a TMPDIR under --rw (left $what) is gone afterwards; outside it nothing became writable"
done

run --keep-tmp -- sh -c 'echo kept >"$TMPDIR/f"; echo "$TMPDIR"'
tmp=$(head -n1 "$T/out")
[ $code -eq 0 ] && [ "$(cat "$tmp/f" 2>/dev/null)" = kept ]
ok $? "--keep-tmp keeps it, with what the command wrote"
[ -n "$tmp" ] && rm -rf "$tmp"

if command -v cc >/dev/null 2>&1; then
	mkdir -p "$T/proj" && printf 'int main(void) { return 0; }\n' >"$T/proj/hello.c"
	(cd "$T/proj" && timeout -s KILL 20 "$SBX" --rw-cwd -- sh -c 'cc -o hello hello.c && ./hello && echo built') >"$T/out" 2>"$T/err" </dev/null
	code=$?
	[ $code -eq 0 ] && grep -q built "$T/out"
	ok $? "--rw-cwd: cc builds a C file (its temporary files go to the sandbox's TMPDIR)"
else
	echo "ok $((n = n + 1)) # SKIP no C compiler here"
fi

# A symlink the command leaves in its TMPDIR is removed, never followed.
echo keep >"$T/victim"
run --rw "$T" -- sh -c 'ln -s "$0/victim" "$TMPDIR/link" && mkdir "$TMPDIR/d" && ln -s "$0" "$TMPDIR/d/dirlink"' "$T"
[ $code -eq 0 ] && [ "$(cat "$T/victim")" = keep ] && [ -d "$T/proj" ]
ok $? "removing the TMPDIR follows no symlink the command left there"

echo "1..$n"
[ $failed -eq 0 ]
