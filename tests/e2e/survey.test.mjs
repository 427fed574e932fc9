// End to end: Debian's Chromium opens the demo page served by `ikm serve` (SQLite), completes
// the survey with the keyboard only, sends it, and the response appears in the report and /admin.
// Also: no Content-Security-Policy violation on the CSP page, and the module's mount()/destroy().
// Run by `make test` (scripts/test-e2e.sh builds the server and dist/ first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const ROOT = new URL('../../', import.meta.url).pathname;
const TOKEN = 'e2e-token';
let server, browser, base, dataDir;

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ikm-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(join(ROOT, 'target/debug/ikm'), [
    'serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite://${dataDir}/ikm.db`,
    '--config', join(ROOT, 'examples/office.json'), '--dist', join(ROOT, 'dist'),
  ], { env: { ...process.env, IKM_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The id of the focused element, looking through the widget's shadow root. */
async function focusedId(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}#${el.id}[name=${el.getAttribute('name') ?? ''}]` : '';
  });
}

/** Presses Tab until the focused element matches `want` (a substring of tag#id[name=…]). */
async function tabTo(page, want) {
  for (let i = 0; i < 120; i++) {
    if ((await focusedId(page)).includes(want)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${want}; focus is on ${await focusedId(page)}`);
}

test('a respondent completes and sends the survey with the keyboard only', async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${base}/?layanan=paspor-baru&loket=loket-2`);
  await page.locator('ikm-survey form').waitFor();
  await page.evaluate(() => {
    window.__submitted = null;
    document.addEventListener('ikm-submitted', (e) => { window.__submitted = e.detail.id; });
  });

  await tabTo(page, 'name=ikm-respondent-gender');
  await page.keyboard.press('Space');                   // Laki-laki
  await tabTo(page, '#ikm-respondent-age');
  await page.keyboard.type('41');
  await tabTo(page, '#ikm-respondent-education');
  await page.keyboard.press('ArrowDown');               // SD
  await page.keyboard.press('ArrowDown');               // SMP
  await page.keyboard.press('ArrowDown');               // SMA
  await tabTo(page, 'name=ikm-respondent-occupation');
  await page.keyboard.press('Space');                   // PNS
  for (const key of ['persyaratan', 'prosedur', 'waktu', 'biaya', 'produk', 'kompetensi', 'perilaku', 'sarana', 'pengaduan']) {
    await tabTo(page, `name=ikm-answers-${key}`);
    await page.keyboard.press('Space');                 // option 1
    await page.keyboard.press('ArrowRight');            // option 2
    await page.keyboard.press('ArrowRight');            // option 3
  }
  await tabTo(page, '#ikm-suggestion');
  await page.keyboard.type('Pelayanan cepat, terima kasih.');
  await tabTo(page, 'button#[name=]');
  assert.equal(await page.locator('ikm-survey button[type=submit]').textContent(), 'Kirim');
  await page.keyboard.press('Enter');

  await page.locator('ikm-survey .ikm-done h2').waitFor();
  assert.equal(await page.locator('ikm-survey .ikm-done h2').textContent(), 'Terima kasih');
  assert.match(await page.evaluate(() => window.__submitted), /^[0-9a-f-]{36}$/);
  assert.deepEqual(problems, [], 'no console errors and no CSP violations');

  const now = new Date(Date.now() + 7 * 3600 * 1000); // WIB
  const month = now.toISOString().slice(0, 7);
  const report = await (await fetch(`${base}/api/v1/report?month=${month}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.equal(report.respondents, 1);
  assert.equal(report.nrr.sarana, 3);
  assert.equal(report.ikm_rounded, 75);
  assert.equal(report.mutu, 'C');
  assert.deepEqual(report.services, { 'paspor-baru': 1 });
  assert.deepEqual(report.counters, { 'loket-2': 1 });
  assert.equal(report.profile.education.SMA, 1);

  const unauthorised = await fetch(`${base}/api/v1/report?month=${month}`);
  assert.equal(unauthorised.status, 401);
  await page.close();
});

test('the head of office reads the response back in /admin', async () => {
  const context = await browser.newContext({ httpCredentials: { username: 'admin', password: TOKEN } });
  const page = await context.newPage();
  await page.goto(`${base}/admin`);
  assert.equal(await page.locator('h1').textContent(), 'Rekapitulasi Indeks Kepuasan Masyarakat');
  const ikm = await page.locator('.summary div').first().locator('strong').textContent();
  assert.equal(ikm, '75,00');
  assert.match(await page.locator('.suggestions').textContent(), /Pelayanan cepat, terima kasih\./);
  await context.close();
});

test('the module exports mount() and destroy()', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  const result = await page.evaluate(async () => {
    const { mount } = await import('/ikm-survey.js');
    const host = document.createElement('div');
    document.body.append(host);
    const handle = mount(host, { endpoint: '/api/v1/responses', lang: 'en' });
    await new Promise((r) => setTimeout(r, 100));
    const before = host.shadowRoot.querySelector('button[type=submit]')?.textContent;
    handle.destroy();
    return { before, after: host.shadowRoot.querySelector('form') === null };
  });
  assert.deepEqual(result, { before: 'Send', after: true });
  await page.close();
});
