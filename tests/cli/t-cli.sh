#!/bin/sh
# CLI surface of sbx-supervise: --help, --version, 125 for its own errors (unknown flag, no
# command, bad --allow-unix-socket, missing --rw/--ro/--deny-read paths) without running the
# command, "--" and option order, stdio passed through, the filesystem flags. Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=cli && . "$(dirname "$0")/../lib/cli.sh"


run --help
[ $code -eq 0 ] && grep -q -- '--allow-unix-socket' "$T/out"
ok $? "--help: exit 0, usage on stdout names --allow-unix-socket"
run -h
[ $code -eq 0 ] && grep -q -- '--allow-unix-socket' "$T/out"
ok $? "-h: same as --help"
run --version
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "sbx-supervise 0.1.0" ]
ok $? "--version: prints 'sbx-supervise 0.1.0', exit 0"
run -V
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "sbx-supervise 0.1.0" ]
ok $? "-V: same as --version"

run --bogus-flag -- touch "$T/m1"
[ $code -eq 125 ] && [ -s "$T/err" ] && grep -q -- 'bogus-flag' "$T/err" && [ ! -e "$T/m1" ]
ok $? "unknown flag: 125, a message naming it, the command not run"
run
[ $code -eq 125 ] && [ -s "$T/err" ]
ok $? "no command: 125 with a message"
run --
[ $code -eq 125 ] && [ -s "$T/err" ]
ok $? "only '--': 125 with a message"
run --allow-unix-socket
[ $code -eq 125 ] && [ -s "$T/err" ]
ok $? "--allow-unix-socket without its argument: 125"

run --allow-unix-socket "$T/missing.sock" -- touch "$T/m2"
[ $code -eq 125 ] && grep -q "$T/missing.sock" "$T/err" && [ ! -e "$T/m2" ]
ok $? "missing socket path: 125, a message naming it, the command not run"
echo x >"$T/plain"
run --allow-unix-socket "$T/plain" -- touch "$T/m3"
[ $code -eq 125 ] && [ -s "$T/err" ] && [ ! -e "$T/m3" ]
ok $? "path that is not a socket: 125, the command not run"
run --allow-unix-socket "$T/nodir/" -- sh -c 'exit 3'
[ $code -eq 3 ]
ok $? "DIR/ that does not exist yet is accepted"
run --allow-unix-socket @sbx-cli-abstract -- sh -c 'exit 4'
[ $code -eq 4 ]
ok $? "@NAME is accepted"

run sh -c 'exit 5'
[ $code -eq 5 ]
ok $? "command without '--' runs; its own options (-c) are not taken by sbx"
run -q sh -c 'exit 6' -q
[ $code -eq 6 ]
ok $? "options after the command belong to the command"
run -- sh -c 'printf "%s|" "$@"' sh --version 'a b' ''
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "--version|a b||" ]
ok $? "arguments after '--' reach the command verbatim"
echo piped | timeout -s KILL 10 "$SBX" -- cat >"$T/out" 2>"$T/err"
code=$?
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "piped" ]
ok $? "stdin and stdout pass through"
run -- sh -c 'echo to-stderr >&2'
[ $code -eq 0 ] && grep -q '^to-stderr$' "$T/err"
ok $? "the command's stderr passes through"
run -- sh -c 'exit 7'
[ $code -eq 7 ]
ok $? "the command's exit status"
run -- /nonexistent/cmd
[ $code -eq 127 ] && [ -s "$T/err" ]
ok $? "missing command: 127 with a message"

run --help
grep -q -- '--rw PATH' "$T/out" && grep -q -- '--deny-read' "$T/out" &&
	grep -q -- '--landlock=MODE' "$T/out" && grep -q -- '--keep-caps' "$T/out"
ok $? "--help names the filesystem flags"
for flag in --rw --ro --deny-read; do
	run "$flag" "$T/nope" -- touch "$T/m4"
	[ $code -eq 125 ] && grep -q -- "$flag $T/nope" "$T/err" && [ ! -e "$T/m4" ]
	ok $? "$flag of a missing path: 125, a message naming it, the command not run"
done
run --landlock=maybe -- true
[ $code -eq 125 ] && grep -q 'auto' "$T/err"
ok $? "--landlock with an unknown mode: 125 with a hint"
run --landlock off -- sh -c 'exit 8'
[ $code -eq 8 ]
ok $? "--landlock off (separate argument) is accepted"
run --rw "$T" -- sh -c "echo x > '$T/written'"
[ $code -eq 0 ] && [ -s "$T/written" ]
ok $? "--rw DIR: the command writes there"
run -v -- true
[ $code -eq 0 ] && grep -q 'landlock:' "$T/err"
ok $? "-v prints the Landlock plan"

timeout -s KILL 10 prlimit --nofile=512:4096 "$SBX" -- sh -c 'ulimit -Sn; ulimit -Hn' >"$T/out" 2>"$T/err" </dev/null
code=$?
[ $code -eq 0 ] && [ "$(tr '\n' ' ' <"$T/out")" = "512 4096 " ]
ok $? "the command keeps the fd limits it was given (the supervisor raises only its own)"
# The supervisor raises its limit once the command has started: the command waits up to 5 s.
timeout -s KILL 10 prlimit --nofile=512:4096 "$SBX" -- sh -c '
	i=0
	while [ $i -lt 50 ] && ! grep -Eq "^Max open files +4096 " /proc/$PPID/limits; do
		sleep 0.1
		i=$((i + 1))
	done
	grep "open files" /proc/$PPID/limits' >"$T/out" 2>"$T/err" </dev/null
code=$?
[ $code -eq 0 ] && grep -Eq '^Max open files +4096 +4096 ' "$T/out"
ok $? "the supervisor raised its own soft fd limit to the hard one (room for its work)"

echo "1..$n"
[ $failed -eq 0 ]
