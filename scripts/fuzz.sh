#!/bin/sh
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, starting
# from a copy of its seed corpus (tests/fuzz/corpus/<name>/), so the seeds in
# the tree stay small and reviewed.  A crash leaves its input as
# tests/fuzz/crash-<name>-* and fails the run.
# usage: scripts/fuzz.sh BUILD_DIR SECONDS
set -eu
BUILD=$1
SECONDS_EACH=$2
WORK=tests/fuzz/work
status=0

for exe in "$BUILD"/tests/fuzz/fuzz-*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue  # not meson's fuzz-*.p dirs
	name=${exe##*/fuzz-}
	mkdir -p "$WORK/$name"
	cp tests/fuzz/corpus/"$name"/* "$WORK/$name/" 2>/dev/null || true
	echo "fuzz: $name for ${SECONDS_EACH}s"
	dict=""
	[ -f "tests/fuzz/dict/$name.dict" ] && dict="-dict=tests/fuzz/dict/$name.dict"
	# shellcheck disable=SC2086
	if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$exe" -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 $dict \
		-artifact_prefix="tests/fuzz/crash-$name-" \
		"$WORK/$name" >"$WORK/$name.log" 2>&1; then
		echo "fuzz: $name FAILED, see $WORK/$name.log" >&2
		tail -30 "$WORK/$name.log" >&2
		status=1
	else
		grep -E 'stat::number_of_executed_units|cov:' "$WORK/$name.log" | tail -2
	fi
done
exit $status
