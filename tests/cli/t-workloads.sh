#!/bin/sh
# Ordinary work under --rw-cwd, as whoever runs the suite (root in CI, uid 65534 in
# make check-unprivileged): make of a C project, Python's tempfile, git commit, npm test, cargo
# build with its cache directory allowed; and what still needs a flag (/dev/shm for POSIX
# semaphores, a cache under $HOME) refused with the line that names it. A tool that is not
# installed is a SKIP. Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=work && . "$(dirname "$0")/../lib/cli.sh"
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
has() { grep -qF -- "$1" "$T/$2"; }

# inproj DIR ARGS...: run sbx in DIR with a 60 s bound (builds take longer than run's 10 s)
inproj() {
	d=$1
	shift
	(cd "$d" && timeout -s KILL 60 "$SBX" "$@") >"$T/out" 2>"$T/err" </dev/null
	code=$?
}
# A HOME of the test's own; rustup's toolchains stay where the user's are.
[ -d "$HOME/.rustup" ] && [ -z "${RUSTUP_HOME:-}" ] && RUSTUP_HOME="$HOME/.rustup" && export RUSTUP_HOME
user_cargo="$HOME/.cargo/bin/cargo"
mkdir -p "$T/home"
export HOME="$T/home"

if command -v cc >/dev/null && command -v make >/dev/null; then
	mkdir -p "$T/c"
	printf 'int two(void);\nint main(void) { return two() - 2; }\n' >"$T/c/main.c"
	printf 'int two(void) { return 2; }\n' >"$T/c/two.c"
	printf 'prog: main.o two.o\n\t$(CC) -o $@ main.o two.o\n' >"$T/c/Makefile"
	inproj "$T/c" --rw-cwd -- sh -c 'make -s && ./prog && echo built'
	[ $code -eq 0 ] && has built out && ! has denied err
	ok $? "--rw-cwd: make of a C project (cc's temporary files in the sandbox's TMPDIR), no denial"
else
	skip "no cc or make here"
fi

inproj "$T" --rw-cwd -- python3 -c 'import tempfile
with tempfile.NamedTemporaryFile() as f:
    f.write(b"x"); f.flush()
d = tempfile.mkdtemp(); print("tempfile ok", d)'
[ $code -eq 0 ] && has "tempfile ok" out && ! has denied err
ok $? "--rw-cwd: Python's tempfile (file and directory)"

mkdir -p "$T/g"
inproj "$T/g" --rw-cwd -- sh -c 'git init -q . && echo a >a && git add a &&
	git -c user.name=t -c user.email=t@t commit -qm one && git log --oneline | wc -l'
[ $code -eq 0 ] && [ "$(cat "$T/out")" = 1 ] && ! has denied err
ok $? "--rw-cwd: git init, add and commit"

if command -v npm >/dev/null && command -v node >/dev/null; then
	mkdir -p "$T/n"
	printf '{"name":"t","version":"1.0.0","scripts":{"test":"node -e \\"console.log(40+2)\\""}}\n' >"$T/n/package.json"
	inproj "$T/n" --rw-cwd -- npm test
	[ $code -eq 0 ] && has 42 out
	ok $? "--rw-cwd: npm test"
else
	skip "npm or node not installed"
fi

CARGO=$(command -v cargo || true)
[ -z "$CARGO" ] && [ -x "$user_cargo" ] && CARGO=$user_cargo
if [ -n "$CARGO" ] && "$CARGO" --version >/dev/null 2>&1; then
	mkdir -p "$T/r/src" "$T/cargo-home"
	printf '[package]\nname = "t"\nversion = "0.1.0"\nedition = "2021"\n' >"$T/r/Cargo.toml"
	printf 'fn main() { println!("cargo ok"); }\n' >"$T/r/src/main.rs"
	PATH="$(dirname "$CARGO"):$PATH" CARGO_HOME="$T/cargo-home" && export PATH CARGO_HOME
	inproj "$T/r" --rw-cwd --rw "$T/cargo-home" -- "$CARGO" run -q --offline
	[ $code -eq 0 ] && has "cargo ok" out && ! has denied err
	ok $? "--rw-cwd with its cache dir allowed: cargo build and run, no denial"
	rm -rf "$T/r/target"
	inproj "$T/r" --rw-cwd -- "$CARGO" run -q --offline
	has "Hint: --rw $T/cargo-home" err
	ok $? "without the cache dir: the line names it (--rw $T/cargo-home)"
	unset CARGO_HOME
else
	skip "cargo not installed (or not usable by uid $(id -u))"
	skip "cargo not installed"
fi

# /dev/shm: POSIX semaphores (Python's multiprocessing.Lock) need --rw /dev/shm.
lock='import multiprocessing as m
l = m.Lock(); print("lock ok")'
if [ -d /dev/shm ] && python3 -c "$lock" >/dev/null 2>&1; then
	inproj "$T" -- python3 -c "$lock"
	[ $code -ne 0 ] && has "denied create /dev/shm/" err && has "Hint: --rw /dev/shm" err
	ok $? "multiprocessing.Lock without /dev/shm: refused, and the line names --rw /dev/shm"
	inproj "$T" --rw /dev/shm -- python3 -c "$lock"
	[ $code -eq 0 ] && has "lock ok" out
	ok $? "with --rw /dev/shm: it works"
else
	skip "no POSIX semaphores here"
	skip "no POSIX semaphores here"
fi

echo "1..$n"
[ $failed -eq 0 ]
