#!/bin/sh
# numaplace lab's refusals that need no guest: the caller's files (--kernel,
# --add, --dump) and the command line, the image cache and its owner, and
# the causes of failures around QEMU.  A fake qemu-system-x86_64 on PATH
# makes sure none of these boots anything: it reports itself and fails.
set -u
. "$(dirname "$0")/../cli/lib.sh"
exec </dev/null

mkdir -p "$TMP/bin" "$TMP/cache"
cat >"$TMP/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
echo "fake qemu started" >&2
exit 1
EOF
chmod +x "$TMP/bin/qemu-system-x86_64"
export PATH="$TMP/bin:$PATH" NUMAPLACE_CACHE_DIR="$TMP/cache"

# ---- files that are not regular files: refused without blocking in open --
mkfifo "$TMP/fifo"
for opt in --kernel --add; do
	RC=0
	timeout 20 "$NP" lab $opt "$TMP/fifo" -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
	if [ "$RC" = 2 ] && [ "$(cat "$TMP/err")" = "numaplace: $TMP/fifo: not a regular file" ]; then ok
	else bad "lab $opt FIFO: exit $RC (124: it hung), stderr '$(cat "$TMP/err")'"; fi
done
expect_error 2 "^numaplace: /etc: is a directory$" lab --add /etc -- true
expect_error 2 "^numaplace: /etc: is a directory$" lab --kernel /etc -- true
expect_error 2 "^numaplace: /nonexistent: No such file or directory$" lab --kernel /nonexistent -- true
expect_error 2 "^numaplace: /etc/passwd: neither an ELF vmlinux nor a bzImage$" lab --kernel /etc/passwd -- true

# A bzImage whose gzip payload is corrupt: the user's file, exit 2, saying
# so (it was exit 124, "timeout", with a message blaming the guest).
python3 - "$TMP/bzImage" <<'EOF'
import struct, sys
b = bytearray(0x1000)
b[0x1f1] = 1                                   # setup sectors
b[0x202:0x206] = b"HdrS"
struct.pack_into("<II", b, 0x248, 0, 64)       # payload offset, length
b[1024:1024 + 64] = b"\x1f\x8b" + b"corrupt" * 9
open(sys.argv[1], "wb").write(b)
EOF
expect_error 2 "^numaplace: $TMP/bzImage: the kernel's gzip payload is corrupt \\(gzip -d failed\\)$" \
	lab --kernel "$TMP/bzImage" -- true

# ---- names in the guest's PATH: one file per name, the guest's own kept ----
mkdir -p "$TMP/a" "$TMP/b"
printf '#!/bin/sh\necho a\n' >"$TMP/a/tool"
printf '#!/bin/sh\necho b\n' >"$TMP/b/tool"
cp "$TMP/a/tool" "$TMP/numaplace"
expect_error 2 "^numaplace: lab: --add $TMP/a/tool and --add $TMP/b/tool both become /opt/numaplace/bin/tool in the guest; rename one$" \
	lab --add "$TMP/a/tool" --add "$TMP/b/tool" -- tool
expect_error 2 "^numaplace: lab: --add $TMP/numaplace: the guest's own /opt/numaplace/bin/numaplace would be replaced; rename the file$" \
	lab --add "$TMP/numaplace" -- true

# ---- the command line and --dump ---------------------------------------------
long=$(head -c 1500 /dev/zero | tr '\0' x)
expect_error 2 "^numaplace: lab: the command is too long for the kernel command line" lab -- echo "$long"
mkdir -p "$TMP/full-dump"
touch "$TMP/full-dump/file"
expect_error 2 "^numaplace: $TMP/full-dump: exists and is not an empty directory$" lab --dump "$TMP/full-dump" -- true

# ---- the image cache: never in /tmp by default, only the caller's ----------
RC=0
env -u HOME -u XDG_CACHE_HOME -u NUMAPLACE_CACHE_DIR "$NP" lab -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
if [ "$RC" = 2 ] && [ "$(cat "$TMP/err")" = "numaplace: lab: no place for the image cache: HOME is not set; set HOME or XDG_CACHE_HOME (or NUMAPLACE_CACHE_DIR)" ]; then ok
else bad "lab without HOME: exit $RC, stderr '$(cat "$TMP/err")'"; fi
mkdir -m 777 "$TMP/open-cache"
NUMAPLACE_CACHE_DIR=$TMP/open-cache
expect_error 1 "^numaplace: $TMP/open-cache: writable by other users: the lab will not boot what another user can change" lab -- true
# XDG_CACHE_HOME/numaplace, made by us, private.
RC=0
env -u HOME -u NUMAPLACE_CACHE_DIR XDG_CACHE_HOME="$TMP/xdg" "$NP" lab --kernel /etc/passwd -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
if [ "$RC" = 2 ] && [ "$(stat -c %a "$TMP/xdg/numaplace" 2>/dev/null)" = 700 ]; then ok
else bad "lab with XDG_CACHE_HOME: exit $RC, $(ls -ld "$TMP/xdg/numaplace" 2>&1) $(cat "$TMP/err")"; fi
if [ "$(id -u)" = 0 ]; then
	mkdir "$TMP/their-cache"
	chown 65534:65534 "$TMP/their-cache"
	NUMAPLACE_CACHE_DIR=$TMP/their-cache
	expect_error 1 "^numaplace: $TMP/their-cache: owned by uid 65534, not by this user" lab -- true
	ln -s "$TMP/cache" "$TMP/their-link"
	chown -h 65534:65534 "$TMP/their-link"
	NUMAPLACE_CACHE_DIR=$TMP/their-link
	expect_error 1 "^numaplace: $TMP/their-link: owned by uid 65534, not by this user" lab -- true
fi
NUMAPLACE_CACHE_DIR=$TMP/cache

# ---- a full cache disk: the real cause, exit 1 (was 124, "timeout") -------
if ls /boot/vmlinuz-* >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
   mkdir "$TMP/small" && mount -t tmpfs -o size=1m,mode=700 tmpfs "$TMP/small" 2>/dev/null; then
	RC=0
	env NUMAPLACE_CACHE_DIR="$TMP/small/cache" "$NP" lab -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
	umount "$TMP/small"
	if [ "$RC" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	   grep -q "No space left on device$" "$TMP/err"; then ok
	else bad "lab with a full cache disk: exit $RC, stderr '$(cat "$TMP/err")'"; fi
fi

summary
