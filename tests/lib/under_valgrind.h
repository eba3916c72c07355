/*
 * RUNNING_ON_VALGRIND for the tests: nonzero when the test runs under valgrind (make
 * valgrind), 0 otherwise, and 0 where valgrind's header is not installed.
 *
 * Two things differ there. Valgrind does not implement seccomp(2), so confinement cannot
 * be applied and its test has nothing to check. And everything runs some thirty times
 * slower, so a guard against a hang or a deadline met with a fraction of a second to
 * spare needs more room; under valgrind only memory errors and leaks are being checked.
 */
#ifndef EHRTERM_TESTS_UNDER_VALGRIND_H
#define EHRTERM_TESTS_UNDER_VALGRIND_H

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#endif
