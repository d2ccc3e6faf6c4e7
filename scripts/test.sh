#!/usr/bin/env bash
# Install the project with its test extras and run the linters and the whole test suite.
# This is the README's test command; .ci/run calls it.
#
#   bash scripts/test.sh [--with-system-packages] [pytest arguments …]
#
# System packages (LibreOffice, CJK fonts; Debian, as root, ~290 MB) are installed only with
# --with-system-packages or XXGK_TEST_SYSTEM_PACKAGES=1 (CI sets it); without them the few tests
# that need them skip and the run ends with one line saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

system_packages="${XXGK_TEST_SYSTEM_PACKAGES:-0}"
pytest_args=()
for arg in "$@"; do
    if [ "$arg" = --with-system-packages ]; then system_packages=1; else pytest_args+=("$arg"); fi
done
bash scripts/system-packages.sh "$system_packages"

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check .
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
python3 -m pytest -q -p no:cacheprovider ${pytest_args[@]+"${pytest_args[@]}"}
