#!/bin/sh
# numaplace stat: numastat's layouts (no arguments, and -m) and the JSON.
#
# Expected files of a fixture machine (tests/dumps/<m>/), none of them
# written by numaplace:
#   stat.txt    the real `numastat` (numactl 2.0.16) run on the dump through
#               tests/oracle/numastat.sh, unchanged.
#   stat-m.txt  the real `numastat -m` on the dump, with its "Token X not in
#               hash table." lines removed and, after its last row, one row per
#               such field X (numastat drops them, numaplace shows them), which
#               extra_rows below computes with awk from the dump's meminfo.
#               Without those rows it is numastat's output byte for byte; the
#               test checks both halves separately.
#   stat.json   written by json_from_dump below (awk) from the dump.
# NP_STAT_REGEN=1 rewrites them that way (the oracle needs root).
#
# With root the real numastat is also run on every dump, a modified dump and
# at several NUMASTAT_WIDTHs, and (as any user) on the live machine.
set -u
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# numastat folds lines at $NUMASTAT_WIDTH (COLUMNS means nothing to it).
unset NUMASTAT_WIDTH
ORACLE=$SRC/tests/oracle/numastat.sh

# numastat's own meminfo rows (system_meminfo[] in numastat.c), in its order.
KNOWN="MemTotal MemFree MemUsed HighTotal HighFree LowTotal LowFree Active
Inactive Active(anon) Inactive(anon) Active(file) Inactive(file) Unevictable
Mlocked Dirty Writeback FilePages Mapped AnonPages Shmem KernelStack PageTables
NFS_Unstable Bounce WritebackTmp Slab SReclaimable SUnreclaim AnonHugePages
ShmemHugePages ShmemPmdMapped HugePages_Total HugePages_Free HugePages_Surp
KReclaimable"

# node_files ROOT NAME: ROOT's nodeN/NAME files in ascending N.
node_files() {
	# shellcheck disable=SC2012
	for n in $(ls "$1/sys/devices/system/node" | sed -n 's/^node\([0-9][0-9]*\)$/\1/p' | sort -n); do
		echo "$1/sys/devices/system/node/node$n/$2"
	done
}

# unknown_fields ROOT: meminfo fields numastat does not know, in order of
# first appearance over the nodes.
unknown_fields() {
	# shellcheck disable=SC2046
	awk -v known="$KNOWN" '
		BEGIN { n = split(known, k); for (i = 1; i <= n; i++) K[k[i]] = 1 }
		{ f = $3; sub(/:$/, "", f); if (!(f in K) && !(f in seen)) { seen[f] = 1; print f } }
	' $(node_files "$1" meminfo)
}

# extra_rows ROOT FIELD...: numastat -m rows for fields it does not know, as
# its table code would print them: the name left in 16 columns, each node's
# MB (kB * 1024 / 2^20) right in 16 with 2 decimals (blank when the node has no
# such line), then the total summed in node order.
extra_rows() {
	root=$1
	shift
	# shellcheck disable=SC2046
	awk -v fields="$*" '
		FNR == 1 { nodes++ }
		{ f = $3; sub(/:$/, "", f); has[nodes, f] = 1
		  v[nodes, f] = $4 * ($5 == "kB" ? 1024 : 1) / 1048576 }
		END {
			n = split(fields, F, " ")
			for (i = 1; i <= n; i++) {
				line = sprintf("%-16.16s", F[i]); total = 0
				for (j = 1; j <= nodes; j++) {
					if ((j, F[i]) in has) {
						line = line sprintf("%16.2f", v[j, F[i]])
						total += v[j, F[i]]
					} else {
						line = line sprintf("%16s", "")
					}
				}
				print line sprintf("%16.2f", total)
			}
		}' $(node_files "$root" meminfo)
}

