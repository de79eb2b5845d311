# SPDX-License-Identifier: GPL-2.0-or-later
# ntpsync: `make` builds a stripped static binary with musl-gcc (Debian
# package musl-tools); `make CC=gcc STATIC=0` a dynamic glibc build for
# valgrind and the sanitizers.  See README for the other targets.

VERSION  = 0.1.0
# The wolfCrypt rules below come first in the file: `make` alone builds ntpsync.
.DEFAULT_GOAL := all
CC       = musl-gcc
STATIC   = 1
PREFIX   = /usr/local
SBINDIR  = $(PREFIX)/sbin
MANDIR   = $(PREFIX)/share/man
DESTDIR  =
INSTALL  = install

WARN     = -Wall -Wextra -Werror
# One file per concern costs nothing: link-time optimization inlines across
# them, and non-PIC code suits the static link (a dynamic build stays PIE,
# Debian gcc's default).
CFLAGS   = -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	   -fno-unwind-tables -flto $(if $(filter 1,$(STATIC)),-fno-pie)
CPPFLAGS =
LDFLAGS  =
# `make check SANITIZE=1`: ntpsync and the unit tests built with ASan and
# UBSan (glibc, dynamic), the whole suite run against that build.
SANITIZE =
ifeq ($(SANITIZE),1)
CC       = gcc
STATIC   = 0
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS   = -O1 -g $(SANFLAGS)
endif
ifeq ($(STATIC),1)
# A static musl binary never mprotects RELRO; page alignment pads the file.
LDSTATIC = -static -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
	   -Wl,-z,common-page-size=64
endif
# STRIP_BIN=1 links with -s (the default of the static build); STRIP_BIN=0 keeps the
# symbols and debug info, for a build system that strips (or keeps them) itself.
STRIP_BIN = $(if $(filter 1,$(STATIC)),1,0)
LDSTATIC += $(if $(filter 1,$(STRIP_BIN)),-s)

# Unit tests run on the host's gcc and glibc with Debian's libcmocka-dev.
TEST_CC  = gcc
TEST_CFLAGS = -g -O1 $(WARN) -I. $(SANFLAGS)
CMOCKA   = $(shell pkg-config --cflags --libs cmocka 2>/dev/null || echo -lcmocka)
# The clock calls clock.c may make are replaced in the unit tests, so
# that no unit test can reach the real clock.
CLOCK_WRAP = -Wl,--wrap=clock_settime,--wrap=adjtime,--wrap=settimeofday,--wrap=adjtimex,--wrap=clock_adjtime,--wrap=clock_gettime,--wrap=ioctl
# On the host, recvmsg can also behave as musl's does on a 32-bit CPU with
# an old kernel (the cross builds run the real one).
RECV_WRAP = -DWRAP_RECVMSG -Wl,--wrap=recvmsg

# Below this date a clock has never been set and the step limit (-m) does
# not apply (ntpsync -V prints it): SOURCE_DATE_EPOCH (the reproducible-builds
# convention; Buildroot sets it with BR2_REPRODUCIBLE), else the date of the last
# commit of this tree's own git, else NTPSYNC_BUILD_EPOCH in clock.h.  Only a .git
# here counts: a tarball unpacked inside another checkout (Buildroot's output/build/)
# must not take that checkout's date.  ntpsync is rebuilt when the date changes.
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(if $(wildcard .git),$(shell git log -1 --format=%ct 2>/dev/null)))
ifneq ($(shell echo '$(BUILD_EPOCH)' | grep -x '[0-9]*'),$(BUILD_EPOCH))
$(error SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH): not a number of seconds since 1970)
endif
DEFS     = $(if $(BUILD_EPOCH),-DNTPSYNC_BUILD_EPOCH=$(BUILD_EPOCH))
BUILD_EPOCH_CFG = build/build-epoch.cfg
$(shell mkdir -p build && { [ "$$(cat '$(BUILD_EPOCH_CFG)' 2>/dev/null)" = 'epoch=$(BUILD_EPOCH)' ] || \
	echo 'epoch=$(BUILD_EPOCH)' >'$(BUILD_EPOCH_CFG)'; })

