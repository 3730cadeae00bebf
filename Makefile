# xenith - a management toolstack for Xen.
#
#   make            build xenithd and xenith (runs ./configure when needed)
#   make check      unit and end-to-end tests on the simulated host
#   make demo       the simulated host at work, through xenith and xenithd
#   make lab-check  the lifecycle tests against real Xen under QEMU
#   make install DESTDIR=...
#
# O=DIR puts objects and binaries in DIR (default build/), so a sanitizer
# build can live beside a normal one:  make check O=build-asan SANITIZE=yes

O ?= build
V ?= 0
ifeq ($(V),0)
quiet = @echo "  $(1) $(2)";
else
quiet =
endif
-include config.mk

SANITIZE ?= no
VALGRIND ?= 0
export VALGRIND
PREFIX ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
CC ?= cc
CFLAGS ?= -O2 -g

PKGS_LIB := xenlight xlutil xenstore xentoollog libxml-2.0 openssl \
            libevent libevent_openssl json-c yajl libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS_LIB) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS_LIB) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-unused-parameter
XCFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DHAVE_YAJL_V2=1 \
           $(PKG_CFLAGS) \
           -DXENITH_RUNDIR='"$(RUNSTATEDIR)/xenith"' \
           -DXENITH_STATEDIR='"$(LOCALSTATEDIR)/lib/xenith"' \
           -DXENITH_LIBDIR='"$(PREFIX)/lib/xenith"' \
           -DXENITH_SYSCONFDIR='"$(SYSCONFDIR)/xenith"'
XLDFLAGS :=
ifeq ($(FUZZ),yes)
XCFLAGS += -fsanitize=fuzzer-no-link
endif
ifeq ($(SANITIZE),yes)
XCFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
XLDFLAGS += -fsanitize=address,undefined
endif

# Which headers each part may see: the leaf library (common/) sees only
# itself, the xenstore client sees the leaf library, the rest sees both and
# toolstack/.  A part that includes what it may not does not compile.
DIRINC = -I. -Icommon -Ixenstore-client -Itoolstack
$(O)/common/%.o: DIRINC = -Icommon
$(O)/xenstore-client/%.o: DIRINC = -Icommon -Ixenstore-client
# The migration's wire format, certificates and relay see only common/:
# the relay faces the network and must not link the toolstack.
$(O)/migration/wire/%.o $(O)/migration/cert/%.o $(O)/migration/relay/%.o: \
  DIRINC = -I. -Icommon

