# Shell helpers for end-to-end tests: a program in a pseudo-terminal, driven and read by tests/e2e/vtdrive.
# Source after make check has set EHRTERM and EHRTERM_SRCDIR. It brings in sandbox.sh
# (test_init, sandbox_start, ok, contains) so a test can start a server and drive ehrterm.
#
#	. "$EHRTERM_SRCDIR/tests/lib/e2e.sh"
#	e2e_init
#	ok "home screen" vt home <<EOF
#	spawn $EHRTERM -c $WORK/conf
#	wait-text "Home" 10
#	EOF
#	ok "... names the user" contains "$WORK/home.out" "frontdesk"
#
# `vtdrive -h` lists the steps. The here-doc is unquoted so that $WORK and $EHRTERM
# expand; vtdrive's escapes such as \x1b pass through as written, but \\ and \$
# are the shell's.

. "$EHRTERM_SRCDIR/tests/lib/sandbox.sh"
: "${EHRTERM:?run from make check}"

# vtdrive is built beside ehrterm (make check builds it); VTDRIVE overrides.
E2E_BUILDDIR=$(dirname "$EHRTERM")
VTDRIVE=${VTDRIVE:-$E2E_BUILDDIR/tests/e2e/vtdrive}

# e2e_init: the private folder $WORK (see test_init) and a driver to run.
e2e_init() {
	test_init
	if [ ! -x "$VTDRIVE" ]; then
		echo "Bail out! $VTDRIVE is not built (make check builds it)"
		exit 99
	fi
}

# vt NAME [vtdrive options...]: run the script on standard input under vtdrive.
# Leaves in $WORK: NAME.out (what `screen` and `echo` printed), NAME.err (the end
# report; on failure the step, why, and the screen) and NAME.raw (every byte the
# program wrote). The program runs in a UTF-8 locale whatever the caller's is.
# Returns vtdrive's status (1: a step failed, 2: a bad script); on failure the
# report is printed as TAP comments.
vt() {
	_vt=$1
	shift
	: >"$WORK/$_vt.raw"
	LC_ALL=C.UTF-8 "$VTDRIVE" -r "$WORK/$_vt.raw" "$@" >"$WORK/$_vt.out" 2>"$WORK/$_vt.err"
	_vt_rc=$?
	[ "$_vt_rc" -eq 0 ] || sed 's/^/# /' "$WORK/$_vt.err"
	return "$_vt_rc"
}

# vt_fails NAME [vtdrive options...]: as vt, for a script that must fail at a
# step (status 1, not a bad script); quiet, as the failure is the point.
vt_fails() {
	_vt=$1
	shift
	: >"$WORK/$_vt.raw"
	LC_ALL=C.UTF-8 "$VTDRIVE" -r "$WORK/$_vt.raw" "$@" >"$WORK/$_vt.out" 2>"$WORK/$_vt.err"
	_vt_rc=$?
	if [ "$_vt_rc" -ne 1 ]; then
		echo "# vtdrive exited $_vt_rc, not 1:"
		sed 's/^/# /' "$WORK/$_vt.err"
		return 1
	fi
	return 0
}

# vt_ms NAME: how long the whole run took, in ms, from its end report.
vt_ms() {
	sed -n 's/^vtdrive: .* in \([0-9][0-9]*\) ms; screen .*/\1/p' "$WORK/$1.err"
}

# gone PIDFILE: the process whose pid is in PIDFILE no longer exists (not even as a zombie).
gone() {
	_pid=$(cat "$1") || return 1
	! kill -0 "$_pid" 2>/dev/null
}
