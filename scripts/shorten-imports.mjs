// Renames the wasm's imports from its JS glue to one- or two-letter names, in the wasm's
// import section and in the glue's import object alike; likewise the long closure exports.
//
// wasm-bindgen names each import like `__wbg_addEventListener_847fd86b8c33ec43`: 153 of them,
// written twice (wasm and JS), with a random hash that gzip cannot compress. Shortening them
// saves about 5 KiB gzip. binaryen's --minify-imports only renames Emscripten's `env` imports,
// hence this script. Usage: node scripts/shorten-imports.mjs dist/x_bg.wasm dist/x.js
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error('usage: shorten-imports.mjs WASM JS');
  process.exit(2);
}
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');
const glueModule = `./${basename(wasmPath).replace(/\.wasm$/, '.js')}`;

function readLeb(buf, pos) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

const name = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);

/** Skips an import's description (func, table, memory, global, tag); returns the end. */
function skipDesc(buf, pos, kind) {
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = readLeb(buf, p);
    if (flags & 1) [, p] = readLeb(buf, p);
    return p;
  };
  switch (kind) {
    case 0: return readLeb(buf, pos)[1];
    case 1: return limits(pos + 1);
    case 2: return limits(pos);
    case 3: return pos + 2;
    case 4: return readLeb(buf, pos + 1)[1];
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

/** a, b, …, Z, then aa, ab, …: valid JS property names, none special. */
function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = letters[i % 52] + s;
    i = Math.floor(i / 52) - 1;
  } while (i >= 0);
  return s;
}

/** Closure-invoke exports carry crate hashes and type paths (200+ characters); each becomes
 * `_` plus a short name, everywhere the glue uses it. Other exports keep their names. */
function renameExports(start, end) {
  let [count, p] = readLeb(wasm, start);
  const entries = [leb(count)];
  let n = 0;
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = readLeb(wasm, p);
    const field = wasm.toString('utf8', p, p + len);
    p += len;
    const descEnd = readLeb(wasm, p + 1)[1];
    let newField = field;
    if (field.startsWith('wasm_bindgen_') && field.length > 40) {
      newField = `_${shortName(n++)}`;
      const uses = js.split(field).length - 1;
      if (uses === 0) throw new Error(`export ${field} is not used in ${jsPath}`);
      js = js.split(field).join(newField);
    }
    entries.push(name(newField), wasm.subarray(p, descEnd));
    p = descEnd;
  }
  if (p !== end) throw new Error('export section: unexpected length');
  const body = Buffer.concat(entries);
  return Buffer.concat([Buffer.from([7]), leb(body.length), body]);
}

const parts = [wasm.subarray(0, 8)];
let pos = 8;
let renamed = 0;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, start] = readLeb(wasm, pos + 1);
  const end = start + size;
  if (id === 7) {
    parts.push(renameExports(start, end));
    pos = end;
    continue;
  }
  if (id !== 2) {
    parts.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  let [count, p] = readLeb(wasm, start);
  const entries = [leb(count)];
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = readLeb(wasm, p);
    const module = wasm.toString('utf8', p, p + len);
    p += len;
    [len, p] = readLeb(wasm, p);
    const field = wasm.toString('utf8', p, p + len);
    p += len;
    const kind = wasm[p];
    const descEnd = skipDesc(wasm, p + 1, kind);
    let newField = field;
    if (module === glueModule) {
      newField = shortName(renamed++);
      const key = new RegExp(`([{,])${field.replace(/\$/g, '\\$')}:`, 'g');
      const found = js.match(key)?.length ?? 0;
      if (found !== 1) throw new Error(`import ${field}: found ${found} times in ${jsPath}, expected once`);
      js = js.replace(key, `$1${newField}:`);
    }
    entries.push(name(module === glueModule ? 'g' : module), name(newField), wasm.subarray(p, descEnd));
    p = descEnd;
  }
  if (p !== end) throw new Error('import section: unexpected length');
  const body = Buffer.concat(entries);
  parts.push(Buffer.from([2]), leb(body.length), body);
  pos = end;
}
if (renamed === 0) throw new Error(`no imports from ${glueModule} in ${wasmPath}`);
// The import module itself is named 154 times in the wasm: call it `g`.
const moduleKey = `"${glueModule}":`;
if (js.split(moduleKey).length !== 2) throw new Error(`${moduleKey} is not in ${jsPath} exactly once`);
js = js.replace(moduleKey, 'g:');
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(jsPath, js);
console.log(`shorten-imports: ${renamed} imports renamed`);
