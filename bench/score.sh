#!/usr/bin/env bash
# Benchmark: `ikm score` on 1,000,000 generated rows; prints wall time and peak memory.
# Goal on a 2-core machine: under 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
file=target/bench/score-${rows}.csv
mkdir -p target/bench
if [ ! -s "$file" ]; then
  awk -v n="$rows" 'BEGIN {
    srand(14); print "no;jenis_kelamin;usia;U1;U2;U3;U4;U5;U6;U7;U8;U9;saran"
    for (i = 1; i <= n; i++) {
      line = i ";" (rand() < 0.5 ? "L" : "P") ";" int(17 + rand() * 50)
      for (k = 1; k <= 9; k++) line = line ";" (rand() < 0.01 ? "" : int(1 + rand() * 4))
      print line ";" (rand() < 0.1 ? "\"antrean; mohon dipercepat\"" : "")
    }
  }' > "$file"
fi
cargo build --release -q -p ikm-server
bin=target/release/ikm
"$bin" score "$file" > /dev/null   # warm the page cache
best=""
for _ in 1 2 3; do
  out=$( { /usr/bin/time -f '%e %M' "$bin" score "$file" > /dev/null; } 2>&1 )
  secs=${out% *}; kib=${out#* }
  if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$secs; peak=$kib; fi
done
size=$(du -m "$file" | cut -f1)
echo "bench score: ${rows} rows (${size} MiB): best of 3 ${best} s, peak memory $((peak / 1024)) MiB (goal < 2 s)"
