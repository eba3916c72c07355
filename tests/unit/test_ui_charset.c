/* Unit tests for charset = auto: the locale's, but ASCII on a VT-series terminal without Unicode. */
#include "config.h"

#include <criterion/criterion.h>

#include "ui/ui.h"

Test(ui_charset, vt_series_terminals_have_no_unicode)
{
	static const char *const ascii[] = { "vt52", "vt100", "vt102", "vt220", "vt320", "vt420",
		"vt100-am", "vt100-nav", "vt102-w", "vt220-8", "vt220-8bit", "vt320-k3", "vt420pc",
		"VT100", "vt100+fnkeys" };
	static const char *const others[] = { "xterm", "xterm-256color", "linux", "screen",
		"tmux-256color", "vt1000", "vt1001", "vt10", "vt", "", "rxvt-unicode",
		"xvt100" };

	for (size_t i = 0; i < sizeof ascii / sizeof ascii[0]; i++) {
		cr_expect(ui_term_without_unicode(ascii[i]), "%s has no Unicode", ascii[i]);
		cr_expect(!ui_auto_utf8(ascii[i], true), "%s in a UTF-8 locale: ASCII", ascii[i]);
	}
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		cr_expect(!ui_term_without_unicode(others[i]), "%s is not one of them", others[i]);
		cr_expect(ui_auto_utf8(others[i], true), "%s in a UTF-8 locale: UTF-8", others[i]);
		cr_expect(!ui_auto_utf8(others[i], false), "%s without UTF-8: ASCII", others[i]);
	}
	cr_expect(!ui_term_without_unicode(NULL));
	cr_expect(ui_auto_utf8(NULL, true), "no TERM: the locale decides");
}
