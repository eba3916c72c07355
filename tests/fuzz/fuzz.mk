# GNU make rules for the libFuzzer targets; `make fuzz` in a configured build tree runs them.
#
# Makefile.am calls this from the top of the build tree with srcdir, FUZZ_CC (clang, as
# configure found it; empty when it found none), FUZZ_MISSING (why not) and
# FUZZ_LIB_SOURCES (libehrterm_a_SOURCES). Everything is made under tests/fuzz/ in the
# build tree, apart from the gcc build: its own objects, built with clang, sanitizers
# and coverage. See tests/fuzz/README.md.

srcdir ?= .
FUZZ_CC ?= clang
PKG_CONFIG ?= pkg-config
NODE ?= node
# Seconds each target runs for; CI (scripts/test) runs them for 60.
FUZZ_SECONDS ?= 300
# The targets to build and run: `make fuzz FUZZ_TARGETS=cfg` runs one.
FUZZ_TARGETS ?= fhir cfg keymap safe field patient billing chart jws vitals
# More libFuzzer flags for every run, such as -use_value_profile=1.
FUZZ_FLAGS ?=

FUZZ_PKGS = libcurl libcjson libsecret-1 ncursesw libcrypto
# The library gets coverage instrumentation without libFuzzer's main(); the targets link it.
FUZZ_SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZE)
FUZZ_CPPFLAGS = -I$(srcdir)/src -I$(srcdir) -I. -I$(srcdir)/tests/fuzz

# Per target: the dictionary and the longest input worth trying.
FUZZ_ARGS_fhir = -dict=$(srcdir)/tests/fuzz/json.dict -max_len=65536
FUZZ_ARGS_cfg = -dict=$(out)/seeds/cfg.dict -max_len=8192
FUZZ_ARGS_keymap = -dict=$(out)/seeds/keys.dict -max_len=8192
FUZZ_ARGS_safe = -dict=$(srcdir)/tests/fuzz/safe.dict -max_len=4096
FUZZ_ARGS_field = -dict=$(srcdir)/tests/fuzz/field.dict -max_len=256
FUZZ_ARGS_patient = -dict=$(srcdir)/tests/fuzz/field.dict -max_len=256
FUZZ_ARGS_billing = -dict=$(srcdir)/tests/fuzz/json.dict -max_len=16384
FUZZ_ARGS_chart = -dict=$(srcdir)/tests/fuzz/json.dict -max_len=131072
FUZZ_ARGS_jws = -dict=$(srcdir)/tests/fuzz/jws.dict -max_len=65536
FUZZ_ARGS_vitals = -dict=$(srcdir)/tests/fuzz/vitals.dict -max_len=512

out = tests/fuzz
lib_srcs = $(filter %.c,$(FUZZ_LIB_SOURCES)) src/keys/keys-builtin.c
lib_objs = $(patsubst %.c,$(out)/obj/%.o,$(lib_srcs))
fuzzers = $(patsubst %,$(out)/fuzz-%,$(FUZZ_TARGETS))
seeds = $(out)/seeds/.stamp
seed_inputs = $(srcdir)/tests/fuzz/make-seeds.mjs $(srcdir)/man/ehrterm.conf.5 \
	$(srcdir)/src/cfg/cfg-table.c $(srcdir)/keymaps/actions.def \
	$(wildcard $(srcdir)/keymaps/*.keys $(srcdir)/tests/sandbox/data/synthea/*.json \
	    $(srcdir)/tests/sandbox/data/hl7-r4-examples/*.json)

# Sources come from the source tree, or the build tree for keys-builtin.c.
vpath %.c $(srcdir)

.PHONY: fuzz fuzz-build fuzz-regress fuzz-clean fuzz-check-cc
.DELETE_ON_ERROR:

fuzz: $(patsubst %,fuzz-run-%,$(FUZZ_TARGETS))

fuzz-build: $(fuzzers) $(seeds)

fuzz-check-cc:
	@if test -z '$(FUZZ_CC)'; then \
		echo 'fuzz: no C compiler with libFuzzer: $(FUZZ_MISSING)' >&2; \
		echo 'fuzz: install clang and libclang-rt-dev, or name one: make fuzz FUZZ_CC=clang-15' >&2; \
		exit 1; \
	fi

# Each target runs on its own: `make -j2 fuzz` runs two at a time.
fuzz-run-%: $(out)/fuzz-% $(seeds)
	@$(SHELL) $(srcdir)/tests/fuzz/run.sh $* '$(FUZZ_SECONDS)' '$(srcdir)' \
		$(FUZZ_ARGS_$*) $(FUZZ_FLAGS)

# Replay the saved reproducers of past findings once each, without fuzzing.
fuzz-regress: $(fuzzers)
	@$(SHELL) $(srcdir)/tests/fuzz/run.sh --regress '$(srcdir)' $(FUZZ_TARGETS)

# Header dependencies come from -MMD; any change of flags or of the source list rebuilds all.
$(out)/obj/%.o: %.c $(out)/obj/flags | fuzz-check-cc
	@mkdir -p $(@D)
	@echo "  FUZZCC   $<"
	@$(FUZZ_CC) $(FUZZ_CPPFLAGS) `$(PKG_CONFIG) --cflags $(FUZZ_PKGS)` $(FUZZ_CFLAGS) \
		-fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(out)/obj/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(lib_srcs)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(out)/libehrterm-fuzz.a: $(lib_objs)
	@rm -f $@
	@ar rcs $@ $(lib_objs)

$(out)/fuzz-%: $(out)/obj/tests/fuzz/fuzz_%.o $(out)/libehrterm-fuzz.a
	@echo "  FUZZLD   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(out)/libehrterm-fuzz.a \
		`$(PKG_CONFIG) --libs $(FUZZ_PKGS)` -lm

# Seeds and the table-made dictionaries, from the sample data; made aside, then moved in.
$(seeds): $(seed_inputs)
	@echo "  SEEDS    $(out)/seeds"
	@rm -rf $(out)/seeds $(out)/seeds.tmp
	@$(NODE) $(srcdir)/tests/fuzz/make-seeds.mjs $(srcdir) $(out)/seeds.tmp
	@touch $(out)/seeds.tmp/.stamp
	@mv $(out)/seeds.tmp $(out)/seeds

fuzz-clean:
	rm -rf $(out)/obj $(out)/seeds $(out)/seeds.tmp $(out)/corpus $(out)/crashes \
		$(out)/logs $(out)/libehrterm-fuzz.a $(out)/fuzz-fhir $(out)/fuzz-cfg \
		$(out)/fuzz-keymap $(out)/fuzz-safe $(out)/fuzz-field $(out)/fuzz-patient \
		$(out)/fuzz-billing $(out)/fuzz-chart $(out)/fuzz-jws $(out)/fuzz-vitals \
		$(fuzzers)

.PHONY: FORCE
FORCE:

.SECONDARY:

-include $(lib_objs:.o=.d) $(patsubst %,$(out)/obj/tests/fuzz/fuzz_%.d,$(FUZZ_TARGETS))
