// Kiosk mode on the waiting-room tablet, with a clock the test controls (Playwright's fake
// timers, no long sleeps): the thank-you screen gives way to a fresh form, an abandoned form
// asks "Masih di sini?" and is then wiped, the attract screen comes and goes, an untouched
// form never asks, staff open their view with the documented gesture, and nothing of an
// earlier respondent is left in the page or in storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerEverything, axeViolations, collectorAndBrowser } from './support.mjs';

const TOKEN = 'kiosk-token-0123456789abcdef';
const env = collectorAndBrowser(TOKEN);

const W = '#ikm-survey';

/** What of the page could still show an earlier respondent's answers. */
async function traces(page) {
  return page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    checked: document.querySelectorAll('#ikm-survey input:checked').length,
    typed: [...document.querySelectorAll('#ikm-survey input[type=text], #ikm-survey input[type=number], #ikm-survey textarea')].map((e) => e.value).filter(Boolean),
    storage: Object.keys(localStorage).filter((k) => !k.startsWith('ikm-outbox/v1/')).concat(Object.keys(sessionStorage)),
  }));
}

const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');

test('a kiosk serves respondent after respondent with no trace of the previous one', async () => {
  // bypassCSP only lets axe itself run in the page.
  const context = await env.browser.newContext({ viewport: { width: 800, height: 1280 }, bypassCSP: true });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(`${env.base}/?layanan=paspor-baru&loket=loket-1&kiosk=1`);
  await page.locator(`${W}:not([data-ikm-takeover]) .ikm[data-kiosk] form`).waitFor();

  // Respondent A sends; the thank-you screen counts down and gives way to the attract screen.
  await answerEverything(page, W, { suggestion: 'Jejak respons A', education: 'TIDAK-TAMAT-SD' });
  await page.click(`${W} button[type=submit]`);
  await page.locator(`${W} .ikm-done[data-state=sent]`).waitFor();
  assert.match(await page.locator(`${W} .ikm-countdown`).textContent(), /dalam 10 detik/);
  await page.clock.runFor(5_000);
  assert.match(await page.locator(`${W} .ikm-countdown`).textContent(), /dalam [56] detik/, 'it counts down');
  await page.clock.runFor(6_000);
  await page.locator('#ikm-start').waitFor();
  assert.equal(await page.locator('#ikm-start').textContent(), 'Sentuh untuk mulai');
  let left = await traces(page);
  assert.ok(!left.html.includes('Jejak respons A'), 'no answer of A in the page');
  assert.deepEqual(left.storage, [], 'nothing but the outbox in storage');
  assert.equal(await focused(page), 'ikm-start', 'focus inside the widget, on the way in');
  assert.deepEqual(await axeViolations(page), [], 'the attract screen');

  // Respondent B touches the screen, answers part, walks away: asked, then wiped.
  await page.click('#ikm-start');
  await page.locator(`${W} form`).waitFor();
  assert.equal(await focused(page), 'ikm-title', 'focus at the start of the fresh form');
  left = await traces(page);
  assert.deepEqual([left.checked, left.typed], [0, []], 'a fresh form');
  await page.check(`${W} input[name="answers.waktu"][value="2"]`);
  await page.fill(`${W} textarea[name="suggestion"]`, 'Setengah jalan B');
  await page.clock.runFor(91_000);
  await page.locator(`${W} .ikm-prompt`).waitFor();
  assert.equal(await page.locator(`${W} .ikm-prompt h3`).textContent(), 'Masih di sini?');
  assert.equal(await page.locator(`${W} .ikm-prompt`).getAttribute('role'), 'alertdialog');
  assert.equal(await focused(page), 'ikm-still-there');
  assert.deepEqual(await axeViolations(page), [], 'the "Masih di sini?" prompt');
  // "Ya, lanjutkan" keeps the answers.
  await page.click('#ikm-still-there');
  assert.equal(await page.locator(`${W} .ikm-prompt`).count(), 0);
  assert.equal(await page.inputValue(`${W} textarea[name="suggestion"]`), 'Setengah jalan B');
  await page.clock.runFor(91_000);
  await page.locator(`${W} .ikm-prompt`).waitFor();
  await page.clock.runFor(31_000);
  await page.locator('#ikm-start').waitFor();
  left = await traces(page);
  assert.ok(!left.html.includes('Setengah jalan B'), 'no answer of B in the page');
  assert.deepEqual(left.storage, []);

  // An untouched form never asks: it only goes back to the attract screen.
  await page.click('#ikm-start');
  await page.clock.runFor(200_000);
  assert.equal(await page.locator(`${W} .ikm-prompt`).count(), 0);
  await page.locator('#ikm-start').waitFor();

  // Staff: five quick taps on the office name open their view; "Tutup" hides it.
  await page.click('#ikm-start');
  assert.equal(await page.locator(`${W} .ikm-staff-open`).count(), 0, 'hidden from respondents');
  for (let i = 0; i < 5; i++) await page.click(`${W} .ikm-office`);
  await page.locator(`${W} .ikm-staff-open`).waitFor();
  assert.match(await page.locator(`${W} .ikm-staff-open`).textContent(), /Antrean perangkat ini: 0 menunggu/);
  await page.click(`${W} .ikm-staff-open button`);
  assert.equal(await page.locator(`${W} .ikm-staff-open`).count(), 0);

  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const report = await (await fetch(`${env.base}/api/v1/report?month=${month}&counter=loket-1`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.equal(report.respondents, 1, 'only A was sent; B was wiped, not sent');
  await context.close();
});