# drop_rows FILE FIELD...: FILE without the table rows labelled FIELD.
drop_rows() {
	file=$1
	shift
	awk -v fields="$*" '
		BEGIN { n = split(fields, F, " "); for (i = 1; i <= n; i++) D[substr(F[i], 1, 16)] = 1 }
		{ l = substr($0, 1, 16); sub(/ +$/, "", l); if (!(l in D)) print }' "$file"
}

# json_from_dump ROOT: what `numaplace stat --json` must print, from the
# files themselves (json-c's pretty layout, keys as in docs/topo-json.md).
json_from_dump() {
	files=
	for m in $(node_files "$1" meminfo); do
		files="$files $m ${m%/meminfo}/numastat"
	done
	# shellcheck disable=SC2086
	awk '
		BEGIN { split("numa_hit numa_miss numa_foreign interleave_hit local_node other_node", S, " ") }
		FNR == 1 && FILENAME ~ /\/meminfo$/ {
			nodes++; id[nodes] = FILENAME
			sub(/\/meminfo$/, "", id[nodes]); sub(/.*\/node/, "", id[nodes])
		}
		FILENAME ~ /\/meminfo$/ {
			f = $3; sub(/:$/, "", f); if ($5 == "kB") f = f "_kB"
			key[nodes, ++nkeys[nodes]] = f; val[nodes, nkeys[nodes]] = $4
			if (!(f in total)) order[++ntotal] = f
			total[f] += $4
		}
		FILENAME ~ /\/numastat$/ { stat[nodes, $1] = $2; stotal[$1] += $2 }
		function counters(indent, node, i) {
			print "{"
			for (i = 1; i <= 6; i++)
				printf "%s  \"%s\": %s%s\n", indent, S[i],
					node ? stat[node, S[i]] : sprintf("%.0f", stotal[S[i]]), i < 6 ? "," : ""
			printf "%s}", indent
		}
		END {
			print "{"; print "  \"nodes\": ["
			for (n = 1; n <= nodes; n++) {
				print "    {"; printf "      \"id\": %s,\n", id[n]
				printf "      \"numastat\": "; counters("      ", n); print ","
				print "      \"meminfo\": {"
				for (k = 1; k <= nkeys[n]; k++)
					printf "        \"%s\": %s%s\n", key[n, k], val[n, k], k < nkeys[n] ? "," : ""
				print "      }"; print "    }" (n < nodes ? "," : "")
			}
			print "  ],"; print "  \"total\": {"
			printf "    \"numastat\": "; counters("    ", 0); print ","
			print "    \"meminfo\": {"
			for (k = 1; k <= ntotal; k++)
				printf "      \"%s\": %.0f%s\n", order[k], total[order[k]], k < ntotal ? "," : ""
			print "    }"; print "  }"; print "}"
		}' $files
}

# oracle ROOT ARGS...: the real numastat into $TMP/orc; 77 when it skips.
# With -m, $TMP/orc-table is its output without the Token lines and
# $TMP/orc-tokens the fields they name (first appearance).
ORACLE_OK=unknown
oracle() {
	[ "$ORACLE_OK" = no ] && return 77
	orc_rc=0
	sh "$ORACLE" "$@" >"$TMP/orc" 2>"$TMP/orc-err" || orc_rc=$?
	if [ "$orc_rc" = 77 ]; then
		[ "$ORACLE_OK" = unknown ] && echo "peer numastat: $(cat "$TMP/orc-err")" >&2
		ORACLE_OK=no
		return 77
	fi
	ORACLE_OK=yes
	grep -v '^Token .* not in hash table\.$' "$TMP/orc" >"$TMP/orc-table"
	sed -n 's/^Token \(.*\) not in hash table\.$/\1/p' "$TMP/orc" |
		awk '!seen[$0]++' >"$TMP/orc-tokens"
	return "$orc_rc"
}

