"""Live tests of the audit log, learning mode and policy files. Prints TAP.

Workloads run inside the sandbox as small python3 programs, so that addresses can hold any
bytes (NULs, newlines, invalid UTF-8) that a command line cannot carry.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap

BUILD = os.environ.get("SBX_BUILD") or os.path.join(os.path.dirname(__file__), "../../build")
SBX = os.path.join(BUILD, "sbx-supervise")
if not os.access(SBX, os.X_OK):
    print("Bail out! %s is not built" % SBX)
    sys.exit(255)

n = 0
failed = 0


def ok(cond, what, diag=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1
        if diag:
            for line in str(diag)[:3000].splitlines():
                print("#   " + line)
    sys.stdout.flush()
    return cond


def skip(what, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, what, why))


T = tempfile.mkdtemp(prefix="sbx-audit.")
servers = []


def listen(addr):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(addr)
    s.listen(64)
    servers.append(s)
    return s


def sbx(opts, code, timeout=60, pass_fds=()):
    """Run python3 CODE under sbx-supervise OPTS; return (status, stdout, stderr)."""
    argv = [SBX] + opts + ["--", sys.executable, "-S", "-c", textwrap.dedent(code)]
    p = subprocess.run(argv, capture_output=True, timeout=timeout, pass_fds=pass_fds,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def records(path):
    """Every line of the log parsed; (records, error) with error a string on the first bad line."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        return out, "the log does not end with a newline"
    for i, line in enumerate(data.split(b"\n")[:-1]):
        try:
            out.append(json.loads(line.decode("utf-8")))
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            return out, "line %d: %r: %s" % (i + 1, line[:200], e)
    return out, None


# Connect to every address in ADDRS (repr'd into the code) and print one word per attempt.
CONNECT_ALL = """
import socket, errno
for a in %r:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(a)
        print("ok")
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno))
    s.close()
"""


def hostile():
    d = os.path.join(T, "h").encode()
    os.mkdir(d)
    names = [b"new\nline", b'quo"te', b"back\\slash", b"bad\xff\xfeutf8", b"ctl\x01\x7f",
             "ünï".encode(), b"tab\there"]
    paths = [d + b"/" + x for x in names]
    long_path = d + b"/" + b"L" * (107 - len(d) - 1)  # the longest path python can bind
    paths.append(long_path)
    for p in paths:
        listen(p)
    abstract = [b"\0a\0b\0c", b"\0" + b"\0" * 10 + b"x", b"\0" + bytes(range(1, 108)),
                b"\0\n\"\\\xff"]
    for a in abstract:
        listen(a)
    allowed = listen(os.path.join(T, "ok.sock"))
    log = os.path.join(T, "hostile.json")
    addrs = paths + abstract + [allowed.getsockname().encode()]
    st, out, err = sbx(["--audit-log", log, "--audit=all", "--allow-unix-socket",
                        allowed.getsockname()], CONNECT_ALL % (addrs,))
    words = out.split()
    ok(st == 0 and words == ["EPERM"] * (len(addrs) - 1) + ["ok"],
       "hostile names: every one denied, the allowed one connects", (st, out, err))
    recs, bad = records(log)
    ok(bad is None, "hostile names: every line of the log is valid JSON", bad)
    deny = [r for r in recs if r.get("event") == "deny"]
    allow = [r for r in recs if r.get("event") == "allow"]
    ok(len(deny) == len(addrs) - 1, "one deny record per denied connect (%d)" % len(deny),
       json.dumps(recs)[:2000])
    ok(len(allow) == 1 and allow[0].get("rule", "").startswith("--allow-unix-socket"),
       "one allow record naming its rule", allow)
    ok([r["event"] for r in recs][0] == "start" and recs[-1]["event"] == "exit",
       "the log starts with a start record and ends with an exit record",
       [r["event"] for r in recs])

    def raw(r):
        if "addr_hex" in r:
            b = bytes.fromhex(r["addr_hex"])
            return b"\0" + b if r["addr"].startswith("@") else b
        return r["addr"].encode()

    got = [raw(r) for r in deny]
    ok(got == paths + abstract, "the exact bytes of every address are in the log",
       list(zip(got, paths + abstract)))
    fields = ["ts", "event", "pid", "ppid", "comm", "exe", "syscall", "arch", "family", "type",
              "addr", "resolved", "rule", "errno", "hint"]
    missing = [f for r in deny for f in fields if f not in r]
    ok(not missing, "deny records carry every documented field", missing)
    d0 = deny[0]
    ok(d0["syscall"] == "connect" and d0["family"] == "AF_UNIX" and
       d0["type"] == "SOCK_STREAM" and d0["errno"] == "EPERM" and d0["arch"] == "x86_64" and
       d0["hint"].startswith("--allow-unix-socket ") and d0["ts"].endswith("Z") and
       len(d0["ts"]) == len("2026-01-01T00:00:00.000000Z"), "deny record field values", d0)


