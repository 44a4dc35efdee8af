#!/bin/sh
# Show sbx-supervise allowing one UNIX socket, denying another, and refusing the network.
# Run by `make demo`; needs socat (python3 for the last part). SBX_BUILD names the build
# directory holding sbx-supervise (default ./build).
set -eu

sbx="${SBX_BUILD:-./build}/sbx-supervise"
if [ ! -x "$sbx" ]; then
	echo "demo: $sbx not found; run make first" >&2
	exit 1
fi
if ! command -v socat >/dev/null 2>&1; then
	echo "demo: socat is needed (apt-get install socat)" >&2
	exit 1
fi

d=""
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	[ -n "$d" ] && rm -rf "$d"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# pwd -P: the denial line names the canonical path, so use it for the checks below.
d=$(mktemp -d "${TMPDIR:-/tmp}/sbx-demo.XXXXXX")
d=$(cd "$d" && pwd -P)
out="$d/out"
err="$d/err"

heading() {
	printf '\n== %s\n' "$*"
}

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

# Two servers that answer every connection with one line.
socat "UNIX-LISTEN:$d/allowed.sock,fork" EXEC:'echo hello from the allowed server' &
pids="$pids $!"
socat "UNIX-LISTEN:$d/denied.sock,fork" EXEC:'echo hello from the denied server' &
pids="$pids $!"

i=0
while [ ! -S "$d/allowed.sock" ] || [ ! -S "$d/denied.sock" ]; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "the socat servers did not create their sockets within 10 s"
	sleep 0.1
done

heading "Two UNIX socket servers are listening in $d"
ls -l "$d"/*.sock

heading "1. Allowed: $(basename "$sbx") --allow-unix-socket $d/allowed.sock -- socat - UNIX-CONNECT:$d/allowed.sock"
rc=0
"$sbx" --allow-unix-socket "$d/allowed.sock" -- socat - "UNIX-CONNECT:$d/allowed.sock" \
	</dev/null >"$out" 2>"$err" || rc=$?
cat "$out" "$err"
[ "$rc" -eq 0 ] || fail "the allowed connection failed (exit status $rc)"
grep -q 'hello from the allowed server' "$out" || fail "no reply from the allowed server"
echo "-> exit status 0, the server's reply came through"

heading "2. Denied: the same client, same allowlist, connecting to $d/denied.sock (audit log on)"
rc=0
"$sbx" --audit-log "$d/audit.jsonl" --allow-unix-socket "$d/allowed.sock" -- \
	socat - "UNIX-CONNECT:$d/denied.sock" </dev/null >"$out" 2>"$err" || rc=$?
cat "$out" "$err"
[ "$rc" -ne 0 ] || fail "the connection to denied.sock succeeded"
! grep -q 'hello from the denied server' "$out" || fail "the denied server's reply got through"
grep -q 'Operation not permitted' "$err" || fail "socat did not report EPERM (exit status $rc)"
grep -q "denied connect to $d/denied.sock" "$err" || fail "sbx printed no denial line"
echo "-> exit status $rc: socat got EPERM, and sbx said what it denied and how to allow it"
echo
echo "The audit record of that denial ($d/audit.jsonl, one JSON object per line):"
grep '"event":"deny"' "$d/audit.jsonl" || fail "no deny record in the audit log"
if command -v python3 >/dev/null 2>&1; then
	grep '"event":"deny"' "$d/audit.jsonl" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
print("-> parsed:", r["event"], r["syscall"], r["addr"], "errno", r["errno"], "hint:", r.get("hint"))'
fi

heading "3. No network: a TCP connect to 192.0.2.1:80 inside the sandbox"
if command -v python3 >/dev/null 2>&1; then
	rc=0
	"$sbx" -- python3 -c '
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect(("192.0.2.1", 80))
except OSError as e:
    print("connect failed:", e)
    sys.exit(0 if e.errno == errno.EPERM else 4)
print("connect succeeded")
sys.exit(3)
' 2>"$d/net.err" || rc=$?
	cat "$d/net.err"
	[ "$rc" -eq 0 ] || fail "the connect was not refused with EPERM (exit status $rc)"
	grep -q "Hint: --allow-connect 192.0.2.1:80" "$d/net.err" ||
		fail "sbx did not name the endpoint and the flag"
	echo "-> refused by sbx before anything left, and the line says how to allow it"
else
	echo "(skipped: python3 is not installed)"
fi

heading "Done: allowed, denied and network checks behaved as expected"
