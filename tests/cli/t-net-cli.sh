#!/bin/sh
# CLI surface of the network flags: --allow-connect ENDPOINT, --proxy URL, --net MODE,
# --allow-bind PORT. Bad values exit 125 with a message naming the problem, without running
# the command; good ones run it. Prints TAP; every run is bounded by timeout(1).
set -u

# shellcheck source=tests/lib/cli.sh
tag=netcli && . "$(dirname "$0")/../lib/cli.sh"


# refused FLAG VALUE WANT DESCRIPTION: 125, stderr names VALUE and contains WANT, command not run
refused() {
	rm -f "$T/ran"
	run "$1" "$2" -- touch "$T/ran"
	[ $code -eq 125 ] && grep -qF -- "$2" "$T/err" && grep -qiF -- "$3" "$T/err" &&
		[ ! -e "$T/ran" ]
	ok $? "$1 '$2': 125, $4, the command not run"
}

# accepted FLAG VALUE: the command runs
accepted() {
	run "$1" "$2" -- sh -c 'exit 3'
	[ $code -eq 3 ]
	ok $? "$1 '$2' is accepted"
}

run --help
[ $code -eq 0 ] && grep -q -- '--allow-connect' "$T/out" && grep -q -- '--proxy' "$T/out" &&
	grep -q -- '--net' "$T/out" && grep -q -- '--allow-bind' "$T/out"
ok $? "--help names --allow-connect, --proxy, --net and --allow-bind"

refused --allow-connect bad_name.example:80 "only letters" "a name with '_' is refused"
refused --allow-connect -db.internal:5432 "start with '-'" "a label starting with '-' is refused"
refused --allow-connect 'a.*.org:443' "whole first label" "a wildcard inside a name is refused"
refused --deny-connect 'x..org:443' "empty label" "--deny-connect checks names too"
refused --allow-connect 127.0.0.1:0 "port" "port 0 is refused"
refused --allow-connect 127.0.0.1:70000 "port" "port 70000 is refused"
refused --allow-connect 127.0.0.1:90-80 "LO" "a range with LO > HI is refused"
refused --allow-connect 127.0.0.1:0-80 "port" "a range starting at 0 is refused"
refused --allow-connect 127.0.0.1:80-70000 "port" "a range past 65535 is refused"
refused --allow-connect 127.0.0.1 "PORT" "a missing port is refused"
refused --allow-connect 127.0.0.1: "port" "an empty port is refused"
refused --allow-connect 127.0.0.1:80x "port" "a port with junk is refused"
refused --allow-connect ::1:80 "bracket" "an unbracketed IPv6 address is refused"
refused --allow-connect "[::1]" "PORT" "a bracketed IPv6 address without a port is refused"
refused --allow-connect 127.0.0.1/33:80 "prefix" "prefix /33 is refused"
refused --allow-connect "[::1]/129:80" "prefix" "prefix /129 is refused"
refused --allow-connect 256.0.0.1:80 "256.0.0.1" "an invalid IPv4 address is refused"
refused --allow-connect sctp:127.0.0.1:80 "tcp" "an unknown protocol is refused"
refused --allow-connect "udp:" "ADDR" "a protocol alone is refused"
rm -f "$T/ran"
run --allow-connect "" -- touch "$T/ran"
[ $code -eq 125 ] && [ -s "$T/err" ] && [ ! -e "$T/ran" ]
ok $? "--allow-connect '': 125 with a message, the command not run"
run --allow-connect
[ $code -eq 125 ] && [ -s "$T/err" ]
ok $? "--allow-connect without its argument: 125"

accepted --allow-connect 127.0.0.1:80
accepted --allow-connect tcp:127.0.0.1:80
accepted --allow-connect udp:127.0.0.1:53
accepted --allow-connect "[::1]:80"
accepted --allow-connect "udp:[::1]:53"
accepted --allow-connect 127.0.0.0/8:80
accepted --allow-connect "[::1]/128:80"
accepted --allow-connect 127.0.0.1:8000-8100
accepted --allow-connect 127.0.0.0/8:1-65535
accepted --allow-connect localhost:3128
accepted --allow-connect tcp:localhost:3128

refused --proxy ftp://127.0.0.1:21 "http://" "an unknown scheme is refused"
refused --proxy 127.0.0.1:3128 "http://" "a URL without a scheme is refused"
refused --proxy http://example.com:3128 "not resolved" "a host name is refused"
refused --proxy http://127.0.0.1 "PORT" "a URL without a port is refused"
refused --proxy http://127.0.0.1:0 "PORT" "port 0 is refused"
refused --proxy http://127.0.0.1:99999 "PORT" "port 99999 is refused"
refused --proxy "http://[::1]" "PORT" "an IPv6 URL without a port is refused"
refused --proxy socks5://::1:1080 "ADDR" "an unbracketed IPv6 address is refused"
run --proxy
[ $code -eq 125 ] && [ -s "$T/err" ]
ok $? "--proxy without its argument: 125"
accepted --proxy http://127.0.0.1:3128
accepted --proxy https://127.0.0.1:3128
accepted --proxy socks4://127.0.0.1:1080
accepted --proxy socks4a://127.0.0.1:1080
accepted --proxy socks5://127.0.0.1:1080
accepted --proxy socks5h://127.0.0.1:1080
accepted --proxy "socks5://[::1]:1080"
accepted --proxy http://localhost:3128

refused --net bogus "filtered" "an unknown mode is refused, the modes are listed"
refused --net "" "filtered" "an empty mode is refused"
for m in filtered isolated none host; do
	accepted --net $m
done
rm -f "$T/ran"
run --net none --allow-connect 127.0.0.1:80 -- touch "$T/ran"
[ $code -eq 125 ] && grep -q -- 'none' "$T/err" && [ ! -e "$T/ran" ]
ok $? "--net none with --allow-connect: 125, a message, the command not run"
rm -f "$T/ran"
run --allow-connect 127.0.0.1:80 --net none -- touch "$T/ran"
[ $code -eq 125 ] && [ ! -e "$T/ran" ]
ok $? "--allow-connect then --net none (either order): 125"
rm -f "$T/ran"
run --net none --proxy http://127.0.0.1:3128 -- touch "$T/ran"
[ $code -eq 125 ] && grep -q -- 'none' "$T/err" && [ ! -e "$T/ran" ]
ok $? "--net none with --proxy: 125, a message, the command not run"

refused --allow-bind 0 "port" "port 0 is refused (it is always allowed on loopback)"
refused --allow-bind 70000 "port" "port 70000 is refused"
refused --allow-bind abc "port" "a non-number is refused"
refused --allow-bind -1 "port" "a negative port is refused"
accepted --allow-bind 8080

run -v --proxy http://127.0.0.1:3128 -- sh -c 'echo "$NO_PROXY"'
[ $code -eq 0 ] && grep -q 'loopback destinations go direct, not through the proxy' "$T/err" &&
	grep -q '127.0.0.1' "$T/out"
ok $? "--proxy -v says that loopback destinations bypass the proxy (NO_PROXY), and the command sees it"

echo "1..$n"
[ $failed -eq 0 ]
