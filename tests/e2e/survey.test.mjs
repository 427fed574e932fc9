// End to end: Debian's Chromium opens the survey page served by `ikm serve` (SQLite), completes
// the survey with the keyboard only, sends it, and the response appears in the report and /admin.
// Also: no Content-Security-Policy violation on either page (the collector's own survey page,
// and index.html, a third-party page embedding <ikm-survey>), and the module's mount()/destroy().
// Run by `make test` (scripts/test-e2e.sh builds the server and dist/ first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axeViolations, fillAndSend, outboxCount, outboxIds, collectorAndBrowser, phonePage } from './support.mjs';

const TOKEN = 'e2e-token-0123456789abcdef';
const env = collectorAndBrowser(TOKEN);

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
  const { page, problems } = await phonePage(env.browser);
  await page.goto(`${env.base}/?layanan=paspor-baru&loket=loket-2`);
  // The form is there from the first byte; the widget takes it over when its wasm arrives.
  await page.locator('#ikm-survey:not([data-ikm-takeover]) form').waitFor();
  assert.match(await page.locator('#ikm-survey .ikm-purpose').textContent(), /jawab 22 pertanyaan .*sekitar 4 menit/,
    'the intro counts the nine elements and the 13 module statements');
  await page.evaluate(() => {
    window.__submitted = null;
    document.addEventListener('ikm-submitted', (e) => { window.__submitted = e.detail.id; });
  });

  await tabTo(page, 'name=respondent.gender');
  await page.keyboard.press('Space');                   // Laki-laki
  await tabTo(page, '#ikm-respondent-age');
  await page.keyboard.type('41');
  await tabTo(page, '#ikm-respondent-education');
  await page.keyboard.press('ArrowDown');               // Tidak sekolah / tidak tamat SD
  await page.keyboard.press('ArrowDown');               // SD
  await page.keyboard.press('ArrowDown');               // SMP
  await page.keyboard.press('ArrowDown');               // SMA
  await tabTo(page, 'name=respondent.occupation');
  await page.keyboard.press('Space');                   // PNS
  for (const key of ['persyaratan', 'prosedur', 'waktu', 'biaya', 'produk', 'kompetensi', 'perilaku', 'sarana', 'pengaduan']) {
    await tabTo(page, `name=answers.${key}`);
    await page.keyboard.press('Space');                 // option 1
    await page.keyboard.press('ArrowRight');            // option 2
    await page.keyboard.press('ArrowRight');            // option 3
  }
  // The example office also asks SPKP (scale 1–6) and SPAK (1–4): agree (4) with each.
  const statements = await page.evaluate(() => {
    const host = document.querySelector('#ikm-survey');
    const root = host.shadowRoot ?? host;
    return [...new Set([...root.querySelectorAll('input[type=radio]')].map((r) => r.name).filter((n) => /^sp[ka][kp]\./.test(n)))];
  });
  assert.equal(statements.length, 13);
  for (const name of statements) {
    await tabTo(page, `name=${name}`);
    await page.keyboard.press('Space');
    for (let i = 1; i < 4; i++) await page.keyboard.press('ArrowRight');
  }
  await tabTo(page, '#ikm-suggestion');
  await page.keyboard.type('Pelayanan cepat, terima kasih.');
  await tabTo(page, 'button#[name=]');
  assert.equal(await page.locator('#ikm-survey button[type=submit]').textContent(), 'Kirim');
  await page.keyboard.press('Enter');

    // "Tersimpan" first (saved on the device), then "Terima kasih" once the collector has it.
  await page.locator('#ikm-survey .ikm-done[data-state=sent] h2').waitFor();
  assert.equal(await page.locator('#ikm-survey .ikm-done h2').textContent(), 'Terima kasih');
  assert.equal(await page.locator('#ikm-survey .ikm-complaint a').getAttribute('href'), 'https://www.lapor.go.id',
    'the configured complaint channel is offered');
  assert.match(await page.evaluate(() => window.__submitted), /^[0-9a-f-]{36}$/);
  assert.deepEqual(problems, [], 'no console errors and no CSP violations');

  const now = new Date(Date.now() + 7 * 3600 * 1000); // WIB
  const month = now.toISOString().slice(0, 7);
  const report = await (await fetch(`${env.base}/api/v1/report?month=${month}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.equal(report.respondents, 1);
  assert.equal(report.nrr.sarana, 3);
  assert.equal(report.ikm_rounded, 75);
  assert.equal(report.mutu, 'C');
  assert.deepEqual(report.services, { 'paspor-baru': 1 });
  assert.deepEqual(report.counters, { 'loket-2': 1 });
  assert.equal(report.profile.education.find((row) => row.code === 'SMA').count, 1);
  assert.equal(report.modules.spak.items.pungli, 4);
  assert.equal(report.modules.spkp.scale, 6);

  const unauthorised = await fetch(`${env.base}/api/v1/report?month=${month}`);
  assert.equal(unauthorised.status, 401);
  await page.close();
});

test('the head of office logs in, reads the response back in /admin and logs out', async () => {
  const context = await env.browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${env.base}/admin`);
  assert.deepEqual(await axeViolations(page), [], 'the login page');
  // Without a session the browser is sent to the login page, and back after it.
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.fill('input[name=password]', 'not-the-token-at-all');
  await page.click('button[type=submit]');
  assert.match(await page.locator('.error').textContent(), /salah/);
  assert.deepEqual(await axeViolations(page), [], 'the login page with its error');
  await page.fill('input[name=password]', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`${env.base}/admin`);
  const cookie = (await context.cookies()).find((c) => c.name === 'ikm_session');
  assert.ok(cookie.httpOnly && cookie.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');
  assert.match(await page.locator('h1').textContent(), /^Rekapitulasi IKM \S+ \d{4}$/);
  const ikm = await page.locator('.summary div').first().locator('strong').textContent();
  assert.equal(ikm, '75,00');
  assert.match(await page.locator('.suggestions').textContent(), /Pelayanan cepat, terima kasih\./);
  await page.goto(`${env.base}/admin/audit`);
  assert.match(await page.locator('table').textContent(), /login\.success/);
  assert.match(await page.locator('table').textContent(), /login\.failed/);
  await page.goto(`${env.base}/admin`);
  await page.click('form.logout button');
  await page.waitForURL(/\/login$/);
  await page.goto(`${env.base}/admin`);
  assert.equal(new URL(page.url()).pathname, '/login', 'the session ended');
  await context.close();
});