def concurrency():
    target = b"\0sbx-audit-hammer-%d" % os.getpid()
    listen(target)
    log = os.path.join(T, "hammer.json")
    code = """
    import os, socket, threading, errno
    N = 40
    def proc():
        count = [0]
        lock = threading.Lock()
        def th():
            for _ in range(N):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    s.connect(%r)
                except OSError as e:
                    if e.errno == errno.EPERM:
                        with lock:
                            count[0] += 1
                s.close()
        ts = [threading.Thread(target=th) for _ in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        return count[0]
    pids = []
    for i in range(5):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, str(proc()).encode())
            os._exit(0)
        os.close(w)
        pids.append((pid, r))
    total = 0
    for pid, r in pids:
        total += int(os.read(r, 64) or b"0")
        os.waitpid(pid, 0)
    print(total)
    """ % (target,)
    st, out, err = sbx(["--quiet", "--audit-log", log], code, timeout=120)
    recs, bad = records(log)
    ok(bad is None, "8 threads x 5 processes: every line parses", bad)
    deny = sum(1 for r in recs if r.get("event") == "deny")
    eperm = int(out.split()[-1]) if st == 0 and out.split() else -1
    ok(eperm == 5 * 8 * 40 and deny == eperm,
       "8 threads x 5 processes: deny records (%d) equal the EPERMs seen (%d)" % (deny, eperm),
       (st, out, err))
    ex = recs[-1] if recs else {}
    ok(ex.get("event") == "exit" and ex.get("deny") == eperm and ex.get("dropped") == 0,
       "the exit record counts them all", ex)


def disk_full():
    st, out, err = sbx(["--audit-log", "/dev/full"], "print('ran')")
    ok(st == 125 and "cannot write the audit log" in err and "ran" not in out,
       "/dev/full: the command is stopped, exit 125, a message on stderr", (st, out, err))
    st, out, err = sbx(["--audit-log", "/dev/full", "--audit-fail=ignore"], "print('ran')")
    ok(st == 0 and "ran" in out and "cannot write the audit log" in err,
       "/dev/full with --audit-fail=ignore: the command runs, the failure is reported",
       (st, out, err))
    r, w = os.pipe()
    os.close(r)
    st, out, err = sbx(["--audit-log", "fd:%d" % w], "print('ran')", pass_fds=(w,))
    os.close(w)
    ok(st == 125 and "cannot write the audit log" in err, "a pipe without reader (EPIPE): 125",
       (st, out, err))
    if os.geteuid() != 0:
        skip("a full tmpfs stops a running command", "needs root to mount a tmpfs")
        return
    mnt = os.path.join(T, "tiny")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", mnt]).returncode:
        skip("a full tmpfs stops a running command", "mount failed")
        return
    try:
        log = os.path.join(mnt, "log.json")
        code = CONNECT_ALL.replace("for a in %r:", "for a in [%r] * 2000:") % (
            b"\0sbx-nowhere-" + b"x" * 90,) + "\nprint('finished')\n"
        st, out, err = sbx(["--quiet", "--audit-log", log], code, timeout=120)
        ok(st == 125 and "finished" not in out and "No space left" in err,
           "a tmpfs filling up mid-run: the command is killed, exit 125", (st, out[-200:], err))
        recs, bad = records(log)
        ok(bad is None and len(recs) > 1, "what reached the full disk is whole records (%d)" %
           len(recs), bad)
    finally:
        subprocess.run(["umount", mnt])