# check_peer ROOT NAME: numaplace against the real numastat on ROOT.
check_peer() {
	fields=$(unknown_fields "$1")
	if oracle "$1"; then
		run_np stat --sysroot "$1"
		if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/orc"; then ok
		else bad "$2: stat differs from the real numastat"; fi
	fi
	[ "$ORACLE_OK" = no ] && return
	if oracle "$1" -m; then
		run_np stat -m --sysroot "$1"
		# shellcheck disable=SC2086
		drop_rows "$TMP/out" $fields >"$TMP/ours-known"
		if [ "$RC" = 0 ] && cmp -s "$TMP/ours-known" "$TMP/orc-table"; then ok
		else bad "$2: stat -m without its extra rows differs from numastat -m"; fi
		unknown_fields "$1" >"$TMP/fields"
		if cmp -s "$TMP/fields" "$TMP/orc-tokens"; then ok
		else bad "$2: extra rows '$fields', numastat dropped '$(cat "$TMP/orc-tokens")'"; fi
	else
		[ "$ORACLE_OK" = yes ] && bad "$2: numastat -m failed: $(cat "$TMP/orc-err")"
	fi
}

if [ "${NP_STAT_REGEN:-}" = 1 ]; then
	for d in "$DUMPS"/*/; do
		[ -d "$d/sys/devices/system/node" ] || continue
		oracle "$d" >/dev/null || { echo "regen needs the oracle" >&2; exit 1; }
		cp "$TMP/orc" "$d/stat.txt"
		oracle "$d" -m || exit 1
		# shellcheck disable=SC2046
		{ cat "$TMP/orc-table"; extra_rows "$d" $(cat "$TMP/orc-tokens"); } >"$d/stat-m.txt"
		json_from_dump "$d" >"$d/stat.json"
	done
fi

# Every fixture: the expected files, what they are made of, and the peer.
for d in "$DUMPS"/*/; do
	[ -f "$d/stat.txt" ] || continue
	m=$(basename "$d")
	fields=$(unknown_fields "$d")
	run_np stat --sysroot "$d"
	if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$d/stat.txt"; then ok
	else bad "$m: stat differs from stat.txt"; fi
	run_np stat -m --sysroot "$d"
	if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$d/stat-m.txt"; then ok
	else bad "$m: stat -m differs from stat-m.txt"; fi
	# shellcheck disable=SC2086
	{ drop_rows "$d/stat-m.txt" $fields; extra_rows "$d" $fields; } >"$TMP/want"
	if [ -n "$fields" ] && cmp -s "$TMP/want" "$d/stat-m.txt"; then ok
	else bad "$m: stat-m.txt does not end in the rows of '$fields'"; fi
	run_np stat --json --sysroot "$d"
	if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$d/stat.json"; then ok
	else bad "$m: stat --json differs from stat.json"; fi
	json_from_dump "$d" >"$TMP/want"
	if cmp -s "$TMP/want" "$d/stat.json"; then ok
	else bad "$m: stat.json is not what the dump says"; fi
	run_np stat -m --json --sysroot "$d"
	if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$d/stat.json"; then ok
	else bad "$m: stat -m --json differs from --json"; fi
	check_peer "$d" "$m"
done

