// Bundles the widget for shipping: the element's content-hashed ES module (js/ikm-survey.js,
// with the stylesheet's text), and for each build its own module (js/ikm-survey-build.js: the
// wasm-bindgen glue and js/platform.js), wasm and stylesheet file, all content-hashed; the
// element's module also under the stable names `ikm-survey.js` (and `ikm-survey-steps.js`, the
// same bytes) for office websites.
//
// The glue's property names are shortened with the mapping tools/wasm-names wrote for the
// wasm (an esbuild mangle cache): esbuild's own parser renames exactly those properties, and
// the result is checked against the wasm's actual imports before anything is written.
//
// One question per screen is a second build of the wasm (feature `steps`), bundled first with
// VARIANT `steps`: its module, wasm and stylesheet are named `ikm-survey-steps.<hash>.*` and
// listed in OUT_DIR/steps.json, which the default bundle then reads to name them in the
// element's module (IKM_BUILDS) and the manifest. The default build's module is
// `ikm-survey-form.<hash>.js`, its wasm and stylesheet `ikm-survey.<hash>.*`.
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

/** `PREFIX.<first 10 hex of sha256>.<ext>`: a new release never reuses a name. */
const named = (prefix, bytes, ext) => `${prefix}.${createHash('sha256').update(bytes).digest('hex').slice(0, 10)}.${ext}`;
/** This build's file `ikm-survey[-steps].<hash>.<ext>`. */
const hashed = (bytes, ext) => named(`ikm-survey${variant ? `-${variant}` : ''}`, bytes, ext);

const wasm = readFileSync(wasmPath);
const css = readFileSync(cssPath);
const names = { wasm: hashed(wasm, 'wasm'), css: hashed(css, 'css') };

const mapping = JSON.parse(readFileSync(mappingPath, 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = new RegExp(`^(?:${Object.keys(mapping).map(escape).join('|')})$`);

// Every bundle: minified; with the glue in it, the glue's names shortened with the wasm's mapping.
const bundle = (entry, format, define, glue = true) =>
  build({
    entryPoints: [join(staging, entry)],
    bundle: true,
    format,
    target: ['es2022'],
    minify: true,
    write: false,
    legalComments: 'none',
    ...(glue && { mangleProps: exactly, mangleQuoted: true, mangleCache: mapping }),
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
const code = checked(await bundle('ikm-survey-build.js', 'esm', {}), 'bundle');

// This build's module; the default build's gets a prefix of its own, apart from the element's.
names.module = variant ? hashed(code, 'js') : named('ikm-survey-form', code, 'js');
writeFileSync(join(out, names.wasm), wasm);
writeFileSync(join(out, names.css), css);
writeFileSync(join(out, names.module), code);
writeFileSync(join(out, STABLE_WASM), wasm);
if (variant) {
  writeFileSync(stepsList, `${JSON.stringify({ ...names, stable: STABLE_WASM }, null, 2)}\n`);
  console.log(`bundle: ${names.module} ${names.wasm} ${names.css} (+ ${STABLE_WASM}; the ${variant} build)`);
  process.exit(0);
}
if (!steps) fail(`no ${stepsList}: bundle the steps build first`);
rmSync(stepsList, { force: true });

// The element's module, which routes each survey to the build for its mode.
const builds = {
  form: { module: names.module, wasm: names.wasm, stable: STABLE_WASM, css: names.css },
  steps: { module: steps.module, wasm: steps.wasm, stable: steps.stable, css: steps.css },
};
// It carries the stylesheet, so a shadow root (a prerendered form's too) is styled without a
// request or a wait for its build: the one-page build's, and the styles that one question per
// screen adds (STAGING_DIR/extra.css, styles/ikm-steps.css minified by scripts/dist.sh).
const element = (await bundle('ikm-survey.js', 'esm', {
  IKM_BUILDS: JSON.stringify(builds),
  IKM_CSS_TEXT: JSON.stringify(css.toString('utf8')),
  IKM_STEPS_CSS_TEXT: JSON.stringify(readFileSync(join(staging, 'extra.css'), 'utf8')),
}, false)).outputFiles[0].contents;
const manifest = {
  module: named('ikm-survey', element, 'js'),
  wasm: names.wasm,
  css: names.css,
  form_module: names.module,
  steps_module: steps.module,
  steps_wasm: steps.wasm,
  steps_css: steps.css,
};
writeFileSync(join(out, manifest.module), element);

// The service worker's delivery: the same glue and wasm as a classic script, names shortened
// with the same mapping, so the worker runs the widget's own outbox rules.
const workerCode = checked(
  await bundle('outbox-worker.js', 'iife', {
    IKM_WASM: JSON.stringify(names.wasm),
    'import.meta.url': 'self.location.href',
  }),
  'worker bundle',
);
manifest.worker = named('ikm-outbox', workerCode, 'js');
writeFileSync(join(out, manifest.worker), workerCode);

// The service worker itself under its one stable name, naming this release's files; its
// bytes change with every release, which is how browsers notice a new one.
const version = createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 10);
const sw = readFileSync(join(staging, 'sw.js'), 'utf8')
  .replace('const RELEASE = IKM_RELEASE;', `const RELEASE = ${JSON.stringify({ version, ...manifest })};`);
if (sw.includes('const RELEASE = IKM_RELEASE;') || !sw.includes(manifest.worker)) fail('sw.js has no `const RELEASE = IKM_RELEASE;` to fill in');
writeFileSync(join(out, 'sw.js'), sw);

// The stable entry, the one name an office website writes in its page, is the element's
// module under a name that never changes: served without long caching (everything it names
// is immutable), it costs no extra round trip before the downloads of the build, its wasm and
// the configuration start. `ikm-survey-steps.js` is the same module under the name that an
// earlier release gave the steps build's, so pages that name it keep working. Pages that can
// name the hashed module (the collector's own) use that.
writeFileSync(join(out, 'ikm-survey.js'), element);
writeFileSync(join(out, 'ikm-survey-steps.js'), element);
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`bundle: ${manifest.module} ${manifest.form_module} ${manifest.wasm} ${manifest.css} ${manifest.worker} (+ ikm-survey.js, ikm-survey-steps.js, ${STABLE_WASM}, sw.js, manifest.json)`);
