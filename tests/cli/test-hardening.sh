#!/bin/sh
# The defects of the hardening issue that the CLI shows (numbers, run's
# options, frames' sizes, messages): each block failed before its fix.
set -u
. "$(dirname "$0")/lib.sh"

# ---- one checked number parser (defect 4) -------------------------------
# 2^32 + 2 became PID 2 through (int)strtol.
expect_error 2 "^numaplace: where: --pid: '4294967298' is not a number from 1 to 4194304$" where -p 4294967298
expect_error 2 "^numaplace: where: --pid: ' 1' is not a number from 1 to 4194304$" where -p ' 1'
expect_error 2 "^numaplace: where: --pid: '\\+1' is not a number from 1 to 4194304$" where -p +1

summary