# Folding: 8 nodes + Total at NUMASTAT_WIDTH=80 is the unfolded table cut
# into sections of 16 label + 4 x 16 columns, with an empty line between.
# Without -m the Total column has no width, so 8 nodes make 2 sections.
fold_like_numastat() {
	awk -v w="$2" '
		{ line[NR] = $0; if (length($0) > max) max = length($0) }
		END {
			per = int((w - 16) / 16) * 16
			for (s = 16; s < max; s += per) {
				if (s > 16) print ""
				for (i = 1; i <= NR; i++) {
					if (line[i] == "" || line[i] ~ /^Per-node/) { if (s == 16) print line[i]; continue }
					print substr(line[i], 1, 16) substr(line[i], s + 1, per)
				}
			}
		}' "$1"
}
m=opteron-8n
for args in "" -m; do
	for w in 80 100 47; do
		# shellcheck disable=SC2086
		RC=0; NUMASTAT_WIDTH=$w "$NP" stat $args --sysroot "$DUMPS/$m" >"$TMP/out" || RC=$?
		[ -n "$args" ] && want=$DUMPS/$m/stat-m.txt || want=$DUMPS/$m/stat.txt
		fold_like_numastat "$want" "$w" >"$TMP/want"
		if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/want"; then ok
		else bad "$m: stat $args at NUMASTAT_WIDTH=$w is not folded like numastat"; fi
		[ "$ORACLE_OK" = no ] && continue
		# shellcheck disable=SC2086
		NUMASTAT_WIDTH=$w oracle "$DUMPS/$m" $args || continue
		# shellcheck disable=SC2046
		drop_rows "$TMP/out" $(unknown_fields "$DUMPS/$m") >"$TMP/ours-known"
		if cmp -s "$TMP/ours-known" "$TMP/orc-table"; then ok
		else bad "$m: stat $args at NUMASTAT_WIDTH=$w differs from numastat"; fi
	done
done
# Below 32 or not a number: numastat's 32 and 80.
RC=0; NUMASTAT_WIDTH=5 "$NP" stat --sysroot "$DUMPS/$m" >"$TMP/out" || RC=$?
fold_like_numastat "$DUMPS/$m/stat.txt" 32 >"$TMP/want"
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/want"; then ok; else bad "NUMASTAT_WIDTH=5 is not 32"; fi
RC=0; NUMASTAT_WIDTH=wide "$NP" stat --sysroot "$DUMPS/$m" >"$TMP/out" || RC=$?
fold_like_numastat "$DUMPS/$m/stat.txt" 80 >"$TMP/want"
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/want"; then ok; else bad "NUMASTAT_WIDTH=wide is not 80"; fi
# On a terminal numastat folds at 80 whatever its size (it reads only 7
# bytes of `resize`'s answer), and so do we.
if command -v script >/dev/null 2>&1 &&
   script -qec "stty cols 200 rows 50 2>/dev/null; \"$NP\" stat -m --sysroot \"$DUMPS/$m\"" /dev/null \
	>"$TMP/tty" 2>/dev/null; then
	tr -d '\r' <"$TMP/tty" >"$TMP/out"
	fold_like_numastat "$DUMPS/$m/stat-m.txt" 80 >"$TMP/want"
	if cmp -s "$TMP/out" "$TMP/want"; then ok; else bad "stat -m on a terminal is not folded at 80"; fi
fi

# A dump numastat has not seen: unknown fields with values, one only on
# node 1 (a blank cell on node 0, a row after node 0's), huge pages in use.
mkdir -p "$TMP/mod/sys/devices/system"
cp -r "$DUMPS/server-2s-smt/sys/devices/system/node" "$TMP/mod/sys/devices/system/"
n0=$TMP/mod/sys/devices/system/node/node0/meminfo
n1=$TMP/mod/sys/devices/system/node/node1/meminfo
sed 's/^\(Node 0 SwapCached: *\)0 kB/\1123457 kB/' "$n0" >"$TMP/x" && cp "$TMP/x" "$n0"
sed -e 's/^\(Node 1 SecPageTables: *\)0 kB/\1777 kB/' \
    -e '/^Node 1 MemFree:/a\
Node 1 Zswap:            4242 kB' "$n1" >"$TMP/x" && cp "$TMP/x" "$n1"
fields=$(unknown_fields "$TMP/mod")
# shellcheck disable=SC2086
if [ "$(printf '%s ' $fields)" = "SwapCached SecPageTables FileHugePages FilePmdMapped Zswap " ]; then ok
else bad "modified dump: unknown fields '$fields'"; fi
run_np stat -m --sysroot "$TMP/mod"
# shellcheck disable=SC2086
{ drop_rows "$TMP/out" $fields; extra_rows "$TMP/mod" $fields; } >"$TMP/want"
# 4242 kB = 4.14 MB; 123457 kB = 120.56 MB
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/want" &&
   grep -qx "$(printf '%-16s%16s%16s%16s' Zswap '' 4.14 4.14)" "$TMP/out" &&
   grep -qx "$(printf '%-16s%16s%16s%16s' SwapCached 120.56 0.00 120.56)" "$TMP/out"
