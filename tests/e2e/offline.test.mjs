// The survey page survives going offline: once visited, its service worker shows it again
// with no network (a fresh response id each time), never touches POSTs or API calls, and a
// response given offline is stored exactly once when the network returns: by the page if it
// is still open, and through Background Sync (dispatched here over the DevTools Protocol)
// if the respondent closed the tab. An office page that embeds the element with the stable
// module and the worker loads offline too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerEverything, collectorAndBrowser, fillAndSend, outboxCount, ROOT, startCollector } from './support.mjs';

const TOKEN = 'offline-token-0123456789abcdef';
const env = collectorAndBrowser(TOKEN);

const W = '#ikm-survey';

/** How many respondents the collector at `base` (by default this file's) stored for `counter` this month. */
async function stored(counter, base = env.base, token = TOKEN) {
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const response = await fetch(`${base}/api/v1/report?month=${month}&counter=${counter}`, { headers: { Authorization: `Bearer ${token}` } });
  return (await response.json()).respondents;
}

async function until(what, check, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the survey page and waits until the widget runs and the service worker controls it. */
async function visit(page, query) {
  await page.goto(`${env.base}/?${query}`);
  await page.locator(`${W}:not([data-ikm-takeover]) form`).waitFor();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20000 });
}

async function answerAndSend(page) {
  await answerEverything(page, W, { score: 4, age: '33' });
  await page.click(`${W} button[type=submit]`);
  await page.locator(`${W} .ikm-done`).waitFor();
}

test('the page loads again offline, and a response given offline is stored once the network returns', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const seen = [];
  page.on('response', (r) => seen.push({ url: r.url(), method: r.request().method(), worker: r.fromServiceWorker() }));
  await visit(page, 'layanan=paspor-baru&loket=loket-3');
  const firstId = await page.inputValue(`${W} input[name="id"]`).catch(() => '');

  await context.setOffline(true);
  await page.reload();
  await page.locator(`${W}:not([data-ikm-takeover]) form`).waitFor();
  const offlineId = await page.evaluate(() => document.querySelector('#ikm-survey form input[name="id"]')?.value ?? '');
  assert.notEqual(offlineId, firstId, 'a page shown from the cache gets a fresh response id');
  await answerAndSend(page);
  assert.equal(await stored('loket-3'), 0, 'nothing reached the collector while offline');
  assert.equal(await page.evaluate(outboxCount), 1, 'the response waits on the device');

  await context.setOffline(false);
  await page.locator(`${W} .ikm-done[data-state=sent]`).waitFor({ timeout: 20000 });
  assert.equal(await until('the response stored', async () => (await stored('loket-3')) === 1 && 1), 1);
  assert.equal(await page.evaluate(outboxCount), 0);
  // The response above may have been delivered by the page or, once the network returned, by
  // the worker's own Background Sync; either way no page POST may be answered by the worker.
  // One more POST from the page makes the check independent of who delivered first.
  await page.evaluate((url) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).catch(() => null), `${env.base}/api/v1/responses`);
  await until('the page POST seen', () => seen.some((r) => r.method === 'POST'));
  const posts = seen.filter((r) => r.method === 'POST');
  assert.ok(posts.every((r) => !r.worker), 'POSTs never go through the worker');
  assert.ok(seen.filter((r) => r.url.includes('/api/')).every((r) => !r.worker), 'nor API calls');
  assert.ok(seen.some((r) => /\.[0-9a-f]{10}\.wasm$/.test(r.url) && r.worker), 'the hashed files came from the cache offline');
  await context.close();
});

test('a response saved offline is delivered by Background Sync after the tab was closed, exactly once', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await visit(page, 'layanan=izin-tinggal&loket=loket-4');
  await context.setOffline(true);
  await answerAndSend(page);
  assert.equal(await page.evaluate(outboxCount), 1);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await stored('loket-4'), 0, 'not delivered while offline');
  await page.close();

  // No survey tab is open now; a blank tab only carries the DevTools session.
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const registrations = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
  await cdp.send('ServiceWorker.enable');
  const registration = await until('the service worker registration', () =>
    registrations.find((r) => r.scopeURL === `${env.base}/` && !r.isDeleted));
  await context.setOffline(false);
  for (let i = 0; i < 2; i++) {
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: env.base, registrationId: registration.registrationId, tag: 'ikm-outbox', lastChance: false,
    });
  }
  assert.equal(await until('the response stored', async () => (await stored('loket-4')) === 1 && 1), 1);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await stored('loket-4'), 1, 'exactly once, however often the sync fires');
  await context.close();
});

test('an office page with the two-line embed and the worker loads offline once visited, and its response is stored once', async () => {
  // The office's own site: a copy of dist/ with its page beside the files.
  const site = mkdtempSync(join(tmpdir(), 'ikm-office-'));
  cpSync(join(ROOT, 'dist'), site, { recursive: true });
  writeFileSync(join(site, 'kantor.html'), `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Kantor</title><script type="module" src="/ikm-survey.js"></script></head>
<body><ikm-survey endpoint="/api/v1/responses" config="/office.json" service="paspor-baru" counter="loket-31" sw="/sw.js?page=/kantor.html"></ikm-survey></body></html>`);
  const officeToken = 'office-offline-token-0123456789';
  const office = await startCollector(officeToken, [], undefined, site);
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${office.base}/kantor.html`);
    await page.locator('ikm-survey form').waitFor({ timeout: 20000 });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20000 });
    await context.setOffline(true);
    await page.reload();
    await page.locator('ikm-survey form').waitFor({ timeout: 20000 });
    await fillAndSend(page, 'ikm-survey', { gender: 1, age: 50, education: 'SMA', occupation: 4, scores: [4, 3, 4, 3, 4, 3, 4, 3, 4] });
    await page.locator('ikm-survey .ikm-done[data-state=queued]').waitFor({ timeout: 20000 });
    await context.setOffline(false);
    await page.locator('ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 30000 });
    assert.equal(await stored('loket-31', office.base, officeToken), 1, 'stored once');
  } finally {
    await context.close();
    office.stop();
    rmSync(site, { recursive: true, force: true });
  }
});