# --- sources: one library, two programs ---
LIB_SRCS := $(wildcard common/*.c xenstore-client/*.c toolstack/*.c \
                       toolstack/sim/*.c toolstack/sim/xsd/*.c \
                       toolstack/xen/*.c toolstack/config/*.c)
DAEMON_SRCS := $(wildcard toolstack/daemon/*.c balloon/*.c schedtune/*.c \
                           migration/*.c)
CLI_SRCS := $(wildcard cli/*.c)
COMMON_SRCS := $(wildcard common/*.c)
MIG_SRCS := $(wildcard migration/wire/*.c migration/cert/*.c)
RELAY_SRCS := $(wildcard migration/relay/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_HELPER_SRCS := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)

LIB := $(O)/libxenith.a
DAEMON_LIB := $(O)/libxenithd.a
XENITHD := $(O)/xenithd
XENITH := $(O)/xenith
RELAY := $(O)/xenith-relay
COMMON_LIB := $(O)/libxncommon.a
MIG_LIB := $(O)/libxenmig.a
AGENT := $(O)/xenith-guest-agent
TESTS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(TEST_SRCS))
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))

obj = $(patsubst %.c,$(O)/%.o,$(1))
ALL_OBJS := $(call obj,$(LIB_SRCS) $(DAEMON_SRCS) $(CLI_SRCS) \
                      $(TEST_SRCS) $(TEST_HELPER_SRCS) $(FUZZ_SRCS) \
                      $(MIG_SRCS) $(RELAY_SRCS))

.PHONY: all check check-layering check-unit check-e2e demo lab-check install clean \
        distclean fuzz fuzzers
all: $(XENITHD) $(XENITH) $(AGENT) $(if $(RELAY_SRCS),$(RELAY))

config.mk:
	@sh scripts/install-deps.sh
	./configure

$(O)/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) $(XCFLAGS) $(DIRINC) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(call obj,$(LIB_SRCS))
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $^

# The daemon's modules are a library too, so tests can drive request
# handling without a socket.
$(DAEMON_LIB): $(call obj,$(filter-out toolstack/daemon/main.c,$(DAEMON_SRCS)))
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $^

# The migration's wire format and certificates: used by the daemon, the
# CLI and the relay.
$(MIG_LIB): $(call obj,$(MIG_SRCS))
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $^

$(COMMON_LIB): $(call obj,$(COMMON_SRCS))
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $^

$(XENITHD): $(call obj,toolstack/daemon/main.c) $(DAEMON_LIB) $(MIG_LIB) $(LIB)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(XENITH): $(call obj,$(CLI_SRCS)) $(MIG_LIB) $(LIB)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

# The relay: TLS and framing for migrations, in its own unprivileged
# process; it links neither libxl nor the toolstack.
RELAY_LIBS := $(shell pkg-config --libs openssl libevent libevent_openssl \
                json-c libzstd 2>/dev/null)
$(RELAY): $(call obj,$(RELAY_SRCS)) $(MIG_LIB) $(COMMON_LIB)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(RELAY_LIBS)

# The guest agent runs in guests: static, from its own objects and the
# common/ files it needs (never libxenith.a, which pulls in libxl), without
# sanitizers (they do not link statically).
AGENT_SRCS := $(wildcard balloon/agent/*.c) common/memreport.c common/utf8.c \
              common/err.c
AGENT_OBJS := $(patsubst %.c,$(O)/agent/%.o,$(AGENT_SRCS))
$(O)/agent/%.o: %.c config.mk
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -std=gnu11 $(WARN) -D_GNU_SOURCE \
	  -Icommon -MMD -MP -c -o $@ $<

$(AGENT): $(AGENT_OBJS)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) -static -o $@ $^
-include $(AGENT_OBJS:.o=.d)

$(O)/tests/%: $(O)/tests/unit/%.o $(call obj,$(TEST_HELPER_SRCS)) \
              $(DAEMON_LIB) $(MIG_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# libFuzzer harnesses (clang): built with FUZZ=yes into build-fuzz/.
$(O)/fuzz/%: $(O)/tests/fuzz/%.o $(DAEMON_LIB) $(MIG_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -fsanitize=fuzzer -o $@ $^ \
	  $(PKG_LIBS)

-include $(ALL_OBJS:.o=.d)

# --- tests ---
check: config.mk
	@$(MAKE) --no-print-directory all $(TESTS) $(PROBE)
	@$(MAKE) --no-print-directory check-layering check-unit check-e2e

# The include rules of docs/architecture.md.
check-layering:
	@sh tests/layering.sh

check-unit: $(TESTS) $(XENITHD) $(AGENT)
	@XENITH_BIN=$(abspath $(O)) sh tests/run-unit.sh $(TESTS)

check-e2e: $(XENITHD) $(XENITH) $(if $(RELAY_SRCS),$(RELAY))
	@XENITH_BIN=$(abspath $(O)) sh tests/run-e2e.sh

# The parsers and decoders that face clients, fuzzed for FUZZ_SECONDS each.
fuzz: config.mk
	@sh scripts/install-deps.sh fuzz
	@$(MAKE) --no-print-directory O=build-fuzz CC=clang SANITIZE=yes \
	  FUZZ=yes fuzzers
	@XENITH_BIN=$(abspath build-fuzz) sh tests/fuzz/run.sh

fuzzers: $(FUZZERS)

demo: config.mk
	@$(MAKE) --no-print-directory all
	@XENITH_BIN=$(abspath $(O)) sh scripts/demo.sh

lab-check: config.mk
	@sh scripts/install-deps.sh lab
	@$(MAKE) --no-print-directory all $(PROBE)
	@XENITH_BIN=$(abspath $(O)) bash tests/lab/run.sh

# hv-probe: every op of the xen:/// driver, called directly; the lab runs
# it in dom0 (tests/lab/cases/80-hv-probe.sh).
PROBE_SRCS := $(wildcard tests/lab/hv-probe/*.c)
PROBE := $(O)/hv-probe
$(PROBE): $(call obj,$(PROBE_SRCS)) $(LIB)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)
-include $(patsubst %.o,%.d,$(call obj,$(PROBE_SRCS)))

# --- bench: speed, memory and policy quality on the simulated host ---
# Every tests/bench/bench_*.c is a bench program; the other files there are
# its helpers (an archive, so a program links only those it uses).
# tests/bench/run.sh runs them all and merges their figures into
# $(O)/bench.json.  Not part of make check: tests never assert timings.
BENCH_PROG_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_HELPER_SRCS := $(filter-out $(BENCH_PROG_SRCS),$(wildcard tests/bench/*.c))
BENCH_LIB := $(O)/bench/libbench.a
BENCHES := $(patsubst tests/bench/%.c,$(O)/bench/%,$(BENCH_PROG_SRCS))

.PHONY: bench
bench: config.mk
	@$(MAKE) --no-print-directory $(BENCHES)
	@sh tests/bench/run.sh $(abspath $(O)) $(BENCHES)

$(BENCH_LIB): $(call obj,$(BENCH_HELPER_SRCS))
	@mkdir -p $(dir $@)
	@rm -f $@
	$(call quiet,AR,$@)ar rcs $@ $^

$(O)/bench/%: $(O)/tests/bench/%.o $(BENCH_LIB) $(DAEMON_LIB) $(MIG_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,LD,$@)$(CC) $(CFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)
-include $(patsubst %.o,%.d,$(call obj,$(BENCH_PROG_SRCS) $(BENCH_HELPER_SRCS)))
.SECONDARY: $(call obj,$(BENCH_PROG_SRCS))

# --- install ---
DESTDIR ?=
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)/lib/systemd/system
	install -m 755 $(XENITHD) $(DESTDIR)$(PREFIX)/sbin/xenithd
	install -m 755 $(XENITH) $(DESTDIR)$(PREFIX)/bin/xenith
	install -D -m 755 $(AGENT) $(DESTDIR)$(PREFIX)/lib/xenith/xenith-guest-agent
	install -D -m 755 $(RELAY) $(DESTDIR)$(PREFIX)/lib/xenith/xenith-relay
	install -m 644 docs/man/xenith.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/man/xenithd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 docs/man/xenith-guest-agent.8 \
	  $(DESTDIR)$(PREFIX)/share/man/man8/
	$(XENITH) completion bash > \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/xenith
	sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' scripts/xenithd.service.in > \
	  $(DESTDIR)/lib/systemd/system/xenithd.service
	chmod 644 $(DESTDIR)/lib/systemd/system/xenithd.service

clean:
	rm -rf $(O) build-asan build-fuzz

distclean: clean
	rm -f config.mk
