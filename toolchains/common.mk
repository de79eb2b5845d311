# SPDX-License-Identifier: GPL-2.0-or-later
# toolchains/common.mk: `make TARGET=<arch>`, included by the Makefile when TARGET is given
# on the command line. toolchains/<arch>.mk says which compiler, musl and qemu; this file
# turns that into build/<arch>/ntpsync (static musl, stripped) and the cross unit tests.
#
# Per-target variables (toolchains/<arch>.mk):
#   TC_GNU      GNU triple of Debian's amd64 cross gcc (package gcc-<triple>)
#   TC_PKGS     the amd64 Debian packages that toolchain needs
#   TC_MUSL     src:MUSLTARGET: musl built from Debian's musl source package (the default)
#   TC_MUSL_DEB DEBARCH:MUSLTRIPLE: Debian's own musl-dev for that architecture, unpacked
#               (MUSL_FROM=deb; none for mips and riscv64, which Debian 12 lacks)
#   TC_MUSL_CFLAGS  CFLAGS for building musl
#   TC_QEMU     qemu-user command with Debian's baseline CPU for the architecture
#   TC_CFLAGS / TC_LDFLAGS   extra flags for that target
#   TC_LP64     1 if long is 64 bits: cmocka.h needs __WORDSIZE there, and the clock calls
#               keep their plain names (no time64 renaming)
#
# MUSL_FROM=src (default) links with musl built from source with -Os throughout
# (--enable-optimize=size) and non-PIC: 6 to 12 KB smaller than with Debian's musl-dev,
# which is built with -O2, -fPIE and the hardening flags. MUSL_FROM=deb uses that
# musl-dev as it is (about 1 s to set up instead of 45 s); outputs go to build/<arch>-deb/.

ifeq ($(wildcard toolchains/$(TARGET).mk),)
$(error TARGET=$(TARGET): there is no toolchains/$(TARGET).mk (targets: $(TARGETS)))
endif
include toolchains/$(TARGET).mk

MUSL_FROM ?= src
ifeq ($(MUSL_FROM),deb)
ifeq ($(TC_MUSL_DEB),)
$(error TARGET=$(TARGET): Debian 12 has no musl-dev for it; use MUSL_FROM=src)
endif
X_MUSL    = deb:$(TC_MUSL_DEB)
X_DIR     = build/$(TARGET)-deb
X_SYSROOT = $(CURDIR)/build/cross/sysroot-$(TARGET)-deb
else
X_MUSL    = $(TC_MUSL)
X_DIR     = build/$(TARGET)
X_SYSROOT = $(CURDIR)/build/cross/sysroot-$(TARGET)
endif
X_SPECS   = $(X_SYSROOT)/musl-gcc.specs
X_CC      = $(TC_GNU)-gcc -specs $(X_SPECS)
X_STRIP   = $(TC_GNU)-strip
X_NM      = $(TC_GNU)-nm
# Size (see build/readme-issue4.md for what each saves): no unwind tables (C, nothing
# unwinds), non-PIC code (the link is static anyway), no jump tables; the linker drops
# unused sections, keeps code and data in one file page (noseparate-code), packs the data
# segment right after the code (common-page-size=64: the file offset stays congruent to
# the address modulo the real page size) and leaves out RELRO, which a static musl binary
# never applies anyway, and the build ID.
X_CFLAGS  = -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie -fno-jump-tables $(TC_CFLAGS)
X_LDFLAGS = -static -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
	-Wl,-z,common-page-size=64 -Wl,--build-id=none $(TC_LDFLAGS)
# The musl build is redone only when what it depends on changes.
X_MUSL_ID = recipe=1 musl=$(X_MUSL) gcc=$(TC_GNU) cflags=$(TC_MUSL_CFLAGS)
X_MUSL_CFG = $(X_SYSROOT).cfg
$(shell mkdir -p build/cross && { [ "$$(cat '$(X_MUSL_CFG)' 2>/dev/null)" = '$(X_MUSL_ID)' ] || \
	echo '$(X_MUSL_ID)' >'$(X_MUSL_CFG)'; })
# cmocka's one source file compiled in (Debian 12 has no libcmocka.a).
X_CMOCKA  = build/cross/src/cmocka
X_CMOCKA_CFLAGS = -I$(X_CMOCKA)/include -DHAVE_SIGNAL_H -DHAVE_STRSIGNAL -DHAVE_SIGLONGJMP \
	-DHAVE_INTTYPES_H -DHAVE_STRINGS_H -DHAVE_STRUCT_TIMESPEC -DHAVE_CLOCK_GETTIME \
	-DHAVE_CLOCK_REALTIME $(if $(filter 1,$(TC_LP64)),-D__WORDSIZE=64)
