#!/usr/bin/env bash
# Open a `popsim report` page in headless Chromium and check that every image loads.
# usage: check_report_chromium.sh REPORT.html EXPECTED_IMAGES [WIDTH]
#
# The report has no script. A test-only wrapper page loads it in an iframe and, once all is
# loaded, writes one line per image (LOADED or BROKEN, natural size, figure id) into its own
# DOM, which --dump-dom prints. --allow-file-access-from-files lets the wrapper read the
# report's DOM (both are file: URLs). A missing Chromium fails: the test never skips.
set -u
report=$(realpath "$1"); want=$2; width=${3:-}
chromium=${POPSIM_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z $chromium ]]; then
  echo "check_report_chromium: chromium not found (apt-get install chromium)"; exit 1
fi
tmp=$(mktemp -d /tmp/popsim_chromium_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/wrapper.html" <<HTML
<!DOCTYPE html><html><body>
<iframe id="report" src="file://$report" width="1300" height="900"></iframe>
<script>
window.addEventListener('load', function () {
  var doc = document.getElementById('report').contentDocument;
  var lines = Array.prototype.map.call(doc.images, function (img) {
    var fig = img.closest('figure');
    return (img.complete && img.naturalWidth > 0 ? 'LOADED ' : 'BROKEN ') +
           img.naturalWidth + 'x' + img.naturalHeight + ' ' + (fig ? fig.id : '-');
  });
  var out = document.createElement('pre');
  out.id = 'result';
  out.textContent = 'IMAGES ' + doc.images.length + '\n' + lines.join('\n') + '\nDONE';
  document.body.appendChild(out);
});
</script></body></html>
HTML
run_chromium() {
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --disable-background-networking --disable-component-update --disable-sync --no-first-run \
  --disable-extensions --allow-file-access-from-files --user-data-dir="$tmp/profile" \
  --virtual-time-budget=15000 --dump-dom "file://$tmp/wrapper.html" >"$tmp/dom.html" 2>"$tmp/err.txt"
}
run_chromium
status=$?
if ! grep -q '^DONE' "$tmp/dom.html"; then
  # A browser start can fail for reasons outside the page (e.g. a busy machine); say so and
  # try once more with a fresh profile before calling the page broken.
  echo "check_report_chromium: first attempt gave no result (exit $status); retrying"
  tail -3 "$tmp/err.txt"
  rm -rf "$tmp/profile"
  run_chromium
  status=$?
fi
if ! grep -q '^DONE' "$tmp/dom.html"; then
  echo "check_report_chromium: no result from chromium (exit $status)"; tail -5 "$tmp/err.txt"; exit 1
fi
loaded=$(grep -c '^LOADED ' "$tmp/dom.html"); broken=$(grep -c '^BROKEN ' "$tmp/dom.html")
grep -E '^(IMAGES|LOADED|BROKEN)' "$tmp/dom.html" | sed 's/^/    /'
fail=0
[[ $broken -eq 0 ]] || { echo "check_report_chromium: $broken image(s) did not load"; fail=1; }
[[ $loaded -eq $want ]] || { echo "check_report_chromium: $loaded images loaded, expected $want"; fail=1; }
if [[ -n $width ]] && grep '^LOADED ' "$tmp/dom.html" | grep -vq "^LOADED ${width}x"; then
  echo "check_report_chromium: an image is not ${width} pixels wide"; fail=1
fi
echo "check_report_chromium: $loaded loaded, $broken broken"
exit $fail
