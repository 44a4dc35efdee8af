#!/bin/sh
# git over ssh from inside the sandbox, in the default mode and under a container's default
# seccomp profile (tests/helpers/deny: the replace mode): a real sshd on 127.0.0.1, a bare
# repository, `git clone ssh://…` allowed by --allow-connect and refused without it. sshd is
# Debian's, from the package when it is installed, else unpacked from it into the build
# directory (apt-get download: nothing is installed or started on the host). Root only: sshd
# must run as root to let anyone log in. Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=gitssh && . "$(dirname "$0")/../lib/cli.sh"
DENY="$SBX_BUILD/tests/helpers/deny"

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "sshd must run as root"
for p in git ssh ssh-keygen; do
	command -v $p >/dev/null || skip_all "$p is not installed"
done
SSHD=/usr/sbin/sshd
if [ ! -x "$SSHD" ]; then
	SSHD="$SBX_BUILD/sshd-pkg/usr/sbin/sshd"
	if [ ! -x "$SSHD" ]; then
		mkdir -p "$SBX_BUILD/sshd-pkg"
		(cd "$T" && timeout 120 apt-get download -qq openssh-server >/dev/null 2>&1) &&
			dpkg -x "$T"/openssh-server_*.deb "$SBX_BUILD/sshd-pkg" 2>/dev/null
	fi
	[ -x "$SSHD" ] || skip_all "no sshd, and openssh-server could not be downloaded"
fi

ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" && ssh-keygen -q -t ed25519 -N '' -f "$T/id" &&
	cp "$T/id.pub" "$T/authorized_keys" || skip_all "ssh-keygen failed"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
EOF
# sshd wants a privilege separation user and directory: given to it in a mount namespace of
# its own (a copy of /etc/passwd naming sshd, a tmpfs on /run), so the host gets neither.
cp /etc/passwd "$T/passwd"
grep -q '^sshd:' "$T/passwd" || echo 'sshd:x:65533:65534::/run/sshd:/usr/sbin/nologin' >>"$T/passwd"
unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1/passwd" /etc/passwd &&
	mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd &&
	exec "$2" -D -e -f "$1/sshd_config"' sh "$T" "$SSHD" 2>"$T/sshd.log" &
sshd=$!
trap 'kill $sshd 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while ! python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || skip_all "sshd did not start: $(head -c 200 "$T/sshd.log")"
	sleep 0.1
done

git init -q "$T/src" && (cd "$T/src" && echo hello >f && git add f &&
	git -c user.name=t -c user.email=t@t commit -qm one) &&
	git clone -q --bare "$T/src" "$T/repo.git" || skip_all "git could not make the repository"

export HOME="$T"
export GIT_SSH_COMMAND="ssh -F /dev/null -i $T/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -p $port"

# clone PREFIX... :: SBX-OPTIONS...: git clone under sbx (under PREFIX, e.g. the deny helper)
clone() {
	rm -rf "$T/clone"
	pre=""
	while [ "$1" != "::" ]; do
		pre="$pre $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	timeout -s KILL 30 $pre "$SBX" --rw "$T" "$@" -- \
		git clone -q "ssh://root@127.0.0.1$T/repo.git" "$T/clone" >"$T/out" 2>"$T/err" </dev/null
	code=$?
}

for mode in dup replace; do
	if [ $mode = replace ]; then
		pre="$DENY pidfd_getfd process_vm_readv process_vm_writev unshare clone3/ENOSYS --"
	else
		pre=""
	fi
	# shellcheck disable=SC2086
	clone $pre :: --allow-connect "127.0.0.1:$port"
	[ $code -eq 0 ] && [ "$(cat "$T/clone/f" 2>/dev/null)" = hello ]
	ok $? "$mode mode: git clone over ssh to the allowed endpoint: the file arrives"
	# shellcheck disable=SC2086
	clone $pre ::
	[ $code -ne 0 ] && [ ! -e "$T/clone/f" ] &&
		grep -q "denied connect to 127.0.0.1:$port" "$T/err" &&
		grep -q "Hint: --allow-connect 127.0.0.1:$port" "$T/err"
	ok $? "$mode mode: without --allow-connect: refused, with the denial line and its hint"
done

echo "1..$n"
[ $failed -eq 0 ]
