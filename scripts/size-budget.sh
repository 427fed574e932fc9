#!/usr/bin/env bash
# Size budget: gzip -9 size of everything dist/ ships to a browser (wasm + js + css; the demo
# page and its stylesheet are not shipped by an office).
# Prints each file and the total. Fails when the total exceeds LIMIT_KIB, the ratchet that
# keeps the build from growing; TARGET_KIB is the product goal (issue 3: under 100 KiB).
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_KIB=${LIMIT_KIB:-98.0}
TARGET_KIB=100
total=0
printf '%-60s %10s %10s\n' file bytes gzip
for f in dist/*.wasm dist/*.js $(find dist/snippets -name '*.js' | sort) dist/ikm-survey.css; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-60s %10d %10d\n' "${f#dist/}" "$raw" "$gz"
done
kib=$(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1024 }')
echo "size budget: ${kib} KiB gzip shipped (limit ${LIMIT_KIB} KiB; goal ${TARGET_KIB} KiB: $(awk -v k="$kib" -v t="$TARGET_KIB" 'BEGIN { print (k <= t ? "met" : "not met") }'))"
if awk -v k="$kib" -v l="$LIMIT_KIB" 'BEGIN { exit !(k > l) }'; then
  echo "size budget: FAILED, ${kib} KiB is over the ${LIMIT_KIB} KiB limit" >&2
  exit 1
fi
