#!/bin/sh
# Live: the audit log (JSON validity over hostile addresses, no lost or torn records under
# load, a full disk and a closed pipe), learning mode and its suggested policy, policy files
# and pattern rules from the command line. The checks are in audit_live.py (python3's json is
# the judge of validity); this wrapper lets prove run it like the other scripts.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed"
	exit 0
fi
exec python3 "$(dirname "$0")/audit_live.py"
