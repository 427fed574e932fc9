// The proof of work in a real browser (docs/review.md): with it on, the widget's send gets a
// 428 challenge, solves it with crypto.subtle and is stored once; the respondent sees nothing
// but the thank-you screen. What it costs on the phone profile is measured by `make bench`
// (bench/proof.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerEverything, collectorAndBrowser, ROOT } from './support.mjs';

const TOKEN = 'proof-token-0123456789abcdef';
const office = JSON.parse(readFileSync(join(ROOT, 'examples/office.json'), 'utf8'));
office.proof_of_work = { enabled: true, max_number: 20000 };
const config = join(mkdtempSync(join(tmpdir(), 'ikm-proof-')), 'office.json');
writeFileSync(config, JSON.stringify(office));
const env = collectorAndBrowser(TOKEN, [], config);

test('with the proof of work on, the widget solves the challenge and its response is stored once', async () => {
  const page = await env.browser.newPage({ viewport: { width: 360, height: 740 } });
  const statuses = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/responses')) statuses.push(r.status()); });
  await page.goto(`${env.base}/?layanan=paspor-baru&loket=loket-1`);
  await page.locator('#ikm-survey:not([data-ikm-takeover])').waitFor();
  await answerEverything(page, '#ikm-survey', { score: 3 });
  await page.click('#ikm-survey .ikm-submit');
  await page.locator('#ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  assert.deepEqual(statuses, [428, 201], 'asked once, then stored');
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const report = await (await fetch(`${env.base}/api/v1/report?month=${month}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  assert.equal(report.respondents, 1);
  await page.close();
});
