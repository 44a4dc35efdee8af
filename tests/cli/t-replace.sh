#!/bin/sh
# sbx where a container runtime's default seccomp profile puts it, without a container: under
# tests/helpers/deny, which refuses pidfd_getfd (and unshare, and clone3) as Docker's and
# podman's default profiles do. Real clients (python3, curl, ssh-add, psql) against allowed and
# denied sockets in the replace mode; what that mode refuses, said with the flag; and sbx
# failing closed, never hanging, when what answers the command's calls fails (injected).
# Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=repl && . "$(dirname "$0")/../lib/cli.sh"
DENY="$SBX_BUILD/tests/helpers/deny"
PROFILE="pidfd_getfd process_vm_readv process_vm_writev unshare clone3/ENOSYS"

# rrun ARGS...: run sbx as the default profile would; sets $code, $T/out, $T/err
rrun() {
	# shellcheck disable=SC2086
	timeout -s KILL 10 "$DENY" $PROFILE -- "$SBX" "$@" >"$T/out" 2>"$T/err" </dev/null
	code=$?
}
has() { grep -qF -- "$1" "$T/$2"; }

# Servers on the host: UNIX stream servers answering "hello", an HTTP one, a UDP echo.
cat >"$T/servers.py" <<'EOF'
import os, socket, socketserver, sys, threading
d = sys.argv[1]
class Hello(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"hello\n")
class Http(socketserver.StreamRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nfrom-unix")
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        data, s = self.request
        s.sendto(b"re:" + data, self.client_address)
servers = [socketserver.ThreadingUnixStreamServer(d + "/a.sock", Hello),
           socketserver.ThreadingUnixStreamServer(d + "/b.sock", Hello),
           socketserver.ThreadingUnixStreamServer(d + "/http.sock", Http),
           socketserver.ThreadingUnixStreamServer(d + "/.s.PGSQL.5432", Hello),
           socketserver.UDPServer(("127.0.0.1", 0), Echo)]
with open(d + "/udp.port", "w") as f:
    f.write(str(servers[-1].server_address[1]))
for s in servers:
    threading.Thread(target=s.serve_forever, daemon=True).start()
with open(d + "/ready", "w"):
    pass
threading.Event().wait(120)
EOF
python3 "$T/servers.py" "$T" 2>/dev/null &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -e "$T/ready" ] || { echo "Bail out! test servers did not start"; exit 255; }
udp=$(cat "$T/udp.port")

# --- the mode is chosen, and said ---
cat >"$T/unix.py" <<'EOF'
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(p)
        print(p.rsplit("/", 1)[1], s.recv(16).decode().strip())
    except OSError as e:
        print(p.rsplit("/", 1)[1], "errno", e.errno)
EOF
rrun --allow-unix-socket "$T/a.sock" -- python3 "$T/unix.py" "$T/a.sock" "$T/b.sock"
has "pidfd_getfd is refused here" err && has "replace mode" err
ok $? "pidfd_getfd refused: sbx says it runs in the replace mode"
has "a.sock hello" out
ok $? "python3: the allowed socket answers"
has "b.sock errno 1" out && has "denied connect to $T/b.sock" err && has "Hint: --allow-unix-socket $T/b.sock" err
ok $? "python3: the other socket is EPERM, with the denial line and its hint"
[ $code -eq 0 ]
ok $? "the command's status comes through (0)"

rrun -v --allow-unix-socket "$T/a.sock" -- true
has "mode: replace" err
ok $? "-v names the mode"
rrun --audit-log "$T/audit.json" --allow-unix-socket "$T/a.sock" -- true
grep -q '"fd_mode":"replace"' "$T/audit.json"
ok $? "the audit log's start record names the mode"

