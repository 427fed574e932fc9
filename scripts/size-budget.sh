#!/usr/bin/env bash
# Size budget: what a browser loads to run the survey, gzip -9 and brotli -q 11: the element's
# module (under its stable name, as an office website loads it; the hashed copy the collector's
# page loads and ikm-survey-steps.js are the same bytes, checked), then the module and wasm of
# the build the survey's mode needs (the stylesheet travels inside the element's module). The
# stylesheet files, which only browsers without constructable stylesheets fetch, are listed but
# not summed. Prints each file and the totals of each build: the one-page form (what most
# phones load) against LIMIT_KIB, one question per screen against STEPS_LIMIT_KIB, the ratchets
# that keep either from growing; TARGET_KIB is the product goal (under 100 KiB), for both.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_KIB=${LIMIT_KIB:-95.6}
STEPS_LIMIT_KIB=${STEPS_LIMIT_KIB:-99.2}
TARGET_KIB=100
[ -f dist/manifest.json ] || { echo "size budget: run scripts/dist.sh first" >&2; exit 1; }
field() { node -e 'const v = require("./dist/manifest.json")[process.argv[1]]; if (!v) process.exit(1); console.log(v)' "$1" \
  || { echo "size budget: dist/manifest.json has no $1" >&2; exit 1; }; }
module=$(field module)
for stable in ikm-survey.js ikm-survey-steps.js; do
  cmp -s "dist/$stable" "dist/$module" || { echo "size budget: $stable differs from $module" >&2; exit 1; }
done
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
verdict() { awk -v k="$1" -v t="$TARGET_KIB" 'BEGIN { print (k <= t ? "met" : "not met") }'; }
over() { awk -v k="$1" -v l="$2" 'BEGIN { exit !(k > l) }'; }
# Prints one line per file of a build and sets gz_total and br_total to its sums: NAME FILES... CSS.
build() {
  local name=$1 css=${*: -1} f raw gz br
  gz_total=0 br_total=0
  echo "$name:"
  printf '  %-36s %10s %10s %10s\n' file bytes gzip brotli
  for f in "${@:2}"; do
    raw=$(stat -c %s "dist/$f")
    gz=$(gzip -9 -c "dist/$f" | wc -c)
    br=$(node -e 'const z = require("zlib"); const b = require("fs").readFileSync(process.argv[1]); console.log(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length)' "dist/$f")
    if [ "$f" = "$css" ]; then
      printf '  %-36s %10d %10d %10d  (not summed)\n' "$f" "$raw" "$gz" "$br"
    else
      gz_total=$((gz_total + gz))
      br_total=$((br_total + br))
      printf '  %-36s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
    fi
  done
}
build "the one-page form (ikm-survey.js, or the collector's page)" ikm-survey.js "$(field form_module)" "$(field wasm)" "$(field css)"
form_kib=$(kib "$gz_total")
echo "size budget: ${form_kib} KiB gzip, $(kib "$br_total") KiB brotli shipped (limit ${LIMIT_KIB} KiB gzip; goal ${TARGET_KIB} KiB: $(verdict "$form_kib"))"
build "one question per screen (the same module first, on any page)" ikm-survey.js "$(field steps_module)" "$(field steps_wasm)" "$(field steps_css)"
steps_kib=$(kib "$gz_total")
echo "size budget: one question per screen ${steps_kib} KiB gzip, $(kib "$br_total") KiB brotli (limit ${STEPS_LIMIT_KIB} KiB gzip; goal ${TARGET_KIB} KiB: $(verdict "$steps_kib"))"
failed=0
if over "$form_kib" "$LIMIT_KIB"; then
  echo "size budget: FAILED, ${form_kib} KiB is over the ${LIMIT_KIB} KiB limit" >&2
  failed=1
fi
if over "$steps_kib" "$STEPS_LIMIT_KIB"; then
  echo "size budget: FAILED, the steps build's ${steps_kib} KiB is over the ${STEPS_LIMIT_KIB} KiB limit" >&2
  failed=1
fi
exit "$failed"
