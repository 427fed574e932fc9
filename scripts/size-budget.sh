#!/usr/bin/env bash
# Size budget: what a browser loads to run the survey: the module (under its stable name, as
# an office website loads it; the hashed copy the collector's page loads is the same bytes;
# the stylesheet travels inside it) and the wasm, gzip -9 and brotli -q 11. The stylesheet
# file, which only the collector's own server-rendered page links, is listed but not summed.
# Prints each file and the totals. Fails when the gzip total exceeds LIMIT_KIB, the ratchet
# that keeps the build from growing; TARGET_KIB is the product goal (under 100 KiB).
# One question per screen is a second build that only pages asking for it load: its module and
# wasm are summed apart (on the collector's page that is all it loads) against STEPS_LIMIT_KIB.
# An office website's `<ikm-survey mode="steps">` under the stable ikm-survey.js loads that
# module first, which then imports the steps build: that figure is printed too, so no one
# reads the smaller one as it; under the stable ikm-survey-steps.js it loads the steps build
# alone (the same bytes as its hashed module, checked).
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_KIB=${LIMIT_KIB:-94.3}
STEPS_LIMIT_KIB=${STEPS_LIMIT_KIB:-99.2}
TARGET_KIB=100
[ -f dist/manifest.json ] || { echo "size budget: run scripts/dist.sh first" >&2; exit 1; }
read -r module wasm css < <(node -e 'const m = require("./dist/manifest.json"); console.log(m.module, m.wasm, m.css)')
total=0
brotli_total=0
entry_gz=0
printf '%-36s %10s %10s %10s\n' file bytes gzip brotli
cmp -s dist/ikm-survey.js "dist/$module" || { echo "size budget: ikm-survey.js differs from $module" >&2; exit 1; }
for f in ikm-survey.js "$wasm" "$css"; do
  raw=$(stat -c %s "dist/$f")
  gz=$(gzip -9 -c "dist/$f" | wc -c)
  br=$(node -e 'const z = require("zlib"); const b = require("fs").readFileSync(process.argv[1]); console.log(z.brotliCompressSync(b, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length)' "dist/$f")
  if [ "$f" != "$css" ]; then
    total=$((total + gz))
    [ "$f" != ikm-survey.js ] || entry_gz=$gz
    brotli_total=$((brotli_total + br))
    printf '%-36s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
  else
    printf '%-36s %10d %10d %10d  (not summed)\n' "$f" "$raw" "$gz" "$br"
  fi
done
kib=$(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1024 }')
br_kib=$(awk -v b="$brotli_total" 'BEGIN { printf "%.1f", b / 1024 }')
echo "size budget: ${kib} KiB gzip, ${br_kib} KiB brotli shipped (limit ${LIMIT_KIB} KiB gzip; goal ${TARGET_KIB} KiB: $(awk -v k="$kib" -v t="$TARGET_KIB" 'BEGIN { print (k <= t ? "met" : "not met") }'))"
if awk -v k="$kib" -v l="$LIMIT_KIB" 'BEGIN { exit !(k > l) }'; then
  echo "size budget: FAILED, ${kib} KiB is over the ${LIMIT_KIB} KiB limit" >&2
  exit 1
fi
read -r steps_module steps_wasm < <(node -e 'const m = require("./dist/manifest.json"); console.log(m.steps_module ?? "", m.steps_wasm ?? "")')
[ -n "$steps_module" ] || { echo "size budget: the steps build is missing from dist/manifest.json" >&2; exit 1; }
steps_total=0
for f in "$steps_module" "$steps_wasm"; do
  gz=$(gzip -9 -c "dist/$f" | wc -c)
  steps_total=$((steps_total + gz))
  printf '%-36s %10d %10d\n' "$f" "$(stat -c %s "dist/$f")" "$gz"
done
cmp -s dist/ikm-survey-steps.js "dist/$steps_module" || { echo "size budget: ikm-survey-steps.js differs from $steps_module" >&2; exit 1; }
steps_kib=$(awk -v b="$steps_total" 'BEGIN { printf "%.1f", b / 1024 }')
echo "size budget: one question per screen (the collector's page, or ikm-survey-steps.js on an office website) ${steps_kib} KiB gzip (limit ${STEPS_LIMIT_KIB} KiB; goal ${TARGET_KIB} KiB: $(awk -v k="$steps_kib" -v t="$TARGET_KIB" 'BEGIN { print (k <= t ? "met" : "not met") }'))"
embedded_kib=$(awk -v b="$((steps_total + entry_gz))" 'BEGIN { printf "%.1f", b / 1024 }')
echo "size budget: one question per screen embedded on an office website (ikm-survey.js first) ${embedded_kib} KiB gzip (not limited; goal ${TARGET_KIB} KiB: $(awk -v k="$embedded_kib" -v t="$TARGET_KIB" 'BEGIN { print (k <= t ? "met" : "not met") }'))"
if awk -v k="$steps_kib" -v l="$STEPS_LIMIT_KIB" 'BEGIN { exit !(k > l) }'; then
  echo "size budget: FAILED, the steps build's ${steps_kib} KiB is over the ${STEPS_LIMIT_KIB} KiB limit" >&2
  exit 1
fi
