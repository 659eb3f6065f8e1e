#!/bin/sh
# The short crash test run by `make test` (and so by CI): 6 SIGKILLs, 3 of them aimed inside a
# checkpoint write, each followed by a resume; the final weights must equal an uninterrupted
# run's bit for bit, and the test fails if fewer kills landed than asked.
# tests/crash_test.sh explains the test; `make crash-test` runs the long variant (25 kills).
exec sh "$(dirname "$0")/crash_test.sh" 6 600 3
