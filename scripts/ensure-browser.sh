#!/usr/bin/env bash
# Debian's Chromium and the Noto CJK fonts for the browser tests (reports and pages rendered headless,
# Chinese text included). Installed from Debian's packages when missing; never a browser download.
# Exit 0 when both are there (or were installed), 1 when they could not be installed.
set -u

have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x "${WASTEMATCH_CHROMIUM:-/usr/bin/chromium}" ]; }
# grep reads all of fc-list's output (no -q): an early exit would break the pipe and fail the check.
have_cjk_font() { fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; }

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
# A failed index update is not fatal: the packages may install from the lists already there.
apt-get update -qq >/dev/null 2>&1 || echo "ensure-browser: apt-get update failed; trying the install anyway" >&2
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null || {
  echo "ensure-browser: apt-get install chromium fonts-noto-cjk failed" >&2
  exit 1
}
have_chromium && have_cjk_font
