#!/usr/bin/env python3
"""Run every benchmark configuration side by side and write bench/results/latest.{md,json,png}.

Configurations alternate within one run (round r runs them in an order rotated by r), so that
drift of a shared machine falls on all of them alike; every ratio reported is between numbers
measured in the same run. See doc/performance.md for the method and what each one means.
"""
import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
TRACED = "connect,bind,sendto,sendmsg,sendmmsg"  # what sbx's filter notifies

# (name, argv after the workload name, samples, batch) for a full run; quick divides batch.
MICRO = [
    ("getppid", [], 7, 20000),
    ("socket", [], 7, 4000),
    ("socketpair", [], 7, 1500),
    ("connect", ["{allow}"], 7, 600),
    ("connect-denied", ["{denied}"], 7, 800),
    ("sendto", ["{allow}"], 7, 800),
    ("sendmsg", [], 7, 800),
    ("tcp-connect", ["{port}"], 7, 300),
    ("files", ["{allow}"], 7, 600),
]
# Configurations measured on a few workloads only: the replace mode (pidfd_getfd refused) on
# the notified calls it performs (not sendmsg on a socketpair: a socket sbx holds no copy of,
# which the replace mode refuses by design), sbx --explain=off on the file writes it stops
# notifying, floor-fs on the same writes notified and continued unread (and "files" needs a
# writable tree, which bwrap, firejail and strace would give anyway).
ONLY = {"sbx-replace": {"connect", "connect-denied", "sendto", "tcp-connect"},
        "sbx-explain-off": {"files"}, "floor-fs": {"files"}}
FILES_CFGS = {"native", "bpf-only", "sbx", "sbx-explain-off", "floor-fs"}
# The agent's shell loop: this many short sandboxed commands per run, each its own sbx.
SHELL_LOOP_N = 50
# Startup and real workloads only: the fork+exec+wait floor of any wrapper
# (bench/sbx-bench-wrap.c).
STARTUP_FLOOR = "wrapper-floor"
# Runs of each real workload: the unit tests last ~55 ms, so a 3% target needs many samples
# of them to be told from noise (with 8, configurations without a supervisor ranged 0.95-1.05
# x native between runs; 24 cost ~15 s); a build lasts seconds, yet on a shared machine two
# builds of a configuration differed by up to 10%: six, each judged against native's build of
# the same round (the median of those ratios: a slow minute slows both), the peers three.
REAL_ROUNDS = {"unit-tests": (3, 24), "build": (0, 6), "shell-loop": (3, 10)}  # (quick, full)
REAL_PEER_ROUNDS = {"build": 3}
PEERS = ("ptrace", "bwrap", "firejail")
REAL_WORKLOADS = ("unit-tests", "build", "shell-loop")

LABELS = {
    "getppid": "getppid (never notified)",
    "socket": "socket(AF_UNIX) + close",
    "socketpair": "socketpair + write + read",
    "connect": "allowed AF_UNIX connect + accept",
    "connect-denied": "denied AF_UNIX connect",
    "sendto": "sendto with address (dgram) + recv",
    "sendmsg": "sendmsg on connected stream + read",
    "tcp-connect": "TCP connect to allowed 127.0.0.1",
    "files": "create + write + close + unlink a file (allowed dir)",
}


