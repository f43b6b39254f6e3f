#!/usr/bin/env bash
# Browser test of the run report: runs a tiny flow1d job, renders its report.html in headless
# Chromium, and checks that the page loaded without console errors, that every figure rendered
# (non-blank image regions in the screenshot) and that the metrics in the page equal
# metrics.json. Skips (exit 0) with a message when no Chromium can be found or installed.
set -uo pipefail
cd "$(dirname "$0")/.."
skip() { echo "browser-test: SKIPPED: $*"; exit 0; }

browser=""
for b in chromium chromium-headless-shell google-chrome chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then browser="$b"; break; fi
done
if [ -z "$browser" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser-test: installing chromium (Debian package)"
  timeout 300 apt-get install -y -o Acquire::http::Timeout=10 -o Acquire::Retries=0 chromium >/dev/null 2>&1 \
    && browser=chromium
fi
[ -n "$browser" ] || skip "no chromium found and it could not be installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to check the screenshot"

set -e
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The binary the workspace tests built (same features: no rebuild of the dependencies).
cargo test -q --workspace --no-run
./target/debug/nnlab flow1d --epochs 2 --train 500 --test 500 --samples 1000 --quiet --out "$work/run"
page="$work/run/report.html"
[ -f "$page" ] || { echo "browser-test: FAILED: no report.html written"; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars
       --user-data-dir="$work/profile")
"$browser" "${flags[@]}" --enable-logging=stderr --v=0 --window-size=1200,3000 \
  --screenshot="$work/shot.png" "file://$page" 2>"$work/console.log" >/dev/null || true
"$browser" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null >"$work/dom.html"
if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE\(.*\)\] \"(Uncaught|Error)" "$work/console.log"; then
  echo "browser-test: FAILED: console errors (above)"; exit 1
fi
[ -s "$work/shot.png" ] || { echo "browser-test: FAILED: no screenshot"; exit 1; }
python3 .ci/check_report.py "$work/dom.html" "$work/run/metrics.json" "$work/shot.png"
echo "browser-test: passed ($browser)"
