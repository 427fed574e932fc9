// The survey in the browser engines other than Chromium: WebKit (WebKitGTK's WebKitWebDriver
// under Xvfb; WebKit is the engine of every browser on an iPhone) and Gecko (Debian's
// firefox-esr, headless, through geckodriver). In each it answers and sends the hosted page,
// the two-line embed on another page and the hosted page one question per screen (with a step
// back), and each response is counted once. Driven over the W3C
// WebDriver protocol (tests/e2e/webdriver.mjs); scripts/bootstrap.sh installs the engines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fillArguments, fillInPage, startCollector } from './support.mjs';
import { engines, startDriver, Session } from './webdriver.mjs';

const TOKEN = 'e2e-token-engines-0123456789';
let collector;

before(async () => { collector = await startCollector(TOKEN); });
after(() => collector?.stop());

async function report() {
  const answer = await fetch(`${collector.base}/api/v1/report`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(answer.status, 200);
  return answer.json();
}

/** Waits for the widget in `host` to be live (the server's copy taken over), then answers and sends it. */
async function answerWithTheWidget(session, host) {
  await session.until((host) => {
    const element = document.querySelector(host);
    const root = element?.shadowRoot ?? element;
    return !!root?.querySelector('form') && !element.hasAttribute('data-ikm-takeover') && !root.querySelector('[data-ikm-takeover]');
  }, `the widget in ${host}`, 30000, host);
  await session.run(() => {
    window.__submitted = null;
    document.addEventListener('ikm-submitted', (e) => { window.__submitted = e.detail.id; });
  });
  await session.runAsync(fillInPage.toString(), fillArguments(host, {
    gender: 2, age: 52, education: 'SMA', occupation: 4, scores: [3, 4, 3, 2, 4, 3, 4, 3, 2],
  }));
  return session.until(() => window.__submitted, 'the ikm-submitted event', 20000);
}

/** Clicks `css` (a button that moves or sends) and waits for the screen that follows. */
async function post(session, css) {
  const before = await session.run(() => document.querySelector('[name="step.at"]')?.value ?? 'sent');
  const id = await session.run(() => document.querySelector('[name="id"]')?.value);
  await session.click(css);
  await session.until((before, id) => {
    const at = document.querySelector('[name="step.at"]')?.value ?? 'sent';
    return document.readyState === 'complete' && (at !== before || !document.querySelector(`[value="${id}"]`));
  }, `the screen after ${css}`, 20000, before, id);
  return session.title();
}

/** One question per screen, in the widget's steps build once it has taken the page over. */
async function stepThrough(session) {
  await session.go(`${collector.base}/?mode=steps&layanan=paspor-baru&loket=loket-5`);
  assert.match(await session.title(), /^Langkah 1 dari 13: /);
  await session.until(() => !!document.querySelector('#ikm-survey:not([data-ikm-takeover]) form[data-steps]'), 'the steps widget', 30000);
  await session.click('input[name="respondent.gender"][value="P"]');
  await session.type('input[name="respondent.age"]', '63');
  await session.click('select[name="respondent.education"] option[value="SMA"]');
  await session.click('input[name="respondent.occupation"][value="WIRAUSAHA"]');
  assert.match(await post(session, 'button.ikm-next'), /^Langkah 2 dari 13: /);
  // Back and on again: the profile is kept.
  assert.match(await post(session, 'button.ikm-back'), /^Langkah 1 dari 13: /);
  assert.equal(await session.run(() => document.querySelector('input[name="respondent.age"]').value), '63');
  assert.match(await post(session, 'button.ikm-next'), /^Langkah 2 /);
  for (let screen = 2; screen <= 12; screen++) {
    const names = await session.run(() => [...new Set([...document.querySelectorAll('input[type=radio]')].map((r) => r.name))]);
    for (const name of names) await session.click(`input[name="${name}"][value="3"]`);
    await post(session, 'button.ikm-next');
  }
  assert.match(await session.title(), /^Langkah 13 dari 13: /);
  await session.type('textarea[name="suggestion"]', 'Langkah demi langkah.');
  assert.match(await post(session, 'button.ikm-next'), /^Periksa jawaban Anda/);
  await post(session, 'button.ikm-submit');
  // "Tersimpan" (saved on the device, first attempt under way) may show first; then the thanks.
  await session.until(() => document.querySelector('.ikm-done h2')?.textContent === 'Terima kasih', 'the thank-you screen', 20000);
}

for (const engine of engines()) {
  test(`${engine.name}: the hosted page, the embed and one question per screen are answered, sent and counted once`, async () => {
    assert.ok(engine.driver, `${engine.name} is not installed: run scripts/bootstrap.sh test`);
    const driver = await startDriver(engine);
    let session;
    try {
      session = await Session.start(driver.url, engine.capabilities());
      const earlier = await report();
      const before = earlier.respondents;

      await session.go(`${collector.base}/?layanan=paspor-baru&loket=loket-1`);
      assert.match(await session.title(), /Survei Kepuasan Masyarakat/);
      const hosted = await answerWithTheWidget(session, '#ikm-survey');
      assert.match(hosted, /^[0-9a-f-]{36}$/);

      await session.go(`${collector.base}/index.html?layanan=paspor-penggantian&loket=loket-4`);
      const embedded = await answerWithTheWidget(session, 'ikm-survey');
      assert.notEqual(embedded, hosted);

      await stepThrough(session);

      const recap = await report();
      assert.equal(recap.respondents, before + 3, 'each response counted once');
      assert.equal(recap.counters['loket-5'], (earlier.counters['loket-5'] ?? 0) + 1, 'the one stepped through');
      assert.ok(recap.counters['loket-1'] >= 1 && recap.counters['loket-4'] >= 1, JSON.stringify(recap.counters));
    } finally {
      await session?.end();
      driver.stop();
    }
  });
}
