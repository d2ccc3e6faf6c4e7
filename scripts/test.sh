#!/usr/bin/env bash
# Install the project with its test extras and run the linters and the whole test suite.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use when present (Debian, as root; elsewhere the tests that need
# them skip and the rest still run):
#  - fonts-wqy-microhei: a CJK font for the /trend charts (matplotlib);
#  - libreoffice-writer-nogui + fonts-noto-cjk: Word-like PDFs for tests/test_libreoffice_pdf.py.
wanted=()
fc-list :lang=zh 2>/dev/null | grep -qi "wenquanyi\|wqy" || wanted+=(fonts-wqy-microhei)
command -v soffice >/dev/null || wanted+=(libreoffice-writer-nogui fonts-noto-cjk)
if [ ${#wanted[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing ${wanted[*]} (once)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}") \
        >/dev/null 2>&1 || echo "note: could not install ${wanted[*]}; the tests that need them will skip"
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check .
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
python3 -m pytest -q -p no:cacheprovider "$@"
