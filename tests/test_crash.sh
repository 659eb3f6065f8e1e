#!/bin/sh
# The short crash test run by `make test` (and so by CI): 5 SIGKILLs at random moments, each
# followed by a resume; the final weights must equal an uninterrupted run's bit for bit.
# tests/crash_test.sh explains the test; `make crash-test` runs the long variant (25 kills).
exec sh "$(dirname "$0")/crash_test.sh" 5 60
