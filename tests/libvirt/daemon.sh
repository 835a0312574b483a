# Sourced by the libvirt tests (tests/libvirt/test-*.sh): Debian's own
# libvirtd with the QEMU driver (TCG), started by the test itself in a
# private mount namespace, so nothing of the host's libvirt is read or
# written: /etc/libvirt is a copy, /run, /var/lib/libvirt, /var/cache/libvirt
# and /var/log/libvirt are the test's own directories.  Everything started
# is stopped again by the EXIT trap (domains destroyed and undefined, the
# daemon stopped, its QEMU processes gone), also when a check fails.
#
# A test script calls `in_private_namespace "$@"` first: it re-executes
# the script under unshare -m (it needs root: exit 77 otherwise, and when
# libvirtd, virsh or unshare are missing).
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
summary() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
skip() { echo "SKIP: $*"; exit 77; }

in_private_namespace() {
	[ "${NP_LIBVIRT_NS:-}" = 1 ] && return 0
	[ "$(id -u)" = 0 ] || skip "needs root (starts libvirtd and QEMU)"
	for p in libvirtd virsh unshare qemu-system-x86_64; do
		command -v "$p" >/dev/null 2>&1 ||
			skip "$p is missing (scripts/deps.sh installs it)"
	done
	NP_LIBVIRT_NS=1 exec unshare -m --propagation private sh "$0" "$@"
}

# LV_TMP: the test's directory; the daemon's pid file is there.
LV_TMP=
LV_DOMAINS=
VIRSH="virsh -q -c qemu:///system"

lv_cleanup() {
	for d in $LV_DOMAINS; do
		$VIRSH destroy "$d" >/dev/null 2>&1
		$VIRSH undefine "$d" >/dev/null 2>&1
	done
	if [ -s "$LV_TMP/libvirtd.pid" ]; then
		pid=$(cat "$LV_TMP/libvirtd.pid")
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	fi
	# QEMU processes the daemon started and left (it should not)
	for f in "$LV_TMP"/run/libvirt/qemu/*.pid; do
		[ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	umount /etc/libvirt /var/lib/libvirt /var/cache/libvirt \
		/var/log/libvirt /run 2>/dev/null
	rm -rf "$LV_TMP"
}

# start_daemon: copies the configuration, mounts the test's directories
# and starts libvirtd; waits until virsh answers.
start_daemon() {
	LV_TMP=$(mktemp -d /tmp/np-libvirt.XXXXXX)
	trap lv_cleanup EXIT
	trap 'exit 1' INT TERM
	mkdir -p "$LV_TMP/etc" "$LV_TMP/run" "$LV_TMP/lib/qemu" \
		"$LV_TMP/cache" "$LV_TMP/log/qemu"
	cp -a /etc/libvirt/. "$LV_TMP/etc/"
	rm -f "$LV_TMP"/etc/qemu/networks/autostart/* \
		"$LV_TMP"/etc/qemu/autostart/* 2>/dev/null
	# QEMU as root, its output to a file (no virtlogd), no cgroups (a
	# container may not delegate them: pins and policies are then set
	# with sched_setaffinity and the memory backends' bind policy).
	cat >>"$LV_TMP/etc/qemu.conf" <<-CONF
	user = "root"
	group = "root"
	stdio_handler = "file"
	cgroup_controllers = [ ]
	namespaces = [ ]
	security_driver = "none"
	CONF
	# the commands it runs and what QEMU's start decided, in its log
	cat >>"$LV_TMP/etc/libvirtd.conf" <<-CONF
	log_filters = "1:util.command 1:qemu.qemu_process"
	log_outputs = "1:file:/var/log/libvirt/libvirtd.log"
	CONF
	mount --bind "$LV_TMP/etc" /etc/libvirt &&
	mount --bind "$LV_TMP/lib" /var/lib/libvirt &&
	mount --bind "$LV_TMP/cache" /var/cache/libvirt &&
	mount --bind "$LV_TMP/log" /var/log/libvirt &&
	mount --bind "$LV_TMP/run" /run || { bad "mounts"; exit 1; }
	libvirtd -d --pid-file "$LV_TMP/libvirtd.pid" \
		>"$LV_TMP/libvirtd.out" 2>&1 || {
		bad "libvirtd did not start: $(cat "$LV_TMP/libvirtd.out")"
		exit 1
	}
	for _ in $(seq 100); do
		$VIRSH version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	bad "libvirtd does not answer: $(cat "$LV_TMP/libvirtd.out")"
	exit 1
}

# qemu_pid DOMAIN: the PID of the domain's QEMU process.
qemu_pid() {
	cat "/run/libvirt/qemu/$1.pid"
}