X_TEST_CFLAGS = -g -O1 $(WARN) -I. $(X_CMOCKA_CFLAGS)
# test_nts and test_nts_ke (AES-SIV and the NTS encodings) need no NTS=1: they run on
# every target, big-endian MIPS and the 32-bit ones among them.
X_UNIT    = $(X_DIR)/test_ntp_packet $(X_DIR)/test_ntpsync $(X_DIR)/test_keyfile $(X_DIR)/test_mac \
	$(X_DIR)/test_auth $(X_DIR)/test_nts_ke $(X_DIR)/test_nts
# wolfCrypt for mac.c (toolchains/wolfcrypt.sh) with the target's compiler and size flags,
# LTO objects in the archive as on the host; rebuilt when X_WC.cfg's line changes.
X_WC      = $(X_DIR)/wolfcrypt
X_WC_CFLAGS = -Os -flto -ffunction-sections -fdata-sections $(X_CFLAGS)
X_WC_ID   = recipe=1$(WC_SRC_ID) cc=$(X_CC) cflags=$(X_WC_CFLAGS)
$(shell mkdir -p $(X_DIR) && { [ "$$(cat '$(X_WC).cfg' 2>/dev/null)" = '$(X_WC_ID)' ] || \
	echo '$(X_WC_ID)' >'$(X_WC).cfg'; })
# `make TARGET=... NTS=1`: wolfSSL for NTS (toolchains/wolfssl-nts.sh) beside it, the same way,
# and the binary beside the one without NTS (X_BIN): the two builds do not overwrite each other.
X_NTS     = $(X_DIR)/wolfssl-nts
X_BIN     = $(X_DIR)/ntpsync$(if $(filter 1,$(NTS)),-nts)
X_WC_LIB  = $(call WC_DIR,$(X_WC))/lib/$(WC_LIB)
ifeq ($(NTS),1)
$(shell { [ "$$(cat '$(X_NTS).cfg' 2>/dev/null)" = '$(X_WC_ID)' ] || echo '$(X_WC_ID)' >'$(X_NTS).cfg'; })
endif
# tests/test_ntpsync.c replaces the clock calls with -Wl,--wrap (CLOCK_WRAP). On 32-bit
# targets musl's headers rename them to their 64-bit-time_t versions (__clock_settime64,
# ...), so there each one is wrapped under that name and handed to the same __wrap_
# function; __real_ is given only for the calls that read the clock.
comma    := ,
X_WRAPPED = $(patsubst --wrap=%,%,$(subst $(comma), ,$(patsubst -Wl$(comma)%,%,$(CLOCK_WRAP))))
X_T64_clock_gettime = __clock_gettime64
X_T64_clock_settime = __clock_settime64
X_T64_adjtime       = __adjtime64
X_T64_settimeofday  = __settimeofday_time64
X_T64_gettimeofday  = __gettimeofday_time64
X_T64_adjtimex      = __adjtimex_time64
X_T64_clock_adjtime = __clock_adjtime64
X_T64_stime         = __stime64
X_T64_time          = __time64
X_T64_READS         = clock_gettime gettimeofday time
X_WRAP_T64 = $(foreach n,$(X_WRAPPED),$(if $(X_T64_$(n)),-Wl$(comma)--wrap=$(X_T64_$(n))$(comma)--defsym=__wrap_$(X_T64_$(n))=__wrap_$(n)$(if $(filter $(n),$(X_T64_READS)),$(comma)--defsym=__real_$(n)=__real_$(X_T64_$(n))),-Wl$(comma)--wrap=$(n)))
X_CLOCK_WRAP = $(if $(filter 1,$(TC_LP64)),$(CLOCK_WRAP),$(X_WRAP_T64))
# What a unit test binary must not contain: the real clock-setting functions under any of
# musl's names, ioctl (RTC_SET_TIME) and syscall(). Only the --wrap replacements may be
# there; a binary that has one of these is deleted, not run.
X_CLOCK_SETTERS = clock_settime|settimeofday|adjtime|adjtimex|clock_adjtime|stime|ioctl|syscall|__clock_settime64|__settimeofday_time64|__adjtime64|__adjtimex_time64|__clock_adjtime64|__stime64

export TARGET TC_GNU TC_PKGS TC_MUSL_CFLAGS

.DEFAULT_GOAL := $(X_BIN)
.PHONY: target-tests target-env sysroot

sysroot: $(X_SPECS)
$(X_SPECS): $(X_MUSL_CFG)
	TC_MUSL='$(X_MUSL)' toolchains/sysroot.sh sysroot $(TARGET) $(X_SYSROOT)

$(X_BIN): $(SRCS) $(HDRS) $(X_SPECS) $(X_WC_LIB) toolchains/$(TARGET).mk toolchains/common.mk
	@mkdir -p $(X_DIR)
	$(X_CC) $(WARN) $(DEFS) $(CPPFLAGS) $(CFLAGS) $(X_CFLAGS) $(X_LDFLAGS) $(LDFLAGS) \
	    -Wl,-Map=$@.map -o $@.unstripped $(call WC_LINK,$(X_WC))
	$(X_STRIP) --strip-all -R .comment -o $@ $@.unstripped

