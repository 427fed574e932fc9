#!/usr/bin/env bash
# Where the widget's bytes go: code size by crate, split into the crate's own code and
# generic code built for our types (ikm_core / ikm_survey in the name), before wasm-opt.
# Reads the named wasm that scripts/dist.sh leaves in target/wasm-bindgen; needs twiggy
# (`cargo install twiggy`). For finding what to shrink next; the budget itself is
# scripts/size-budget.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm=target/wasm-bindgen/ikm-survey-wasm_bg.wasm
[ -f "$wasm" ] || { echo "size-report: run scripts/dist.sh first" >&2; exit 1; }
command -v twiggy >/dev/null || { echo "size-report: needs twiggy (cargo install twiggy)" >&2; exit 1; }
twiggy top -n 1000000 -f csv "$wasm" | python3 -c '
import csv, re, sys, collections
sizes = collections.Counter()
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if "function names" in name:
        continue
    head = re.match(r"^(?:<|&mut |&)*([A-Za-z_][A-Za-z0-9_]*)", name)
    crate = head.group(1) if head else name[:24]
    if name.startswith("data segment"):
        crate = "static data (texts, tables)"
    ours = crate not in ("ikm_core", "ikm_survey") and ("ikm_core" in name or "ikm_survey" in name)
    sizes[crate + (" (for our types)" if ours else "")] += size
total = sum(sizes.values())
print(f"{total:>9} bytes of code and data before wasm-opt")
for key, size in sizes.most_common(20):
    print(f"{size:>9}  {100 * size / total:4.1f} %  {key}")
'
