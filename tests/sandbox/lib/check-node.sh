# shellcheck shell=sh disable=SC2154
# Sourced by ../run and ../selftest (POSIX sh): checks that Node.js is new
# enough and that the pinned node_modules are installed. Sets NODE_BIN and
# SANDBOX_MODULES, or prints a plain reason and exits non-zero.
# Needs: $sandbox_dir (the directory of the calling script), $prog.

# package.json "engines": ^20.19.0 || >=22.12.0
node_wanted='Node.js 20.19 or newer (20.19+, or 22.12+)'
NODE_BIN=$(command -v node 2>/dev/null) || {
	echo "$prog: Node.js is not installed; the FHIR sandbox needs $node_wanted" >&2
	exit 1
}
node_version=$("$NODE_BIN" -p 'process.versions.node' 2>/dev/null) || {
	echo "$prog: cannot run $NODE_BIN; the FHIR sandbox needs $node_wanted" >&2
	exit 1
}
node_major=${node_version%%.*}
node_minor=${node_version#*.}
node_minor=${node_minor%%.*}
case $node_major$node_minor in
*[!0-9]*)
	echo "$prog: cannot understand Node.js version '$node_version'; the FHIR sandbox needs $node_wanted" >&2
	exit 1
	;;
esac
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; } ||
	[ "$node_major" -eq 21 ] || { [ "$node_major" -eq 22 ] && [ "$node_minor" -lt 12 ]; }; then
	echo "$prog: Node.js $node_version ($NODE_BIN) is too old; the FHIR sandbox needs $node_wanted" >&2
	exit 1
fi

# The build may install node_modules outside the (read-only) source tree.
SANDBOX_MODULES=${EHRTERM_SANDBOX_MODULES:-$sandbox_dir}
if [ ! -f "$SANDBOX_MODULES/node_modules/@medplum/fhir-router/package.json" ]; then
	echo "$prog: the sandbox's Node modules are not installed in $SANDBOX_MODULES/node_modules" >&2
	echo "$prog: run \"npm ci\" in tests/sandbox${EHRTERM_SANDBOX_MODULES:+ (or in \$EHRTERM_SANDBOX_MODULES=$EHRTERM_SANDBOX_MODULES, with a copy of package.json and package-lock.json)}" >&2
	exit 1
fi
EHRTERM_SANDBOX_MODULES=$SANDBOX_MODULES
export EHRTERM_SANDBOX_MODULES