def log(msg, every=1):
    """The progress line: redrawn in place on a terminal, one line in 25 otherwise."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + msg.rstrip("\n") + ("\n" if msg.endswith("\n") else ""))
    elif every % 25 == 0 or msg.endswith("\n"):
        sys.stderr.write(msg.rstrip("\n") + "\n")
    sys.stderr.flush()


def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def close_fd3(fd):
    """Close @fd and the fd 3 it was duplicated to for a child (they may be the same)."""
    if fd != 3:
        os.close(fd)
    os.close(3)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Bench:
    def __init__(self, a):
        self.a = a
        self.quick = a.quick
        self.build = a.build
        self.bench = os.path.join(a.build, "bench", "sbx-bench")
        self.launch = os.path.join(a.build, "bench", "sbx-bench-launch")
        self.wrap = os.path.join(a.build, "bench", "sbx-bench-wrap")
        self.deny = os.path.join(a.build, "tests", "helpers", "deny")
        self.sbx = os.path.join(a.build, "sbx-supervise")
        self.tmp = tempfile.mkdtemp(prefix="sbx-bench-")
        self.allow = os.path.join(self.tmp, "allow")
        os.mkdir(self.allow)
        self.denied = os.path.join(self.tmp, "denied.sock")
        s = socket.socket(socket.AF_UNIX)
        s.bind(self.denied)  # a socket file nobody listens on, outside the allowlist
        s.close()
        self.bpf_file = os.path.join(self.tmp, "filter.bpf")
        self.bpf_tcp_file = os.path.join(self.tmp, "filter-tcp.bpf")
        self.skipped = {}
        self.notes = []
        self.server = None
        self.port = None
        self.results = {}  # workload -> config -> list of per-iteration ns
        # "threads N" -> config -> list of (calls/s, min share, CPU us per call, CPUs busy)
        self.tput = {}
        self.startup = {}
        self.startup_rounds = {}  # per configuration: {round: [samples]}, for paired ratios
        self.real = {}
        self.real_rounds_of = {}  # per workload and configuration: {round: [samples]}
        self.start_tcp_server()

    # --- configurations -------------------------------------------------------------------
    def start_tcp_server(self):
        pf = os.path.join(self.tmp, "port")
        self.server = subprocess.Popen([self.bench, "serve-tcp", pf], stdout=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(pf) and open(pf).read().strip():
                self.port = int(open(pf).read())
                return
            time.sleep(0.01)
        raise SystemExit("sbx bench: the TCP helper did not start")

    def sbx_prefix(self, binary=None, tcp=False):
        # The workloads bind their own servers in the allowed directory, and the real ones
        # build into a copy of the project and write temporary files: with the Landlock
        # default (nothing writable) they get the temporary directory, as a user's test
        # suite or build would be given its trees.
        p = [binary or self.sbx, "-q", "--allow-unix-socket", self.allow + "/", "--rw",
             tempfile.gettempdir()]
        if tcp and self.sbx_tcp:
            p += ["--allow-connect", "tcp:127.0.0.1:%d" % self.port]
        return p + ["--"]

    def prefix(self, cfg, tcp=False):
        """The argv that runs a command under @cfg (None: cannot run it)."""
        t = ["--tcp"] if tcp else []
        if cfg == "native":
            return []
        if cfg == STARTUP_FLOOR:
            return [self.wrap]
        if cfg == "bpf-only":
            return [self.launch] + t + ["bpf-only", "--"]
        if cfg == "sbx":
            return self.sbx_prefix(tcp=tcp)
        if cfg in self.alts:
            return self.sbx_prefix(self.alts[cfg], tcp=tcp)
        if cfg == "floor":
            return [self.launch] + t + ["floor", "--"]
        if cfg == "floor-sync":
            return [self.launch] + t + ["floor", "--sync", "--"]
        if cfg == "floor-judge":
            return [self.launch] + t + ["floor", "--sync", "--judge", "--"]
        if cfg == "floor-fs":
            # floor-sync notifying the writes sbx notifies to explain (the filter's fs bit)
            return [self.launch] + t + ["floor", "--sync", "--fs", "--"]
        if cfg == "sbx-replace":
            # a seccomp filter refusing pidfd_getfd, as a container's default profile does:
            # sbx performs on sockets of its own and installs them with NOTIF_ADDFD
            return [self.deny, "pidfd_getfd", "--"] + self.sbx_prefix(tcp=tcp)
        if cfg == "sbx-explain-off":
            return self.sbx_prefix(tcp=tcp)[:-1] + ["--explain=off", "--"]
        if cfg == "ptrace":
            return ["strace", "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e",
                    "trace=" + TRACED, "--"]
        if cfg == "bwrap":
            # fd 3: the bpf-only program, so bwrap blocks the same socket families.
            return ["bwrap", "--dev-bind", "/", "/", "--die-with-parent", "--seccomp", "3", "--"]
        if cfg == "firejail":
            return ["firejail", "--quiet", "--noprofile", "--protocol=unix,netlink" +
                    (",inet" if tcp else ""), "--"]
        raise KeyError(cfg)

    def run(self, cfg, argv, tcp=False, timeout=120, env=None):
        pre = self.prefix(cfg, tcp)
        fds = ()
        fd = -1
        if cfg == "bwrap":
            fd = os.open(self.bpf_tcp_file if tcp else self.bpf_file, os.O_RDONLY)
            os.dup2(fd, 3, inheritable=True)
            fds = (3,)
        # CPU time of every process of the run (all are waited for by their parents), for
        # the CPU each throughput call costs and how many CPUs were kept busy.
        ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        try:
            p = subprocess.run(pre + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=timeout, pass_fds=fds, cwd=self.tmp,
                               env=env)
        except subprocess.TimeoutExpired:
            return None, "timed out after %ds" % timeout
        finally:
            if fd >= 0:
                close_fd3(fd)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_cpu = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime,
                         time.monotonic() - t0)
        if p.returncode != 0:
            why = (p.stdout.strip().splitlines() or [""])[-1]
            err = [l for l in p.stderr.strip().splitlines() if "warning" not in l]
            return None, "exit %d: %s %s" % (p.returncode, why, (err or [""])[-1])
        return p.stdout, None

    def probe(self):
        subprocess.run([self.launch, "export-bpf", self.bpf_file], check=True)
        subprocess.run([self.launch, "--tcp", "export-bpf", self.bpf_tcp_file], check=True)
        self.alts = dict(a.split("=", 1) for a in self.a.alt)
        cand = ["native", "bpf-only", "sbx"] + list(self.alts) + \
            ["floor", "floor-sync", "floor-judge", "sbx-replace", "sbx-explain-off",
             "floor-fs", "ptrace", "bwrap", "firejail"]
        self.configs = []
        self.sbx_tcp = False
        for c in cand:
            if c == "ptrace" and not shutil.which("strace"):
                self.skipped[c] = "strace is not installed (apt-get install strace)"
                continue
            if c == "sbx-replace" and not os.access(self.deny, os.X_OK):
                self.skipped[c] = "no %s (make tests builds it)" % self.deny
                continue
            if c == "sbx-explain-off":
                p = subprocess.run(self.prefix(c) + ["/bin/true"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=30)
                if p.returncode != 0:
                    self.skipped[c] = "skipped: sbx lacks --explain (%s)" % (
                        p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[0]
                    continue
            if c in ("bwrap", "firejail") and not shutil.which(c):
                self.skipped[c] = "%s is not installed (apt-get install %s)" % (
                    c, "bubblewrap" if c == "bwrap" else c)
                continue
            out, err = self.run(c, [self.bench, "getppid", "1", "10"], timeout=30)
            if out is None or not out.startswith("samples"):
                self.skipped[c] = "cannot run here: %s" % (err or out.strip())
                continue
            self.configs.append(c)
        # TCP connect to an allowed loopback endpoint needs --allow-connect in sbx.
        p = subprocess.run([self.sbx, "-q", "--allow-connect", "tcp:127.0.0.1:%d" % self.port,
                            "--", self.bench, "tcp-connect", "1", "5", str(self.port)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        if p.returncode == 125:
            self.tcp_skip = "skipped: sbx lacks --allow-connect (%s)" % (
                p.stderr.strip().splitlines() or ["refused"])[-1]
        elif not p.stdout.startswith("samples"):
            self.tcp_skip = ("skipped: sbx lacks --allow-connect (the option is parsed, but an "
                             "allowed loopback connect fails: %s)" % p.stdout.strip())
        else:
            self.tcp_skip = None
            self.sbx_tcp = True

    # --- the runs -------------------------------------------------------------------------
    def order(self, r, cfgs):
        k = r % len(cfgs)
        return cfgs[k:] + cfgs[:k]

    def plan(self):
        rounds = self.a.rounds or (2 if self.quick else 5)
        div = 4 if self.quick else 1
        steps = []
        for r in range(rounds):
            for (w, args, samples, batch) in MICRO:
                for c in self.order(r, [x for x in self.configs if self.measures(w, x)]):
                    steps.append(("micro", r, w, c, args, samples if not self.quick else 4,
                                  max(batch // div, 20)))
            # Start-up before the throughput runs, whose 32 clients leave the machine busy
            # for a while after they end; twice, in two orders, for more pairs per round.
            starters = [x for x in self.configs + [STARTUP_FLOOR]
                        if x not in ONLY and x != "floor-judge"]
            for c in self.order(r, starters) + self.order(r + 1, starters)[::-1]:
                steps.append(("startup", r, "startup", c, None, None, None))
            for kind in ("threads", "procs"):
                for n in ((1, 2) if self.quick else (1, 2, 8, 32)):
                    for c in self.order(r, [x for x in self.configs
                                            if x in ("native", "sbx", "floor", "floor-sync",
                                                     "ptrace") or x in self.alts or
                                            (x == "floor-judge" and n <= 2)]):
                        steps.append(("tput", r, "%s %d" % (kind, n), c, None, None, None))
        real_cfgs = [c for c in self.configs if c in ("native", "sbx", "bpf-only")] \
            if self.quick else [c for c in self.configs if c not in
                                ("floor-sync", "floor-judge", "sbx-replace")]
        real_cfgs.append(STARTUP_FLOOR)
        self.real_rounds = {w: n[0 if self.quick else 1] for w, n in REAL_ROUNDS.items()}
        for r in range(max(self.real_rounds.values())):
            for w in REAL_WORKLOADS:
                if r < self.real_rounds[w]:
                    for c in self.order(r, [c for c in real_cfgs if self.real_measures(w, c)
                                            and not (c in PEERS and
                                                     r >= REAL_PEER_ROUNDS.get(w, r + 1))]):
                        steps.append(("real", r, w, c, None, None, None))
        return rounds, steps

    def measures(self, w, c):
        """Whether micro-workload @w runs under configuration @c."""
        if c in ONLY:
            return w in ONLY[c]
        if w == "files":
            return c in FILES_CFGS or c in self.alts
        return True

    def real_measures(self, w, c):
        # --explain=off matters to writes: the build; the shell loop wraps each command, which
        # the peers (bwrap's fd 3, firejail's seconds) and the floors are not made for.
        if c in ("sbx-explain-off", "floor-fs"):
            return w == "build"
        if w == "shell-loop":
            return c in ("native", "bpf-only", "sbx", STARTUP_FLOOR) or c in self.alts
        return True

    def do_micro(self, w, c, args, samples, batch):
        tcp = w == "tcp-connect"
        if tcp and self.tcp_skip and c in ("sbx", "sbx-replace") + tuple(self.alts):
            return
        argv = [self.bench, w, str(samples), str(batch)] + [
            x.format(allow=self.allow, denied=self.denied, port=self.port) for x in args]
        out, err = self.run(c, argv, tcp=tcp)
        if out is None or not out.startswith("samples"):
            self.notes.append("%s under %s: %s" % (w, c, err or out.strip()))
            return
        self.results.setdefault(w, {}).setdefault(c, []).extend(
            float(x) for x in out.split()[1:])

    def do_tput(self, w, c):
        kind, n = w.split()
        ms = 100 if self.quick else 300
        out, err = self.run(c, [self.bench, "tput", "0", "0", kind, n, str(ms)])
        if out is None or not out.startswith("tput"):
            self.notes.append("tput %s under %s: %s" % (w, c, err or out.strip()))
            return
        v = out.split()
        total, elapsed, per = int(v[1]), float(v[2]), [int(x) for x in v[3:]]
        mean = total / len(per)
        cpu, wall = self.last_cpu
        self.tput.setdefault(w, {}).setdefault(c, []).append(
            (total / (elapsed / 1000.0), min(per) / mean if mean else 0.0,
             cpu * 1e6 / total if total else 0.0, cpu / wall if wall else 0.0))

    def do_startup(self, c, r=0):
        env = None
        if c == "native":
            cmd = ["/bin/true"]
        elif c == STARTUP_FLOOR:
            cmd = [self.wrap, "/bin/true"]
        elif c == "bwrap":
            # The spawner opens the program as fd 3 in each child: bwrap alone is timed.
            cmd = ["bwrap", "--dev-bind", "/", "/", "--seccomp", "3", "--", "/bin/true"]
            env = dict(os.environ, SBX_BENCH_FD3=self.bpf_file)
        else:
            cmd = self.prefix(c) + ["/bin/true"]
        n = 3 if c == "firejail" else (5 if self.quick else 20)
        out, err = self.run("native", [self.bench, "spawn", "3", str(n), "--"] + cmd, env=env)
        if out is None or not out.startswith("samples"):
            self.notes.append("startup under %s: %s" % (c, err or out.strip()))
            return
        got = [float(x) for x in out.split()[1:]]
        self.startup.setdefault(c, []).extend(got)
        self.startup_rounds.setdefault(c, {}).setdefault(r, []).extend(got)

    def real_cmd(self, w, c=None):
        if w == "shell-loop":
            # An agent's shell loop: many short commands, each started under its own
            # wrapper (for native, none); the loop itself runs bare in every configuration.
            pre = [self.wrap] if c == STARTUP_FLOOR else self.prefix(c)
            return ["sh", "-c", 'for i in $(seq %d); do "$@" sh -c "echo x | wc -c" '
                    '>/dev/null || exit 1; done' % SHELL_LOOP_N, "sh"] + pre
        if w == "build":
            return ["sh", "-c", "rm -rf b && make -s -j2 BUILD=b all >/dev/null 2>&1"]
        # one folder per stage (tests/unit/caller/, ...)
        tests = sorted(os.path.join(d, t)
                       for d, _, files in os.walk(os.path.join(self.build, "tests", "unit"))
                       for t in files if t.endswith(".t"))
        return ["sh", "-c", 'for t in "$@"; do "$t" >/dev/null || exit 1; done', "sh"] + tests

    def do_real(self, w, c, r):
        argv = self.real_cmd(w, c)
        pre = [] if w == "shell-loop" else self.prefix(c)
        fd = -1
        if c == "bwrap":
            fd = os.open(self.bpf_file, os.O_RDONLY)
            os.dup2(fd, 3, inheritable=True)
        t0 = time.perf_counter()
        p = subprocess.run(pre + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True, cwd=self.srccopy, pass_fds=(3,) if fd >= 0 else ())
        dt = time.perf_counter() - t0
        if fd >= 0:
            close_fd3(fd)
        if p.returncode != 0:
            self.notes.append("%s under %s: exit %d %s" % (w, c, p.returncode,
                                                           p.stderr.strip()[-200:]))
            return
        self.real.setdefault(w, {}).setdefault(c, []).append(dt * 1e9)
        self.real_rounds_of.setdefault(w, {}).setdefault(c, {}).setdefault(r, []).append(
            dt * 1e9)

    def execute(self):
        self.load_before = loadavg()
        self.srccopy = os.path.join(self.tmp, "src")
        shutil.copytree(SRC, self.srccopy, ignore=shutil.ignore_patterns(
            "build", ".git", "results", "b"))
        rounds, steps = self.plan()
        t0 = time.time()
        for i, (kind, r, w, c, args, samples, batch) in enumerate(steps):
            log("sbx bench: [%d/%d] round %d/%d  %-16s %-10s  %.0fs" % (
                i + 1, len(steps), r + 1, self.real_rounds[w] if kind == "real" else rounds, w, c,
                time.time() - t0), i + 1)
            if kind == "micro":
                self.do_micro(w, c, args, samples, batch)
            elif kind == "tput":
                self.do_tput(w, c)
            elif kind == "startup":
                self.do_startup(c, r)
            else:
                self.do_real(w, c, r)
        log("sbx bench: %d runs in %.0fs\n" % (len(steps), time.time() - t0))
        self.elapsed = time.time() - t0
        self.rounds = rounds
        self.load_after = loadavg()

    # --- host names (issue 16) -------------------------------------------------------------
    def hostname_bench(self):
        """TCP connect under --net isolated, by name (sbx's DNS gives a synthetic address,
        mapped back at each connect) against by address, alternating. The name is put in a
        private /etc/hosts for sbx: a mount namespace (root), or a user namespace's."""
        self.hostname = {}
        hosts = os.path.join(self.tmp, "hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n127.0.0.1 bench.sbx.test\n")
        samples, batch = (3, 100) if self.quick else (7, 300)
        base = [self.sbx, "-q", "--net", "isolated"]
        cfgs = {
            "by address": base + ["--allow-connect", "127.0.0.1:%d" % self.port, "--",
                                  self.bench, "tcp-connect", str(samples), str(batch),
                                  str(self.port)],
            "by name": base + ["--allow-connect", "bench.sbx.test:%d" % self.port, "--",
                               self.bench, "tcp-connect", str(samples), str(batch),
                               str(self.port), "bench.sbx.test"],
        }
        wrap = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
        for r in range(3 if self.quick else 5):
            for name in (list(cfgs) if r % 2 == 0 else list(reversed(list(cfgs)))):
                argv = wrap + ["sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"',
                               hosts] + cfgs[name]
                try:
                    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, timeout=120, cwd=self.tmp)
                except (OSError, subprocess.TimeoutExpired) as e:
                    self.hostname_skip = str(e)
                    return
                if p.returncode != 0 or not p.stdout.startswith("samples"):
                    self.hostname_skip = "exit %d: %s" % (p.returncode, (
                        p.stderr.strip().splitlines() or [p.stdout.strip()])[-1])
                    return
                self.hostname.setdefault(name, []).extend(
                    float(x) for x in p.stdout.split()[1:])
        self.hostname_skip = None

    # --- profile --------------------------------------------------------------------------
    def profile(self):
        """Where the supervisor's time goes in an allowed and a denied connect."""
        prof = {"tool": None, "per_call_syscalls": {}, "top": {}}
        perf_ok = False
        if shutil.which("perf"):
            p = subprocess.run(["perf", "stat", "-e", "instructions", "true"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            perf_ok = p.returncode == 0 and "not supported" not in p.stderr
            prof["perf_stat_instructions"] = "works" if perf_ok else \
                "not supported in this VM (no PMU): sampled on cpu-clock instead"
            q = subprocess.run(["perf", "record", "-e", "cpu-clock", "-o", "/dev/null", "true"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            perf_ok = perf_ok or q.returncode == 0
        iters = 1000 if self.quick else 4000
        ncalls = iters + iters // 8 + 1  # sbx-bench's warm-up, then the batch
        prof["per_call_events"] = {}
        for w, args in (("connect", [self.allow]), ("connect-denied", [self.denied])):
            # Syscalls the supervisor makes per call: strace attached to it alone (its
            # threads), while the command runs, so the command's own calls are not counted.
            for cfg in ("sbx", "sbx-replace", "floor-sync", "floor-judge"):
                if cfg not in self.configs or not shutil.which("strace"):
                    continue
                out = os.path.join(self.tmp, "strace-%s-%s" % (cfg, w))
                sb = subprocess.Popen(self.prefix(cfg) + [
                    "sh", "-c", 'sleep 0.5; exec "$@"', "sh", self.bench, w, "1", str(iters)] +
                    args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp)
                time.sleep(0.1)
                st = subprocess.Popen(["strace", "-f", "-c", "-o", out, "-p", str(sb.pid)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                sb.wait()
                st.send_signal(signal.SIGINT)
                st.wait()
                calls = {}
                for line in open(out):
                    f = line.split()
                    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
                        calls[f[-1]] = int(f[3])
                counts = {k: round(v / ncalls, 2) for k, v in calls.items()
                          if v >= ncalls / 2}
                prof["per_call_syscalls"].setdefault(cfg, {})[w] = counts
            # Wake-ups and CPU migrations per call, every process of the run (perf stat).
            for cfg in ("native", "sbx", "sbx-replace", "floor-sync", "floor-judge"):
                if cfg not in self.configs or not perf_ok:
                    continue
                p = subprocess.run(["perf", "stat", "-x,", "-e",
                                    "context-switches,cpu-migrations,task-clock", "--"] +
                                   self.prefix(cfg) + [self.bench, w, "1", str(iters)] + args,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   cwd=self.tmp)
                row = {}
                for line in p.stderr.splitlines():
                    f = line.split(",")
                    if len(f) > 2 and f[2] in ("context-switches", "cpu-migrations",
                                               "task-clock"):
                        try:
                            row[f[2]] = float(f[0]) / ncalls
                        except ValueError:
                            pass
                if row:
                    prof["per_call_events"].setdefault(w, {})[cfg] = row
            if perf_ok and not self.quick:
                data = os.path.join(self.tmp, "perf-%s.data" % w)
                subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "10000", "-g",
                                "-o", data, "--"] + self.sbx_prefix() +
                               [self.bench, w, "3", str(iters // 3)] + args,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--children",
                                      "--comm", "sbx-supervise", "--sort", "sym", "-g", "none",
                                      "--percent-limit", "1.5"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
                lines = [l.rstrip() for l in rep.stdout.splitlines()
                         if l.strip() and not l.startswith("#")]
                prof["top"][w] = lines[:30]
                prof["tool"] = "perf record -e cpu-clock -g (supervisor threads, children)"
        prof["startup"] = self.profile_startup(perf_ok)
        return prof

    def profile_startup(self, perf_ok):
        """Where a start goes: page faults and CPU per spawn of /bin/true alone, under the
        wrapper floor and under sbx; the syscalls sbx makes; its hottest symbols."""
        out = {"per_start": {}, "syscalls": {}, "top": []}
        runs = "5" if self.quick else "30"
        for c in ("native", STARTUP_FLOOR, "sbx"):
            if not perf_ok:
                break
            p = subprocess.run(["perf", "stat", "-x,", "-r", runs, "-e",
                                "page-faults,task-clock", "--"] + self.prefix(c) + ["/bin/true"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            row = {}
            for line in p.stderr.splitlines():
                f = line.split(",")
                if len(f) > 2 and f[2] in ("page-faults", "task-clock"):
                    try:
                        row[f[2]] = float(f[0])
                    except ValueError:
                        pass
            if row:
                out["per_start"][c] = row
        if shutil.which("strace"):
            f = os.path.join(self.tmp, "strace-startup")
            subprocess.run(["strace", "-f", "-c", "-o", f] + self.prefix("sbx") + ["/bin/true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for line in open(f):
                g = line.split()
                if len(g) >= 5 and g[0][0].isdigit() and g[-1] != "total":
                    out["syscalls"][g[-1]] = int(g[3])
        if perf_ok and not self.quick:
            data = os.path.join(self.tmp, "perf-startup.data")
            loop = " ".join(shlex.quote(a) for a in self.prefix("sbx") + ["/bin/true"])
            subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "20000", "-g",
                            "-o", data, "--", "sh", "-c", "for i in $(seq 100); do %s; done" % loop],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # Shares of sbx-supervise's own samples (kernel and user), from the per-command
            # and per-command-and-symbol reports.
            def report(sort, limit):
                r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                    "--sort", sort, "-g", "none", "--percent-limit", limit],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                return [l.split() for l in r.stdout.splitlines()
                        if l.strip() and not l.startswith("#")]
            total = sum(float(f[0].rstrip("%")) for f in report("comm", "0")
                        if len(f) >= 2 and f[1] == "sbx-supervise")
            for f in report("comm,sym", "0.3"):
                if total and len(f) >= 4 and f[1] == "sbx-supervise":
                    share = 100 * float(f[0].rstrip("%")) / total
                    if share >= 1.0:
                        out["top"].append("%6.2f%%  %s %s" % (share, f[2], " ".join(f[3:])))
            out["top"] = out["top"][:25]
        return out


# --- report ---------------------------------------------------------------------------------
def stats(v):
    return {"median_ns": statistics.median(v), "p10_ns": pct(v, 10), "p90_ns": pct(v, 90),
            "n": len(v)}


def fmt_us(ns):
    return "%.2f" % (ns / 1000.0)


def tput_why(T, kind):
    """Why two clients do not reach 1.5 x one client's rate, from the floors of the same run."""
    def gain(c):
        r = {int(w.split()[1]): T[w][c]["calls_per_s"] for w in T
             if w.startswith(kind) and c in T[w]}
        return r[2] / r[1] if 1 in r and 2 in r else None

    rows = {int(w.split()[1]): T[w]["sbx"] for w in T if w.startswith(kind) and "sbx" in T[w]}
    why = ""
    if 1 in rows and 2 in rows:
        one, two = rows[1], rows[2]
        why = ("One client keeps %.2f CPUs busy at %.1f us of CPU per call (the caller and its "
               "worker take turns on one CPU); two keep %.2f CPUs busy at %.1f us per call. " % (
                   one["cpus_busy"], one["cpu_us_per_call"], two["cpus_busy"],
                   two["cpu_us_per_call"]))
    why += ("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, which sbx sets, wakes the worker on the "
            "caller's CPU and the caller on the worker's, so callers on two CPUs are drawn "
            "onto one, and every idle worker is woken for each notification")
    g = [(c, gain(c)) for c in ("floor-sync", "floor-judge", "floor") if gain(c)]
    if g:
        why += ("; with 2 clients in this run the kernel's round trip alone gains %s" % ", ".join(
            "%.2f x (%s)" % (v, c) for c, v in g))
        fs = dict(g).get("floor-sync")
        if fs and fs < 1.5:
            why += ("; out of reach: floor-sync, with the wake-up sbx sets and no work per "
                    "call, already gains less than 1.5 x")
    return why + (". Without the flag sbx's one-client rate falls by about a third "
                  "(doc/performance.md)")


def paired(tab, rounds, ref):
    """Each configuration of @tab against @ref round by round: the median of the rounds'
    ratios of medians (@rounds: {configuration: {round: samples}}), as "paired_ratio" and
    "pairs". The runs of a round are alternated with @ref's, so a slow stretch of the shared
    machine slows both: it moves this far less than the ratio of the two overall medians."""
    base = rounds.get(ref, {})
    for c, by_round in rounds.items():
        pairs = [statistics.median(v) / statistics.median(base[r])
                 for r, v in by_round.items() if base.get(r)]
        if pairs and c in tab:
            tab[c]["paired_ratio"] = statistics.median(pairs)
            tab[c]["pairs"] = len(pairs)
            tab[c]["pair_range"] = (min(pairs), max(pairs))


def report(b, prof):
    S = {w: {c: stats(v) for c, v in cs.items()} for w, cs in b.results.items()}
    ST = {c: stats(v) for c, v in b.startup.items()}
    paired(ST, b.startup_rounds, STARTUP_FLOOR)
    R = {w: {c: stats(v) for c, v in cs.items()} for w, cs in b.real.items()}
    for w in R:
        paired(R[w], b.real_rounds_of.get(w, {}), "native")
    T = {w: {c: {"calls_per_s": statistics.median(x[0] for x in v),
                 "min_share": min(x[1] for x in v),
                 "cpu_us_per_call": statistics.median(x[2] for x in v),
                 "cpus_busy": statistics.median(x[3] for x in v)} for c, v in cs.items()}
         for w, cs in b.tput.items()}

    def med(tab, w, c):
        try:
            return tab[w][c]["median_ns"]
        except KeyError:
            return None

    targets = []

    def target(name, ok, measured, goal, why=""):
        if ok is None:
            targets.append({"target": name, "result": "n/a", "measured": measured,
                            "goal": goal, "why": why})
        else:
            targets.append({"target": name, "result": "PASS" if ok else "FAIL",
                            "measured": measured, "goal": goal, "why": "" if ok else why})

    # Issue 18: targets against the kernel's best round trip, floor-sync (the floor with the
    # sync wake-up sbx itself sets), with floor-judge (floor-sync plus the kernel work of
    # reading, validating and resolving the address) to show what no judging supervisor can
    # avoid. Secondary comparisons follow, named so.
    for w in ("getppid", "socket", "socketpair"):
        s, f, nat = med(S, w, "sbx"), med(S, w, "bpf-only"), med(S, w, "native")
        if s and f:
            target("never-notified %s: sbx <= 1.05 x bpf-only" % w, s / f <= 1.05,
                   "%.3f x" % (s / f), "<= 1.05 x",
                   "by %.0f%%: these calls never reach the supervisor and the same BPF program "
                   "decides them in both, so the difference is the other engineers' load (see "
                   "p10/p90)%s" % (100 * (s / f - 1.05), "; in the same run native is %.3f x "
                                   "bpf-only" % (nat / f) if nat else ""))
    pc = prof.get("per_call_syscalls", {})

    def sysc(w, cfg="sbx"):
        c = (pc.get(cfg) or {}).get(w) or {}
        return "%g syscalls per call (%s)" % (
            round(sum(c.values()), 1), ", ".join("%s %g" % kv for kv in sorted(
                c.items(), key=lambda kv: -kv[1]))) if c else "see the profile"

    def judge_why(added, goal, fs, fj, base=0.0):
        """What floor-judge costs against floor-sync: out of reach, or the gap that is sbx's."""
        if not fj:
            return "floor-judge not measured"
        rj = (fj - base) / (fs - base)
        head = ("floor-judge, the kernel's own cost of reading, validating and resolving the "
                "address (no decision, no performing), %s %.2f x floor-sync's (%s us against "
                "%s us)" % ("adds" if added else "is", rj, fmt_us(fj - base), fmt_us(fs - base)))
        if rj > goal:
            return "out of reach: " + head + ", already above the %.2f x goal" % goal
        return head + ", within the goal: the rest is sbx's own (the floor-judge line)"

    n, s, fs, fj, p = (med(S, "connect", c) for c in
                       ("native", "sbx", "floor-sync", "floor-judge", "ptrace"))
    if n and s and fs:
        r = (s - n) / (fs - n)
        target("allowed AF_UNIX connect: (sbx - native) <= 1.5 x (floor-sync - native)",
               r <= 1.5, "%.2f x (sbx +%s us, floor-sync +%s us)" % (
                   r, fmt_us(s - n), fmt_us(fs - n)), "<= 1.5 x",
               "by %s us per connect: %s" % (fmt_us((s - n) - 1.5 * (fs - n)),
                                             judge_why(True, 1.5, fs, fj, n)))
    if n and s and fj:
        r = (s - n) / (fj - n)
        target("allowed AF_UNIX connect: (sbx - native) <= 1.5 x (floor-judge - native)",
               r <= 1.5, "%.2f x (floor-judge +%s us)" % (r, fmt_us(fj - n)), "<= 1.5 x",
               "by %s us per connect, sbx's own: beyond floor-judge the supervisor takes the "
               "caller's socket (pidfd_getfd), connects it itself through "
               "/proc/thread-self/fd/N to the pinned inode and closes it; in all %s" % (
                   fmt_us((s - n) - 1.5 * (fj - n)), sysc("connect")))
    dn, ds, dfs, dfj = (med(S, "connect-denied", c) for c in
                        ("native", "sbx", "floor-sync", "floor-judge"))
    if ds and dfs:
        target("denied connect: sbx <= 1.15 x floor-sync", ds / dfs <= 1.15,
               "%.2f x (%s us vs %s us)" % (ds / dfs, fmt_us(ds), fmt_us(dfs)), "<= 1.15 x",
               "by %s us: %s" % (fmt_us(ds - 1.15 * dfs), judge_why(False, 1.15, dfs, dfj)))
    if ds and dfj:
        target("denied connect: sbx <= 1.15 x floor-judge", ds / dfj <= 1.15,
               "%.2f x (floor-judge %s us)" % (ds / dfj, fmt_us(dfj)), "<= 1.15 x",
               "by %s us, sbx's own: beyond floor-judge the supervisor takes the caller's "
               "socket (pidfd_getfd) and checks its type (fstat); in all %s" % (
                   fmt_us(ds - 1.15 * dfj), sysc("connect-denied")))
    t, sb, bw, wf = (ST.get(c, {}).get("median_ns")
                     for c in ("native", "sbx", "bwrap", STARTUP_FLOOR))
    if sb and wf:
        sr = ST["sbx"].get("paired_ratio") or sb / wf
        target("startup: sbx <= 1.2 x %s" % STARTUP_FLOOR, sr <= 1.2,
               "%.2f x (median of %d rounds' ratios; medians %.2f ms vs %.2f ms)" % (
                   sr, ST["sbx"].get("pairs", 0), sb / 1e6, wf / 1e6), "<= 1.2 x",
               "by %.2f ms: between its own start and the command's execve sbx makes the "
               "sandbox's TMPDIR (an ext4 mkdir here), plans the Landlock rules (a stat per "
               "rule path, the stdio files), probes pidfd_getfd and process_vm_readv and, in "
               "the child, creates and enters the Landlock domain, drops the capabilities "
               "(one prctl per capability as root) and loads the seccomp filter (the kernel "
               "JIT-compiles it: ~0.1-0.15 ms in this VM); at exit it removes the TMPDIR "
               "(%s; where it goes: Profile, where a start goes, and doc/performance.md)"
               % ((sr - 1.2) * wf / 1e6, "/bin/true alone %.2f ms" % (t / 1e6) if t else ""))

    def rratio(w, c):
        """@c's run against native's of the same round (median of the rounds' ratios)."""
        try:
            return R[w][c].get("paired_ratio") or R[w][c]["median_ns"] / R[w]["native"][
                "median_ns"]
        except KeyError:
            return None

    for w in sorted(R):
        nn, ss, bb = med(R, w, "native"), med(R, w, "sbx"), med(R, w, "bpf-only")
        ww = med(R, w, STARTUP_FLOOR)
        if not (nn and ss):
            continue
        rs = rratio(w, "sbx")
        extra = (rs - 1) * nn
        why = "by %.1f%% (%.1f ms per run; the run lasts %.0f ms)" % (
            100 * (rs - 1.03), extra / 1e6, nn / 1e6)
        if w == "shell-loop":
            why += ("; %d commands, each started under its own sbx: %.2f ms more per command" %
                    (SHELL_LOOP_N, extra / SHELL_LOOP_N / 1e6))
            if ww:
                why += ("; %s around each command, which only forks, executes and waits, "
                        "costs %.3f x native in the same run (%.2f ms per command)%s" % (
                            STARTUP_FLOOR, rratio(w, STARTUP_FLOOR),
                            (rratio(w, STARTUP_FLOOR) - 1) * nn / SHELL_LOOP_N / 1e6,
                            ", so the target is out of reach of any wrapper that stays its "
                            "command's parent; sbx is %.3f x that" % (
                                rs / rratio(w, STARTUP_FLOOR))
                            if rratio(w, STARTUP_FLOOR) > 1.03 else ""))
        else:
            start = (sb - t) if (t and sb) else None
            if start is not None:
                why += (": sbx's start-up takes %.1f ms more than /bin/true alone (see "
                        "startup), %s" % (start / 1e6, "as much as it adds in all"
                                          if start >= extra else "most of what it adds"
                                          if start >= 0.5 * extra else "part of what it adds"))
            if wf and t and wf - t > 0.03 * nn:
                why += ("; the 3%% budget, %.2f ms, is less than the start-up of %s alone "
                        "(+%.2f ms over /bin/true), so no wrapper can be expected to meet it "
                        "on a run this short" % (0.03 * nn / 1e6, STARTUP_FLOOR, (wf - t) / 1e6))
            eo = rratio(w, "sbx-explain-off")
            if eo:
                # What explaining costs a build (issue 15; doc/performance.md, Where the
                # time goes now): every write is notified and judged.
                why += ("; sbx-explain-off, the same sbx with no write notified, %.3f x: "
                        "--explain (the default) notifies every write the build makes "
                        "(mkdir -p, the compilers' outputs and temporary files, rm) to judge "
                        "it, so a refusal can be explained" % eo)
                ff = rratio(w, "floor-fs")
                if ff:
                    why += ("; floor-fs, the kernel's round trip for the same writes "
                            "(notified and continued unread, no Landlock), %.3f x" % ff)
            rest = ["%s %.3f x" % (c, rratio(w, c)) for c, v in (("bpf-only", bb),
                                                                  (STARTUP_FLOOR, ww)) if v]
            if rest:
                why += ("; %s vary as much: in the same run %s, neither of which has a "
                        "supervisor" % ("runs this short" if nn < 1e9 else "runs",
                                        " and ".join(rest)))
        lo, hi = R[w]["sbx"].get("pair_range", (None, None))
        target("real workload %s: sbx <= 1.03 x native" % w, rs <= 1.03,
               "%.3f x (median of %d runs, each against native's of its round%s; ratio of "
               "the medians %.3f x)" % (
                   rs, R[w]["sbx"].get("pairs", 0),
                   ", from %.3f to %.3f" % (lo, hi) if lo is not None else "", ss / nn),
               "<= 1.03 x", why)
    for kind in ("threads", "procs"):
        rates = {int(w.split()[1]): T[w]["sbx"]["calls_per_s"] for w in T
                 if w.startswith(kind) and "sbx" in T[w]}
        if 1 in rates and 2 in rates:
            target("throughput (%s): 2 clients >= 1.5 x one client's rate" % kind,
                   rates[2] >= 1.5 * rates[1], "%.2f x (%d/s vs %d/s)" % (
                       rates[2] / rates[1], rates[2], rates[1]), ">= 1.5 x",
                   tput_why(T, kind))
    # Secondary: the comparisons of earlier cycles, kept for continuity.
    if n and s and p:
        r = (s - n) / (p - n)
        target("secondary: intercepted connect: (sbx - native) <= 0.5 x (ptrace - native)",
               r <= 0.5, "%.2f x (ptrace +%s us)" % (r, fmt_us(p - n)), "<= 0.5 x",
               "by %.0f%%: strace --seccomp-bpf stops only the traced calls, so its cost per "
               "call is about two ptrace stops, each a round trip like ours; sbx pays one round "
               "trip plus the work of performing the call (see the allowed connect line)"
               % (100 * (r / 0.5 - 1)))
    if sb and bw:
        target("secondary: startup: sbx below bwrap", sb < bw,
               "%.2f ms vs %.2f ms" % (sb / 1e6, bw / 1e6), "sbx < bwrap",
               "by %.2f ms" % ((sb - bw) / 1e6))
    for kind in ("threads", "procs"):
        rates = {int(w.split()[1]): T[w]["sbx"]["calls_per_s"] for w in T
                 if w.startswith(kind) and "sbx" in T[w]}
        shares = [T[w]["sbx"]["min_share"] for w in T if w.startswith(kind) and "sbx" in T[w]
                  and int(w.split()[1]) > 1]
        top = max(rates) if rates else 0
        if top > 2:
            best = max(rates.values())
            target("secondary: throughput (%s): %d clients keep >= 0.7 x the best rate" % (
                kind, top), rates[top] >= 0.7 * best, "%.2f x" % (rates[top] / best),
                ">= 0.7 x",
                "every idle worker is woken for each notification (the kernel's "
                "recv_wait_event waits non-exclusively), and the pool starts a thread "
                "whenever the last idle one takes a call and ends surplus ones")
        if shares:
            nat = [T[w]["native"]["min_share"] for w in T if w.startswith(kind) and
                   "native" in T[w] and int(w.split()[1]) > 1]
            target("secondary: throughput (%s): no client starves (slowest >= 0.2 x mean)" %
                   kind, min(shares) >= 0.2, "%.2f x" % min(shares), ">= 0.2 x",
                   "with more clients than cores the scheduler decides who runs in a 300 ms "
                   "window: native clients, with no supervisor, measured a worst share of "
                   "%.2f in the same run" % (min(nat) if nat else float("nan")))
    data = {
        "hostname": {n: stats(v) for n, v in getattr(b, "hostname", {}).items()},
        "hostname_skip": getattr(b, "hostname_skip", "not run"),
        "meta": {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                 "kernel": platform.release(), "cpus": os.cpu_count(),
                 "mode": "quick" if b.quick else "full", "rounds": b.rounds,
                 "elapsed_s": round(b.elapsed, 1), "loadavg_before": b.load_before,
                 "loadavg_after": b.load_after, "configs": b.configs, "skipped": b.skipped,
                 "tcp_connect": b.tcp_skip or "measured", "notes": b.notes,
                 "unit": "nanoseconds per iteration (startup: per spawn; real: per run)"},
        "micro": S, "startup": ST, "real": R, "throughput": T, "targets": targets,
        "profile": prof,
        "raw": {"micro": b.results, "startup": b.startup, "real": b.real, "throughput": b.tput},
    }
    return data


def write_md(b, d, path):
    cfgs = b.configs
    L = []
    m = d["meta"]
    L.append("# sbx benchmark results (%s run)\n" % m["mode"])
    L.append("%s, Linux %s, %d CPUs, %d rounds alternating every configuration, %.0f s. "
             "Load average before: %s; after: %s (the machine is shared: read the ratios, "
             "which compare numbers taken in the same run).\n" % (
                 m["date"], m["kernel"], m["cpus"], m["rounds"], m["elapsed_s"],
                 m["loadavg_before"], m["loadavg_after"]))
    L.append("Generated by `make bench%s`; method in doc/performance.md.\n" % (
        "-quick" if b.quick else ""))
    L.append("## Targets\n")
    L.append("| result | target | measured | why, when missed |")
    L.append("|---|---|---|---|")
    for t in d["targets"]:
        L.append("| **%s** | %s | %s | %s |" % (t["result"], t["target"], t["measured"],
                                               t["why"]))
    L.append("\n## Per-call latency, µs per iteration: median (p10–p90)\n")
    L.append("| workload | " + " | ".join(cfgs) + " |")
    L.append("|---|" + "---|" * len(cfgs))
    for w, _, _, _ in MICRO:
        row = []
        for c in cfgs:
            s = d["micro"].get(w, {}).get(c)
            row.append("%s (%s–%s)" % (fmt_us(s["median_ns"]), fmt_us(s["p10_ns"]),
                                        fmt_us(s["p90_ns"])) if s else "–")
        L.append("| %s | %s |" % (LABELS[w], " | ".join(row)))
    if d["meta"]["tcp_connect"] != "measured":
        L.append("\nTCP connect under sbx: %s\n" % d["meta"]["tcp_connect"])
    L.append("\n## TCP connect under --net isolated: by host name against by address\n")
    if d.get("hostname"):
        L.append("| connect | µs per connect, median (p10–p90) | ratio to by address |")
        L.append("|---|---|---|")
        ref = d["hostname"].get("by address", {}).get("median_ns")
        for name, s in d["hostname"].items():
            L.append("| %s | %s (%s–%s) | %s |" % (
                name, fmt_us(s["median_ns"]), fmt_us(s["p10_ns"]), fmt_us(s["p90_ns"]),
                "%.2f" % (s["median_ns"] / ref) if ref else "–"))
        L.append("\nBy name, the command looked the name up once (sbx's DNS answered a "
                 "synthetic address); each connect is judged by that name and performed to "
                 "its host address from sbx's namespace, as by address.\n")
    else:
        L.append("not measured: %s\n" % d.get("hostname_skip", "?"))
    L.append("\n## The features of this cycle: what each costs (same run, medians)\n")
    M = d["micro"]

    def ratio_row(label, w, a, ref):
        x, y = M.get(w, {}).get(a), M.get(w, {}).get(ref)
        if x and y:
            L.append("| %s | %s µs | %s µs (%s) | %.2f |" % (label, fmt_us(x["median_ns"]),
                                                          fmt_us(y["median_ns"]), ref,
                                                          x["median_ns"] / y["median_ns"]))
    L.append("| row | with the feature | reference | ratio |\n|---|---|---|---|")
    for w in ("connect", "connect-denied", "sendto", "tcp-connect"):
        ratio_row("replace mode (pidfd_getfd refused): " + LABELS[w], w, "sbx-replace", "sbx")
    ratio_row("--explain (the default): " + LABELS["files"], "files", "sbx",
              "sbx-explain-off" if "sbx-explain-off" in cfgs else "native")
    ratio_row("floor-fs, the kernel's round trip for the same writes: " + LABELS["files"],
              "files", "floor-fs", "native")
    if "sbx-explain-off" not in cfgs:
        L.append("\n--explain=off: %s; the files row compares sbx with native instead (an "
                 "sbx without --explain notifies none of these writes).\n" % d["meta"]["skipped"].get(
                     "sbx-explain-off", "not measured"))
    L.append("Host names: the section above (by name against by address). Credentials on "
             "the performing path: the workers set their capabilities once per thread at "
             "start; the per-call syscalls (Profile) show no capget or capset.\n")
    L.append("\n## Ratios to native (same run, medians)\n")
    L.append("| workload | " + " | ".join(c for c in cfgs if c != "native") + " |")
    L.append("|---|" + "---|" * (len(cfgs) - 1))
    for w, _, _, _ in MICRO:
        n = d["micro"].get(w, {}).get("native")
        row = []
        for c in cfgs:
            if c == "native":
                continue
            s = d["micro"].get(w, {}).get(c)
            row.append("%.2f" % (s["median_ns"] / n["median_ns"]) if s and n else "–")
        L.append("| %s | %s |" % (LABELS[w], " | ".join(row)))
    L.append("\n## Notification throughput (calls/s, median; slowest client's share of the "
             "mean, worst round)\n")
    tc = [c for c in cfgs if any(c in v for v in d["throughput"].values())]

    def tput_table(cell):
        L.append("| clients | " + " | ".join(tc) + " |")
        L.append("|---|" + "---|" * len(tc))
        for w in sorted(d["throughput"], key=lambda x: (x.split()[0], int(x.split()[1]))):
            row = [d["throughput"][w].get(c) for c in tc]
            L.append("| %s | %s |" % (w, " | ".join(cell(t) if t else "–" for t in row)))

    tput_table(lambda t: "%d (%.2f)" % (t["calls_per_s"], t["min_share"]))
    L.append("\n### Profile: CPU per call\n")
    L.append("CPU time of every process of a throughput run (clients, supervisor or tracer, "
             "kernel time included; from the run's rusage) per call, µs, and the CPUs kept "
             "busy on average (CPU time over wall time, of %d). The start-up of the run's "
             "processes is included: ~2%% of a run with one client, more with 32 processes "
             "(see native). A rate that does not grow with clients either leaves CPUs idle "
             "or pays more CPU per call.\n" % (d["meta"]["cpus"] or 0))
    tput_table(lambda t: "%.1f µs, %.2f CPUs" % (t["cpu_us_per_call"], t["cpus_busy"])
               if "cpus_busy" in t else "–")
    L.append("\n## Startup (ms per spawn of `/bin/true`, median (p10–p90))\n")
    sc = [c for c in cfgs + [STARTUP_FLOOR] if c in d["startup"]]
    L.append("| " + " | ".join(sc) + " |")
    L.append("|" + "---|" * len(sc))
    L.append("| " + " | ".join("%.2f (%.2f–%.2f)" % (
        d["startup"][c]["median_ns"] / 1e6, d["startup"][c]["p10_ns"] / 1e6,
        d["startup"][c]["p90_ns"] / 1e6) for c in sc) + " |")
    L.append("\n**%s**: `sbx-bench-wrap /bin/true`, a static program that forks, executes the "
             "command and waits: the least any wrapper whose process stays the command's "
             "parent (as a supervisor must) can cost (also run with the real workloads). "
             "bwrap's program is opened as fd 3 by the spawner itself, so no shell is timed "
             "with it." % STARTUP_FLOOR)
    L.append("\n## Real workloads (s per run, median; ratio to native: the median of each "
             "run's ratio to native's run of the same round)\n")
    rc = [c for c in cfgs + [STARTUP_FLOOR] if any(c in v for v in d["real"].values())]
    L.append("| workload | " + " | ".join(rc) + " |")
    L.append("|---|" + "---|" * len(rc))
    for w in sorted(d["real"]):
        n = d["real"][w].get("native")
        row = []
        for c in rc:
            s = d["real"][w].get(c)
            row.append("%.3f (%.3f)" % (s["median_ns"] / 1e9, s.get("paired_ratio") or
                                        s["median_ns"] / n["median_ns"])
                       if s and n else "–")
        L.append("| %s | %s |" % ({"build": "make -j2 (this project)",
                                   "unit-tests": "unit tests",
                                   "shell-loop": "shell loop: %d x `sh -c 'echo x \\| wc -c'`, "
                                   "each command wrapped" % SHELL_LOOP_N}[w], " | ".join(row)))
    L.append("\n## Configurations\n")
    for c in cfgs:
        L.append("- **%s**: `%s`" % (c, " ".join(b.prefix(c)).replace(b.tmp, "$TMP") or
                                      "(the command itself)"))
    for c, why in d["meta"]["skipped"].items():
        L.append("- **%s**: left out, %s" % (c, why))
    if d["meta"]["notes"]:
        L.append("\n## Runs that failed (left out of the numbers)\n")
        seen = set()
        for n in d["meta"]["notes"]:
            if n not in seen:
                seen.add(n)
                L.append("- " + n.replace(b.tmp, "$TMP"))
    prof = d["profile"]
    L.append("\n## Profile: where the supervisor's time goes\n")
    if prof.get("perf_stat_instructions"):
        L.append("`perf stat -e instructions true`: %s.\n" % prof["perf_stat_instructions"])
    for cfg, ws in prof.get("per_call_syscalls", {}).items():
        for w, c in ws.items():
            L.append("Supervisor syscalls per %s under %s (strace -f -c attached to the "
                     "supervisor, per call): %s\n" % (w, cfg, ", ".join(
                         "%s %g" % kv for kv in sorted(c.items(), key=lambda kv: -kv[1]))))
    ev = prof.get("per_call_events", {})
    if ev:
        L.append("Per call, every process of the run (`perf stat -e context-switches,"
                 "cpu-migrations,task-clock`, %s start-up included):\n" % "the run's")
        L.append("| workload | configuration | context switches | CPU migrations | CPU µs |")
        L.append("|---|---|---|---|---|")
        for w, cs in ev.items():
            for cfg, row in cs.items():
                L.append("| %s | %s | %.2f | %.3f | %.1f |" % (
                    w, cfg, row.get("context-switches", float("nan")),
                    row.get("cpu-migrations", float("nan")),
                    1000 * row.get("task-clock", float("nan"))))
        L.append("")
    for w, lines in prof.get("top", {}).items():
        L.append("`%s` under sbx, %s:\n" % (w, prof["tool"]))
        L.append("```\n" + "\n".join(lines) + "\n```\n")
    su = prof.get("startup", {})
    if su.get("per_start"):
        L.append("\n## Profile: where a start goes\n")
        L.append("Per spawn of `/bin/true` (`perf stat -r`, mean; task-clock is CPU time of "
                 "every process of the spawn):\n")
        L.append("| configuration | page faults | task-clock (ms) |\n|---|---|---|")
        for c, row in su["per_start"].items():
            L.append("| %s | %.0f | %.2f |" % (c, row.get("page-faults", float("nan")),
                                              row.get("task-clock", float("nan"))))
        L.append("\nA page fault costs ~11 µs on this VM (a copy-on-write one ~32 µs), a bare "
                 "syscall ~1 µs: doc/performance.md, Start-up.\n")
    if su.get("syscalls"):
        L.append("Syscalls of one `sbx-supervise -- /bin/true` (strace -f -c, sbx and the "
                 "command): %s\n" % ", ".join(
                     "%s %d" % kv for kv in sorted(su["syscalls"].items(),
                                                   key=lambda kv: -kv[1])[:12]))
    if su.get("top"):
        L.append("100 starts under perf record -e cpu-clock -g: shares of sbx-supervise's own "
                 "samples, kernel ([k]) and user ([.]), before its execve of the command and "
                 "after (`pvm_irq_enable` is where this PVM guest's page faults and exits "
                 "land; `handle_amd` and the other `get_*_indices` are glibc's CPU feature "
                 "probes, cpuid, which every program makes at start):\n")
        L.append("```\n" + "\n".join(su["top"]) + "\n```\n")
    L.append("![plot](latest.png)\n")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def plot(b, d, outdir):
    if not shutil.which("gnuplot"):
        b.notes.append("no gnuplot: latest.png not drawn (apt-get install gnuplot-nox)")
        return
    dat = os.path.join(b.tmp, "plot.dat")
    cfgs = b.configs
    with open(dat, "w") as f:
        f.write("workload " + " ".join(cfgs) + "\n")
        for w, _, _, _ in MICRO:
            if w not in d["micro"]:
                continue
            f.write(w + " " + " ".join("%.3f" % (d["micro"][w][c]["median_ns"] / 1000.0)
                                       if c in d["micro"][w] else "NaN" for c in cfgs) + "\n")
    script = """
set terminal pngcairo size 1200,600 noenhanced
set output '%s'
set title 'sbx: per-call latency by configuration (median, log scale; %s)'
set ylabel 'microseconds per iteration'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left autotitle columnhead
set xtics rotate by -20
set grid ytics
colors = "#9400d3 #009e73 #56b4e9 #e69f00 #f0e442 #0072b2 #e51e10 #303030 #cc79a7 #8b4513 #7f7f7f #00ced1"
plot for [i=2:%d] '%s' using i:xtic(1) lc rgb word(colors, i - 1)
""" % (os.path.join(outdir, "latest.png"), d["meta"]["date"], len(cfgs) + 1, dat)
    p = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode != 0:
        script = script.replace("pngcairo", "png")
        subprocess.run(["gnuplot"], input=script, text=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a reduced run (< 1 min)")
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--alt", action="append", default=[], metavar="NAME=PATH",
                    help="another sbx-supervise binary to compare (A/B of a code change)")
    ap.add_argument("--no-profile", action="store_true")
    a = ap.parse_args()
    a.build = os.path.abspath(a.build)
    os.makedirs(a.out, exist_ok=True)
    b = Bench(a)
    try:
        b.probe()
        for c, why in b.skipped.items():
            sys.stderr.write("sbx bench: %s left out: %s\n" % (c, why))
        # A peer that cannot run is left out; sbx or the native baseline cannot be: without
        # them there is nothing to measure, and the run fails (CI relies on this, while a
        # missed target only prints FAIL: timing on a shared machine is not a broken build).
        for c in ("native", "sbx"):
            if c in b.skipped:
                raise SystemExit("sbx bench: %s cannot run, nothing to measure" % c)
        if b.tcp_skip:
            sys.stderr.write("sbx bench: tcp-connect under sbx %s\n" % b.tcp_skip)
        b.execute()
        log("sbx bench: connect by name under --net isolated\n")
        b.hostname_bench()
        prof = {} if a.no_profile else b.profile()
        d = report(b, prof)
        with open(os.path.join(a.out, "latest.json"), "w") as f:
            json.dump(d, f, indent=1)
        plot(b, d, a.out)
        write_md(b, d, os.path.join(a.out, "latest.md"))
        for t in d["targets"]:
            sys.stderr.write("%-4s %s: %s\n" % (t["result"], t["target"], t["measured"]))
        sys.stderr.write("sbx bench: wrote %s/latest.{md,json,png}\n" % a.out)
    finally:
        if b.server:
            b.server.kill()
            b.server.wait()
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
