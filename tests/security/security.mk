# --- security suite (tests/security/README.md) ----------------------------------------
# Included by Makefile.am; automake reads it in. Five tests run in `make check`:
# transport.test (old TLS, redirects), hostile.test (a hostile server's answers through
# the real program), faults.test (faults through the real program, every write exactly
# once), at-rest.test (nothing left on disk, not dumpable, no passphrase anywhere) and
# confine.test (after login: no file written, no program run; still works). `make valgrind` runs tests/security/valgrind (memcheck on the unit and
# integration tests; about half an hour on 2 cores, so not in make check).
# `make security-results` regenerates tests/security/RESULTS.md in the source tree with
# tests/security/results (builds of its own under build/security/ there; about 40 minutes
# on 2 cores, 30 of them valgrind).
SCRIPT_TESTS += \
	tests/security/transport.test \
	tests/security/hostile.test \
	tests/security/faults.test \
	tests/security/at-rest.test \
	tests/security/confine.test

EXTRA_DIST += \
	tests/security/README.md \
	tests/security/RESULTS.md \
	tests/security/security.mk \
	tests/security/redirector.js \
	tests/security/sampler \
	tests/security/valgrind \
	tests/security/glib-dbus.supp \
	tests/security/results

# More arguments for tests/security/valgrind, e.g. VALGRIND_STAGES='fhir check'.
VALGRIND_STAGES =
.PHONY: valgrind security-results
valgrind: ehrterm$(EXEEXT) $(check_PROGRAMS) $(SANDBOX_STAMP)
	@EHRTERM='$(abs_builddir)/ehrterm$(EXEEXT)' EHRTERM_SRCDIR='$(abs_srcdir)' \
	EHRTERM_SANDBOX_MODULES='$(SANDBOX_MODULES)' \
	$(SHELL) '$(srcdir)/tests/security/valgrind' --out '$(abs_builddir)/tests/security/valgrind' \
		$(VALGRIND_STAGES)

# More arguments for tests/security/results, e.g. SECURITY_RESULTS_FLAGS='--fuzz-seconds 60'.
SECURITY_RESULTS_FLAGS =
security-results:
	@$(SHELL) '$(srcdir)/tests/security/results' $(SECURITY_RESULTS_FLAGS)
# --- end of the security suite ----------------------------------------------------------
