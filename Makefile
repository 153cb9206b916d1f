# nsjudge build. `make` builds build/nsjudge; `make deps` installs the
# packages the build needs (as root); `make test` installs what is missing,
# builds, and runs every test; `make bench` measures; `make install`
# installs (PREFIX, DESTDIR, SYSCONFDIR) and never runs the package installer.
# Sources are picked up by folder, so adding a file needs no edit here.

CC      ?= gcc
PKGS    := libmicrohttpd jansson libseccomp yaml-0.1 sqlite3 libpq libcurl libarchive nettle
OPT     ?= -O2 -g
# CFLAGS from the command line add to these rather than replace them.
# Release hardening. The sanitizer builds set HARDEN= (ASan checks memory
# itself and does not mix with the fortified libc calls); -D_FORTIFY_SOURCE
# needs -O1 or more, so an -O0 build also sets HARDEN=.
HARDEN  ?= -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong
LDHARDEN = -Wl,-z,relro -Wl,-z,now
# Objects are position independent: -fPIC for what the plugin (.so) links,
# -fPIE for what only executables link (EXE_OBJ below); executables -pie.
PIC      = -fPIC
ALL_CFLAGS = $(OPT) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
             -D_GNU_SOURCE $(HARDEN) $(PIC) -I. $(CFLAGS)
# The sanitizer builds (test-asan, fuzz): ASan + UBSan, and float-cast-overflow,
# which -fsanitize=undefined leaves out. float-cast-overflow only recovers so
# that tests/fuzz/ubsan.supp can name the known spots: the runs set
# UBSAN_OPTIONS=halt_on_error=1, so every other report is fatal.
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
             -fno-sanitize-recover=all -fsanitize-recover=float-cast-overflow
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

B ?= build