# --- --check says the same, and what it costs ---
rrun --check
[ $code -eq 0 ] && has "mode: replace" out && grep -q "pidfd_getfd *no (Operation not permitted)" "$T/out" && has "--cap-add SYS_PTRACE" out && grep -q "user namespaces *no" "$T/out"
ok $? "--check under the profile: exit 0, mode replace, pidfd_getfd and user namespaces missing, with what they cost"
rrun --check --json
[ $code -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="replace" and d["pidfd_getfd"] is False and d["enforceable"] is True and d["pidfd_getfd_error"]' "$T/out"
ok $? "--check --json: one JSON object saying the same"
timeout -s KILL 10 "$SBX" --check --json >"$T/out" 2>"$T/err"; code=$?
[ $code -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="dup" and d["pidfd_getfd"] is True' "$T/out"
ok $? "--check without the profile: mode dup"
timeout -s KILL 10 "$DENY" seccomp -- "$SBX" --check >"$T/out" 2>"$T/err"; code=$?
[ $code -eq 1 ] && has "cannot be enforced" out
ok $? "--check where no seccomp filter can be installed: exit 1, and it says so"

# --- real clients ---
rrun --allow-unix-socket "$T/http.sock" -- curl -s --unix-socket "$T/http.sock" http://x/
[ $code -eq 0 ] && [ "$(cat "$T/out")" = "from-unix" ]
ok $? "curl --unix-socket to the allowed socket: the body arrives"
rrun --allow-unix-socket "$T/a.sock" -- curl -s --unix-socket "$T/http.sock" http://x/
[ $code -ne 0 ] && has "denied connect to $T/http.sock" err
ok $? "curl --unix-socket to another socket: fails, with the denial line"

if command -v ssh-agent >/dev/null && command -v ssh-add >/dev/null; then
	ssh-agent -a "$T/agent.sock" >/dev/null
	SSH_AUTH_SOCK="$T/agent.sock" && export SSH_AUTH_SOCK
	rrun --allow-unix-socket "$T/agent.sock" -- ssh-add -l
	[ $code -eq 1 ] && has "no identities" out
	ok $? "ssh-add -l with the agent's socket allowed: the agent answers"
	rrun -- ssh-add -l
	[ $code -eq 2 ] && has "denied connect to $T/agent.sock" err
	ok $? "ssh-add -l without it: cannot reach the agent, and the line says so"
	SSH_AGENT_PID=$(pgrep -f "ssh-agent -a $T/agent.sock") && kill "$SSH_AGENT_PID"
	unset SSH_AUTH_SOCK
else
	echo "ok $((n + 1)) # SKIP ssh-agent/ssh-add not installed"
	echo "ok $((n + 2)) # SKIP ssh-agent/ssh-add not installed"
	n=$((n + 2))
fi

if command -v psql >/dev/null; then
	# The fake server answers "hello": psql got that far only if the connect was made.
	rrun --allow-unix-socket "$T/.s.PGSQL.5432" -- psql -h "$T" -p 5432 -U x -c 'select 1'
	[ $code -ne 0 ] && has "expected authentication request" err && ! has "denied" err
	ok $? "psql to the allowed socket: connects (the fake server's answer is what fails)"
	rrun -- psql -h "$T" -p 5432 -U x -c 'select 1'
	has "Operation not permitted" err && has "denied connect to $T/.s.PGSQL.5432" err
	ok $? "psql without it: EPERM, and the line names the socket"
else
	echo "ok $((n + 1)) # SKIP psql not installed"
	echo "ok $((n + 2)) # SKIP psql not installed"
	n=$((n + 2))
fi

# --- datagrams: the replies come back to the caller's socket (sbx keeps a copy) ---
cat >"$T/udp.py" <<'EOF'
import socket, sys
port = int(sys.argv[1])
def q(s, f):
    s.settimeout(3)
    f(s)
    return s.recv(32).decode()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("sendto", q(u, lambda s: s.sendto(b"a", ("127.0.0.1", port))))
print("sendto-again", q(u, lambda s: s.sendto(b"b", ("127.0.0.1", port))))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.connect(("127.0.0.1", port))
print("connected", q(c, lambda s: s.send(b"c")))
print("sendmsg", q(c, lambda s: s.sendmsg([b"d"])))
try:
    u.sendto(b"x", ("127.0.0.1", port + 1 if port < 65535 else port - 1))
    print("other ok")
except OSError as e:
    print("other errno", e.errno)
EOF
rrun --allow-connect "udp:127.0.0.1:$udp" -- python3 "$T/udp.py" "$udp"
has "sendto re:a" out && has "sendto-again re:b" out
ok $? "UDP sendto twice from one socket: both replies reach it"
has "connected re:c" out && has "sendmsg re:d" out
ok $? "UDP connect, then send and sendmsg: the replies reach the socket"
has "other errno 1" out && has "Hint: --allow-connect udp:127.0.0.1:" err
ok $? "UDP to another port: EPERM, with the hint"

# --- a server inside: bound by sbx, so its listen is performed on sbx's copy ---
cat >"$T/serve.py" <<'EOF'
import os, socket
os.umask(0o077)
l = socket.socket(socket.AF_UNIX)
l.bind("rel.sock")
print("mode", oct(os.stat("rel.sock").st_mode & 0o777))
l.listen(1)
c = socket.socket(socket.AF_UNIX)
c.connect("rel.sock")
a, _ = l.accept()
a.sendall(b"inside\n")
print("got", c.recv(16).decode().strip())
t = socket.socket()
t.bind(("127.0.0.1", 0))
t.listen(1)
tc = socket.create_connection(t.getsockname(), timeout=3)
print("tcp", "ok" if t.accept() else "no")
EOF
mkdir "$T/srv"
(cd "$T/srv" && rrun --rw "$T/srv" -- python3 "$T/serve.py")
has "mode 0o700" out
ok $? "a relative bind is made in the caller's cwd with its umask (no unshare needed)"
has "got inside" out
ok $? "the sandbox's own UNIX server: listen, connect, accept"
has "tcp ok" out
ok $? "the sandbox's own TCP server on 127.0.0.1:0: listen, connect, accept"

# --- what the replace mode refuses, and says so ---
cat >"$T/rights.py" <<'EOF'
import array, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [0]))])
    print("rights ok")
