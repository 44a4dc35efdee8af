#!/bin/sh
# sbx inside a real container runtime (issue 14), not a mock: the allowed/denied matrix under
# the runtime's default seccomp profile as root, as uid 1000, with --cap-add SYS_PTRACE, with
# --read-only, and with --security-opt seccomp=unconfined as a control; real clients (Go,
# curl, ssh-add, psql, python3); sbx's own exit codes, --check and --net isolated. Prints TAP.
#
# Run by `make check-container` (.ci/container), which starts the runtime and builds the image
# (mkimage.sh). Environment: SBX_BUILD; SBX_CONTAINER_RUNTIME, the client command and its
# options ("/usr/bin/docker -H unix:///tmp/x/d.sock", "podman"; default docker);
# SBX_CONTAINER_TIMEOUT, seconds each container may run (default 15).
#
# Servers run on the host, in a directory every container bind-mounts at /sock. Every
# `run` is bounded by timeout(1): a hang is a failed row, and the container is removed. Once a
# row of a group times out, the group's later rows are reported failed without being run
# ("not run"), so a broken sbx costs one timeout per group, not one per row.
set -u
SBX_BUILD=${SBX_BUILD:-$(cd "$(dirname "$0")/../../build" 2>/dev/null && pwd)}
RT=${SBX_CONTAINER_RUNTIME:-docker}
TO=${SBX_CONTAINER_TIMEOUT:-15}
IMAGE=sbx-test:local
rt_cmd=${RT%% *}
rt_name=$(basename "$rt_cmd")

if ! command -v "$rt_cmd" >/dev/null 2>&1; then
	echo "1..0 # SKIP $rt_name not installed"
	exit 0
fi
if ! info=$($RT info 2>&1 >/dev/null); then
	echo "1..0 # SKIP $rt_name cannot reach or start its runtime: $(echo "$info" | head -n 1)"
	exit 0
fi
if [ ! -f "$SBX_BUILD/container/rootfs.tar" ] || [ ! -x "$SBX_BUILD/container/server" ]; then
	echo "Bail out! $SBX_BUILD/container is not built (make check-container)"
	exit 255
fi

T=$(mktemp -d /tmp/sbxc.XXXXXX) || exit 255
S="$T/sock"
mkdir "$S" && chmod 0755 "$T" "$S"
label="sbx-test=$$-$(date +%s)"
pids=""
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null
	ids=$($RT ps -a -q --filter "label=$label" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$ids" ] && $RT rm -f $ids >/dev/null 2>&1
	$RT rmi "$IMAGE" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! $RT import "$SBX_BUILD/container/rootfs.tar" "$IMAGE" >/dev/null 2>"$T/err"; then
	echo "Bail out! $rt_name import failed: $(head -n 1 "$T/err")"
	exit 255
fi
"$SBX_BUILD/container/server" "$S/a.sock" "$S/b.sock" "http:$S/h.sock" "$S/.s.PGSQL.5432" \
	2>"$T/server.err" &
pids="$!"
has_agent=0
if command -v ssh-agent >/dev/null 2>&1; then
	ssh-agent -D -a "$S/agent.sock" >/dev/null 2>&1 &
	pids="$pids $!"
	has_agent=1
fi
for _ in $(seq 50); do
	[ -S "$S/.s.PGSQL.5432" ] && { [ $has_agent = 0 ] || [ -S "$S/agent.sock" ]; } && break
	sleep 0.1
done
[ $has_agent = 1 ] && chmod 0666 "$S/agent.sock"
[ -S "$S/a.sock" ] || { echo "Bail out! the server did not start: $(cat "$T/server.err")"; exit 255; }

has() { grep -qx "$1" "$SBX_BUILD/container/programs"; }

n=0
failed=0
desc=""
group=""
group_hung=""
code=0
hung=0

diag() {
	if [ $hung = 1 ]; then
		echo "#   timed out after ${TO}s (container removed)"
	else
		echo "#   exit $code"
	fi
	echo "#   stdout: $(head -c 300 "$T/out" | tr '\n' '|')"
	echo "#   stderr: $(head -c 400 "$T/err" | tr '\n' '|')"
}

# ok STATUS: the result of the row started with `row`
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ] && [ $hung = 0 ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
		diag
	fi
}

# todo REASON: the row is for a feature sbx does not have yet (TAP TODO: not a pass, not a failure)
todo() {
	n=$((n + 1))
	echo "not ok $n - $desc # TODO $1"
}