SANDBOX_SRC := $(wildcard sandbox/*.c)
JUDGE_SRC   := $(wildcard judge/*.c)
# The CLI proper (server/cli/); serve/worker live in the service module
# (server/service/) so that `nsjudge run` and `nsjudge judge`
# do not pay for loading libcurl, libmicrohttpd, libpq, libarchive and their
# ~40 dependencies at every start (10+ ms). A file's folder decides.
# server/common/ is linked into both (where the configs are found).
COMMON_SRC  := $(wildcard server/common/*.c)
CLI_SRC     := $(wildcard server/cli/*.c)
SERVER_SRC  := $(wildcard server/service/*.c) $(COMMON_SRC)
PLUGIN_SRC  := $(SERVER_SRC)
CLI_LIBS    = $(shell pkg-config --libs jansson libseccomp yaml-0.1 nettle 2>/dev/null) -lpthread -lm -ldl
TEST_SRC    := $(wildcard tests/*.c)
HOSTILE_SRC := $(wildcard testdata/hostile/*.c)
PROGRAM_SRC := $(wildcard testdata/programs/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIBS_A := $(B)/libserver.a $(B)/libjudge.a $(B)/libsandbox.a
# CLI_SRC is linked only into executables (the plugin takes PLUGIN_SRC).
EXE_OBJ := $(call obj,$(CLI_SRC) $(TEST_SRC) scripts/bench/bench_sandbox.c)
$(EXE_OBJ): PIC = -fPIE

.PHONY: all deps test test-asan fuzz fuzz-build bench bench-service clean install hostile test-cgroup-v2 \
        test-browser test-cluster bench-cluster
all: $(B)/nsjudge $(B)/nsjudge-server.so hostile

deps:
	@sh scripts/install-deps.sh

# Each object depends on the headers it includes: -MMD writes them to a .d
# file beside it, read back here (a header that is gone is skipped, -MP).
$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

$(B)/libsandbox.a: $(call obj,$(SANDBOX_SRC))
	@mkdir -p $(B); rm -f $@; ar rcs $@ $^
$(B)/libjudge.a: $(call obj,$(JUDGE_SRC))
	@mkdir -p $(B); rm -f $@; ar rcs $@ $^
$(B)/libserver.a: $(call obj,$(SERVER_SRC))
	@mkdir -p $(B); rm -f $@; ar rcs $@ $^

$(B)/nsjudge: $(call obj,$(CLI_SRC) $(COMMON_SRC)) $(B)/libjudge.a $(B)/libsandbox.a | $(B)/nsjudge-server.so
	$(CC) $(ALL_CFLAGS) -pie $(LDHARDEN) -o $@ $^ -Wl,--as-needed $(CLI_LIBS) $(PKG_LIBS)

# serve / worker, loaded by build/nsjudge with dlopen (same directory).
$(B)/nsjudge-server.so: $(call obj,$(PLUGIN_SRC)) $(B)/libjudge.a $(B)/libsandbox.a
	$(CC) $(ALL_CFLAGS) -shared $(LDHARDEN) -o $@ $^ $(PKG_LIBS)

# Hostile and helper programs run inside the box by the tests.
hostile: $(patsubst testdata/hostile/%.c,$(B)/hostile/%,$(HOSTILE_SRC)) \
         $(patsubst testdata/programs/%.c,$(B)/programs/%,$(PROGRAM_SRC))
$(B)/hostile/%: testdata/hostile/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -std=gnu11 -D_GNU_SOURCE -w -o $@ $< -lpthread -lm
$(B)/programs/%: testdata/programs/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -std=gnu11 -D_GNU_SOURCE -w -o $@ $< -lpthread -lm

$(B)/nsjudge-tests: $(call obj,$(TEST_SRC)) $(LIBS_A)
	$(CC) $(ALL_CFLAGS) -pie $(LDHARDEN) -o $@ $^ $(PKG_LIBS) -lcriterion

# `make test`, in this order:
#  1. every suite on the ASan + UBSan build (test-asan);
#  2. each fuzz target for FUZZ_TEST_S seconds over its seeds and the inputs
#     of past findings (testdata/fuzz/), from a fresh corpus;
#  3. every suite again on the release build: what ships is -O2 with
#     _FORTIFY_SOURCE (its checks and the optimiser's use of UB differ from
#     the -O1 sanitizer build), and the timing and memory accuracy tests
#     need the supervisor at full speed, without sanitizer overhead.
# One criterion binary holds every test, so the closing summary line
# counts them all. Each run gets a PostgreSQL server of its own for the
# store contract tests (scripts/with-pg-test-server.sh: initdb in /tmp as
# an unprivileged user, a unix socket there, removed after).
FUZZ_TEST_S ?= 3
test: deps
	$(MAKE) --no-print-directory test-asan
	rm -rf build-fuzz/corpus-test
	$(MAKE) --no-print-directory fuzz FUZZ_S=$(FUZZ_TEST_S) FUZZ_CORPUS=build-fuzz/corpus-test
	$(MAKE) --no-print-directory $(B)/nsjudge $(B)/nsjudge-server.so $(B)/nsjudge-tests hostile
	NSJUDGE_BIN=$(CURDIR)/$(B)/nsjudge NSJUDGE_HOSTILE=$(CURDIR)/$(B)/hostile \
	  NSJUDGE_PROGRAMS=$(CURDIR)/$(B)/programs sh scripts/with-pg-test-server.sh \
	  $(B)/nsjudge-tests --jobs 2 $(TEST_ARGS)

# AddressSanitizer + UBSan (with float-cast-overflow) build of every suite:
# the supervisor that handles hostile programs and the parsers of network
# input (HTTP bodies, archives, problem packages) alike. A report aborts the
# test that made it. ASAN_FILTER='sandbox*/*' runs a subset.
ASAN_FLAGS = -O1 -g $(SAN_FLAGS)
ASAN_FILTER ?=
test-asan:
	$(MAKE) --no-print-directory B=build-asan HARDEN= OPT="$(ASAN_FLAGS)" \
	  build-asan/nsjudge build-asan/nsjudge-server.so build-asan/nsjudge-tests hostile
	NSJUDGE_BIN=$(CURDIR)/build-asan/nsjudge NSJUDGE_HOSTILE=$(CURDIR)/build-asan/hostile \
	  NSJUDGE_PROGRAMS=$(CURDIR)/build-asan/programs \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/tests/fuzz/ubsan.supp \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh scripts/with-pg-test-server.sh \
	  build-asan/nsjudge-tests --jobs 2 $(if $(ASAN_FILTER),--filter '$(ASAN_FILTER)')

# ---- fuzzing (libFuzzer) ---------------------------------------------------
# One harness per target in tests/fuzz/ (the file name is the target), seeds
# in testdata/fuzz/TARGET/. The libraries are rebuilt with clang in
# build-fuzz/ with coverage, ASan and UBSan (float-cast-overflow included:
# -fsanitize=undefined leaves it out). `make fuzz FUZZ_S=N` runs each target
# N seconds and prints executions and coverage; a crash fails the target and
# leaves the reproducer in build-fuzz/crashes/TARGET/ (tests/fuzz/run.sh).
FUZZ_CC      ?= clang-14
FUZZ_S       ?= 60
FUZZ_TARGETS ?= $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_OPT  := -O1 -g $(SAN_FLAGS) -fsanitize=fuzzer-no-link
FUZZ_BIN   = $(patsubst %,build-fuzz/fuzz/%,$(FUZZ_TARGETS))

fuzz-build:
	$(MAKE) --no-print-directory B=build-fuzz CC=$(FUZZ_CC) HARDEN= OPT="$(FUZZ_OPT)" $(FUZZ_BIN)
FUZZ_CORPUS ?= build-fuzz/corpus
fuzz: fuzz-build
	FUZZ_CORPUS=$(FUZZ_CORPUS) sh tests/fuzz/run.sh $(FUZZ_S) $(FUZZ_TARGETS)

$(B)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(LIBS_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -DFUZZ_ROOT='"$(CURDIR)"' \
	  -o $@ $< $(LIBS_A) $(PKG_LIBS)

bench: deps all $(B)/bench/bench_sandbox
	sh scripts/bench.sh

# bench-service: `nsjudge serve` end to end (wrk) against the bare sandbox
# loop of the same jobs, in one run (scripts/bench-service.sh installs wrk)
bench-service: $(B)/nsjudge $(B)/nsjudge-server.so $(B)/bench/bench_sandbox
	B=$(B) sh scripts/bench-service.sh

$(B)/bench/bench_sandbox: $(call obj,scripts/bench/bench_sandbox.c) $(B)/libsandbox.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -pie $(LDHARDEN) -o $@ $^ $(PKG_LIBS)

# Installed layout (PREFIX=/usr/local, DESTDIR for staging):
#   PREFIX/bin/nsjudge, PREFIX/lib/nsjudge/nsjudge-server.so (the binary
#   looks there when there is no module next to it), PREFIX/share/nsjudge/
#   (the shipped language table and config, for reference),
#   SYSCONFDIR/nsjudge/{nsjudge,languages}.json (never overwritten: they are
#   the operator's), the systemd unit, man pages generated from --help, bash
#   completion, the web pages in PREFIX/share/nsjudge/web (CodeMirror is
#   Debian's libjs-codemirror, served from where it is installed). The installed config keeps its state in /var/lib/nsjudge.
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/systemd/system,$(PREFIX)/lib/systemd/system)
COMPLDIR   ?= $(PREFIX)/share/bash-completion/completions
MANDIR     ?= $(PREFIX)/share/man
install: $(B)/nsjudge $(B)/nsjudge-server.so
	install -D -m 755 $(B)/nsjudge $(DESTDIR)$(PREFIX)/bin/nsjudge
	install -D -m 644 $(B)/nsjudge-server.so $(DESTDIR)$(PREFIX)/lib/nsjudge/nsjudge-server.so
	install -D -m 644 configs/languages.json $(DESTDIR)$(PREFIX)/share/nsjudge/languages.json
	@mkdir -p $(B)/install
	sed -e 's|"data_dir": "./data"|"data_dir": "/var/lib/nsjudge"|' \
	    -e 's|"languages": "configs/languages.json"|"languages": "$(SYSCONFDIR)/nsjudge/languages.json"|' \
	    -e 's|Relative paths are relative to the working directory.|Installed by make install; edit freely, make install keeps it.|' \
	    configs/nsjudge.json > $(B)/install/nsjudge.json
	install -D -m 644 $(B)/install/nsjudge.json $(DESTDIR)$(PREFIX)/share/nsjudge/nsjudge.json
	@for f in nsjudge.json languages.json; do \
	  if [ -e $(DESTDIR)$(SYSCONFDIR)/nsjudge/$$f ]; then \
	    echo "kept $(DESTDIR)$(SYSCONFDIR)/nsjudge/$$f (the shipped one is in $(PREFIX)/share/nsjudge/)"; \
	  else install -D -m 644 $(DESTDIR)$(PREFIX)/share/nsjudge/$$f $(DESTDIR)$(SYSCONFDIR)/nsjudge/$$f; fi; \
	done
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    configs/systemd/nsjudge.service.in > $(B)/install/nsjudge.service
	install -D -m 644 $(B)/install/nsjudge.service $(DESTDIR)$(UNITDIR)/nsjudge.service
	install -D -m 644 configs/bash-completion/nsjudge $(DESTDIR)$(COMPLDIR)/nsjudge
	sh scripts/man/gen-man.sh $(B)/nsjudge $(B)/install/man
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(B)/install/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PREFIX)/share/nsjudge/web
	install -m 644 server/web/*.html server/web/*.css server/web/*.js $(DESTDIR)$(PREFIX)/share/nsjudge/web/

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# cgroup v2 for real: Debian's kernel in qemu with only cgroup2 (slow:
# software emulation; CI runs it after make test). See scripts/cgroup-v2/.
test-cgroup-v2: all $(B)/nsjudge-tests
	@t0=$$(date +%s); sh scripts/cgroup-v2/run.sh; rc=$$?; \
	  echo "test-cgroup-v2: $$(( $$(date +%s) - t0 )) s"; exit $$rc

# The web pages in headless Chromium (tests/browser/): installs Debian's
# chromium, chromium-driver and libjs-codemirror when missing, skips with a
# message only where no browser can be installed. Screenshots go to
# build/browser/ (BROWSER_SHOTS=docs/screenshots refreshes the README's).
BROWSER_SHOTS ?= $(B)/browser
test-browser: $(B)/nsjudge $(B)/nsjudge-server.so
	@t0=$$(date +%s); NSJUDGE_BIN=$(CURDIR)/$(B)/nsjudge sh tests/browser/run.sh $(BROWSER_SHOTS); rc=$$?; \
	  echo "test-browser: $$(( $$(date +%s) - t0 )) s"; exit $$rc
# Scale-out for real: an API node and two worker nodes, each in its own
# network namespace with its own data dir, on one PostgreSQL reached over
# veth pairs; 300 submissions, three kill -9 of a worker node (root; see
# scripts/cluster/). bench-cluster: jobs/s with 1 and 2 worker nodes,
# SQLite on one node, and the idle POST-to-result overhead.
test-cluster: all
	@t0=$$(date +%s); sh scripts/cluster/run.sh; rc=$$?; \
	  echo "test-cluster: $$(( $$(date +%s) - t0 )) s"; exit $$rc
bench-cluster: all
	CLUSTER_MODE=bench sh scripts/cluster/run.sh
