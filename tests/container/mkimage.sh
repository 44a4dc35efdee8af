#!/bin/sh
# Builds the container tests' root filesystem as a tarball, for `docker import` (there is no
# registry to pull an image from): the static sbx-supervise and test clients, Debian's static
# busybox with its applets, and real client programs copied with the shared libraries ldd
# names (curl, ssh-add, psql, python3 with the few modules `import socket` loads).
# Usage: tests/container/mkimage.sh BUILD-DIR   (writes BUILD-DIR/container/rootfs.tar and
# BUILD-DIR/container/programs, the list of optional programs the image holds)
set -eu
build=${1:?usage: tests/container/mkimage.sh BUILD-DIR}
out="$build/container"
root="$out/rootfs"
busybox=${BUSYBOX:-/bin/busybox}

for f in "$build/sbx-supervise" "$out/client" "$busybox"; do
	[ -x "$f" ] || { echo "mkimage: $f is missing" >&2; exit 1; }
done
# sbx-supervise must run without the host's libraries: `make` links it statically.
if ldd "$build/sbx-supervise" >/dev/null 2>&1 && ! ldd "$build/sbx-supervise" 2>&1 | grep -q static; then
	echo "mkimage: $build/sbx-supervise is dynamically linked (build it with STATIC=1)" >&2
	exit 1
fi

rm -rf "$root"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/sock" "$root/proc" "$root/sys" "$root/dev" \
	"$root/usr/bin" "$root/root"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp "$build/sbx-supervise" "$out/client" "$root/bin/"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$root/etc/group"
# A file that is there but not executable, for the 126 row.
printf 'not a program\n' >"$root/etc/not-executable"
chmod 0644 "$root/etc/not-executable"

: >"$out/programs"
[ -x "$out/client-go" ] && cp "$out/client-go" "$root/bin/" && echo client-go >>"$out/programs"

# copy_dyn FILE: FILE and every library ldd names, each at its own path.
copy_dyn() {
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
	ldd "$1" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# add NAME PATH: a program on the host, copied with its libraries; skipped when missing.
add() {
	if [ -x "$2" ]; then
		copy_dyn "$2"
		[ "$2" = "/usr/bin/$1" ] || ln -sf "$2" "$root/usr/bin/$1"
		echo "$1" >>"$out/programs"
	else
		echo "mkimage: $2 not found; the $1 rows will be skipped" >&2
	fi
}
add curl /usr/bin/curl
add ssh-add /usr/bin/ssh-add
# /usr/bin/psql is Debian's Perl wrapper; the client itself sits in the newest version's bin/.
psql=$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
add psql "${psql:-/usr/lib/postgresql/none/bin/psql}"

# Python: the interpreter and the modules `import socket` loads, as the host's names them.
py=/usr/bin/python3
if [ -x "$py" ]; then
	pyreal=$(readlink -f "$py")
	add python3 "$pyreal"
	mods=$("$pyreal" -S -I -c 'import sys, socket
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f: print(f)')
	pylib=$(dirname "$("$pyreal" -S -I -c 'import os; print(os.__file__)')")
	# An empty lib-dynload: without it Python warns that it cannot find its exec_prefix.
	mkdir -p "$root$pylib/lib-dynload"
	for f in $mods "$pylib"/encodings/*.py; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
else
	echo "mkimage: $py not found; the python3 rows will be skipped" >&2
fi

tar -C "$root" -cf "$out/rootfs.tar.tmp" . && mv "$out/rootfs.tar.tmp" "$out/rootfs.tar"
rm -rf "$root"
echo "mkimage: $out/rootfs.tar ($(du -h "$out/rootfs.tar" | cut -f1)), programs: $(tr '\n' ' ' <"$out/programs")" >&2
