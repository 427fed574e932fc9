// Side-by-side load benchmark on a weak phone: the same questionnaire as a plain HTML form
// (the floor), in Formbricks' inline renderer (@formbricks/surveys 1.99 from npm), as
// <ikm-survey> embedded on a third-party page, as the survey page `ikm serve` hosts and, when
// a baseline build is given, as the widget before this release. Debian's Chromium emulates a
// phone (360×740, slow 4G: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up, CPU slowed ×4);
// each run is a fresh browser context; contenders take turns (interleaved); medians printed.
//
// Measures, per contender: time to the first usable answer (from navigation start until the
// first answer button of the questionnaire is on screen: laid out and painted, so a tap would
// take), bytes transferred (everything the page loaded), the JS heap once loaded, and, for the
// widgets, the time to answer the whole survey (scripted taps, a frame each) and then from the
// send until the end screen shows (for today's widget: the response is on the device's disk).
//
// Usage: node bench/load/run.mjs   (bench/load.sh builds and passes everything; env below)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { choice, formbricksSurvey, text } from './formbricks-survey.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.env.IKM_BENCH_RUNS || 7);
const BASELINE = process.env.IKM_BENCH_BASELINE_DIST; // dist/ of the widget before this release
const SERVER = process.env.IKM_BENCH_SERVER || join(ROOT, 'target/release/ikm');
const TRACE_DIR = process.env.IKM_BENCH_TRACE;
if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
const CONDITIONS = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

