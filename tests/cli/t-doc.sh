#!/bin/sh
# The documentation matches the program: every option --help lists has an entry in the man
# page's OPTIONS, a place in its SYNOPSIS and a line in the README's Usage, and every option
# the man page documents is one --help knows. Prints TAP.
set -u

# shellcheck source=tests/lib/cli.sh
tag=doc && . "$(dirname "$0")/../lib/cli.sh"
SRC=${SBX_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MAN=$SRC/doc/sbx-supervise.1

run --help
help=$(grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' "$T/out" | sed -E 's/.*--/--/' | sort -u)
all_help=$(grep -oE -- '--[a-z][a-z-]*' "$T/out" | sort -u)
entries=$(grep -A1 '^\.TP' "$MAN" | grep -oE '\\-\\-[a-z\\-]+' | sed 's/\\//g' | sort -u)
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN" | sed 's/\\//g')
[ -n "$help" ] && [ -n "$entries" ]
ok $? "--help lists options and the man page has OPTIONS entries"

missing=""
for o in $help; do
	printf '%s\n' "$entries" | grep -qx -- "$o" || missing="$missing $o"
done
[ -z "$missing" ]
ok $? "every option of --help has a man page entry (missing:${missing:- none})"

unknown=""
for o in $entries; do
	printf '%s\n' "$all_help" | grep -qx -- "$o" || unknown="$unknown $o"
done
[ -z "$unknown" ]
ok $? "every option the man page documents is one --help names (unknown:${unknown:- none})"

nosyn=""
for o in $help; do
	case $o in
	--verbose) s=-v ;; --quiet) s=-q ;; --help) s=-h ;; --version) s=-V ;; *) s=$o ;;
	esac
	printf '%s\n' "$synopsis" | grep -q -- "$s" || nosyn="$nosyn $o"
done
[ -z "$nosyn" ]
ok $? "every option of --help is in the man page's SYNOPSIS (missing:${nosyn:- none})"

usage=$(sed -n '/^## Usage/,/^`--allow-unix-socket` can be repeated/p' "$SRC/README.md")
noreadme=""
for o in $help; do
	printf '%s\n' "$usage" | grep -q -- "$o" || noreadme="$noreadme $o"
done
[ -z "$noreadme" ]
ok $? "every option of --help is in the README's Usage (missing:${noreadme:- none})"

echo "1..$n"
[ $failed -eq 0 ]