$(X_CMOCKA)/src/cmocka.c: toolchains/sysroot.sh
	toolchains/sysroot.sh source cmocka >/dev/null
	touch $@

$(X_DIR)/cmocka.o: $(X_CMOCKA)/src/cmocka.c $(X_SPECS)
	@mkdir -p $(X_DIR)
	$(X_CC) -g -O1 -w $(X_CMOCKA_CFLAGS) -c -o $@ $<

$(X_DIR)/test_ntp_packet: tests/test_ntp_packet.c ntp_packet.c ntp_packet.h $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) -static -o $@ tests/test_ntp_packet.c ntp_packet.c $(X_DIR)/cmocka.o

$(X_DIR)/test_keyfile: tests/test_keyfile.c $(KEYFILE_SRCS) keyfile.h mac.h fmt.h savefile.h \
    $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) -static -o $@ tests/test_keyfile.c $(KEYFILE_SRCS) $(X_DIR)/cmocka.o

# Refused (and deleted) if any real clock-setting function got linked in.
$(X_DIR)/test_ntpsync: tests/test_ntpsync.c $(SRCS) $(HDRS) $(X_WC_LIB) $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) $(call WC_CPPFLAGS,$(call WC_DIR,$(X_WC))) -Dmain=ntpsync_main -c \
	    -o $(X_DIR)/ntpsync_main.o ntpsync.c
	$(X_CC) $(X_TEST_CFLAGS) $(call WC_CPPFLAGS,$(call WC_DIR,$(X_WC))) $(X_CLOCK_WRAP) -static \
	    -o $@.tmp tests/test_ntpsync.c $(X_DIR)/ntpsync_main.o $(filter-out ntpsync.c,$(SRCS)) \
	    $(X_WC_LIB) $(X_DIR)/cmocka.o
	@if $(X_NM) $@.tmp | grep -Ew '[TtWw] ($(X_CLOCK_SETTERS))'; then \
	    echo "$@: a real clock-setting function is linked in (above): not using it" >&2; \
	    rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@

$(X_WC)/lib/libwolfcrypt.a: $(X_WC).cfg $(WC_RECIPE) $(X_SPECS)
	CC='$(X_CC)' AR='$(TC_GNU)-gcc-ar' WC_CFLAGS='$(X_WC_CFLAGS)' $(WC_ENV) toolchains/wolfcrypt.sh $(X_WC)

$(X_NTS)/lib/libwolfssl.a: $(X_NTS).cfg $(NTS_RECIPE) $(X_SPECS)
	CC='$(X_CC)' AR='$(TC_GNU)-gcc-ar' WC_CFLAGS='$(X_WC_CFLAGS)' $(WC_ENV) toolchains/wolfssl-nts.sh $(X_NTS)

$(X_DIR)/test_mac: tests/test_mac.c mac.c mac.h $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) $(call WC_CPPFLAGS,$(X_WC)) -static -o $@ tests/test_mac.c mac.c \
	    $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o

# As in the NTS build (and on the host): fmt.c has the %X its wolfSSL writes with.
$(X_DIR)/test_nts_ke: tests/test_nts_ke.c $(NTS_KE_SRCS) nts_ke.h ntp_packet.h fmt.h $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) -DNTPSYNC_NTS -static -o $@ tests/test_nts_ke.c $(NTS_KE_SRCS) \
	    $(X_DIR)/cmocka.o

$(X_DIR)/test_nts: tests/test_nts.c $(NTS_SRCS) nts.h nts_ke.h mac.h ntp_packet.h auth_nts.h jar.h \
    $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) $(call WC_CPPFLAGS,$(X_WC)) -static -o $@ tests/test_nts.c \
	    $(NTS_SRCS) $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o

$(X_DIR)/test_auth: tests/test_auth.c $(AUTH_SRCS) auth.h keyfile.h mac.h ntp_packet.h \
    $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o
	$(X_CC) $(X_TEST_CFLAGS) $(call WC_CPPFLAGS,$(X_WC)) -static -o $@ tests/test_auth.c \
	    $(AUTH_SRCS) $(X_WC)/lib/libwolfcrypt.a $(X_DIR)/cmocka.o

target-tests: $(X_BIN) $(X_UNIT)

# For tests/check-targets.sh and bench/size.sh: the target's settings as shell assignments.
target-env:
	@printf "%s='%s'\n" TC_GNU '$(TC_GNU)' TC_QEMU '$(TC_QEMU)' TC_LP64 '$(TC_LP64)' \
	    X_DIR '$(X_DIR)' X_BIN '$(X_BIN)' X_CC '$(X_CC)' X_CFLAGS '$(X_CFLAGS)' X_LDFLAGS '$(X_LDFLAGS)' \
	    X_UNIT '$(X_UNIT)' TC_PKGS '$(TC_PKGS)' X_SYSROOT '$(X_SYSROOT)' \
	    X_STRIP '$(X_STRIP)' X_NM '$(X_NM)'