skip() { # skip DESC REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# begin NAME: a group of rows that share a container configuration
begin() {
	group=$1
	group_hung=""
	echo "# $rt_name: $group"
}

# row DESC OPTS CMD...: run CMD in a fresh container with the runtime options OPTS (split at
# spaces), bounded by $TO seconds; $code, $hung, $T/out and $T/err hold the result. Returns 1,
# having reported the row failed, when an earlier row of the group timed out.
row() {
	desc="$group: $1"
	opts=$2
	shift 2
	if [ -n "$group_hung" ]; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - $desc # not run: an earlier row of this group timed out"
		return 1
	fi
	name="sbx-test-$$-$n"
	# shellcheck disable=SC2086
	timeout -k 5 "$TO" $RT run --rm --name "$name" --label "$label" --network none \
		-v "$S:/sock" $opts "$IMAGE" "$@" >"$T/out" 2>"$T/err" </dev/null
	code=$?
	hung=0
	case $code in
	124 | 137)
		hung=1
		group_hung=1
		$RT rm -f "$name" >/dev/null 2>&1
		;;
	esac
	return 0
}

out_is() { [ "$(cat "$T/out")" = "$1" ]; }
# sbx's own message, not the runtime's (docker run also exits 125, 126 and 127 itself)
sbx_said() { grep -q "^sbx-supervise: .*$1" "$T/err"; }

SBX=/bin/sbx-supervise

# connect_rows OPTS: the C client to an allowed and to a denied socket
connect_rows() {
	if row "allowed socket: 'ok hello', exit 0" "$1" \
		$SBX --allow-unix-socket /sock/a.sock -- client unix /sock/a.sock; then
		[ $code -eq 0 ] && out_is "ok hello"
		ok $?
	fi
	if row "denied socket: EPERM, a denial line, the command's exit 3 passed through" "$1" \
		$SBX --allow-unix-socket /sock/a.sock -- client unix /sock/b.sock; then
		[ $code -eq 3 ] && out_is "errno EPERM" && sbx_said "denied"
		ok $?
	fi
}

py='import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print(s.recv(64).decode().strip())'
# program_rows OPTS: real clients, each to an allowed and to a denied socket
program_rows() {
	D=$1
	if has client-go; then
		if row "Go client (CGO_ENABLED=0), allowed socket" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- client-go unix /sock/a.sock; then
			[ $code -eq 0 ] && out_is "ok hello"
			ok $?
		fi
		if row "Go client, denied socket: EPERM" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- client-go unix /sock/b.sock; then
			[ $code -eq 3 ] && out_is "errno EPERM" && sbx_said "denied"
			ok $?
		fi
	else
		skip "$group: Go client" "no Go toolchain when the image was built"
	fi
	if has curl; then
		if row "curl --unix-socket, allowed socket: the body" "$D" \
			$SBX --allow-unix-socket /sock/h.sock -- curl -sS --unix-socket /sock/h.sock http://sbx/; then
			[ $code -eq 0 ] && out_is "hello"
			ok $?
		fi
		if row "curl --unix-socket, denied socket: curl's exit 7, a denial line" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- curl -sS --unix-socket /sock/h.sock http://sbx/; then
			[ $code -eq 7 ] && sbx_said "denied"
			ok $?
		fi
	else
		skip "$group: curl" "curl not installed on the host"
	fi
	if has ssh-add && [ $has_agent = 1 ]; then
		if row "ssh-add -l, allowed agent socket: 'no identities', exit 1" "$D" \
			$SBX --allow-unix-socket /sock/agent.sock -- \
			env SSH_AUTH_SOCK=/sock/agent.sock ssh-add -l; then
			[ $code -eq 1 ] && grep -q "no identities" "$T/out"
			ok $?
		fi
		if row "ssh-add -l, denied agent socket: exit 2, a denial line" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- \
			env SSH_AUTH_SOCK=/sock/agent.sock ssh-add -l; then
			[ $code -eq 2 ] && sbx_said "denied"
			ok $?
		fi
	else
		skip "$group: ssh-add" "ssh-add or ssh-agent not installed on the host"
	fi
	if has psql; then
		# The server is not PostgreSQL: an allowed connect gets as far as reading its 'h'.
		pq="host=/sock sslmode=disable user=sbx dbname=sbx connect_timeout=5"
		if row "psql, allowed socket: connected (reads the server's first byte)" "$D" \
			$SBX --allow-unix-socket /sock/.s.PGSQL.5432 -- psql "$pq" -c 'select 1'; then
			grep -q "received h" "$T/err" && ! sbx_said "denied"
			ok $?
		fi
		if row "psql, denied socket: 'Operation not permitted', a denial line" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- psql "$pq" -c 'select 1'; then
			[ $code -eq 2 ] && grep -q "Operation not permitted" "$T/err" && sbx_said "denied"
			ok $?
		fi
	else
		skip "$group: psql" "psql not installed on the host"
	fi
	if has python3; then
		if row "python3 socket.connect, allowed socket" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- python3 -S -c "$py" /sock/a.sock; then
			[ $code -eq 0 ] && out_is "hello"
			ok $?
		fi
		if row "python3 socket.connect, denied socket: PermissionError" "$D" \
			$SBX --allow-unix-socket /sock/a.sock -- python3 -S -c "$py" /sock/b.sock; then
			[ $code -eq 1 ] && grep -q "PermissionError" "$T/err" && sbx_said "denied"
			ok $?
		fi
	else
		skip "$group: python3" "python3 not installed on the host"
	fi
}

