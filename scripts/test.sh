#!/usr/bin/env bash
# Install the project with its test extras and run the linters and the whole test suite.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# A CJK font for the /trend charts (matplotlib).  Optional: without it charts fall back to
# ASCII labels and the tests still pass, so a machine without apt or root just goes on.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei) \
        >/dev/null 2>&1 || echo "note: could not install fonts-wqy-microhei; charts will use ASCII labels"
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check .
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
python3 -m pytest -q -p no:cacheprovider "$@"
