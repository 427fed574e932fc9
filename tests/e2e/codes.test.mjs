// Service codes in the browser (docs/codes.md): a queue ticket's link (`?kode=`) fixes the
// service and sends the code with the response; a second respondent with the same ticket is
// told in place that the code was used, keeps every answer, and can send them without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerEverything, axeViolations, collectorAndBrowser } from './support.mjs';

const TOKEN = 'codes-token-0123456789abcdef';
const env = collectorAndBrowser(TOKEN);

async function api(path, init = {}) {
  const response = await fetch(`${env.base}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

async function report() {
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  return (await api(`/api/v1/report?month=${month}`)).body;
}

/** Opens the ticket's link in a fresh browser context (a phone of its own) with the widget running. */
async function openTicket(link) {
  const context = await env.browser.newContext({ bypassCSP: true, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(link.replace(/^https?:\/\/[^/?]+\/?/, `${env.base}/`));
  await page.locator('#ikm-survey:not([data-ikm-takeover])').waitFor();
  return { context, page, problems };
}

test('a ticket code counts once; the second respondent keeps the answers and sends them without it', async () => {
  const minted = await api('/api/v1/codes', { method: 'POST', body: JSON.stringify({ service: 'izin-tinggal', count: 1 }) });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const [{ code, url }] = minted.body.codes;
  assert.match(code, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

  const first = await openTicket(url);
  const fixed = await first.page.locator('#ikm-survey .ikm-fixed').allTextContents();
  assert.ok(fixed.some((t) => /Izin tinggal/.test(t)), `the code's service is fixed: ${fixed}`);
  assert.ok(fixed.some((t) => t.includes(code)), 'the code is shown as printed');
  await answerEverything(first.page, '#ikm-survey', { score: 4 });
  await first.page.click('#ikm-survey .ikm-submit');
  await first.page.locator('#ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  let recap = await report();
  assert.equal(recap.respondents, 1);
  assert.equal(recap.verified.respondents, 1, 'verified by its code');
  await first.context.close();

  // The same ticket on another phone: refused in place, nothing lost.
  const second = await openTicket(url);
  await answerEverything(second.page, '#ikm-survey', { score: 2, age: '52', suggestion: 'Antrean lama.' });
  await second.page.click('#ikm-survey .ikm-submit');
  const message = second.page.locator('#ikm-code-error');
  await message.waitFor({ timeout: 20000 });
  assert.match(await message.textContent(), /sudah dipakai/);
  assert.match(await second.page.locator('.ikm-summary').textContent(), /Kode layanan/, 'named in the error summary');
  assert.equal(await second.page.inputValue('input[name="respondent.age"]'), '52', 'answers kept');
  assert.equal(await second.page.inputValue('textarea[name="suggestion"]'), 'Antrean lama.');
  assert.deepEqual(await axeViolations(second.page), [], 'the refused code and its button');
  assert.equal((await report()).respondents, 1, 'nothing stored for it');

  await second.page.click('#ikm-code');
  await second.page.locator('#ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  recap = await report();
  assert.equal(recap.respondents, 2, 'sent without the code');
  assert.equal(recap.verified.respondents, 1, 'as unverified');
  assert.equal(recap.verified.percent, 50);
  assert.deepEqual([...first.problems, ...second.problems], []);
  await second.context.close();
});

test('a mistyped code in the link is dropped on the device and the survey still works', async () => {
  const { context, page } = await openTicket(`${env.base}/?kode=ABCD-EFGH-JKMN-PQRS&layanan=paspor-baru`);
  const fixed = await page.locator('#ikm-survey .ikm-fixed').allTextContents();
  assert.ok(!fixed.some((t) => /Kode layanan/.test(t)), 'no code shown');
  assert.equal(await page.locator('input[name="code"]').count(), 0, 'and none sent');
  await context.close();
});
