# SPDX-License-Identifier: GPL-2.0-or-later
SUMMARY = "Set the clock once from NTP servers (ntpdate replacement)"
DESCRIPTION = "A small SNTP client with ntpdate's command line, messages and \
exit codes, for boot scripts and cron (ntpsync -u SERVER), which also says why \
a server was not suitable."
SECTION = "net"
# ntpsync's and wolfSSL 5.5.4's (both GPL-2.0-or-later).
LICENSE = "GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=b234ee4d69f5fce4486a80fdaf4a4263 \
                    file://${WOLFSSL_S}/COPYING;md5=b234ee4d69f5fce4486a80fdaf4a4263 \
                    file://${WOLFSSL_S}/LICENSING;md5=92d079ef581b75b62af5edf1e1d92214"

# Set to the project's git repository and a commit; or build a local checkout
# with EXTERNALSRC (see packaging/README). The second entry: the wolfSSL 5.5.4
# release, whose wolfCrypt gives -a (symmetric keys) its MD5, SHA-1 and AES-CMAC,
# compiled in by the project's Makefile (meta-networking's wolfssl is another
# version and configuration). Its sha256 is that of Debian 12's
# wolfssl_5.5.4.orig.tar.gz, which is this URL's file (Debian's watch file fetches
# it and checks wolfSSL's signature of it; its pax header names the tag's commit
# 4fbd4fd36a21efd9d1a7e17aba390e91c78693b1). Not downloaded here.
SRC_URI = "git://git.example.org/ntpsync.git;protocol=https;branch=main \
           https://github.com/wolfSSL/wolfssl/archive/refs/tags/v5.5.4-stable.tar.gz;name=wolfssl;downloadfilename=wolfssl-5.5.4-stable.tar.gz"
SRC_URI[wolfssl.sha256sum] = "b7ee150e49def77c765bc02aac92ddeb0bebefd4cb12aa263d8f95e405221fb8"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"
WOLFSSL_S = "${WORKDIR}/wolfssl-5.5.4-stable"

# -a with wolfCrypt (default), or without: PACKAGECONFIG:remove:pn-ntpsync = "auth".
# NTS (-N; it needs "auth", whose MAC code it shares): PACKAGECONFIG:append:pn-ntpsync =
# " nts": wolfSSL's TLS 1.3 client from the same release, to which the Makefile applies
# Debian 12's fixes of the TLS code (packaging/wolfssl-patches/ in ntpsync's sources).
PACKAGECONFIG ??= "auth"
PACKAGECONFIG[auth] = "WOLFSSL_SRC=${WOLFSSL_S},AUTH=0"
PACKAGECONFIG[nts] = "NTS=1 WOLFSSL_SRC=${WOLFSSL_S},NTS=0"

# The project's Makefile takes the toolchain from the command line (AR archives
# wolfCrypt's objects; the host's gcc-ar cannot index another GCC's LTO). STATIC=0:
# dynamic, and not stripped by the Makefile (OE strips and splits debug info
# itself; a stripped binary fails its already-stripped QA check). WARN without
# -Werror: a newer compiler's new warning must not break the build.
EXTRA_OEMAKE = "CC='${CC}' AR='${AR}' CFLAGS='${CFLAGS}' CPPFLAGS='${CPPFLAGS}' \
                LDFLAGS='${LDFLAGS}' STATIC=0 WARN='-Wall -Wextra' \
                ${PACKAGECONFIG_CONFARGS}"

# With the boot and DHCP files of contrib/ (ntpsync's README, "Boot and DHCP
# integration"): the settings, ntpsync-dhcp (which the DHCP client hooks run), the
# init script (S49ntpsync, as update-rc.d's ntpsync with start level 49) and the
# systemd service and timer; the classes enable the one the image's init uses and
# drop the other (systemd.bbclass without "sysvinit" in DISTRO_FEATURES, and the
# reverse).
inherit update-rc.d systemd
INITSCRIPT_NAME = "ntpsync"
INITSCRIPT_PARAMS = "defaults 49"
SYSTEMD_SERVICE:${PN} = "ntpsync.service ntpsync.timer"
CONFFILES:${PN} = "${sysconfdir}/default/ntpsync"

do_compile() {
	oe_runmake ntpsync
}

do_install() {
	oe_runmake install DESTDIR=${D} PREFIX=${prefix}
	install -D -m 0755 ${S}/contrib/dhcp/ntpsync-dhcp ${D}${sbindir}/ntpsync-dhcp
	install -D -m 0644 ${S}/contrib/default/ntpsync ${D}${sysconfdir}/default/ntpsync
	install -D -m 0755 ${S}/contrib/init.d/S49ntpsync ${D}${sysconfdir}/init.d/ntpsync
	install -D -m 0644 ${S}/contrib/systemd/ntpsync.service \
		${D}${systemd_system_unitdir}/ntpsync.service
	install -D -m 0644 ${S}/contrib/systemd/ntpsync.timer \
		${D}${systemd_system_unitdir}/ntpsync.timer
}
