// Writes NAME.br (brotli, quality 11) and NAME.gz (gzip -9) beside every text and wasm file in
// a folder, once at build time, so `ikm serve` (or nginx's gzip_static/brotli_static) can send
// the smallest encoding a browser accepts without compressing on every request.
// Usage: node scripts/precompress.mjs DIR
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: precompress.mjs DIR');
  process.exit(2);
}
const compressible = /\.(js|mjs|wasm|css|html|json|svg)$/;
for (const name of readdirSync(dir)) {
  if (!compressible.test(name)) continue;
  const bytes = readFileSync(join(dir, name));
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  writeFileSync(join(dir, `${name}.br`), brotli);
  writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
}
