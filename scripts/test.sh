#!/usr/bin/env bash
# The full test suite on a fresh machine: system packages the tests use, the Python
# package with its test extras, then pytest. CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use:
#   raptor2-utils      `rapper`, an independent strict Turtle/N-Triples parser
#   chromium           the real browser that opens graph.html (driven by Playwright)
#   fonts-wqy-microhei a CJK font, so the browser renders Chinese instead of boxes
#   virtuoso-opensource a real triple store: tests/test_virtuoso.py starts a private
#                      virtuoso-t, bulk-loads and `kg load`s the seeds, runs every query
#                      (its own ports and folder: the package's system service is never used)
need=()
command -v rapper >/dev/null 2>&1 || need+=(raptor2-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
python3 -m pytest -q "$@"
