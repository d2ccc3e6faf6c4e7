#!/usr/bin/env bash
# Install the project with its test extras and run the linters and the whole test suite.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check .
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
python3 -m pytest -q -p no:cacheprovider "$@"