except OSError as e:
    print("rights errno", e.errno)
EOF
rrun --allow-unix-socket "$T/a.sock" -- python3 "$T/rights.py" "$T/a.sock"
has "rights errno 1" out && has "passing descriptors (SCM_RIGHTS)" err && has "--cap-add SYS_PTRACE" err
ok $? "SCM_RIGHTS: EPERM, and the line says why and which flag lifts it"

# A socket passed in from outside, already bound: a stand-in would lose its address, so its
# connect is refused (the fd is the command's fd 3, bound by this test before sbx started).
cat >"$T/prebound.py" <<'EOF2'
import os, socket, sys
pre = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
pre.bind(sys.argv[1])
os.dup2(pre.fileno(), 3)
os.set_inheritable(3, True)
os.execvp(sys.argv[2], sys.argv[2:])
EOF2
cat >"$T/useprebound.py" <<'EOF2'
import socket, sys
s = socket.socket(fileno=3)
try:
    s.connect(sys.argv[1])
    print("prebound ok")
except OSError as e:
    print("prebound errno", e.errno)
EOF2
rm -f "$T/pre.sock" "$T/dg.sock"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])' "$T/dg.sock"
# shellcheck disable=SC2086
timeout -s KILL 10 python3 "$T/prebound.py" "$T/pre.sock" "$DENY" $PROFILE -- "$SBX" \
	--allow-unix-socket "$T/dg.sock" -- python3 "$T/useprebound.py" "$T/dg.sock" \
	>"$T/out" 2>"$T/err" </dev/null
code=$?
has "prebound errno 1" out && has "bound or connected before sbx could make it" err && has "--cap-add SYS_PTRACE" err
ok $? "a socket bound before sbx saw it (passed in from outside): its connect is refused, and the line says why"

# --- the address is judged before sbx reads the rest of the socket or makes a stand-in ---
# (perform_replace.c): a denied call costs two reads of /proc, and its answer is still the
# kernel's order: EBADF for a closed fd and ENOTSOCK for a file, with no denial line, before
# any EPERM for the address. The inet cases need the socket's kind, read before the verdict:
# a kind misread would be refused as "only TCP and UDP sockets", not with the right hint.
cat >"$T/judged.py" <<'EOF'
import ctypes, os, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1]
def un(path):
    return struct.pack("H", socket.AF_UNIX) + path.encode() + b"\0"
def call(f, fd, addr):
    b = ctypes.create_string_buffer(addr, len(addr))
    return "ok" if f(fd, b, len(addr)) == 0 else "errno %d" % ctypes.get_errno()
s = socket.socket(socket.AF_UNIX)
before = os.readlink("/proc/self/fd/%d" % s.fileno())
print("socket", call(libc.connect, s.fileno(), un(d + "/b.sock")))
print("socket-kept", os.readlink("/proc/self/fd/%d" % s.fileno()) == before)
closed = os.dup(0)
os.close(closed)
print("closed", call(libc.connect, closed, un(d + "/http.sock")))
f = os.open(d + "/servers.py", os.O_RDONLY)
print("file", call(libc.connect, f, un(d + "/.s.PGSQL.5432")))
def attempt(label, fn, *args):
    try:
        fn(*args)
        print(label, "ok")
    except OSError as e:
        print(label, "errno", e.errno)
attempt("tcp", socket.socket().connect, ("192.0.2.1", 9))
attempt("udp", socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto, b"x",
        ("127.0.0.1", int(sys.argv[2])))
