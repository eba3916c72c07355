# --- benchmarks (tests/bench/README.md) ------------------------------------------------
# `make bench` runs tests/bench/run: the workflows of issue 8 with the real ehrterm in a
# pseudo-terminal, against the sandbox, on loopback and on a slow link (tests/bench/relay),
# with the sample data and with 10,000 patients. It writes tests/bench/results.json and
# tests/bench/RESULTS.md in the build tree (BENCH_OUT), reports the targets met or not met
# and fails only when a workflow could not be run. About 2-3 minutes on 2 cores. Not part
# of `make check`: its numbers are measurements, not tests.
# Included by Makefile.am (after SANDBOX_STAMP is defined); automake copies it in.
NODE = node
BENCH_OUT = $(abs_builddir)/tests/bench
# More arguments for tests/bench/run, e.g. BENCH_FLAGS='--sizes sample --links loopback'.
BENCH_FLAGS =
.PHONY: bench
bench: ehrterm$(EXEEXT) tests/e2e/vtdrive$(EXEEXT) $(SANDBOX_STAMP)
	@EHRTERM='$(abs_builddir)/ehrterm$(EXEEXT)' EHRTERM_SRCDIR='$(abs_srcdir)' \
	EHRTERM_SANDBOX_MODULES='$(SANDBOX_MODULES)' VTDRIVE='$(abs_builddir)/tests/e2e/vtdrive$(EXEEXT)' \
	$(NODE) '$(abs_srcdir)/tests/bench/run' --out '$(BENCH_OUT)' $(BENCH_FLAGS)
EXTRA_DIST += tests/bench/README.md tests/bench/bench.mk tests/bench/run tests/bench/relay

# `make bench-editor`: the note editor's CPU time and terminal bytes per key on a
# 20,000-character note (issue 14), in-process, no sandbox; a few seconds. More arguments
# in BENCH_EDITOR_FLAGS, e.g. '--chars 60000 --keys 500' (tests/bench/editor.c).
EXTRA_PROGRAMS = tests/bench/editor
tests_bench_editor_SOURCES = tests/bench/editor.c
tests_bench_editor_CFLAGS = $(AM_CFLAGS) $(LIB_CFLAGS)
tests_bench_editor_LDADD = libehrterm.a $(LIB_LIBS)
CLEANFILES += tests/bench/editor$(EXEEXT)
BENCH_EDITOR_FLAGS =
.PHONY: bench-editor
bench-editor: tests/bench/editor$(EXEEXT)
	@./tests/bench/editor$(EXEEXT) $(BENCH_EDITOR_FLAGS)
# --- end of benchmarks ------------------------------------------------------------------