# wolfCrypt (MD5, SHA-1, AES-CMAC for mac.c) from Debian's wolfssl source package, built
# by toolchains/wolfcrypt.sh into a private prefix per compiler under build/wolfcrypt/:
# DIR/lib/libwolfcrypt.a, DIR/include.  Rebuilt only when its recipe, its settings, its
# source tree or the compiler and flags it was built with change (DIR.cfg).  A second or
# so per build.
WC_RECIPE = toolchains/wolfcrypt.sh toolchains/wolfcrypt-settings.h
WC_CPPFLAGS = -DWOLFSSL_USER_SETTINGS -I$(1)/include
# `make WOLFSSL_SRC=DIR`: the wolfSSL files from DIR, an unpacked wolfSSL source tree (the
# packaging recipes' own download of the 5.5.4 release), instead of Debian's source
# package.  Every wolfSSL file any build takes comes from that one tree.
WOLFSSL_SRC =
WC_SRC   = $(if $(WOLFSSL_SRC),$(abspath $(WOLFSSL_SRC)))
WC_ENV   = WOLFSSL_SRC='$(WC_SRC)'
WC_SRC_ID = $(if $(WC_SRC), src=$(WC_SRC))
# The release compiler's (musl; with -flto, as ntpsync, which saves 2 KB: gcc-ar makes
# the archive that keeps the LTO objects) and the unit tests' (gcc, glibc).
WC_HOST  = build/wolfcrypt/$(notdir $(firstword $(CC)))
WC_HOST_CFLAGS = -Os -flto -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	   -fno-unwind-tables $(if $(filter 1,$(STATIC)),-fno-pie)
WC_HOST_AR = gcc-ar
# A build system that passes its own CFLAGS (Buildroot, OpenWrt, Yocto) has wolfCrypt
# compiled with them, as ntpsync is, and archived by its AR: the host's gcc-ar cannot
# index the LTO objects of another GCC.
ifneq ($(filter command environment,$(firstword $(origin CFLAGS))),)
WC_HOST_CFLAGS = $(CFLAGS) -ffunction-sections -fdata-sections
endif
ifneq ($(filter command environment,$(firstword $(origin AR))),)
WC_HOST_AR = $(AR)
endif
WC_TEST  = build/wolfcrypt/test-$(notdir $(firstword $(TEST_CC)))
WC_TEST_CFLAGS = -g -O1
# DIR.cfg holds what DIR was built with; it is rewritten (and DIR rebuilt) when that changes.
wc_cfg = $(shell mkdir -p build/wolfcrypt && { [ "$$(cat '$(1).cfg' 2>/dev/null)" = '$(2)' ] || \
	echo '$(2)' >'$(1).cfg'; })
$(call wc_cfg,$(WC_HOST),recipe=1$(WC_SRC_ID) cc=$(CC) cflags=$(WC_HOST_CFLAGS) ar=$(WC_HOST_AR))
$(call wc_cfg,$(WC_TEST),recipe=1$(WC_SRC_ID) cc=$(TEST_CC) cflags=$(WC_TEST_CFLAGS))
$(WC_HOST)/lib/libwolfcrypt.a: $(WC_HOST).cfg $(WC_RECIPE)
	CC='$(CC)' AR='$(WC_HOST_AR)' WC_CFLAGS='$(WC_HOST_CFLAGS)' $(WC_ENV) \
	    toolchains/wolfcrypt.sh $(WC_HOST)
$(WC_TEST)/lib/libwolfcrypt.a: $(WC_TEST).cfg $(WC_RECIPE)
	CC='$(TEST_CC)' AR=ar WC_CFLAGS='$(WC_TEST_CFLAGS)' $(WC_ENV) toolchains/wolfcrypt.sh $(WC_TEST)

