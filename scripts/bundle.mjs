// Bundles the widget for shipping: one content-hashed ES module (the element, the
// wasm-bindgen glue and js/platform.js), the content-hashed wasm and stylesheet, and the
// same module under the stable name `ikm-survey.js` for office websites.
//
// The glue's property names are shortened with the mapping tools/wasm-names wrote for the
// wasm (an esbuild mangle cache): esbuild's own parser renames exactly those properties, and
// the result is checked against the wasm's actual imports before anything is written.
//
// One question per screen is a second build of the wasm (feature `steps`), bundled first with
// VARIANT `steps`: its module, wasm and stylesheet are named `ikm-survey-steps.<hash>.*` (the
// module also under the stable `ikm-survey-steps.js`) and listed in OUT_DIR/steps.json, which
// the default bundle then reads to name that module (IKM_OTHER) and list its files in the
// manifest. Each module names the other for the surveys of the other mode.
//
// Usage: node scripts/bundle.mjs STAGING_DIR WASM MAPPING.json CSS OUT_DIR [steps]
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [staging, wasmPath, mappingPath, cssPath, out, variant] = process.argv.slice(2);
if (!out || (variant && variant !== 'steps')) {
  console.error('usage: bundle.mjs STAGING_DIR WASM MAPPING.json CSS OUT_DIR [steps]');
  process.exit(2);
}
const stepsList = join(out, 'steps.json');
const fail = (why) => { console.error(`bundle: ${why}`); process.exit(1); };

/** `ikm-survey.<first 10 hex of sha256>.<ext>`: a new release never reuses a name. */
const hashed = (bytes, ext) =>
  `ikm-survey${variant ? `-${variant}` : ''}.${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}.${ext}`;

const wasm = readFileSync(wasmPath);
const css = readFileSync(cssPath);
const names = { wasm: hashed(wasm, 'wasm'), css: hashed(css, 'css') };

const mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = new RegExp(`^(?:${Object.keys(mapping).map(escape).join('|')})$`);

// Every bundle of the glue: minified, the glue's names shortened with the wasm's mapping.
const bundle = (entry, format, define) =>
  build({
    entryPoints: [join(staging, entry)],
    bundle: true,
    format,
    target: ['es2022'],
    minify: true,
    write: false,
    legalComments: 'none',
    mangleProps: exactly,
    mangleQuoted: true,
    mangleCache: mapping,
    define,
    logLevel: 'warning',
  });

// Every name the wasm imports from the glue must be a key of the glue's import object, and
// esbuild must have renamed nothing the mapping does not name.
const module = new WebAssembly.Module(wasm);
const glueModule = mapping[Object.keys(mapping).find((k) => k.endsWith('_bg.js'))];
const glueImports = WebAssembly.Module.imports(module).filter((i) => i.module === glueModule);
if (!glueImports.length) fail('no imports from the glue module: is the mapping for this wasm?');
const checked = (result, what) => {
  const code = result.outputFiles[0].contents;
  const text = Buffer.from(code).toString('utf8');
  const missing = glueImports.filter((i) => !new RegExp(`[{,]${escape(i.name)}:`).test(text));
  if (missing.length) fail(`the ${what} lacks ${missing.length} wasm imports, e.g. ${missing[0].name}`);
  const renamed = Object.keys(result.mangleCache).filter((k) => result.mangleCache[k] !== mapping[k]);
  if (renamed.length) fail(`esbuild renamed ${renamed.length} properties the mapping does not name`);
  return code;
};

// Each build's wasm also under a stable name (ikm-survey.wasm, ikm-survey-steps.wasm), so
// that an office page without a server-rendered form can start its download alongside the
// module (a preload; the module checks the bytes are its own release's before it uses them).
const STABLE_WASM = `ikm-survey${variant ? `-${variant}` : ''}.wasm`;
const steps = !variant && existsSync(stepsList) ? JSON.parse(readFileSync(stepsList, 'utf8')) : null;
const code = checked(
  await bundle('ikm-survey.js', 'esm', {
    IKM_WASM: JSON.stringify(names.wasm),
    IKM_CSS: JSON.stringify(names.css),
    IKM_CSS_TEXT: JSON.stringify(css.toString('utf8')),
    // The other build's module, for the surveys of the other mode (js/ikm-survey.js).
    IKM_OTHER: JSON.stringify(variant ? 'ikm-survey.js' : steps?.module ?? null),
    IKM_IS_STEPS: JSON.stringify(!!variant),
    IKM_STABLE_WASM: JSON.stringify(STABLE_WASM),
  }),
  'bundle',
);

names.module = hashed(code, 'js');
writeFileSync(join(out, names.wasm), wasm);
writeFileSync(join(out, names.css), css);
writeFileSync(join(out, names.module), code);
writeFileSync(join(out, STABLE_WASM), wasm);
if (variant) {
  // Its stable entry too: an office page whose surveys ask one question per screen names it
  // instead of ikm-survey.js and never downloads the default module.
  writeFileSync(join(out, `ikm-survey-${variant}.js`), code);
  writeFileSync(stepsList, `${JSON.stringify(names, null, 2)}\n`);
  console.log(`bundle: ${names.module} ${names.wasm} ${names.css} (+ ikm-survey-${variant}.js, ${STABLE_WASM}; the ${variant} build)`);
  process.exit(0);
}
if (steps) Object.assign(names, { steps_module: steps.module, steps_wasm: steps.wasm, steps_css: steps.css });
rmSync(stepsList, { force: true });

// The service worker's delivery: the same glue and wasm as a classic script, names shortened
// with the same mapping, so the worker runs the widget's own outbox rules.
const workerCode = checked(
  await bundle('outbox-worker.js', 'iife', {
    IKM_WASM: JSON.stringify(names.wasm),
    'import.meta.url': 'self.location.href',
  }),
  'worker bundle',
);
names.worker = hashed(workerCode, 'js').replace('ikm-survey.', 'ikm-outbox.');
writeFileSync(join(out, names.worker), workerCode);

// The service worker itself under its one stable name, naming this release's files; its
// bytes change with every release, which is how browsers notice a new one.
const version = createHash('sha256').update(JSON.stringify(names)).digest('hex').slice(0, 10);
const sw = readFileSync(join(staging, 'sw.js'), 'utf8')
  .replace('const RELEASE = IKM_RELEASE;', `const RELEASE = ${JSON.stringify({ version, ...names })};`);
if (sw.includes('const RELEASE = IKM_RELEASE;') || !sw.includes(names.worker)) fail('sw.js has no `const RELEASE = IKM_RELEASE;` to fill in');
writeFileSync(join(out, 'sw.js'), sw);

// The stable entry, the one name an office website writes in its page, is the same module
// under a name that never changes: served without long caching (everything it names is
// immutable), it costs no extra round trip before the wasm, stylesheet and configuration
// downloads start. Pages that can name the hashed module (the collector's own) use that.
writeFileSync(join(out, 'ikm-survey.js'), code);
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(names, null, 2)}\n`);
console.log(`bundle: ${names.module} ${names.wasm} ${names.css} ${names.worker} (+ ikm-survey.js, ${STABLE_WASM}, sw.js, manifest.json)`);
