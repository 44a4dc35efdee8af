# Shared by the shell TAP tests of the command line (tests/cli/*.sh), sourced after `set -u`:
# finds sbx-supervise, makes $T (removed at exit), and defines ok and run. $tag names $T.
SBX_BUILD=${SBX_BUILD:-$(cd "$(dirname "$0")/../../build" 2>/dev/null && pwd)}
SBX="$SBX_BUILD/sbx-supervise"
if [ ! -x "$SBX" ]; then
	echo "Bail out! $SBX is not built (set SBX_BUILD, run make tests)"
	exit 255
fi
T=$(mktemp -d "/tmp/sbx-$tag.XXXXXX") || exit 255
trap 'rm -rf "$T"' EXIT INT TERM

n=0
failed=0
ok() { # ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		echo "#   exit $code; stdout: $(head -c 300 "$T/out" | tr '\n' '|')"
		echo "#   stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
	fi
}

# run ARGS...: run sbx with a 10 s bound; sets $code, output in $T/out and $T/err
run() {
	timeout -s KILL 10 "$SBX" "$@" >"$T/out" 2>"$T/err" </dev/null
	code=$?
}
