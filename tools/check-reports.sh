#!/usr/bin/env bash
# Opens every report.html (and index.html) under the given folders in headless Chromium, saves a
# screenshot of each, and fails if a page is empty, links an image file that does not exist, or has
# an image the browser could not decode.
#
#   tools/check-reports.sh [DIR...]        default: docs/results, and runs/ when it exists
#   SHOTS=/tmp/shots tools/check-reports.sh docs/results
#
# Needs Debian's chromium (apt-get install -y chromium). Screenshots go to $SHOTS (default
# /tmp/jgrad-report-shots), one PNG per page, named after its folder.
set -euo pipefail
cd "$(dirname "$0")/.."
BROWSER=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$BROWSER" ]]; then
  echo "check-reports: chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/it)" >&2
  exit 2
fi
SHOTS=${SHOTS:-/tmp/jgrad-report-shots}
mkdir -p "$SHOTS"
dirs=("$@")
if [[ ${#dirs[@]} -eq 0 ]]; then
  dirs=(docs/results)
  [[ -d runs ]] && dirs+=(runs)
fi

chrome() {
  local profile
  profile=$(mktemp -d)
  timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --allow-file-access-from-files \
    --user-data-dir="$profile" "$@" 2>/dev/null
  local rc=$?
  rm -rf "$profile"
  return $rc
}

failures=0
pages=0
for d in "${dirs[@]}"; do
  while IFS= read -r page; do
    pages=$((pages + 1)); before=$failures
    dir=$(dirname "$page")
    name=$(echo "${page#./}" | tr '/' '_' | sed 's/\.html$//')
    # 1. Every <img src> names a file that exists next to the page.
    while IFS= read -r src; do
      [[ -z "$src" ]] && continue
      if [[ "$src" == /* || "$src" == *://* ]]; then
        echo "FAIL $page: image link is not relative: $src"; failures=$((failures + 1))
      elif [[ ! -f "$dir/$src" ]]; then
        echo "FAIL $page: image missing: $src"; failures=$((failures + 1))
      fi
    done < <(grep -o '<img src="[^"]*"' "$page" | sed 's/<img src="//; s/"$//')
    # 2. In the browser: the page has text, and every image decoded (naturalWidth > 0). A copy of the
    #    page with a small script marks the result in the DOM, which --dump-dom prints.
    probe="$dir/.check-reports-probe.html"
    sed 's#</body>#<script>window.addEventListener("load",()=>{const b=[...document.images].filter(i=>!i.complete||i.naturalWidth===0).map(i=>i.getAttribute("src"));document.body.setAttribute("data-broken",b.join(" ")||"none");document.body.setAttribute("data-text",String(document.body.innerText.trim().length));});</script></body>#' \
      "$page" > "$probe"
    dom=$(chrome --virtual-time-budget=5000 --dump-dom "file://$(realpath "$probe")" || true)
    rm -f "$probe"
    broken=$(grep -o 'data-broken="[^"]*"' <<< "$dom" | head -1 | sed 's/data-broken="//; s/"$//')
    textlen=$(grep -o 'data-text="[0-9]*"' <<< "$dom" | head -1 | grep -o '[0-9]*' || echo 0)
    if [[ -z "$broken" ]]; then
      echo "FAIL $page: the browser did not load the page"; failures=$((failures + 1))
    elif [[ "$broken" != "none" ]]; then
      echo "FAIL $page: images the browser could not show: $broken"; failures=$((failures + 1))
    fi
    if [[ "${textlen:-0}" -lt 50 ]]; then
      echo "FAIL $page: almost no text (${textlen:-0} characters)"; failures=$((failures + 1))
    fi
    # 3. A screenshot to look at.
    chrome --screenshot="$SHOTS/$name.png" --window-size=1200,2000 --hide-scrollbars "file://$(realpath "$page")" \
      > /dev/null || { echo "FAIL $page: screenshot failed"; failures=$((failures + 1)); }
    [[ $failures -eq $before ]] && echo "ok   $page (text ${textlen:-0} chars, screenshot $SHOTS/$name.png)"
  done < <(find "$d" -maxdepth 2 \( -name report.html -o -name index.html \) | sort)
done
echo "check-reports: $pages pages, $failures problems; screenshots in $SHOTS"
[[ $pages -gt 0 && $failures -eq 0 ]]
