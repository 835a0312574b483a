#!/bin/sh
# numaplace ab: real commands measured (wall time, a metric), the verdict
# both ways, every output (text, --json, --export-csv, --plot), and every
# bad input failing with one line, exit 2, before any run, and no file
# left behind.  Verdicts that could depend on this machine's noise are
# asked only where the difference is large (10 ms against 60 ms) or the
# numbers are fixed (a metric the commands print).
set -u
. "$(dirname "$0")/lib.sh"

# the files are written in $TMP: numaplace by its absolute path
case $NP in /*) ;; *) NP=$(pwd)/$NP ;; esac
cd "$TMP" || exit 1
RATE100="sh -c 'echo noise; echo rate: 100 MB/s'"
RATE110="sh -c 'echo rate: 110 MB/s >&2'"

# ---- wall time: B sleeps 190 ms longer (a margin a loaded machine keeps) ----
run_np ab --runs 5 'sleep 0.01' 'sleep 0.2'
# 5 against 5, separated, no ties: the exact p, 2 / 252 (scipy's)
if [ "$RC" = 0 ] && grep -q '^wall time in ms (lower is better); 5 runs each, alternating A B$' out &&
   grep -Eq '^B is [0-9.]+ % slower \(95 % CI [0-9.]+ % … [0-9.]+ %, Mann-Whitney p = 0.0079\)$' out &&
   grep -q "^Mann-Whitney U: 0 for A, 25 for B; two-sided p = 0.0079 (exact)$" out; then ok
else bad "ab sleep: exit $RC: $(cat out err)"; fi

# ---- a metric the commands print: deterministic verdicts ----
# scipy: mannwhitneyu([100] * 5, [110] * 5) gives U 0, p 0.003977 (tied)
run_np ab -r 5 --metric 'rate: ([0-9.]+)' --higher-is-better "$RATE100" "$RATE110"
if [ "$RC" = 0 ] &&
   grep -qx "B is 10.0 % faster (95 % CI 10.0 % … 10.0 %, Mann-Whitney p = 0.004)" out &&
   grep -q "^A  *5  *100  *100  *0  *100  *100  0$" out &&
   grep -q "^Cliff's delta, B against A: 1.000 (large)$" out; then ok
else bad "ab metric, B better: exit $RC: $(cat out err)"; fi

# the same numbers read as times: B is slower
run_np ab -r 5 --metric 'rate: ([0-9.]+)' "$RATE100" "$RATE110"
if [ "$RC" = 0 ] &&
   grep -qx "B is 10.0 % slower (95 % CI 10.0 % … 10.0 %, Mann-Whitney p = 0.004)" out; then ok
else bad "ab metric, lower is better: exit $RC: $(cat out err)"; fi

# identical commands: no difference, said as the issue words it
run_np ab -r 6 --metric 'rate: ([0-9.]+)' "$RATE100" "$RATE100"
if [ "$RC" = 0 ] &&
   grep -qx "no significant difference at α = 0.05 (ratio 1.000, 95 % CI 1.000 … 1.000, Mann-Whitney p = 1)" out; then ok
else bad "ab identical: exit $RC: $(cat out err)"; fi

# ---- --json, --export-csv and --plot from one run ----
run_np ab -r 4 -w 2 --alpha 0.01 --metric 'rate: ([0-9.]+)' --json \
	--export-csv s.csv --plot p.svg "$RATE100" "$RATE110"
if [ "$RC" = 0 ] && python3 -m json.tool out >/dev/null && python3 - out s.csv <<'P'
import csv, json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "numaplace-ab/1", j["schema"]
assert j["commands"] == {"A": "sh -c 'echo noise; echo rate: 100 MB/s'",
                         "B": "sh -c 'echo rate: 110 MB/s >&2'"}, j["commands"]
assert j["runs_per_side"] == 4 and j["warmup_per_side"] == 2
assert j["order"] == "alternate" and j["shuffle_seed"] is None
assert j["alpha"] == 0.01 and j["measure"] == "metric"
s = j["samples"]
assert [x["run"] for x in s] == list(range(1, 9)), s
assert [x["side"] for x in s] == list("ABABABAB"), s
assert [x["value"] for x in s] == [100, 110] * 4, s
assert all(x["wall_s"] > 0 and x["exit_status"] == 0 and x["outlier"] is False
           for x in s), s
assert j["sides"]["A"]["n"] == 4 and j["sides"]["B"]["median"] == 110
# scipy: mannwhitneyu([100] * 4, [110] * 4): U 0, p 0.013123806784370716
assert j["significant"] is False, j      # p above alpha 0.01
mw = j["mann_whitney"]
assert mw["u_a"] == 0 and mw["u_b"] == 16 and mw["method"] == "normal", mw
assert abs(mw["p"] - 0.013123806784370716) < 1e-9, mw
assert abs(j["ratio_of_medians"]["value"] - 1.1) < 1e-9
assert j["ratio_of_medians"]["confidence"] == 0.99
assert j["ratio_of_medians"]["resamples"] == 10000
assert j["verdict"].startswith("no significant difference at \u03b1 = 0.01"), j["verdict"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert [r["side"] for r in rows] == list("ABABABAB"), rows
assert [float(r["value"]) for r in rows] == [x["value"] for x in s], rows
assert list(rows[0]) == ["run", "side", "value", "wall_s", "exit_status",
                         "outlier"], rows[0]
P
then ok; else bad "ab --json/--export-csv: exit $RC: $(cat err) $(head -c 800 out)"; fi
# a real SVG, with both sides and the interval in it
if python3 - p.svg <<'P'
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
text = "".join(root.itertext())
for want in ("ratio of medians B/A, 99 % CI", "A: sh -c", "B: sh -c",
             "no significant difference"):
    assert want in text, want
P
then ok; else bad "ab --plot p.svg: not the SVG expected"; fi
run_np ab -r 3 --plot p.png "$RATE100" "$RATE100"
if [ "$RC" = 0 ] && [ "$(head -c 4 p.png | od -An -c | tr -d ' ')" = "211PNG" ]; then ok
else bad "ab --plot p.png: exit $RC: $(cat err)"; fi

# ---- --shuffle: a seeded order, the same for the same seed ----
order() { python3 -c 'import json,sys; print("".join(x["side"] for x in json.load(open(sys.argv[1]))["samples"]))' out; }
run_np ab -r 8 --shuffle=42 --json --metric 'rate: ([0-9.]+)' "$RATE100" "$RATE110"
o1=$(order)
run_np ab -r 8 --shuffle=42 --json --metric 'rate: ([0-9.]+)' "$RATE100" "$RATE110"
o2=$(order)
if [ "$o1" = "$o2" ] && [ "$o1" != ABABABABABABABAB ] &&
   [ "$(printf %s "$o1" | tr -cd A | wc -c)" = 8 ] &&
   grep -q '"shuffle_seed": 42' out; then ok
else bad "ab --shuffle=42: orders '$o1' '$o2'"; fi
run_np ab -r 2 --shuffle "$RATE100" "$RATE100"
if [ "$RC" = 0 ] && grep -Eq '2 runs each in a shuffled order \(seed [0-9]+\)' out; then ok
else bad "ab --shuffle (no seed): $(cat out err)"; fi

# ---- failed runs ----
echo old >kept.csv
expect_error 1 "^numaplace: ab: run 2 of 4 \(B\): 'false' exited with status 1 \(--ignore-failure measures failed runs too\)$" \
	ab -r 2 --export-csv kept.csv --plot f.svg true false
if [ "$(cat kept.csv)" = old ] && [ ! -e f.svg ]; then ok
else bad "ab: a failed run touched the output files"; fi
run_np ab -r 2 --ignore-failure --json true false
if [ "$RC" = 0 ] && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["sides"]["B"]["failed_runs"] == 2 and j["samples"][1]["exit_status"] == 1' out; then ok
else bad "ab --ignore-failure: exit $RC: $(cat err)"; fi
expect_error 1 "^numaplace: ab: run 1 of 4 \(A\): 'sh -c 'kill -KILL \\\$\\\$'' was killed by signal 9" \
	ab -r 2 "sh -c 'kill -KILL \$\$'" true

# ---- bad input: one line, exit 2, nothing run, no file written ----
bad_input() {
	want=$1
	shift
	expect_error 2 "$want" ab --export-csv kept.csv --plot new.svg "$@"
	if [ "$(cat kept.csv)" != old ] || [ -e new.svg ]; then
		bad "ab $*: an output file was written"
	fi
}
bad_input "^numaplace: ab: the metric 'rate: \(\[0-9\]\+' is not a regular expression: " \
	--metric 'rate: ([0-9]+' "$RATE100" "$RATE110"
bad_input "^numaplace: ab: the metric 'rate: \[0-9\]\+' has no capture group: put the number in \( \)$" \
	--metric 'rate: [0-9]+' "$RATE100" "$RATE110"
bad_input "^numaplace: ab: the metric 'speed: \(\[0-9\]\+\)' matches nothing in the output of run 1 of 20 \(A\)$" \
	--metric 'speed: ([0-9]+)' "$RATE100" "$RATE110"
bad_input "^numaplace: ab: the metric 'speed: \(\[0-9\]\+\)' matches nothing in the output of warm-up run 1 of 2 \(A\)$" \
	--warmup 1 --metric 'speed: ([0-9]+)' "$RATE100" "$RATE110"
bad_input "^numaplace: ab: the metric '\(\[a-z\]\+\): ' found 'rate' in the output of run 1 of 20 \(A\): not a number$" \
	--metric '([a-z]+): ' "$RATE100" "$RATE110"
bad_input "^numaplace: ab: value 1 of A is 0: a ratio of medians needs positive values$" \
	--metric 'x=([0-9]+)' 'echo x=0' 'echo x=1'
bad_input "^numaplace: ab: --runs: '0' is not a number from 2 to 1000000$" --runs 0 true true
bad_input "^numaplace: ab: --runs: '1' is not a number from 2 to 1000000$" -r 1 true true
bad_input "^numaplace: ab: unknown option '--bogus'$" --bogus true true
bad_input "^numaplace: ab: command A: the ' at character 6 is never closed$" "echo 'x" true
bad_input "^numaplace: ab: command B: the \" at character 6 is never closed$" true 'echo "x'
bad_input "^numaplace: ab: command B ends in a backslash$" true 'echo x\'
bad_input "^numaplace: ab: command A is empty$" ' ' true
bad_input "^numaplace: ab: command B: 'no-such-command-np' is not found in PATH$" true no-such-command-np
bad_input "^numaplace: ab: needs two commands, A and B, each one argument" true
bad_input "^numaplace: ab: unexpected argument 'true' \(quote each command as one argument\)$" true true true
bad_input "^numaplace: ab: --alpha: 'x' is not a number above 0 and at most 0.5$" --alpha x true true
bad_input "^numaplace: ab: --alpha: '0.6' is not a number above 0 and at most 0.5$" --alpha 0.6 true true
bad_input "^numaplace: ab: --shuffle=-1: the seed is a number from 0 to 18446744073709551615$" --shuffle=-1 true true
bad_input "^numaplace: ab: --resamples: '999' is not a number from 10000 to 1000000$" --resamples 999 true true
bad_input "^numaplace: ab: --higher-is-better needs --metric" --higher-is-better true true
expect_error 2 "^numaplace: ab: --plot: x.pdf: a plot is an .svg or a .png file$" \
	ab --plot x.pdf true true
expect_error 2 "^numaplace: ab: --export-csv: $TMP/no/dir/s.csv: No such file or directory$" \
	ab --export-csv "$TMP/no/dir/s.csv" true true
expect_error 2 "^numaplace: ab: --export-csv: $TMP: is a directory$" ab --export-csv "$TMP" true true
mkdir -p d.svg
expect_error 2 "^numaplace: ab: --plot: $TMP/d.svg: is a directory$" ab --plot "$TMP/d.svg" true true

# gnuplot missing: one line, exit 1, before any run, no file
mkdir -p nopath
RC=0
PATH="$TMP/nopath" "$NP" ab --plot g.svg /bin/true /bin/true >out 2>err || RC=$?
if [ "$RC" = 1 ] && [ ! -s out ] && [ "$(wc -l <err)" = 1 ] && [ ! -e g.svg ] &&
   grep -q "^numaplace: ab: --plot: gnuplot: not installed (Debian: gnuplot-nox)$" err; then ok
else bad "ab without gnuplot: exit $RC: $(cat err)"; fi

# no temporary file is ever left behind
if [ -z "$(find . -name '*.tmp-*')" ]; then ok
else bad "ab left temporary files: $(find . -name '*.tmp-*')"; fi

# the help, and the command in numaplace's list
run_np ab --help
if [ "$RC" = 0 ] && grep -q "^usage: numaplace ab " out && [ ! -s err ]; then ok
else bad "ab --help: exit $RC"; fi
run_np --help
if grep -q "^   ab  " out; then ok; else bad "ab missing from numaplace --help"; fi
summary
