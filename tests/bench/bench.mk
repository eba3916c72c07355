# --- benchmarks (tests/bench/README.md) ------------------------------------------------
# `make bench` runs tests/bench/run: the workflows of issue 8 with the real ehrterm in a
# pseudo-terminal, against the sandbox, on loopback and on a slow link (tests/bench/relay),
# with the sample data and with 10,000 patients. It writes tests/bench/results.json and
# tests/bench/RESULTS.md in the build tree (BENCH_OUT), reports the targets met or not met
# and fails only when a workflow could not be run. Then it runs the reconnect workflow again
# against an HTTP/1.1-only sandbox (where the TLS session is resumed; a section of
# RESULTS.md) and tests/bench/sessions (`make bench-sessions`, below). About 5 minutes on 2 cores. Not part of `make check`: its numbers
# are measurements, not tests.
# Included by Makefile.am (after SANDBOX_STAMP is defined); automake copies it in.
NODE = node
BENCH_OUT = $(abs_builddir)/tests/bench
# More arguments for tests/bench/run, e.g. BENCH_FLAGS='--sizes sample --links loopback'.
BENCH_FLAGS =
.PHONY: bench bench-sessions
BENCH_ENV = EHRTERM='$(abs_builddir)/ehrterm$(EXEEXT)' EHRTERM_SRCDIR='$(abs_srcdir)' \
	EHRTERM_SANDBOX_MODULES='$(SANDBOX_MODULES)' VTDRIVE='$(abs_builddir)/tests/e2e/vtdrive$(EXEEXT)'
bench: ehrterm$(EXEEXT) tests/e2e/vtdrive$(EXEEXT) $(SANDBOX_STAMP)
	@$(BENCH_ENV) $(NODE) '$(abs_srcdir)/tests/bench/run' --out '$(BENCH_OUT)' $(BENCH_FLAGS)
	@$(BENCH_ENV) $(NODE) '$(abs_srcdir)/tests/bench/run' --http1 --sizes sample --links relay \
		--workflows reconnect --out '$(BENCH_OUT)/http1' --section-into '$(BENCH_OUT)/RESULTS.md'
	@$(BENCH_ENV) $(NODE) '$(abs_srcdir)/tests/bench/sessions' --out '$(BENCH_OUT)' $(BENCH_SESSIONS_FLAGS)
EXTRA_DIST += tests/bench/README.md tests/bench/bench.mk tests/bench/run tests/bench/relay \
	tests/bench/sessions

# `make bench-sessions`: issue 18's fifty clerks on one host (tests/bench/sessions): 50
# ehrterm sessions in pseudo-terminals against one sandbox, each running the front-desk
# workflow with random (seeded) pauses; per-session USS and PSS, CPU working and idle
# (wake-ups on the grid and on the flow board), the last session's step times against a
# single session's. Writes sessions.json and SESSIONS.md in BENCH_OUT; about two minutes.
# More arguments in BENCH_SESSIONS_FLAGS, e.g. '--sessions 20 --idle 10 --flow-idle 0'.
BENCH_SESSIONS_FLAGS =
bench-sessions: ehrterm$(EXEEXT) tests/e2e/vtdrive$(EXEEXT) $(SANDBOX_STAMP)
	@$(BENCH_ENV) $(NODE) '$(abs_srcdir)/tests/bench/sessions' --out '$(BENCH_OUT)' $(BENCH_SESSIONS_FLAGS)

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
