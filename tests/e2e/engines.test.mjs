// The survey in the browser engines other than Chromium: WebKit (WebKitGTK's WebKitWebDriver
// under Xvfb; WebKit is the engine of every browser on an iPhone) and Gecko (Debian's
// firefox-esr, headless, through geckodriver). In each it answers and sends the hosted page and
// the two-line embed on another page, and each response is counted once. Driven over the W3C
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

for (const engine of engines()) {
  test(`${engine.name}: the hosted page and the embed are answered, sent and counted once`, async () => {
    assert.ok(engine.driver, `${engine.name} is not installed: run scripts/bootstrap.sh test`);
    const driver = await startDriver(engine);
    let session;
    try {
      session = await Session.start(driver.url, engine.capabilities());
      const before = (await report()).respondents;

      await session.go(`${collector.base}/?layanan=paspor-baru&loket=loket-1`);
      assert.match(await session.title(), /Survei Kepuasan Masyarakat/);
      const hosted = await answerWithTheWidget(session, '#ikm-survey');
      assert.match(hosted, /^[0-9a-f-]{36}$/);

      await session.go(`${collector.base}/index.html?layanan=paspor-penggantian&loket=loket-4`);
      const embedded = await answerWithTheWidget(session, 'ikm-survey');
      assert.notEqual(embedded, hosted);

      const recap = await report();
      assert.equal(recap.respondents, before + 2, 'each response counted once');
      assert.ok(recap.counters['loket-1'] >= 1 && recap.counters['loket-4'] >= 1, JSON.stringify(recap.counters));
    } finally {
      await session?.end();
      driver.stop();
    }
  });
}