test('the module exports mount() and destroy()', async () => {
  const page = await env.browser.newPage();
  await page.goto(`${env.base}/index.html`);
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

test('staff see what the device holds and export it as JSON', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${env.base}/index.html`);
  // A widget whose endpoint cannot be reached: the response waits on the device.
  await page.evaluate(async () => {
    const { mount } = await import('/ikm-survey.js');
    document.querySelector('ikm-survey').remove();
    const host = document.createElement('div');
    host.id = 'kiosk';
    document.body.append(host);
    mount(host, { endpoint: 'http://127.0.0.1:9/unreachable', lang: 'id', service: 'paspor-baru' });
  });
  await page.waitForFunction(() => !!document.querySelector('#kiosk').shadowRoot.querySelector('form'));
  await fillAndSend(page, '#kiosk', { gender: 2, age: 52, education: 'S2', occupation: 1, scores: Array(9).fill(4) });
  await page.waitForFunction(outboxCount);
  const [id] = await page.evaluate(outboxIds);
  await page.waitForFunction(() => !!document.querySelector('#kiosk').shadowRoot.querySelector('.ikm-done[data-state=queued]'));
  const summary = await page.evaluate(() => document.querySelector('#kiosk').shadowRoot.querySelector('.ikm-staff summary').textContent);
  assert.equal(summary, 'Antrean perangkat ini: 1 menunggu dikirim, 0 ditolak server');
  await page.evaluate(() => document.querySelector('#kiosk').shadowRoot.querySelector('.ikm-staff summary').click());
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.evaluate(() => document.querySelector('#kiosk').shadowRoot.querySelector('.ikm-export').click()),
  ]);
  assert.match(download.suggestedFilename(), /^ikm-outbox-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.pending, 1);
  assert.equal(exported.entries[0].id, id);
  assert.equal(JSON.parse(exported.entries[0].body).respondent.age, 52, 'the exact body is exported');
  await context.close();
});
