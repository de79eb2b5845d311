# SPDX-License-Identifier: GPL-2.0-or-later
SUMMARY = "Set the clock once from NTP servers (ntpdate replacement)"
DESCRIPTION = "A small SNTP client with ntpdate's command line, messages and \
exit codes, for boot scripts and cron (ntpsync -u SERVER), which also says why \
a server was not suitable."
SECTION = "net"
LICENSE = "GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=b234ee4d69f5fce4486a80fdaf4a4263"

# Set to the project's git repository and a commit; or build a local checkout
# with EXTERNALSRC (see packaging/README).
SRC_URI = "git://git.example.org/ntpsync.git;protocol=https;branch=main"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

# The project's Makefile takes the toolchain from the command line. STATIC=0:
# dynamic, and not stripped by the Makefile (OE strips and splits debug info
# itself; a stripped binary fails its already-stripped QA check). WARN without
# -Werror: a newer compiler's new warning must not break the build. AUTH=0: without
# -a (symmetric keys, wolfCrypt) until the recipe depends on wolfssl.
EXTRA_OEMAKE = "CC='${CC}' CFLAGS='${CFLAGS}' CPPFLAGS='${CPPFLAGS}' \
                LDFLAGS='${LDFLAGS}' STATIC=0 WARN='-Wall -Wextra' AUTH=0"

do_compile() {
	oe_runmake ntpsync
}

do_install() {
	oe_runmake install DESTDIR=${D} PREFIX=${prefix}
}