def learn():
    d = os.path.join(T, "learn")
    os.mkdir(d)
    socks = [os.path.join(d, x) for x in ("a.sock", "b.sock", "c.sock")]
    for s in socks:
        listen(s)
    abstract = "@sbx-learn-%d" % os.getpid()
    listen(b"\0" + abstract[1:].encode())
    addrs = [s.encode() for s in socks] + [b"\0" + abstract[1:].encode()]
    code = CONNECT_ALL % (addrs,) + textwrap.dedent("""
    import sys
    """)
    pol = os.path.join(T, "learned.policy")
    log = os.path.join(T, "learn.json")
    st, out, err = sbx(["--learn", "--suggest-policy", pol, "--audit-log", log], code)
    ok(st == 0 and out.split() == ["ok"] * 4, "--learn: every would-be denial is performed",
       (st, out, err))
    ok("would have denied 4 distinct" in err, "--learn: a summary on stderr", err)
    recs, bad = records(log)
    ok(bad is None and sum(r.get("event") == "would-deny" for r in recs) == 4,
       "--learn: four would-deny records", recs)
    try:
        lines = [l for l in open(pol).read().splitlines() if l and not l.startswith("#")]
    except OSError as e:
        lines = []
        ok(False, "--suggest-policy wrote the file", e)
    ok(lines[:1] == ["sbx-policy 1"] and len(lines) == 5 and
       all(l.startswith("allow-unix-socket ") for l in lines[1:]),
       "the suggested policy: a header and one exact rule per target", lines)
    st, out, err = sbx(["--policy", pol], code)
    ok(st == 0 and out.split() == ["ok"] * 4, "the suggested policy lets the same run pass",
       (st, out, err))
    for i in range(len(lines)):
        cut = os.path.join(T, "cut%d.policy" % i)
        with open(cut, "w") as f:
            f.write("\n".join(lines[:i] + lines[i + 1:]) + "\n")
        st, out, err = sbx(["--policy", cut], code)
        ok(st != 0 or "EPERM" in out, "without line %d (%s) the run fails" % (i + 1, lines[i]),
           (st, out, err))


def policy_files():
    s = listen(os.path.join(T, "p.sock")).getsockname()
    main = os.path.join(T, "main.policy")
    with open(main, "w") as f:
        f.write("# top\nsbx-policy 1\ninclude sub/inc.policy\n")
    os.mkdir(os.path.join(T, "sub"))
    with open(os.path.join(T, "sub/inc.policy"), "w") as f:
        f.write("sbx-policy 1\nallow-unix-socket %s\n" % s)
    st, out, err = sbx(["--policy", main], CONNECT_ALL % ([s.encode()],))
    ok(st == 0 and out.split() == ["ok"], "a rule from an included policy file applies",
       (st, out, err))
    with open(os.path.join(T, "bad.policy"), "w") as f:
        f.write("sbx-policy 1\n\nallow-unix-socket-re /run/(x\n")
    st, out, err = sbx(["--policy", os.path.join(T, "bad.policy")], "print('ran')")
    ok(st == 125 and "bad.policy:3:" in err and "ran" not in out and
       "missing closing parenthesis" in err,
       "a pattern that does not compile: FILE:LINE:COL and PCRE2's message, exit 125", err)
    st, out, err = sbx(["--allow-unix-socket-re", "a[b"], "print('ran')")
    ok(st == 125 and "--allow-unix-socket-re:" in err and "ran" not in out,
       "the same on the command line names the flag", err)
    st, out, err = sbx(["--allow-unix-socket-re", os.path.dirname(s) + "/p\\.s.*"],
                       CONNECT_ALL % ([s.encode(), s.encode() + b"x"],))
    ok(st == 0 and out.split() == ["ok", "EPERM"] or out.split() == ["ok", "ENOENT"],
       "--allow-unix-socket-re: a full match allows, nothing else does", (st, out, err))
    p = subprocess.run([SBX, "--policy", main, "--print-policy"], capture_output=True)
    printed = os.path.join(T, "printed.policy")
    with open(printed, "wb") as f:
        f.write(p.stdout)
    q = subprocess.run([SBX, "--policy", printed, "--print-policy"], capture_output=True)
    ok(p.returncode == 0 and p.stdout == q.stdout and b"allow-unix-socket " + s.encode()
       in p.stdout, "--print-policy round-trips through --policy", (p.stdout, q.stdout))