attempt("bind", socket.socket().bind, ("0.0.0.0", 45999))
EOF
rrun -- python3 "$T/judged.py" "$T" "$udp"
has "socket errno 1" out && has "denied connect to $T/b.sock" err
ok $? "judged first: a denied connect on a socket is EPERM, with its denial line"
has "socket-kept True" out
ok $? "... and the caller keeps its own socket (no stand-in installed)"
has "closed errno 9" out && ! has "$T/http.sock" err
ok $? "judged first: a denied connect on a closed fd is EBADF, with no denial line"
has "file errno 88" out && ! has "$T/.s.PGSQL.5432" err
ok $? "judged first: a denied connect on a regular file is ENOTSOCK, with no denial line"
has "tcp errno 1" out && has "denied connect to 192.0.2.1:9" err && has "Hint: --allow-connect 192.0.2.1:9" err
ok $? "judged first: a denied TCP connect (the socket's kind read first) has the TCP hint"
has "udp errno 1" out && has "Hint: --allow-connect udp:127.0.0.1:$udp" err
ok $? "judged first: a denied UDP sendto from a fresh socket has the UDP hint"
has "bind errno 1" out && has "Hint: --allow-bind 45999" err
ok $? "judged first: a denied inet bind is EPERM, with its hint"

for mode in isolated none; do
	rrun --net "$mode" -- true
	[ $code -eq 125 ] && has "--net $mode needs pidfd_getfd" err && has "--cap-add SYS_PTRACE" err
	ok $? "--net $mode: exit 125, naming pidfd_getfd and the flag"
done

# With CAP_SYS_PTRACE (pidfd_getfd allowed) the profile still refuses user namespaces.
timeout -s KILL 10 "$DENY" unshare clone3/ENOSYS -- "$SBX" --net isolated -- true >"$T/out" 2>"$T/err" </dev/null
code=$?
[ $code -eq 125 ] && has "unshare(CLONE_NEWUSER" err && has "seccomp=unconfined" err
ok $? "--net isolated where only user namespaces are refused: exit 125, naming the call and the runtime flag"

# --- failing closed: nothing hangs ---
# The receive fails (at once, as the workers start).
start=$(date +%s)
timeout -s KILL 20 "$DENY" ioctl:1=0xc0502100 -- "$SBX" -- sh -c \
	'python3 "$0/unix.py" /nonexistent.sock; sleep 300' "$T" >"$T/out" 2>"$T/err" </dev/null
code=$?
end=$(date +%s)
[ $code -eq 125 ] && has "receiving a seccomp notification failed" err && has "stopped the command" err
ok $? "the notification receive fails: exit 125, one line saying what failed"
[ $((end - start)) -lt 15 ]
ok $? "... at once (in $((end - start)) s), not after the command's sleep"

# The reply fails, at the command's first notified call, which comes after it started a
# background process: the caller does not wait for good, and nothing outlives sbx.
start=$(date +%s)
# (--explain=off: the pid file's create would otherwise be the first notified call.)
timeout -s KILL 20 "$DENY" ioctl:1=0xc0182101 -- "$SBX" --explain=off --rw "$T" -- sh -c \
	'sleep 300 & echo $! >"$0/bg.pid"; python3 "$0/unix.py" /nonexistent.sock; sleep 300' "$T" \
	>"$T/out" 2>"$T/err" </dev/null
code=$?
end=$(date +%s)
[ $code -eq 125 ] && has "answering a seccomp notification failed" err
ok $? "the reply fails: exit 125, one line saying what failed"
[ $((end - start)) -lt 15 ]
ok $? "... at once (in $((end - start)) s): the caller is not left waiting"
bg=$(cat "$T/bg.pid" 2>/dev/null)
[ -n "$bg" ] && ! kill -0 "$bg" 2>/dev/null
ok $? "... and the background process the command started first is gone too"

# The workers start at the command's first notified call (notify.h): that call is never
# served, the command is killed and sbx says why.
timeout -s KILL 20 "$DENY" clone3/ENOSYS clone:0\&0x10000/EAGAIN -- "$SBX" -- sh -c \
	'python3 "$0/unix.py" /nonexistent.sock; echo survived' "$T" >"$T/out" 2>"$T/err" </dev/null
code=$?
[ $code -eq 125 ] && has "start a notify worker" err && ! has "nonexistent" out &&
	! has "survived" out
ok $? "no thread can be started: exit 125, the first notified call unserved, the command killed"
timeout -s KILL 20 "$DENY" clone3/ENOSYS clone:0\&0x10000/EAGAIN -- "$SBX" -- sh -c 'echo ran' \
	>"$T/out" 2>"$T/err" </dev/null
code=$?
[ $code -eq 0 ] && has "ran" out
ok $? "... a command that makes no notified call needs no worker: it runs"

echo "1..$n"
[ $failed -eq 0 ]
