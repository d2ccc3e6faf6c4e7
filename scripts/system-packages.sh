#!/usr/bin/env bash
# The system packages some tests use, installed only when asked (scripts/test.sh calls this).
#  - fonts-wqy-microhei: a CJK font for the /trend charts (matplotlib);
#  - libreoffice-writer-nogui + fonts-noto-cjk: .doc reading and Word-like PDFs
#    (tests/test_readers_office.py, tests/test_libreoffice_pdf.py).
# About 110 Debian packages, ~290 MB: never installed on a user's machine without being told.
#
# Usage: system-packages.sh [1|0]  — 1 installs what is missing (Debian, as root); 0 (default)
# installs nothing: the tests that need the packages skip, and pytest ends with one line
# saying how to enable them.
set -euo pipefail
install="${1:-0}"

wanted=()
fc-list :lang=zh 2>/dev/null | grep -qi "wenquanyi\|wqy" || wanted+=(fonts-wqy-microhei)
command -v soffice >/dev/null || command -v libreoffice >/dev/null || wanted+=(libreoffice-writer-nogui fonts-noto-cjk)
[ ${#wanted[@]} -eq 0 ] && exit 0
[ "$install" = 1 ] || exit 0

if ! command -v apt-get >/dev/null || [ "$(id -u)" != 0 ]; then
    echo "note: cannot install ${wanted[*]} (needs Debian's apt-get, as root); the tests that need them will skip"
    exit 0
fi
echo "installing system packages ${wanted[*]} (~290 MB, once)"
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}") >/dev/null 2>&1 \
    || echo "note: could not install ${wanted[*]}; the tests that need them will skip"