# The control first: no runtime seccomp profile, so sbx's own machinery is all that is tested.
begin "seccomp=unconfined (control)"
connect_rows "--security-opt seccomp=unconfined"
program_rows "--security-opt seccomp=unconfined"

begin "default profile, root"
connect_rows ""
program_rows ""

begin "default profile, uid 1000"
connect_rows "-u 1000"
begin "default profile, --cap-add SYS_PTRACE"
connect_rows "--cap-add SYS_PTRACE"
# sbx makes the command's own TMPDIR under /tmp (README, Filesystem rules): a read-only root
# needs a writable /tmp, which is what --tmpfs /tmp gives.
begin "default profile, --read-only --tmpfs /tmp"
connect_rows "--read-only --tmpfs /tmp"
begin "default profile, --read-only without a writable /tmp"
if row "sbx refuses with 125 and a Hint naming TMPDIR, the command not run" "--read-only" \
	$SBX --allow-unix-socket /sock/a.sock -- client unix /sock/a.sock; then
	[ $code -eq 125 ] && sbx_said "Hint: .*TMPDIR" && [ ! -s "$T/out" ]
	ok $?
fi

# One container per row, no group: each of these has its own reason to hang or not.
begin "sbx's own exit codes and modes, default profile"
D=""
row "a bad flag: 125, a message naming it" "$D" $SBX --bogus-flag -- true
[ $code -eq 125 ] && sbx_said "bogus-flag"
ok $?
group_hung=""
row "a missing command: 127, sbx's message" "$D" $SBX -- /nonexistent/cmd
[ $code -eq 127 ] && sbx_said ""
ok $?
group_hung=""
row "a command that is not executable: 126, sbx's message" "$D" $SBX -- /etc/not-executable
[ $code -eq 126 ] && sbx_said ""
ok $?
group_hung=""
row "the command's exit status passed through (sh -c 'exit 7')" "$D" $SBX -- sh -c 'exit 7'
[ $code -eq 7 ]
ok $?
group_hung=""
row "--check: exit 0, names the mode" "$D" $SBX --check
if [ $code -eq 125 ] && sbx_said "unknown option '--check'"; then
	todo "not implemented yet (unknown option '--check')"
else
	[ $code -eq 0 ] && grep -qi "mode" "$T/out"
	ok $?
fi
group_hung=""
row "--check --json: exit 0, a JSON object naming the mode" "$D" $SBX --check --json
if [ $code -eq 125 ] && sbx_said "unknown option '--check'"; then
	todo "not implemented yet (unknown option '--check')"
else
	[ $code -eq 0 ] && grep -q '^{' "$T/out" && grep -q '"mode"' "$T/out"
	ok $?
fi
group_hung=""
row "--net isolated: 125 and a line giving the reason (no netns or user namespace here)" "$D" \
	$SBX --net isolated -- true
[ $code -eq 125 ] && sbx_said "."
ok $?
[ $hung = 0 ] && [ -s "$T/err" ] && echo "#   reason given: $(head -n 3 "$T/err" | tr '\n' '|')"
desc="$group: --net isolated: the reason names the runtime flag that would allow it"
if [ $hung = 0 ] && [ $code -eq 125 ]; then
	if grep -Eq -- 'seccomp=unconfined|--cap-add|--userns|--privileged' "$T/err"; then
		ok 0
	else
		todo "the hint names sysctl and AppArmor, not a container runtime's flag"
	fi
else
	ok 1
fi

begin "nothing left behind"
desc="$group: no container of this run remains"
hung=0
code=0
$RT ps -a -q --filter "label=$label" >"$T/out" 2>"$T/err"
[ ! -s "$T/out" ]
ok $?

echo "1..$n"
[ $failed -eq 0 ]
