#!/usr/bin/env bash
# Renders a training report (report.html) in headless Chromium and saves a screenshot, to look
# at the page as a browser draws it.
#
#   scripts/render_report.sh            train configs/iris.json into a temporary folder, render
#   scripts/render_report.sh DIR        rebuild DIR/report.html (minibatch report DIR), render
#
# Environment: CONFIG (default configs/iris.json), WIDTH and HEIGHT of the window in CSS pixels
# (default 1280 x 2900), OUT (where the PNG goes; default a new temporary folder).
# Installs Debian's chromium package with apt-get when no chromium is on the PATH.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
width="${WIDTH:-1280}"
height="${HEIGHT:-2900}"
out="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/minibatch-report.XXXXXX")}"
mkdir -p "$out"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "installing chromium (Debian's package)..." >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

swift build --product minibatch >&2
minibatch="$(swift build --show-bin-path)/minibatch"

if [ $# -ge 1 ]; then
    run="$(cd "$1" && pwd)"
    "$minibatch" report "$run" >&2
else
    run="$out/run"
    "$minibatch" train --config "${CONFIG:-configs/iris.json}" --out "$run" --quiet >&2
fi

png="$out/report.png"
# --no-sandbox: Chromium's sandbox does not start as root or inside most containers.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$width,$height" --screenshot="$png" "file://$run/report.html" 2>/dev/null
test -s "$png"
echo "report:     $run/report.html"
echo "screenshot: $png"
