#!/bin/sh
# numaplace frames on this machine (one node): output, JSON, counters and
# every bad input.  Placement across nodes is checked in lab guests
# (tests/lab/test-lab-frames.py).
set -u
. "$(dirname "$0")/lib.sh"

# json_get FILE EXPR: a value of the JSON in FILE (python3 expression on j).
json_get() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

run_np frames --json --verify
if [ "$RC" = 0 ] && [ ! -s "$TMP/err" ]; then ok; else bad "frames --json: exit $RC: $(cat "$TMP/err")"; fi
for check in 'j["frame_bytes"] == 4096' 'j["frames"] == 1024' \
	'j["placement"] == {"0": 1024}' 'j["backing"] == "base pages"' \
	'j["regions"]["0"] == {"on_node": 16384, "off_node": 0}' \
	'j["invariants_hold"] is True' 'j["policy"] == "local"' \
	'[(s["numa_hit"], s["numa_miss"], s["numa_foreign"], s["local_node"], s["other_node"], s["interleave_hit"]) for s in j["stats"]] == [(1024, 0, 0, 1024, 0, 0)]' \
	'j["stats"][0]["free_frames"] == 16384 - 1024'; do
	[ "$(json_get "$TMP/out" "$check")" = True ] && ok || bad "frames --json: $check: $(cat "$TMP/out")"
done

# Text: the numastat-layout counter table, and 2 MiB frames.
run_np frames --pool 8M --alloc 64K --policy bind --node 0
if [ "$RC" = 0 ] && grep -q '^allocated: 16 frames (0.1 MiB) under bind 0$' "$TMP/out" &&
   grep -Eq '^numa_hit +16$' "$TMP/out" && grep -Eq '^frames +16$' "$TMP/out"; then ok
else bad "frames text: $(cat "$TMP/out" "$TMP/err")"; fi
run_np frames --pool 8M --frame 2m --alloc 4M --policy interleave --json
if [ "$RC" = 0 ] && [ "$(json_get "$TMP/out" '(j["frame_bytes"], j["frames"], j["placement"], j["stats"][0]["interleave_hit"])')" = "(2097152, 2, {'0': 2}, 2)" ]; then ok
else bad "frames --frame 2m: $(cat "$TMP/out" "$TMP/err")"; fi

# A full node: bind and --strict fail with one line; preferred has nowhere
# else to go on one node either.
expect_error 1 '^numaplace: frames: frame 2049 of 2304: no free frame under bind \(the pool has 8 MiB per node\)$' \
	frames --pool 8M --alloc 9M --policy bind --node 0
expect_error 1 '^numaplace: frames: frame 2049 of 2304: no free frame under preferred --strict' \
	frames --pool 8M --alloc 9M --policy preferred --node 0 --strict
expect_error 1 '^numaplace: frames: node 0 has [0-9]+ MiB free; the pool asks 1048576 MiB$' \
	frames --pool 1T

# Bad options: exit 2, one line, nothing on stdout.
expect_error 2 "^numaplace: frames: --frame '8k': expected 4k or 2m$" frames --frame 8k
expect_error 2 "^numaplace: frames: --policy 'nearest': expected local, bind" frames --policy nearest
expect_error 2 '^numaplace: frames: --node: the local policy takes no node$' frames --node 0
expect_error 2 '^numaplace: frames: --nodes: node 7 does not exist$' frames --nodes 7
expect_error 2 '^numaplace: frames: --node: node 3 does not exist$' frames --policy bind --node 3
expect_error 2 "^numaplace: frames: --pool: size '0': must be more than 0 bytes$" frames --pool 0
expect_error 2 "^numaplace: frames: --pool: size '12Q': expected a number" frames --pool 12Q
expect_error 2 "^numaplace: frames: --alloc: size '99999999999T': too large$" frames --alloc 99999999999T
expect_error 2 '^numaplace: frames: --policy preferred needs --node N$' frames --policy preferred
expect_error 2 "^numaplace: frames: unexpected argument 'x'$" frames x
expect_error 2 "^numaplace: frames: unknown option '--bogus'" frames --bogus
summary
