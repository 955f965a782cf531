#!/usr/bin/env bash
# Debian's Chromium and the Noto CJK fonts for the browser tests (reports and pages rendered headless,
# Chinese text included). Installed from Debian's packages when missing; never a browser download.
# Exit 0 when both are there (or were installed), 1 when they could not be installed.
set -uo pipefail

have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x "${WASTEMATCH_CHROMIUM:-/usr/bin/chromium}" ]; }
have_cjk_font() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }

if have_chromium && have_cjk_font; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: Chromium or the CJK fonts are missing and cannot be installed here (needs root and apt-get);" \
       "the browser tests will be skipped unless WASTEMATCH_REQUIRE_BROWSER is set" >&2
  exit 1
fi
echo "ensure-browser: installing Debian's chromium and fonts-noto-cjk…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
have_chromium && have_cjk_font
