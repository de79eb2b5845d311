################################################################################
#
# ntpsync
#
################################################################################

# SPDX-License-Identifier: GPL-2.0-or-later

# Where the sources come from. NTPSYNC_SITE is a placeholder (the project has no
# public address yet): set it to the project's git repository. NTPSYNC_VERSION is
# the tag of release 0.1.0 (the Makefile's VERSION), which is made when the release
# is published; until then the repository has no tags: build a commit with
#   make NTPSYNC_VERSION=<commit sha1> ntpsync
# or a local checkout with
#   NTPSYNC_OVERRIDE_SRCDIR = /path/to/ntpsync
# in local.mk (with O=DIR, in DIR; see packaging/README).
NTPSYNC_VERSION = v0.1.0
NTPSYNC_SITE = https://git.example.org/ntpsync.git
NTPSYNC_SITE_METHOD = git
NTPSYNC_LICENSE = GPL-2.0+
NTPSYNC_LICENSE_FILES = LICENSE
# No tarball of the project's git tag or commit has been published to take its
# hash from: ntpsync.hash holds those of the wolfSSL release and the licence files.
BR_NO_CHECK_HASH_FOR += $(NTPSYNC_SOURCE)

# The project's Makefile takes the toolchain from CC/CFLAGS/LDFLAGS (all in
# TARGET_CONFIGURE_OPTS); WARN without -Werror, so that a newer compiler's new
# warning does not break the build. STRIP_BIN=0: Buildroot strips the target's
# binaries itself (BR2_STRIP_strip) and keeps the symbols with BR2_STRIP_none
# or BR2_ENABLE_DEBUG, which the Makefile's -s of a static build would defeat.
NTPSYNC_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	STATIC=$(if $(BR2_STATIC_LIBS),1,0) \
	STRIP_BIN=0 \
	WARN="-Wall -Wextra"

# -a (symmetric keys): wolfCrypt's MD5, SHA-1 and AES-CMAC, compiled by the
# Makefile from the wolfSSL 5.5.4 release (GPL-2.0-or-later), unpacked into
# $(@D)/wolfssl. Buildroot's wolfssl package is another version and licence
# (GPL-3.0+) and is configured without CMAC, so it is not used. With
# NTPSYNC_OVERRIDE_SRCDIR Buildroot neither downloads nor extracts: set
# NTPSYNC_WOLFSSL_SRC in local.mk too, to the release unpacked by hand.
# -N (NTS, BR2_PACKAGE_NTPSYNC_NTS, which selects -a): wolfSSL's TLS 1.3 client
# from the same tree, to which the Makefile applies Debian 12's fixes of the TLS
# code (packaging/wolfssl-patches/ in ntpsync's sources; the tree is not changed).
ifeq ($(BR2_PACKAGE_NTPSYNC_NTS),y)
NTPSYNC_MAKE_OPTS += NTS=1
endif
ifeq ($(BR2_PACKAGE_NTPSYNC_AUTH),y)
NTPSYNC_WOLFSSL_VERSION = 5.5.4
NTPSYNC_WOLFSSL_SOURCE = v$(NTPSYNC_WOLFSSL_VERSION)-stable.tar.gz
NTPSYNC_EXTRA_DOWNLOADS = \
	https://github.com/wolfSSL/wolfssl/archive/refs/tags/$(NTPSYNC_WOLFSSL_SOURCE)
NTPSYNC_LICENSE += , GPL-2.0+ (wolfSSL)
NTPSYNC_LICENSE_FILES += wolfssl/COPYING wolfssl/LICENSING

define NTPSYNC_EXTRACT_WOLFSSL
	rm -rf $(@D)/wolfssl
	mkdir -p $(@D)/wolfssl
	$(call suitable-extractor,$(NTPSYNC_WOLFSSL_SOURCE)) \
		$(NTPSYNC_DL_DIR)/$(NTPSYNC_WOLFSSL_SOURCE) | \
		$(TAR) --strip-components=1 -C $(@D)/wolfssl $(TAR_OPTIONS) -
endef
NTPSYNC_POST_EXTRACT_HOOKS += NTPSYNC_EXTRACT_WOLFSSL
NTPSYNC_WOLFSSL_SRC ?= $(@D)/wolfssl
NTPSYNC_MAKE_OPTS += WOLFSSL_SRC=$(NTPSYNC_WOLFSSL_SRC)
else
NTPSYNC_MAKE_OPTS += AUTH=0
endif

define NTPSYNC_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NTPSYNC_MAKE_OPTS) ntpsync
endef

# With the boot and DHCP files of contrib/ (ntpsync's README, "Boot and DHCP
# integration"): the settings all of them read, ntpsync-dhcp and the hook of
# busybox's udhcpc, whose default.script runs every executable in
# default.script.d/. A busybox or sysvinit init gets the init script (-F restore,
# sync with -W, save at stop), systemd the service and its timer (enabled by
# Buildroot's systemctl preset-all).
define NTPSYNC_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NTPSYNC_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install
	$(INSTALL) -D -m 0755 $(@D)/contrib/dhcp/ntpsync-dhcp \
		$(TARGET_DIR)/usr/sbin/ntpsync-dhcp
	$(INSTALL) -D -m 0644 $(@D)/contrib/default/ntpsync \
		$(TARGET_DIR)/etc/default/ntpsync
	$(INSTALL) -D -m 0755 $(@D)/contrib/dhcp/udhcpc-ntpsync \
		$(TARGET_DIR)/usr/share/udhcpc/default.script.d/ntpsync
endef

define NTPSYNC_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/contrib/init.d/S49ntpsync \
		$(TARGET_DIR)/etc/init.d/S49ntpsync
endef

define NTPSYNC_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/contrib/systemd/ntpsync.service \
		$(TARGET_DIR)/usr/lib/systemd/system/ntpsync.service
	$(INSTALL) -D -m 0644 $(@D)/contrib/systemd/ntpsync.timer \
		$(TARGET_DIR)/usr/lib/systemd/system/ntpsync.timer
endef

$(eval $(generic-package))
