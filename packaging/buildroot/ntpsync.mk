################################################################################
#
# ntpsync
#
################################################################################

# SPDX-License-Identifier: GPL-2.0-or-later

# Where the sources come from: set NTPSYNC_SITE to the project's git repository
# and NTPSYNC_VERSION to a tag or commit, or build a local checkout with
#   NTPSYNC_OVERRIDE_SRCDIR = /path/to/ntpsync
# in the local.mk of the Buildroot tree or BR2_EXTERNAL (see packaging/README).
NTPSYNC_VERSION = v0.1.0
NTPSYNC_SITE = https://git.example.org/ntpsync.git
NTPSYNC_SITE_METHOD = git
NTPSYNC_LICENSE = GPL-2.0+
NTPSYNC_LICENSE_FILES = LICENSE

# The project's Makefile takes the toolchain from CC/CFLAGS/LDFLAGS (all in
# TARGET_CONFIGURE_OPTS); WARN without -Werror, so that a newer compiler's new
# warning does not break the build.
# AUTH=0: without -a (symmetric keys), which needs wolfCrypt built from Debian's
# source; until this package depends on Buildroot's wolfssl.
NTPSYNC_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	STATIC=$(if $(BR2_STATIC_LIBS),1,0) \
	WARN="-Wall -Wextra" AUTH=0

define NTPSYNC_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NTPSYNC_MAKE_OPTS) ntpsync
endef

define NTPSYNC_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NTPSYNC_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install
endef

$(eval $(generic-package))
