#!/usr/bin/env python3
"""Prints what every test reported, then one closing line for CI.

usage: test-summary.py TESTLOG.json [TESTLOG.json ...]

For each test: its result and the summary lines it printed itself (cmocka's
"[  PASSED  ] N test(s)." / "[  FAILED  ]", the CLI scripts' "N passed,
N failed").  The last line counts the tests of all logs:
"check: N passed, N failed" (", N skipped" when some were skipped).
"""
import json
import re
import sys

SUMMARY = re.compile(r"^(\[  (PASSED|FAILED)  \].*|\[==========\] \d+ test.*run\.|"
                     r"\d+ passed, \d+ failed.*|replayed \d+ inputs)$")


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print(f"test-summary: {path}: {e.strerror}", file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            t = json.loads(line)
            res = t["result"]
            print(f"{path.split('/')[0]}: {t['name']}: {res}")
            text = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
            for out in text.splitlines():
                if SUMMARY.match(out):
                    print(f"    {out}")
            if res in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif res == "SKIP":
                skipped += 1
            else:
                failed += 1
    tail = f", {skipped} skipped" if skipped else ""
    print(f"check: {passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