then ok; else bad "modified dump: extra rows are not the fields numastat drops"; fi
run_np stat --json --sysroot "$TMP/mod"
json_from_dump "$TMP/mod" >"$TMP/want"
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$TMP/want"; then ok
else bad "modified dump: --json is not what the dump says"; fi
check_peer "$TMP/mod" "modified dump"

# The live machine, as any user: counters move between two runs, so retry;
# if they never hold still, compare the layout (labels and line lengths).
layout() { awk '{ print length($0), substr($0, 1, 16) }' "$1"; }
live_peer() {
	for _ in 1 2 3 4 5; do
		# shellcheck disable=SC2086
		numastat $1 2>/dev/null >"$TMP/live-orc" || return
		# shellcheck disable=SC2086
		run_np stat $1
		sed -n 's/^Token \(.*\) not in hash table\.$/\1/p' "$TMP/live-orc" |
			awk '!seen[$0]++' >"$TMP/live-tokens"
		grep -v '^Token .* not in hash table\.$' "$TMP/live-orc" >"$TMP/live-want"
		# shellcheck disable=SC2046
		drop_rows "$TMP/out" $(cat "$TMP/live-tokens") >"$TMP/live-got"
		[ "$RC" = 0 ] && cmp -s "$TMP/live-got" "$TMP/live-want" && { ok; return; }
	done
	layout "$TMP/live-got" >"$TMP/live-l1"
	layout "$TMP/live-want" >"$TMP/live-l2"
	if [ "$RC" = 0 ] && cmp -s "$TMP/live-l1" "$TMP/live-l2"; then ok
	else bad "live: stat $1 does not have numastat's layout"; fi
}
if command -v numastat >/dev/null 2>&1 && [ -d /sys/devices/system/node/node0 ]; then
	live_peer ""
	live_peer -m
fi

# Errors: one line, exit 2, nothing on stdout.
expect_error 2 "^numaplace: stat: unknown option '--frob'$" stat --frob
expect_error 2 "^numaplace: stat: unknown option '-Z'$" stat -Z
expect_error 2 "^numaplace: stat: option '--sysroot' needs an argument$" stat --sysroot
expect_error 2 "^numaplace: stat: unexpected argument '1234'$" stat 1234
expect_error 2 "^numaplace: /nonexistent: No such file or directory$" stat --sysroot /nonexistent
mkdir -p "$TMP/bad/sys/devices/system"
cp -r "$DUMPS/sparse-025/sys/devices/system/node" "$TMP/bad/sys/devices/system/"
printf 'numa_hit banana\n' >"$TMP/bad/sys/devices/system/node/node2/numastat"
for args in "" -m --json; do
	# shellcheck disable=SC2086
	expect_error 2 "^numaplace: $TMP/bad/sys/devices/system/node/node2/numastat: expected \"name value\"$" \
		stat $args --sysroot "$TMP/bad"
done

# ---- issue 12: the machines of older kernels (no stat.txt of their own):
# stat works on each and, as root, matches the real numastat on it.
for m in cpumap-only-2618 nul-2632 nodist-0 no-memfree hascpu-empty-310 \
	offline-node wide-1023; do
	d=$DUMPS/$m
	for args in "" "-m" "--json"; do
		# shellcheck disable=SC2086
		run_np stat $args --sysroot "$d"
		if [ "$RC" = 0 ] && [ -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then ok
		else bad "$m: stat $args: exit $RC: $(cat "$TMP/err")"; fi
	done
	check_peer "$d" "$m"
done

summary
