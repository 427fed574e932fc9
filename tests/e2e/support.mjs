// Shared by the end-to-end tests: a real `ikm serve` on a free loopback port with a fresh
// SQLite database, and Debian's Chromium (never a downloaded browser).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** The collector's service-code secret in these tests (docs/codes.md). */
export const CODE_SECRET = 'e2e-service-code-secret-0123456789abcdef';

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the collector (debug build, examples/office.json or `config`, dist/ or `dist`) and waits until it answers. */
export async function startCollector(token, extraArgs = [], config = join(ROOT, 'examples/office.json'), dist = join(ROOT, 'dist')) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ikm-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(join(ROOT, 'target/debug/ikm'), [
    'serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite://${dataDir}/ikm.db`,
    '--config', config, '--dist', dist, ...extraArgs,
  ], { env: { ...process.env, IKM_ADMIN_TOKEN: token, IKM_CODE_SECRET: CODE_SECRET }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    stop() {
      server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium with the flags this closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const ELEMENT_KEYS = ['persyaratan', 'prosedur', 'waktu', 'biaya', 'produk', 'kompetensi', 'perilaku', 'sarana', 'pengaduan'];
const GENDERS = ['L', 'P'];
const OCCUPATIONS = ['PNS', 'TNI', 'POLRI', 'SWASTA', 'WIRAUSAHA', 'LAINNYA'];

/**
 * Fills the survey inside `host` (in its shadow root, or in the page for the collector's own
 * page) through the DOM (clicks and input events, as taps would) and presses Kirim.
 * `answers`: { gender: 1|2, age, education, occupation: 1..6, scores: [9 × 1..4], module?: 1..4 }
 * (option positions as on the form). Controls are named by payload path.
 */
export async function fillAndSend(page, host, answers) {
  await page.evaluate(fillInPage, fillArguments(host, answers));
}

/** The argument of `fillInPage` for `host` and `answers`. */
export function fillArguments(host, answers) {
  return { host, answers, keys: ELEMENT_KEYS, genders: GENDERS, occupations: OCCUPATIONS };
}

/** What `fillAndSend` runs in the page (also sent to other engines through WebDriver). */
export const fillInPage = async ({ host, answers, keys, genders, occupations }) => {
    const element = document.querySelector(host);
    const root = element.shadowRoot ?? element;
    const set = (sel, value, event) => {
      const el = root.querySelector(sel);
      el.value = value;
      el.dispatchEvent(new Event(event, { bubbles: true }));
    };
    root.querySelector(`input[name="respondent.gender"][value='${genders[answers.gender - 1]}']`).click();
    set('#ikm-respondent-age', String(answers.age), 'input');
    set('#ikm-respondent-education', answers.education, 'change');
    root.querySelector(`input[name="respondent.occupation"][value='${occupations[answers.occupation - 1]}']`).click();
    keys.forEach((k, i) => root.querySelector(`input[name="answers.${k}"][value='${answers.scores[i]}']`).click());
    // The office's perception modules (SPKP, SPAK), when enabled: every statement agreed with (4).
    const statements = new Set([...root.querySelectorAll('input[type=radio]')].map((r) => r.name).filter((n) => /^sp[ka][kp]\./.test(n)));
    statements.forEach((name) => root.querySelector(`input[name="${name}"][value='${answers.module ?? 4}']`).click());
    await new Promise((r) => requestAnimationFrame(() => r()));
    root.querySelector('button[type=submit]').click();
  };

/**
 * Waits until the live widget is in `host`'s shadow root: a form that is not the server's
 * copy still waiting to be taken over.
 */
export async function widgetReady(page, host = 'ikm-survey', timeout = 20000) {
  await page.waitForFunction((host) => {
    const root = document.querySelector(host)?.shadowRoot;
    return !!root?.querySelector('form') && !root.querySelector('[data-ikm-takeover]');
  }, host, { timeout });
}

/** Runs axe-core on the page (the context must bypass CSP) and returns WCAG 2.1 A/AA violations. */
export async function axeViolations(page) {
  await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** The radio groups of the perception modules (SPKP, SPAK) in `root`, in form order. */
export function moduleStatementNames(root) {
  return [...new Set([...root.querySelectorAll('input[type=radio]')].map((r) => r.name).filter((n) => /^sp[ka][kp]\./.test(n)))];
}

/** How many responses the device's outbox (IndexedDB) holds; runs in the page. */
export function outboxCount() {
  return new Promise((resolve) => {
    const open = indexedDB.open('ikm-outbox');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('entries')) { db.close(); resolve(0); return; }
      const count = db.transaction('entries').objectStore('entries').count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
    };
    open.onerror = () => resolve(-1);
  });
}


/** The ids of the responses the device's outbox holds; runs in the page. */
export function outboxIds() {
  return new Promise((resolve) => {
    const open = indexedDB.open('ikm-outbox');
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('entries')) { db.close(); resolve([]); return; }
      const keys = db.transaction('entries').objectStore('entries').getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result); };
    };
    open.onerror = () => resolve([]);
  });
}

/**
 * For a test file: a collector (with `token`) and a browser started before its tests and
 * stopped after them. The returned object's `base` and `browser` are set once they run.
 */
export function collectorAndBrowser(token, extraArgs = [], config = undefined) {
  const env = { base: '', browser: null, collector: null };
  before(async () => {
    env.collector = await startCollector(token, extraArgs, config);
    env.base = env.collector.base;
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    env.collector?.stop();
  });
  return env;
}

/** Serves `path` as an office's own page: the widget's `module` in its head, `body` as its body. */
export async function officePage(page, path, module, body, title = 'Kantor') {
  await page.route((url) => url.pathname === path, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>${title}</title><script type="module" src="${module}"></script></head>
<body>${body}</body></html>` }));
}

/**
 * A phone-sized page (360×740) that collects console and page errors in `problems`; with
 * `holdWasm`, every wasm download waits until `release()` (to act before the widget arrives).
 */
export async function phonePage(browser, { holdWasm = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  let release = () => {};
  if (holdWasm) {
    const held = new Promise((r) => { release = r; });
    await page.route(/\.wasm$/, async (route) => { await held; await route.continue(); });
  }
  return { page, problems, release };
}

/**
 * Answers every question inside `scope` (a selector in the page, not a shadow root) with
 * real clicks and typing: profile, the nine elements with `score`, the office's module
 * statements with 4, and `suggestion` when given.
 */
export async function answerEverything(page, scope, { score = 3, suggestion, education = 'SMA', age = '45' } = {}) {
  await page.check(`${scope} input[name="respondent.gender"][value="L"]`);
  await page.fill(`${scope} input[name="respondent.age"]`, age);
  await page.selectOption(`${scope} select[name="respondent.education"]`, education);
  await page.check(`${scope} input[name="respondent.occupation"][value="WIRAUSAHA"]`);
  for (const key of ELEMENT_KEYS) await page.check(`${scope} input[name="answers.${key}"][value="${score}"]`);
  const statements = await page.$$eval(`${scope} input[type=radio]`, (radios) => [...new Set(radios.map((r) => r.name).filter((n) => /^sp[ka][kp]\./.test(n)))]);
  for (const name of statements) await page.check(`${scope} input[name="${name}"][value="4"]`);
  if (suggestion != null) await page.fill(`${scope} textarea[name="suggestion"]`, suggestion);
}
