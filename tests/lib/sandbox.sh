# Shell helpers for tests that need the sandbox FHIR server; source after setting EHRTERM_SRCDIR.
# Every test gets a private work folder and its own sandbox on free ports; both go on exit.

: "${EHRTERM_SRCDIR:?run from make check}"
TEST_FAILED=0

# test_init: make the private folder $WORK and arrange for cleanup.
test_init() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/ehrterm-test.XXXXXX") || exit 99
	SANDBOX_PIDS=""
	trap test_cleanup EXIT
	trap 'exit 130' INT TERM
}

test_cleanup() {
	for pid in $SANDBOX_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $SANDBOX_PIDS; do
		wait "$pid" 2>/dev/null
	done
	# tests/security/results sets EHRTERM_KEEP_REQUEST_LOGS to a folder, to count the
	# faults every test met: each sandbox's request log is kept there as TEST.NAME.requests.
	if [ -n "${EHRTERM_KEEP_REQUEST_LOGS:-}" ] && [ -d "$EHRTERM_KEEP_REQUEST_LOGS" ]; then
		for f in "$WORK"/*.requests; do
			[ -f "$f" ] || continue
			cp "$f" "$EHRTERM_KEEP_REQUEST_LOGS/$(basename "$0" .test).$(basename "$f")"
		done
	fi
	rm -rf "$WORK"
}

# certs_make: test certificates in $WORK/certs (once).
certs_make() {
	[ -f "$WORK/certs/ca.pem" ] && return 0
	"$EHRTERM_SRCDIR/tests/sandbox/make-certs" "$WORK/certs" >/dev/null || {
		echo "Bail out! make-certs failed"
		exit 99
	}
}

# passphrase_of NAME: the test passphrase of a user key made by make-certs.
passphrase_of() {
	awk -v n="$1" '$1 == n { print $2 }' "$WORK/certs/PASSPHRASES"
}

# sandbox_start NAME [run options...]: start a sandbox; sets SANDBOX_URL and SANDBOX_CONTROL.
sandbox_start() {
	_sb=$1
	shift
	certs_make
	"$EHRTERM_SRCDIR/tests/sandbox/run" --certs "$WORK/certs" --port 0 --control-port 0 \
		--log "$WORK/$_sb.requests" "$@" >"$WORK/$_sb.out" 2>"$WORK/$_sb.err" &
	SANDBOX_PIDS="$SANDBOX_PIDS $!"
	i=0
	while ! grep -q '^ready ' "$WORK/$_sb.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $! 2>/dev/null; then
			echo "Bail out! sandbox $_sb did not start:"
			sed 's/^/# /' "$WORK/$_sb.err"
			exit 99
		fi
		sleep 0.1
	done
	SANDBOX_URL=$(sed -n 's/^ready //p' "$WORK/$_sb.out")
	SANDBOX_CONTROL=$(sed -n 's/^control //p' "$WORK/$_sb.err" | head -n 1)
}

# ok NAME COMMAND...: a named check, TAP style; fails as the check does.
ok() {
	_ok_name=$1
	shift
	if "$@"; then
		echo "ok - $_ok_name"
	else
		echo "not ok - $_ok_name"
		TEST_FAILED=1
		# So a check can show what it looked at: ok ... || sed 's/^/# /' FILE
		return 1
	fi
}

# contains FILE TEXT: FILE holds TEXT (fixed string).
contains() {
	grep -qF -- "$2" "$1"
}

# lines FILE N: FILE has exactly N lines.
lines() {
	[ "$(wc -l <"$1")" -eq "$2" ]
}
