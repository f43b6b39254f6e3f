#!/usr/bin/env bash
# Browser test of the run report: runs a tiny flow1d job twice (PNG figures, then
# --figures both, whose page shows the SVG inline), renders each report.html in headless
# Chromium, and checks that the page loaded without console errors, that every figure rendered
# (non-blank image regions in the screenshot) and that the metrics in the page equal
# metrics.json; the SVG file is also rendered alone. Skips (exit 0) with a message when no
# Chromium can be found or installed.
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
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars
       --user-data-dir="$work/profile")
# render URL SHOT SIZE: screenshot of URL into SHOT; fails on console errors.
render() {
  "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --window-size="$3" \
    --screenshot="$2" "$1" 2>"$work/console.log" >/dev/null || true
  if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE\(.*\)\] \"(Uncaught|Error)" "$work/console.log"; then
    echo "browser-test: FAILED: console errors (above) in $1"; exit 1
  fi
  [ -s "$2" ] || { echo "browser-test: FAILED: no screenshot of $1"; exit 1; }
}
for figures in png both; do
  run="$work/run-$figures"
  ./target/debug/nnlab flow1d --epochs 2 --train 500 --test 500 --samples 1000 --quiet \
    --figures "$figures" --out "$run"
  page="$run/report.html"
  [ -f "$page" ] || { echo "browser-test: FAILED: no report.html written"; exit 1; }
  render "file://$page" "$work/shot.png" 1200,3000
  "$browser" "${flags[@]}" --dump-dom "file://$page" 2>/dev/null >"$work/dom.html"
  python3 .ci/check_report.py "$work/dom.html" "$run/metrics.json" "$work/shot.png"
done
render "file://$work/run-both/flow1d.svg" "$work/svg.png" 1300,1000
python3 .ci/check_report.py --shot "$work/svg.png"
echo "browser-test: passed ($browser)"