# `make NTS=1` (issue 13): wolfSSL as a TLS 1.3 client with AES-SIV, built by
# toolchains/wolfssl-nts.sh as wolfCrypt is, into build/wolfssl-nts/: DIR/lib/libwolfssl.a
# (it has mac.c's MD5, SHA-1 and CMAC too), DIR/include.  The suite always builds the one
# for the test compiler (NTS_TEST): build/tls-probe and the group "tls" use it.
# With WOLFSSL_SRC (the release, as the packaging recipes build), Debian's fixes of the TLS
# code are applied to it (packaging/wolfssl-patches/, see toolchains/wolfssl-nts.sh).
NTS_RECIPE = toolchains/wolfssl-nts.sh toolchains/wolfssl-nts-settings.h \
	   $(wildcard packaging/wolfssl-patches/*.patch)
NTS_HOST = build/wolfssl-nts/$(notdir $(firstword $(CC)))
NTS_TEST = build/wolfssl-nts/test-$(notdir $(firstword $(TEST_CC)))
nts_cfg = $(shell mkdir -p build/wolfssl-nts && { [ "$$(cat '$(1).cfg' 2>/dev/null)" = '$(2)' ] || \
	echo '$(2)' >'$(1).cfg'; })
$(call nts_cfg,$(NTS_HOST),recipe=1$(WC_SRC_ID) cc=$(CC) cflags=$(WC_HOST_CFLAGS) ar=$(WC_HOST_AR))
$(call nts_cfg,$(NTS_TEST),recipe=1$(WC_SRC_ID) cc=$(TEST_CC) cflags=$(WC_TEST_CFLAGS))
$(NTS_HOST)/lib/libwolfssl.a: $(NTS_HOST).cfg $(NTS_RECIPE)
	CC='$(CC)' AR='$(WC_HOST_AR)' WC_CFLAGS='$(WC_HOST_CFLAGS)' $(WC_ENV) \
	    toolchains/wolfssl-nts.sh $(NTS_HOST)
$(NTS_TEST)/lib/libwolfssl.a: $(NTS_TEST).cfg $(NTS_RECIPE)
	CC='$(TEST_CC)' AR=ar WC_CFLAGS='$(WC_TEST_CFLAGS)' $(WC_ENV) toolchains/wolfssl-nts.sh $(NTS_TEST)

SRCS     = ntpsync.c options.c exchange.c auth_none.c auth_key.c clock.c report.c output.c \
	   fmt.c ntp_packet.c keyfile.c mac.c savefile.c floor.c
HDRS     = ntpsync.h options.h exchange.h auth.h clock.h report.h output.h fmt.h \
	   ntp_packet.h keyfile.h mac.h savefile.h floor.h
# Key files and MACs (issue 12): ntpsync links wolfCrypt as test_mac does, built with
# its own compiler (WC_HOST; the unit tests and the fake-clock build: WC_TEST).
KEYFILE_SRCS = keyfile.c savefile.c fmt.c
WC_LINK  = $(call WC_CPPFLAGS,$(1)) $(SRCS) $(1)/lib/libwolfcrypt.a
WC_HOST_LIB = $(WC_HOST)/lib/libwolfcrypt.a
# `make AUTH=0`: ntpsync without symmetric keys (-a is refused) and so without wolfCrypt
# (the packaging recipes' option to leave -a out).  The tests always build with it.
AUTH     = 1
ifeq ($(AUTH),0)
SRCS    := $(filter-out auth_key.c keyfile.c mac.c,$(SRCS))
DEFS    += -DNTPSYNC_NO_AUTH
WC_LINK  = $(SRCS)
WC_HOST_LIB =
endif
# `make NTS=1`: ntpsync with NTS (-N, -c) on the wolfSSL above instead of wolfCrypt alone:
# WC_DIR maps a wolfCrypt prefix to the wolfSSL one beside it, for every compiler.
NTS      = 0
WC_DIR   = $(1)
WC_LIB   = libwolfcrypt.a
ifeq ($(NTS),1)
SRCS    += tls.c nts_ke.c nts.c nts_ke_tls.c auth_nts.c jar.c
HDRS    += tls.h nts_ke.h nts.h auth_nts.h jar.h
DEFS    += -DNTPSYNC_NTS
WC_DIR   = $(subst /wolfcrypt,/wolfssl-nts,$(1))
WC_LIB   = libwolfssl.a
WC_LINK  = $(call WC_CPPFLAGS,$(call WC_DIR,$(1))) $(SRCS) $(call WC_DIR,$(1))/lib/$(WC_LIB)
WC_HOST_LIB = $(NTS_HOST)/lib/$(WC_LIB)
endif
# NTS compares its authenticator with -a's mac_equal() and builds on the same wolfCrypt.
ifeq ($(AUTH)$(NTS),01)
$(error AUTH=0 NTS=1: NTS needs -a's MAC code (mac.c and wolfCrypt): build it with AUTH=1)
endif
# The library the builds of all of ntpsync with the test compiler link.
WC_TEST_LIB = $(call WC_DIR,$(WC_TEST))/lib/$(WC_LIB)
UNIT_TESTS = build/test_ntp_packet build/test_ntpsync build/test_keyfile build/test_mac \
	   build/test_auth build/test_nts_ke build/test_nts
# What the integration suite runs: the release binary, or the sanitizer one; and the
# same built with NTS (make NTS=1, into build/) for the group nts.
BIN      = ntpsync
NTS_BIN  = build/ntpsync-nts
ifeq ($(SANITIZE),1)
BIN      = build/ntpsync-sanitize
NTS_BIN  = build/ntpsync-nts-sanitize
endif

.PHONY: all deps check unit integration demo install clean lint fuzz bench FORCE \
	vm-test valgrind

all: ntpsync

ntpsync: $(SRCS) $(HDRS) $(WC_HOST_LIB) $(BUILD_EPOCH_CFG)
	@command -v $(CC) >/dev/null || { echo "$(CC) not found: apt-get install musl-tools, or run 'make deps'" >&2; exit 1; }
	$(CC) $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(LDSTATIC) $(LDFLAGS) -o $@ \
	    $(call WC_LINK,$(WC_HOST))

build:
	mkdir -p build

build/ntpsync-sanitize: $(SRCS) $(HDRS) $(WC_HOST_LIB) | build
	$(CC) $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(call WC_LINK,$(WC_HOST))

# The NTS builds of the two above, made by `make NTS=1` of the same file.
ifeq ($(NTS),1)
build/ntpsync-nts: $(SRCS) $(HDRS) $(WC_HOST_LIB) | build
	$(CC) $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(LDSTATIC) $(LDFLAGS) -o $@ \
	    $(call WC_LINK,$(WC_HOST))
build/ntpsync-nts-sanitize: $(SRCS) $(HDRS) $(WC_HOST_LIB) | build
	$(CC) $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(call WC_LINK,$(WC_HOST))
else
build/ntpsync-nts build/ntpsync-nts-sanitize build/ntpsync-nts-fakeclock: FORCE | build
	$(MAKE) --no-print-directory NTS=1 $@
endif
FORCE:

# The unit tests are rebuilt whenever SANITIZE differs from the last build.
build/sanitize.$(SANITIZE): | build
	rm -f build/sanitize.* build/test_*
	touch $@
$(UNIT_TESTS): build/sanitize.$(SANITIZE)

# With the words of the NTS verdicts, which only an NTS build has.
build/test_ntp_packet: tests/test_ntp_packet.c ntp_packet.c ntp_packet.h | build
	$(TEST_CC) $(TEST_CFLAGS) -DNTPSYNC_NTS -o $@ tests/test_ntp_packet.c ntp_packet.c \
	    $(CMOCKA)

build/test_keyfile: tests/test_keyfile.c $(KEYFILE_SRCS) keyfile.h mac.h fmt.h savefile.h | build
	$(TEST_CC) $(TEST_CFLAGS) -o $@ tests/test_keyfile.c $(KEYFILE_SRCS) $(CMOCKA)

# mac.c and wolfCrypt (toolchains/wolfcrypt.sh) built with the test compiler.
build/test_mac: tests/test_mac.c mac.c mac.h $(WC_TEST)/lib/libwolfcrypt.a | build
	$(TEST_CC) $(TEST_CFLAGS) $(call WC_CPPFLAGS,$(WC_TEST)) -o $@ tests/test_mac.c mac.c \
	    $(WC_TEST)/lib/libwolfcrypt.a $(CMOCKA)

# auth_key.c (-a/-k) on the captured ntpd exchanges, its keys read by keyfile.c.
AUTH_SRCS = auth_key.c mac.c ntp_packet.c $(KEYFILE_SRCS)
build/test_auth: tests/test_auth.c $(AUTH_SRCS) auth.h keyfile.h mac.h ntp_packet.h \
    $(WC_TEST)/lib/libwolfcrypt.a | build
	$(TEST_CC) $(TEST_CFLAGS) $(call WC_CPPFLAGS,$(WC_TEST)) -o $@ tests/test_auth.c \
	    $(AUTH_SRCS) $(WC_TEST)/lib/libwolfcrypt.a $(CMOCKA)

# NTS (RFC 8915): the NTS-KE messages (pure), and NTS-protected NTPv4 with wolfCrypt's
# AES-SIV.
NTS_KE_SRCS = nts_ke.c ntp_packet.c fmt.c
# As in the NTS build: fmt.c has the %X its wolfSSL writes with.
build/test_nts_ke: tests/test_nts_ke.c $(NTS_KE_SRCS) nts_ke.h ntp_packet.h fmt.h | build
	$(TEST_CC) $(TEST_CFLAGS) -DNTPSYNC_NTS -o $@ tests/test_nts_ke.c $(NTS_KE_SRCS) $(CMOCKA)

NTS_SRCS = nts.c mac.c ntp_packet.c auth_nts.c jar.c savefile.c fmt.c
build/test_nts: tests/test_nts.c $(NTS_SRCS) nts.h nts_ke.h mac.h ntp_packet.h auth_nts.h \
    jar.h \
    $(WC_TEST)/lib/libwolfcrypt.a | build
	$(TEST_CC) $(TEST_CFLAGS) $(call WC_CPPFLAGS,$(WC_TEST)) -o $@ tests/test_nts.c \
	    $(NTS_SRCS) $(WC_TEST)/lib/libwolfcrypt.a $(CMOCKA)

# ntpsync.c is linked as it is, its main() renamed so that the test has its own.
build/test_ntpsync: tests/test_ntpsync.c $(SRCS) $(HDRS) $(WC_TEST_LIB) | build
	$(TEST_CC) $(TEST_CFLAGS) $(call WC_CPPFLAGS,$(call WC_DIR,$(WC_TEST))) -Dmain=ntpsync_main -c \
	    -o build/ntpsync_main.o ntpsync.c
	$(TEST_CC) $(TEST_CFLAGS) $(call WC_CPPFLAGS,$(call WC_DIR,$(WC_TEST))) $(CLOCK_WRAP) $(RECV_WRAP) \
	    -o $@ tests/test_ntpsync.c build/ntpsync_main.o $(filter-out ntpsync.c,$(SRCS)) \
	    $(WC_TEST_LIB) $(CMOCKA)

# ntpsync whose clock reads what tests/fakeclock.c says: the integration suite
# makes the clock jump during a run with it (in the sandbox, under strace).
build/ntpsync-fakeclock: tests/fakeclock.c $(SRCS) $(HDRS) $(WC_TEST_LIB) | build
	$(TEST_CC) $(WARN) $(DEFS) -g -O1 $(SANFLAGS) -Wl,--wrap=clock_gettime -Wl,--wrap=recvmsg -o $@ \
	    tests/fakeclock.c $(call WC_LINK,$(WC_TEST))

# The same with NTS (make NTS=1 of this rule): the group nts checks certificates at a
# clock of 2000 and 2020 with it.
ifeq ($(NTS),1)
build/ntpsync-nts-fakeclock: tests/fakeclock.c $(SRCS) $(HDRS) $(WC_TEST_LIB) | build
	$(TEST_CC) $(WARN) $(DEFS) -g -O1 $(SANFLAGS) -Wl,--wrap=clock_gettime -Wl,--wrap=recvmsg -o $@ \
	    tests/fakeclock.c $(call WC_LINK,$(WC_TEST))
endif

# tls.c's NTS-KE against one server (tests/tls_probe.c), for the group "tls": built
# whatever NTS says, on the test compiler's wolfSSL.
build/tls-probe: tests/tls_probe.c tls.c tls.h fmt.c fmt.h $(NTS_TEST)/lib/libwolfssl.a | build
	$(TEST_CC) $(WARN) -g -O1 $(SANFLAGS) -I. -DNTPSYNC_NTS $(call WC_CPPFLAGS,$(NTS_TEST)) \
	    -o $@ tests/tls_probe.c tls.c fmt.c $(NTS_TEST)/lib/libwolfssl.a

# Installs the Debian packages the build and the tests need (apt-get).
deps:
	tests/deps.sh

unit: $(UNIT_TESTS)

integration: ntpsync build/ntpsync-nts build/ntpsync-fakeclock build/ntpsync-nts-fakeclock \
    build/tls-probe
	NTPSYNC_NTS=./build/ntpsync-nts tests/integration.sh ./ntpsync $(T)

# LeakSanitizer cannot work under ptrace, and the suite runs ntpsync under
# strace: leaks are the unit tests' and valgrind's to find.
# `make check T=GROUP` (or T=GROUP/SCENARIO, T=SCENARIO, T='A B'): only those
# integration scenarios, without the unit tests; see tests/integration.sh.
check: deps
	$(if $(T),@tests/integration.sh --list $(T) >/dev/null)
	$(MAKE) $(BIN) $(NTS_BIN) build/ntpsync-fakeclock build/ntpsync-nts-fakeclock \
	    build/tls-probe $(if $(T),,unit) \
	    SANITIZE=$(SANITIZE)
	tests/check.sh $(if $(T),,$(UNIT_TESTS)) -- env ASAN_OPTIONS=detect_leaks=0 \
	    NTPSYNC_NTS=./$(NTS_BIN) tests/integration.sh ./$(BIN) $(T)

demo: deps
	$(MAKE) ntpsync
	tests/demo.sh ./ntpsync

lint: $(WC_TEST)/lib/libwolfcrypt.a $(NTS_TEST)/lib/libwolfssl.a
	WOLFCRYPT_INCLUDE=$(WC_TEST)/include WOLFSSL_NTS_INCLUDE=$(NTS_TEST)/include tests/lint.sh

FUZZ_SECONDS = 60
fuzz:
	tests/fuzz.sh $(FUZZ_SECONDS)

bench: deps
	$(MAKE) ntpsync
	bench/run.sh ./ntpsync

vm-test: deps
	$(MAKE) ntpsync build/ntpsync-nts
	$(MAKE) TARGET=arm64
	$(MAKE) TARGET=arm64 NTS=1
	$(MAKE) TARGET=armhf
	$(MAKE) TARGET=armhf NTS=1
	tests/vm-test.sh ./ntpsync ./build/ntpsync-nts

# One full sync and the failure paths of the dynamic glibc build.
valgrind: deps
	tests/valgrind.sh

# The dynamic glibc build tests/valgrind.sh runs: the release sources, unoptimized enough
# for readable reports.
build/ntpsync-valgrind: $(SRCS) $(HDRS) $(WC_TEST_LIB) | build
	$(TEST_CC) -g -O1 $(WARN) $(DEFS) -o $@ $(call WC_LINK,$(WC_TEST))

install: ntpsync
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 755 ntpsync $(DESTDIR)$(SBINDIR)/ntpsync
	$(INSTALL) -m 644 ntpsync.8 $(DESTDIR)$(MANDIR)/man8/ntpsync.8

clean:
	rm -f ntpsync
	rm -rf build/test_* build/clockprobe build/ntpsync-sanitize build/ntpsync-nts* build/sanitize.* \
	    build/ntpsync-fakeclock build/ntpsync_main.o build/tls-probe

# ---- cross builds (issue 4) ---------------------------------------------------------
# `make TARGET=armhf` builds build/armhf/ntpsync (static musl, stripped) as
# toolchains/armhf.mk and toolchains/common.mk say; TARGET is only honoured on the
# command line.  `make all-targets` builds every target, `make check-targets` runs
# their unit tests and a query against a test server under qemu-user (in
# tests/sandbox.sh), `make size` compares them with busybox's ntpd (and the NTS builds with
# Debian's chronyd and GnuTLS).  They install
# the Debian packages they need themselves (as root).
TARGETS  = x86_64 i386 armhf armel arm64 mipsel mips riscv64
.PHONY: all-targets check-targets size clean-targets
ifeq ($(origin TARGET),command line)
include toolchains/common.mk
endif
all-targets:
	+@for t in $(TARGETS); do $(MAKE) --no-print-directory TARGET=$$t || exit 1; done
check-targets:
	tests/check-targets.sh $(TARGETS)
size:
	bench/size.sh -v $(TARGETS)
clean-targets:
	rm -rf $(addprefix build/,$(TARGETS)) build/cross
# ---- end of cross builds --------------------------------------------------------------