const freePort = async () => {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitUp(url) {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The questionnaire as the survey page shows it, read from its HTML, in Formbricks' format. */
function formbricksQuestions(html) {
  const questions = [];
  const fieldsets = [...html.matchAll(/<fieldset[^>]*>\s*<legend>([\s\S]*?)<\/legend>([\s\S]*?)<\/fieldset>/g)];
  const group = (i) => {
    const [, legend, body] = fieldsets[i];
    const labels = [...body.matchAll(/<span>([\s\S]*?)<\/span>/g)].map((m) => decode(m[1]));
    return choice(`q${i}`, decode(legend), labels);
  };
  const education = html.match(/<select[^>]*name="respondent\.education"[^>]*>([\s\S]*?)<\/select>/)[1];
  const levels = [...education.matchAll(/<option value="([^"]+)"[^>]*>([\s\S]*?)<\/option>/g)].map((m) => decode(m[2]));
  questions.push(group(0), text('age', 'Usia (tahun)', { inputType: 'number' }), choice('education', 'Pendidikan', levels), group(1));
  for (let i = 2; i < fieldsets.length; i++) questions.push(group(i));
  questions.push(text('suggestion', 'Saran/masukan (opsional)', { required: false }));
  return questions;
}

/** The pages the third-party site serves, written into `dir`. */
function writePages(dir, collector, surveyHtml) {
  const plain = surveyHtml
    .replace(/<link[^>]*>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(' data-ikm-takeover', '');
  writeFileSync(join(dir, 'plain.html'), plain);
  const survey = formbricksSurvey(formbricksQuestions(surveyHtml));
  writeFileSync(join(dir, 'formbricks-start.js'), `window.formbricksSurveys.renderSurveyInline(${JSON.stringify({
    survey, brandColor: '#1f4e8c', containerId: 'fb', isBrandingEnabled: false, languageCode: 'default',
  })});\n`);
  const page = (title, head, body) => `<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${head}</head>
<body><main>${body}</main></body></html>\n`;
  writeFileSync(join(dir, 'formbricks.html'), page('Formbricks',
    '<script src="/formbricks/index.umd.js" defer></script><script src="/formbricks-start.js" defer></script>',
    '<div id="fb"></div>'));
  // The README's embed snippets: with the form pre-rendered by ikm serve, and for any other
  // endpoint (the wasm's stable copy and the configuration fetched at once); the
  // before-build's snippet as it was.
  const script = (base) => `<script type="module" src="${base}/ikm-survey.js"></script>`;
  // A page without prerender starts the wasm's stable copy and the configuration at once.
  const preloads = (wasm) =>
    `<link rel="preload" href="${wasm}" as="fetch" crossorigin><link rel="preload" href="/office.json" as="fetch" crossorigin>`;
  const element = (base, extra = '') =>
    `<ikm-survey endpoint="${collector}/api/v1/responses" unit="kanim-bengkulu" config="/office.json"${extra}></ikm-survey>`;
  const form = `${collector}/api/v1/form`;
  writeFileSync(join(dir, 'embed.html'), page('Survei',
    `${script('/ikm')}<link rel="preload" href="${form}" as="fetch" crossorigin>`,
    element('/ikm', ` prerender="${form}"`)));
  writeFileSync(join(dir, 'embed-any.html'), page('Survei',
    `${script('/ikm')}${preloads('/ikm/ikm-survey.wasm')}`, element('/ikm')));
  // Any endpoint with the static copy of the form that `ikm form` wrote (form.html, beside
  // the page; written in main()), as the README shows.
  writeFileSync(join(dir, 'embed-static.html'), page('Survei',
    `${script('/ikm')}<link rel="preload" href="/form.html" as="fetch" crossorigin>`,
    `<ikm-survey endpoint="${collector}/api/v1/responses" unit="kanim-bengkulu" prerender="/form.html"></ikm-survey>`));
  // One question per screen on any endpoint: the steps build's wasm preloaded instead.
  writeFileSync(join(dir, 'embed-steps.html'), page('Survei',
    `${script('/ikm')}${preloads('/ikm/ikm-survey-steps.wasm')}`,
    element('/ikm', ' mode="steps"')));
  // The before-build as the page without prerender loads today's: with its wasm's stable copy
  // preloaded where it has one, so the two differ only in the widget.
  const beforePreload = BASELINE && existsSync(join(BASELINE, 'ikm-survey.wasm')) ? preloads('/ikm-before/ikm-survey.wasm') : '';
  writeFileSync(join(dir, 'embed-before.html'), page('Survei', `${script('/ikm-before')}${beforePreload}`, element('/ikm-before')));
}

// In the page before anything else runs: the first frame in which an answer button of the
// questionnaire is laid out is the moment it is usable (painted; a tap would take).
const PROBE = `(() => {
  window.__usable = null;
  let reached;
  window.__usableSoon = new Promise((resolve) => { reached = resolve; });
  const radio = () => document.querySelector('input[type=radio]')
    ?? document.querySelector('ikm-survey')?.shadowRoot?.querySelector('input[type=radio]');
  const tick = () => {
    const r = radio();
    const box = r && (r.closest('label') ?? r).getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) reached(window.__usable = performance.now());
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/**
 * Answers every question through the DOM as taps would and sends; resolves at the end screen
 * with the milliseconds spent answering and from the send until the end screen.
 */
const ANSWER_ALL = async () => {
  const host = document.querySelector('ikm-survey') ?? document.querySelector('#ikm-survey');
  const root = host.shadowRoot ?? host;
  // A before-build older than the payload paths as control names (21efc83) names them by id.
  const before = !root.querySelector("input[name='respondent.gender']");
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const set = async (selector, value, event) => {
    const el = root.querySelector(selector);
    el.value = value;
    el.dispatchEvent(new Event(event, { bubbles: true }));
    await frame();
  };
  const tap = async (selector) => { root.querySelector(selector).click(); await frame(); };
  const keys = ['persyaratan', 'prosedur', 'waktu', 'biaya', 'produk', 'kompetensi', 'perilaku', 'sarana', 'pengaduan'];
  const started = performance.now();
  if (root.querySelector('#ikm-service')) await set('#ikm-service', 'paspor-baru', 'change');
  await tap(before ? "input[name=ikm-respondent-gender][value='2']" : "input[name='respondent.gender'][value='P']");
  await set('#ikm-respondent-age', '34', 'input');
  await set('#ikm-respondent-education', 'SMA', 'change');
  await tap(before ? "input[name=ikm-respondent-occupation][value='4']" : "input[name='respondent.occupation'][value='SWASTA']");
  for (const key of keys) await tap(before ? `input[name=ikm-answers-${key}][value='3']` : `input[name='answers.${key}'][value='3']`);
  const sent = performance.now();
  root.querySelector('button[type=submit]').click();
  while (!root.querySelector('.ikm-done')) await frame();
  return { answering: sent - started, saving: performance.now() - sent };
};

/**
 * Resolves with the value of `expression` (a promise, awaited in the page). Through the
 * DevTools protocol with a few bytes of script: Playwright's own helpers (waitForFunction,
 * evaluate) first inject a large script, whose evaluation took about 100 ms of the throttled
 * main thread in the middle of the load, and which would sit in the heap measured below.
 */
async function inPage(cdp, expression) {
  const { result } = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, timeout: 60000 });
  return result.value;
}

async function measure(browser, contender) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    userAgent: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  });
  await context.addInitScript(PROBE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', CONDITIONS);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  // IKM_BENCH_TRACE=DIR: a Chrome trace of the load (open it in DevTools' Performance panel).
  const trace = TRACE_DIR && [];
  if (trace) {
    cdp.on('Tracing.dataCollected', (e) => trace.push(...e.value));
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,blink.user_timing,v8,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  }
  await page.goto(contender.url, { waitUntil: 'commit' });
  const usable = await inPage(cdp, '(async () => { while (!window.__usableSoon) await new Promise((r) => setTimeout(r, 20)); return window.__usableSoon; })()');
  if (trace) {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    const file = join(TRACE_DIR, `${contender.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}-${Math.round(usable)}ms.json`);
    writeFileSync(file, JSON.stringify({ traceEvents: trace }));
  }
  if (contender.ready) await inPage(cdp, `(async () => { const ready = ${contender.ready}; while (!ready()) await new Promise((r) => setTimeout(r, 50)); })()`);
  await page.waitForLoadState('networkidle');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const complete = contender.answer ? await page.evaluate(ANSWER_ALL) : null;
  await context.close();
  if (problems.length) throw new Error(`${contender.name}: ${problems.join('; ')}`);
  return { usable, bytes, heap: usedSize, complete };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main() {
  const collectorPort = await freePort();
  const sitePort = await freePort();
  const collector = `http://127.0.0.1:${collectorPort}`;
  const site = `http://127.0.0.1:${sitePort}`;
  const data = mkdtempSync(join(tmpdir(), 'ikm-bench-load-'));
  const children = [];
  const stop = () => { for (const c of children) c.kill(); rmSync(data, { recursive: true, force: true }); };
  process.on('exit', stop);
  // The same nine questions for every contender: the example office without its SPKP/SPAK
  // modules (Formbricks gets the nine elements too), and without the fields the baseline
  // build predates (counters, complaint), which it would refuse as unknown.
  const office = JSON.parse(readFileSync(join(ROOT, 'examples/office.json'), 'utf8'));
  for (const field of ['modules', 'counters', 'complaint']) delete office[field];
  const officeFile = join(data, 'office.json');
  writeFileSync(officeFile, JSON.stringify(office));
  children.push(spawn(SERVER, ['serve', '--addr', `127.0.0.1:${collectorPort}`, '--db', `sqlite://${data}/ikm.db`,
    '--config', officeFile, '--dist', join(ROOT, 'dist'), '--rate-limit', '0',
    '--cors-origin', site], { stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitUp(`${collector}/healthz`);
  const surveyUrl = `${collector}/?layanan=paspor-baru&loket=loket-1`;
  const pages = join(data, 'pages');
  (await import('node:fs')).mkdirSync(pages);
  writePages(pages, collector, await (await fetch(surveyUrl)).text());
  writeFileSync(join(pages, 'office.json'), JSON.stringify(office));
  execFileSync(SERVER, ['form', '--config', officeFile, '--out', join(pages, 'form.html')]);
  const mounts = [`/=${pages}`, `/ikm/=${join(ROOT, 'dist')}`, `/formbricks/=${join(ROOT, 'node_modules/@formbricks/surveys/dist')}`];
  if (BASELINE) mounts.push(`/ikm-before/=${BASELINE}`);
  children.push(spawn('node', [join(ROOT, 'bench/load/server.mjs'), String(sitePort), ...mounts], { stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitUp(`${site}/plain.html`);

  const widgetReady = () => {
    const root = document.querySelector('ikm-survey')?.shadowRoot;
    return !!root?.querySelector('form') && !root.querySelector('[data-ikm-takeover]');
  };
  const contenders = [
    { name: 'plain HTML form (the floor)', url: `${site}/plain.html` },
    { name: 'Formbricks 1.99 inline renderer', url: `${site}/formbricks.html` },
    { name: '<ikm-survey> embedded on a third-party page (prerender from ikm serve)', url: `${site}/embed.html`, ready: widgetReady, answer: true },
    { name: '<ikm-survey> embedded, any endpoint (no prerender)', url: `${site}/embed-any.html`, ready: widgetReady, answer: true },
    { name: '<ikm-survey> embedded, any endpoint (static copy from ikm form)', url: `${site}/embed-static.html`, ready: widgetReady, answer: true },
    { name: '<ikm-survey mode="steps"> embedded, any endpoint (no prerender)', url: `${site}/embed-steps.html`, ready: widgetReady },
    { name: 'ikm serve survey page (server-rendered)', url: surveyUrl,
      ready: () => !!document.querySelector('#ikm-survey:not([data-ikm-takeover]) form'), answer: true },
    // One question per screen: the first screen (the profile) is the whole page, no widget.
    { name: 'ikm serve survey page, one question per screen (?mode=steps)', url: `${surveyUrl}&mode=steps` },
  ];
  if (BASELINE) contenders.push({ name: '<ikm-survey> before this release (embedded, no prerender)', url: `${site}/embed-before.html`, ready: widgetReady, answer: true });
  // IKM_BENCH_ONLY=pattern: the floor, Formbricks and the contenders whose name matches.
  if (process.env.IKM_BENCH_ONLY) {
    const only = new RegExp(process.env.IKM_BENCH_ONLY);
    contenders.splice(2, Infinity, ...contenders.slice(2).filter((c) => only.test(c.name)));
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const results = new Map(contenders.map((c) => [c.name, []]));
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, in an order that rotates, so no contender always goes first.
    const order = contenders.map((_, i) => contenders[(i + run) % contenders.length]);
    for (const contender of order) results.get(contender.name).push(await measure(browser, contender));
    process.stderr.write(`bench: run ${run + 1}/${RUNS} done\n`);
  }
  await browser.close();

  const floor = median(results.get(contenders[0].name).map((r) => r.usable));
  const formbricks = median(results.get(contenders[1].name).map((r) => r.usable));
  const rows = contenders.map((c) => {
    const rs = results.get(c.name);
    const usable = median(rs.map((r) => r.usable));
    const ms = (pick) => (rs[0].complete === null ? '–' : `${Math.round(median(rs.map((r) => pick(r.complete))))} ms`);
    return {
      contender: c.name,
      usable: `${Math.round(usable)} ms`,
      ratio: `${(usable / formbricks).toFixed(2)}×`,
      floor: `${(usable / floor).toFixed(2)}×`,
      transferred: `${(median(rs.map((r) => r.bytes)) / 1024).toFixed(1)} KiB`,
      heap: `${(median(rs.map((r) => r.heap)) / 1048576).toFixed(1)} MiB`,
      answering: ms((c) => c.answering),
      saving: ms((c) => c.saving),
    };
  });
  console.log(`\nLoad on a weak phone: 360×740, 150 ms latency, 1.6 Mbit/s down, CPU ×4; median of ${RUNS} interleaved runs, fresh context each\n`);
  console.log('| contender | first usable answer | ratio to the plain form | ratio to Formbricks | transferred | JS heap | answering the survey | send → end screen |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.contender} | ${r.usable} | ${r.floor} | ${r.ratio} | ${r.transferred} | ${r.heap} | ${r.answering} | ${r.saving} |`);
  stop();
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