def audit_enabled(value=None):
    """Kernel auditing on/off (AUDIT_GET, or AUDIT_SET when VALUE is given); None if unknown."""
    import struct
    try:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)  # NETLINK_AUDIT
        s.bind((0, 0))
        if value is None:
            s.send(struct.pack("=IHHII", 16, 1000, 1, 1, 0))  # AUDIT_GET
        else:
            body = struct.pack("=II", 1, value) + b"\0" * 32  # mask AUDIT_STATUS_ENABLED
            s.send(struct.pack("=IHHII", 16 + len(body), 1001, 1 | 4, 1, 0) + body)
        s.settimeout(2)
        while True:
            d = s.recv(8192)
            ty = struct.unpack("=H", d[4:6])[0]
            if value is not None and ty == 2:
                return value if struct.unpack("=i", d[16:20])[0] == 0 else None
            if ty == 1000:
                return struct.unpack("=I", d[20:24])[0]
    except OSError:
        return None


def landlock():
    import ctypes
    abi = ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1)
    what = "Landlock's own denial (mknod of a block device) joins the log"
    if abi < 7 or os.geteuid() != 0:
        skip(what, "needs root and Landlock ABI >= 7 (have %d)" % abi)
        st, out, err = sbx(["-v", "--audit-log", os.path.join(T, "ll0.json")], "pass")
        ok("Landlock denials are not in this log" in err, "--verbose says why not", err)
        return
    was = audit_enabled()
    if was is None or audit_enabled(1) is None:
        skip(what, "cannot turn kernel auditing on")
        return
    try:
        log = os.path.join(T, "ll.json")
        code = """
        import os, stat
        try:
            os.mknod(%r, stat.S_IFBLK | 0o600, os.makedev(7, 0))
            print("created")
        except OSError as e:
            print(e.errno)
        """ % os.path.join(T, "blk")
        # --explain=off: explained, the mknod is refused by sbx (a "source":"fs" record,
        # t-explain-fs) and never reaches Landlock
        st, out, err = sbx(["-v", "--explain=off", "--audit-log", log], code)
        recs, bad = records(log)
        ll = [r for r in recs if r.get("source") == "landlock"]
        ok(st == 0 and out.split() == ["13"] and len(ll) == 1 and
           ll[0].get("blockers") == "fs.make_block" and ll[0].get("errno") == "EACCES" and
           recs[-1].get("landlock_deny") == 1, what, (st, out, err, recs))
        ok("Landlock denials of this sandbox's domain are in this log" in err,
           "--verbose says Landlock denials are in the log", err)
    finally:
        audit_enabled(was)
    st, out, err = sbx(["-v", "--audit-log", os.path.join(T, "ll0.json")], "pass")
    if was == 0:
        ok("Landlock denials are not in this log: kernel auditing is off" in err,
           "with auditing off, --verbose says Landlock denials are not in the log", err)


def usage_errors():
    for opts, want, what in (
            (["--audit=most"], "--audit most: expected deny or all", "--audit with a bad mode"),
            (["--audit-fail=maybe"], "expected stop or ignore", "--audit-fail with a bad mode"),
            (["--suggest-policy", os.path.join(T, "x")], "--suggest-policy needs --learn",
             "--suggest-policy without --learn"),
            (["--audit-log", "/nonexistent/dir/log"], "--audit-log /nonexistent/dir/log",
             "an audit log that cannot be opened"),
            (["--audit-log", "fd:99"], "--audit-log fd:99", "fd:N that is not open"),
            (["--policy", "/nonexistent.policy"], "policy file /nonexistent.policy",
             "a missing policy file"),
            (["--learn", "--suggest-policy", "/nonexistent/dir/s.policy"],
             "--suggest-policy /nonexistent/dir/s.policy",
             "a --suggest-policy path that cannot be written, said before the command runs")):
        st, out, err = sbx(opts, "print('ran')")
        ok(st == 125 and want in err and "ran" not in out, what + ": exit 125 before running",
           (st, out, err))
    st, out, err = sbx(["--permissive", "--audit-log", "-"], "print('ran')")
    ok(st == 0 and '"event":"start"' in err and '"learn":true' in err,
       "--permissive is --learn; --audit-log - writes to stderr", err)


try:
    usage_errors()
    landlock()
    hostile()
    concurrency()
    disk_full()
    learn()
    policy_files()
finally:
    for s in servers:
        s.close()
    shutil.rmtree(T, ignore_errors=True)
print("1..%d" % n)
sys.exit(1 if failed else 0)
