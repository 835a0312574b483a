# Shared by the CLI test scripts: tiny assertion helpers and a summary line
# in the form CI reads ("N passed, N failed").
NP=${NP:?NP must name the numaplace binary}
SRC=${NP_SRCDIR:?NP_SRCDIR must name the source tree}
DUMPS=$SRC/tests/dumps
TMP=$(mktemp -d /tmp/np-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }

# run_np ARGS...: runs numaplace, leaves $TMP/out, $TMP/err and $RC.
run_np() {
	RC=0
	"$NP" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# expect_error RC REGEX ARGS...: exit code, empty stdout, one stderr line.
expect_error() {
	want_rc=$1 re=$2
	shift 2
	run_np "$@"
	if [ "$RC" != "$want_rc" ]; then
		bad "numaplace $*: exit $RC, want $want_rc"; return
	fi
	if [ -s "$TMP/out" ]; then
		bad "numaplace $*: wrote to stdout on error"; return
	fi
	if [ "$(wc -l <"$TMP/err")" != 1 ]; then
		bad "numaplace $*: stderr is not one line: $(cat "$TMP/err")"; return
	fi
	if ! grep -Eq "$re" "$TMP/err"; then
		bad "numaplace $*: stderr '$(cat "$TMP/err")' does not match '$re'"
		return
	fi
	ok
}

summary() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
