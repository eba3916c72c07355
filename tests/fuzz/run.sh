#!/bin/sh
# Run one libFuzzer target for a while, or replay the saved reproducers; fails on any finding.
#
#   run.sh NAME SECONDS SRCDIR [LIBFUZZER-FLAG...]
#       Replays SRCDIR/tests/fuzz/regressions/NAME/, then fuzzes tests/fuzz/fuzz-NAME for
#       SECONDS from its corpus (tests/fuzz/corpus/NAME, kept between runs) and its seeds.
#       A crash, leak, timeout or broken promise is saved under tests/fuzz/crashes/NAME/
#       and named in the failure message with the command that replays it.
#   run.sh --regress SRCDIR NAME...
#       Only replays each NAME's saved reproducers.
# Run from the top of the build tree (make fuzz does).
set -u

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# replay NAME SRCDIR: run every saved reproducer of NAME once; 0 when none fails.
replay() {
	dir=$2/tests/fuzz/regressions/$1
	set -- "$1" "$dir"/*
	name=$1
	shift
	[ -e "$1" ] || return 0
	mkdir -p tests/fuzz/logs
	if ! "tests/fuzz/fuzz-$name" -runs=1 "$@" >"tests/fuzz/logs/$name-regress.log" 2>&1; then
		tail -n 40 "tests/fuzz/logs/$name-regress.log" >&2
		echo "fuzz: $name: a saved reproducer in $dir fails again (log: tests/fuzz/logs/$name-regress.log)" >&2
		return 1
	fi
	echo "fuzz: $name: $# saved reproducer(s) pass"
}

if [ "${1:-}" = --regress ]; then
	srcdir=$2
	shift 2
	rc=0
	for name in "$@"; do
		replay "$name" "$srcdir" || rc=1
	done
	exit $rc
fi

name=$1 seconds=$2 srcdir=$3
shift 3
bin=tests/fuzz/fuzz-$name
corpus=tests/fuzz/corpus/$name
crashes=tests/fuzz/crashes/$name
log=tests/fuzz/logs/$name.log
mkdir -p "$corpus" "$crashes" tests/fuzz/logs

replay "$name" "$srcdir" || exit 1

echo "fuzz: $name: fuzzing for ${seconds}s (log: $log)"
# The corpus comes first: libFuzzer adds what it finds to the first directory only.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crashes/" "$@" "$corpus" tests/fuzz/seeds/"$name" >"$log" 2>&1
rc=$?

# The last status line (#N DONE cov: ft: corp: exec/s:) and the final statistics.
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "fuzz: $name: ${execs:-?} runs, ${rate:-?}/s: ${last:-no status line}"

if [ $rc -ne 0 ]; then
	found=$(ls -t "$crashes" 2>/dev/null | head -n 1)
	echo "---- last lines of $log ----" >&2
	tail -n 60 "$log" >&2
	if [ -n "$found" ]; then
		echo "fuzz: $name FAILED: reproducer $(pwd)/$crashes/$found" >&2
		echo "fuzz: replay it in $(pwd) with: $bin $crashes/$found" >&2
	else
		echo "fuzz: $name FAILED (exit $rc) without a reproducer; see $log" >&2
	fi
	exit 1
fi
