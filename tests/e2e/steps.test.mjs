// One question per screen on the collector's page (`?mode=steps`), in Debian's Chromium
// against the real `ikm serve`: a respondent walks it with the keyboard only, goes back and
// forth with every answer kept, changes an answer from the review and sends once; the same
// walk works with JavaScript disabled; axe finds nothing on a question, a screen with its
// problem, or the review, at 320 CSS px (a 640 px window at 200 % zoom), which never scrolls
// sideways. The steps build of the widget also runs the element on another page
// (`mode="steps"`), offline (a walk saved on the device, delivered once), and as a kiosk (the
// next respondent starts on the first screen with nothing of the last).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, collectorAndBrowser, ELEMENT_KEYS, fillAndSend, officePage, outboxCount, widgetReady } from './support.mjs';

const TOKEN = 'steps-token-0123456789abcdef0';
const env = collectorAndBrowser(TOKEN);
// The example office asks SPKP and SPAK: profile, nine elements, two modules, suggestion.
const SCREENS = 13;

async function report() {
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const response = await fetch(`${env.base}/api/v1/report?month=${month}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return response.json();
}

/** Presses Tab until the focused element matches `selector` (keyboard only, no clicks). */
async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/**
 * Presses Enter on the focused button and waits for what follows: without the widget, the
 * page the post answers (its HTTP status); with it, the next screen, the same one with its
 * problems, or the end screen (200 or 422 as the collector would have answered).
 */
async function enter(page) {
  if (!page.widget) {
    const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    return response.status();
  }
  const before = await page.evaluate(() => document.title);
  await page.keyboard.press('Enter');
  await page.waitForFunction((before) => document.title !== before
    || document.querySelector('#ikm-survey .ikm-summary, #ikm-survey .ikm-done'), before);
  return (await page.locator('#ikm-survey .ikm-summary').count()) ? 422 : 200;
}

/** Chooses the `nth` (1-based) option of radio group `name` with Tab, Space and arrows. */
async function choose(page, name, nth) {
  await tabTo(page, `input[type=radio][name="${name}"]`);
  await page.keyboard.press('Space');
  // Tab lands on the chosen option of a group answered before, else on its first.
  const at = await page.evaluate(() => {
    const focused = document.activeElement;
    return [...document.querySelectorAll(`input[name="${focused.name}"]`)].indexOf(focused) + 1;
  });
  for (let i = at; i < nth; i++) await page.keyboard.press('ArrowDown');
  for (let i = at; i > nth; i--) await page.keyboard.press('ArrowUp');
  assert.ok(await page.evaluate((n) => document.activeElement.checked && document.activeElement.name === n, name), name);
}

async function next(page) {
  await tabTo(page, 'button.ikm-next');
  return enter(page);
}

async function stepTitle(page) {
  return (await page.title()).split(' — ')[0];
}

/** The screen's radio groups, in order. */
function groups(page) {
  return page.$$eval('input[type=radio]', (radios) => [...new Set(radios.map((r) => r.name))]);
}

async function walk(page, { axe, widget }) {
  page.widget = widget;
  await page.goto(`${env.base}/?mode=steps&layanan=paspor-baru&loket=loket-2`);
  // With JavaScript, the steps build of the widget takes the first screen over.
  if (widget) await page.waitForSelector('#ikm-survey:not([data-ikm-takeover]) form[data-steps]');
  // A mark in the page: it survives only if no screen is a new page load.
  if (widget) await page.evaluate(() => { window.__samePage = true; });
  assert.match(await stepTitle(page), new RegExp(`^Langkah 1 dari ${SCREENS}: `));
  assert.equal(await page.locator('.ikm-back').count(), 0, 'no way back from the first screen');
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('.ikm-step-count')).display);
  assert.equal(styled, 'block', 'the step styles apply (inline, allowed by their hash)');

  await choose(page, 'respondent.gender', 1);
  await tabTo(page, 'input[name="respondent.age"]');
  await page.keyboard.type('71');
  await tabTo(page, 'select[name="respondent.education"]');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await choose(page, 'respondent.occupation', 1);
  assert.equal(await next(page), 200);

  // A question screen: its heading has focus, and moving on without an answer names it.
  assert.match(await stepTitle(page), new RegExp(`^Langkah 2 dari ${SCREENS}: Persyaratan`));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'ikm-step-title', 'focus on the new heading');
  if (axe) assert.deepEqual(await axeViolations(page), [], 'a question screen');
  assert.equal(await next(page), 422);
  assert.match(await stepTitle(page), /^Langkah 2 /);
  assert.equal(await page.locator('.ikm-summary a').count(), 1, 'the one problem of this screen');
  if (axe) assert.deepEqual(await axeViolations(page), [], 'a screen with its problem');

  for (const [i, key] of ELEMENT_KEYS.entries()) {
    await choose(page, `answers.${key}`, i === 2 ? 2 : 4);
    assert.equal(await next(page), 200, key);
    if (i === 1) {
      // Back to the screen before: its answer is still chosen; on again keeps both.
      await tabTo(page, 'button.ikm-back');
      assert.equal(await enter(page), 200);
      assert.match(await stepTitle(page), /^Langkah 3 /);
      assert.ok(await page.isChecked('input[name="answers.prosedur"][value="4"]'), 'kept going back');
      assert.equal(await next(page), 200);
    }
  }
  for (const module of ['SPKP', 'SPAK']) {
    const names = await groups(page);
    assert.ok(names.length >= 5, `${module}: its statements on one screen`);
    for (const name of names) await choose(page, name, 3);
    assert.equal(await next(page), 200, module);
  }
  assert.match(await stepTitle(page), new RegExp(`^Langkah ${SCREENS} dari ${SCREENS}: `));
  await tabTo(page, 'textarea[name="suggestion"]');
  await page.keyboard.type('Antrean panjang di loket 2.');
  assert.equal(await next(page), 200);

  // The review: every screen with a button to change it; one answer changed from there.
  assert.equal(await stepTitle(page), 'Periksa jawaban Anda');
  assert.equal(await page.locator('.ikm-review-row').count(), SCREENS);
  assert.match(await page.locator('.ikm-review').textContent(), /Antrean panjang di loket 2\./);
  if (axe) assert.deepEqual(await axeViolations(page), [], 'the review');
  await tabTo(page, 'button[name="step"][value="3"]');
  assert.equal(await enter(page), 200);
  assert.match(await stepTitle(page), /^Langkah 4 dari \d+: Waktu/);
  assert.ok(await page.isChecked('input[name="answers.waktu"][value="2"]'));
  await choose(page, 'answers.waktu', 1);
  assert.equal(await next(page), 200);
  assert.equal(await stepTitle(page), 'Periksa jawaban Anda', 'back to the review');

  if (widget) assert.equal(await page.evaluate(() => window.__samePage), true, 'every move in the page, no post');
  await tabTo(page, 'button.ikm-submit');
  assert.equal(await enter(page), 200);
  await page.waitForSelector('.ikm-done h2:has-text("Terima kasih")');
  if (widget) assert.doesNotMatch(await page.title(), /^Langkah|^Periksa/, 'the end screen has the page\'s own title');
}

test('one question per screen in the widget, keyboard only, back and forth, changed from the review, sent once', async () => {
  const context = await env.browser.newContext({ bypassCSP: true, viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const problems = [];
  // The screen sent back with its problem answers 422, which the console reports too.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 422/.test(m.text())) problems.push(m.text()); });
  await walk(page, { axe: true, widget: true });
  const recap = await report();
  assert.equal(recap.respondents, 1);
  assert.equal(recap.nrr.waktu, 1, 'the answer changed from the review counts');
  assert.equal(recap.nrr.prosedur, 4);
  assert.deepEqual(recap.counters, { 'loket-2': 1 });
  assert.deepEqual(problems, [], 'no console errors (the inline styles are allowed by their hash)');
  await context.close();
});

test('the same walk with JavaScript disabled, and at 320 px nothing scrolls sideways', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false, bypassCSP: true, viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  await walk(page, { axe: false, widget: false });
  assert.equal((await report()).respondents, 2);
  await context.close();
  const wide = await env.browser.newContext({ viewport: { width: 320, height: 640 } });
  const check = await wide.newPage();
  for (const path of ['/?mode=steps', '/?mode=steps&lang=en']) {
    await check.goto(`${env.base}${path}`);
    const overflow = await check.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${path}: reflows at 320 px`);
  }
  assert.match(await check.title(), /^Step 1 of 13: /);
  await wide.close();
});

/** Answers every screen inside `scope` with clicks (3 everywhere) and sends from the review. */
async function stepAll(page, scope) {
  const form = `${scope} form[data-steps]`;
  if (await page.locator(`${form} select[name="service"]`).count()) await page.selectOption(`${form} select[name="service"]`, 'izin-tinggal');
  await page.check(`${form} input[name="respondent.gender"][value="L"]`);
  await page.fill(`${form} input[name="respondent.age"]`, '58');
  await page.selectOption(`${form} select[name="respondent.education"]`, 'SMA');
  await page.check(`${form} input[name="respondent.occupation"][value="PNS"]`);
  for (let screen = 1; ; screen++) {
    const at = await page.locator(`${scope} .ikm-step-count`).textContent();
    assert.match(at, new RegExp(`^Langkah ${screen} dari ${SCREENS}$`));
    // The groups on this screen nothing is chosen in yet (the profile's are answered above).
    const open = await page.$$eval(`${form} input[type=radio]`, (radios) => [...new Set(radios.map((r) => r.name))]
      .filter((name) => !radios.some((r) => r.name === name && r.checked)));
    for (const name of open) await page.check(`${form} input[name="${name}"][value="3"]`);
    await page.click(`${form} button.ikm-next`);
    if (screen === SCREENS) break;
    await page.locator(`${scope} .ikm-step-count:text("Langkah ${screen + 1} dari ${SCREENS}")`).waitFor();
  }
  await page.locator(`${scope} .ikm-review`).waitFor();
  await page.click(`${form} button.ikm-submit`);
  await page.locator(`${scope} .ikm-done`).waitFor();
}


async function respondents(counter) {
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const response = await fetch(`${env.base}/api/v1/report?month=${month}&counter=${counter}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await response.json()).respondents;
}

/** A file of the one-page build: its module or its wasm (the element's module is shared). */
const DEFAULT_BUILD = /^\/ikm-survey(?:-form\.[0-9a-f]{10}\.js|\.[0-9a-f]{10}\.wasm)$/;
/** Each build's wasm. */
const FORM_WASM = /^\/ikm-survey\.[0-9a-f]{10}\.wasm$/;
const STEPS_WASM = /^\/ikm-survey-steps\.[0-9a-f]{10}\.wasm$/;

/** A phone-sized page in a context of its own, with the path of every request it makes in `loaded`. */
async function loggingPage() {
  const context = await env.browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const loaded = [];
  page.on('request', (r) => loaded.push(new URL(r.url()).pathname));
  return { context, page, loaded };
}

test('the two-line embed with mode="steps" loads the steps build and sends one response', async () => {
  const { context, page, loaded } = await loggingPage();
  // An office page of its own: the README's two lines and the attribute.
  await officePage(page, '/kantor.html', '/ikm-survey.js', '<ikm-survey endpoint="/api/v1/responses" config="/office.json" counter="loket-7" mode="steps"></ikm-survey>');
  await page.goto(`${env.base}/kantor.html`);
  await page.locator('ikm-survey form[data-steps]').waitFor({ timeout: 20000 });
  assert.ok(loaded.some((p) => STEPS_WASM.test(p)), 'the steps wasm');
  assert.deepEqual(loaded.filter((p) => DEFAULT_BUILD.test(p)), [], 'nothing of the default build: its module and wasm are not downloaded');
  const count = await page.evaluate(() => getComputedStyle(document.querySelector('ikm-survey').shadowRoot.querySelector('.ikm-step-count')).display);
  assert.equal(count, 'block', 'the step styles inside the shadow root');
  await stepAll(page, 'ikm-survey');
  await page.locator('ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  assert.equal(await respondents('loket-7'), 1);
  await context.close();
});

test('one page with both modes: each survey runs in the build for its mode, ?mode=form wins, and a survey added later loads the build it needs', async () => {
  const { context, page, loaded } = await loggingPage();
  const wasms = () => ({
    form: loaded.some((p) => FORM_WASM.test(p)),
    steps: loaded.some((p) => STEPS_WASM.test(p)),
  });
  await officePage(page, '/dua.html', '/ikm-survey.js', `<ikm-survey id="halaman" endpoint="/api/v1/responses" config="/office.json" service="paspor-baru" counter="loket-21"></ikm-survey>
<ikm-survey id="langkah" endpoint="/api/v1/responses" config="/office.json" counter="loket-22" mode="steps"></ikm-survey>`, 'Dua survei');
  await page.goto(`${env.base}/dua.html`);
  await page.locator('#langkah form[data-steps]').waitFor({ timeout: 20000 });
  await widgetReady(page, '#halaman');
  assert.equal(await page.locator('#halaman form[data-steps]').count(), 0, 'the first survey stays on one page');
  assert.equal(await page.locator('#halaman .ikm-progress').count(), 1);
  assert.deepEqual(wasms(), { form: true, steps: true });
  await fillAndSend(page, '#halaman', { gender: 1, age: 40, education: 'SMA', occupation: 2, scores: [4, 4, 3, 3, 4, 4, 3, 3, 4] });
  await page.locator('#halaman .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  await stepAll(page, '#langkah');
  await page.locator('#langkah .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  assert.equal(await respondents('loket-21'), 1);
  assert.equal(await respondents('loket-22'), 1);

  // The page's ?mode=form wins over the element's mode: the steps build is not even loaded.
  loaded.length = 0;
  await page.goto(`${env.base}/dua.html?mode=form`);
  await widgetReady(page, '#langkah');
  assert.equal(await page.locator('#langkah .ikm-progress').count(), 1);
  assert.deepEqual(wasms(), { form: true, steps: false });

  // On a page with one survey on one page, a survey that a script adds later asking for
  // steps loads the steps build then.
  await officePage(page, '/satu.html', '/ikm-survey.js', '<ikm-survey id="halaman" endpoint="/api/v1/responses" config="/office.json"></ikm-survey>', 'Satu survei');
  loaded.length = 0;
  await page.goto(`${env.base}/satu.html`);
  await widgetReady(page, '#halaman');
  assert.deepEqual(wasms(), { form: true, steps: false });
  await page.evaluate(() => {
    const later = document.createElement('ikm-survey');
    later.id = 'nanti';
    later.setAttribute('endpoint', '/api/v1/responses');
    later.setAttribute('config', '/office.json');
    later.setAttribute('mode', 'steps');
    document.body.append(later);
  });
  await page.locator('#nanti form[data-steps] .ikm-step-count').waitFor({ timeout: 20000 });
  assert.deepEqual(wasms(), { form: true, steps: true });
  assert.equal(await page.locator('#halaman form[data-steps]').count(), 0, 'the first survey unchanged');
  await context.close();
});

test('an office page that names ikm-survey-steps.js (the name of the steps module before, now the same module as ikm-survey.js) loads the steps build alone, and still shows a one-page survey beside it in the default build', async () => {
  const { context, page, loaded } = await loggingPage();
  const steps = '<ikm-survey id="langkah" endpoint="/api/v1/responses" config="/office.json" counter="loket-23" mode="steps"></ikm-survey>';
  await officePage(page, '/langkah.html', '/ikm-survey-steps.js', steps);
  await page.goto(`${env.base}/langkah.html`);
  await page.locator('#langkah form[data-steps]').waitFor({ timeout: 20000 });
  assert.ok(loaded.some((p) => STEPS_WASM.test(p)), 'the steps wasm');
  assert.deepEqual(loaded.filter((p) => DEFAULT_BUILD.test(p)), [], 'nothing of the default build');
  await stepAll(page, '#langkah');
  await page.locator('#langkah .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  assert.equal(await respondents('loket-23'), 1);

  // A one-page survey beside it is run by the default build, which the module loads too.
  const form = '<ikm-survey id="halaman" endpoint="/api/v1/responses" config="/office.json" service="paspor-baru" counter="loket-24"></ikm-survey>';
  await officePage(page, '/campur.html', '/ikm-survey-steps.js', steps + form);
  loaded.length = 0;
  await page.goto(`${env.base}/campur.html`);
  await page.locator('#langkah form[data-steps]').waitFor({ timeout: 20000 });
  await widgetReady(page, '#halaman');
  assert.equal(await page.locator('#halaman form[data-steps]').count(), 0, 'one page');
  assert.ok(loaded.some((p) => FORM_WASM.test(p)), 'the default wasm');
  await fillAndSend(page, '#halaman', { gender: 2, age: 33, education: 'SMA', occupation: 3, scores: [3, 3, 3, 3, 3, 3, 3, 3, 3] });
  await page.locator('#halaman .ikm-done[data-state=sent]').waitFor({ timeout: 20000 });
  assert.equal(await respondents('loket-24'), 1);
  await context.close();
});

test('the prerendered embed with mode="steps" shows its first screen before the wasm, never the one-page form', async () => {
  const context = await env.browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  // The wasm is held back: what shows is the collector's fragment alone.
  await page.route(/\.wasm$/, () => {});
  await page.route(`${env.base}/kantor-pre.html`, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Kantor</title><script type="module" src="/ikm-survey.js"></script></head>
<body><ikm-survey prerender="/api/v1/form" mode="steps"></ikm-survey></body></html>` }));
  await page.goto(`${env.base}/kantor-pre.html`);
  await page.locator('ikm-survey form[data-steps]').waitFor({ timeout: 20000 });
  const shown = await page.evaluate(() => {
    const root = document.querySelector('ikm-survey').shadowRoot;
    return { title: root.querySelector('.ikm-step-title')?.textContent ?? '', questions: root.querySelectorAll('fieldset[data-kind=question]').length };
  });
  assert.match(shown.title, /^Langkah 1 dari \d+/);
  assert.equal(shown.questions, 0, 'no question of the one-page form on the first screen');
  await context.close();
});

test('one question per screen offline: the page loads again, the walk is saved on the device and delivered once', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.base}/?mode=steps&loket=loket-8`);
  await page.locator('#ikm-survey:not([data-ikm-takeover]) form[data-steps]').waitFor();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20000 });
  await context.setOffline(true);
  await page.reload();
  await page.locator('#ikm-survey:not([data-ikm-takeover]) form[data-steps]').waitFor({ timeout: 20000 });
  await stepAll(page, '#ikm-survey');
  assert.equal(await respondents('loket-8'), 0, 'nothing reached the collector while offline');
  assert.equal(await page.evaluate(outboxCount), 1, 'the response waits on the device');
  await context.setOffline(false);
  await page.locator('#ikm-survey .ikm-done[data-state=sent]').waitFor({ timeout: 30000 });
  assert.equal(await respondents('loket-8'), 1, 'stored once');
  await context.close();
});

test('a kiosk asking one question per screen starts the next respondent on the first screen, clean', async () => {
  const context = await env.browser.newContext({ viewport: { width: 800, height: 1280 } });
  const page = await context.newPage();
  await page.clock.install();
  await page.goto(`${env.base}/?mode=steps&kiosk=1&layanan=paspor-baru&loket=loket-9`);
  await page.locator('#ikm-survey:not([data-ikm-takeover]) .ikm[data-kiosk] form[data-steps]').waitFor();
  await stepAll(page, '#ikm-survey');
  await page.locator('#ikm-survey .ikm-done[data-state=sent]').waitFor();
  await page.clock.runFor(11_000);
  await page.locator('#ikm-start').waitFor();
  await page.click('#ikm-start');
  await page.locator('#ikm-survey form[data-steps]').waitFor();
  assert.equal(await page.locator('#ikm-survey .ikm-step-count').textContent(), `Langkah 1 dari ${SCREENS}`);
  assert.match(await page.title(), /^Langkah 1 dari /);
  const left = await page.evaluate(() => ({
    checked: document.querySelectorAll('#ikm-survey input:checked').length,
    hidden: [...document.querySelectorAll('#ikm-survey input[type=hidden]')].map((i) => i.name).filter((n) => /^(answers|respondent)\./.test(n)),
    age: document.querySelector('#ikm-survey input[name="respondent.age"]')?.value,
  }));
  assert.deepEqual(left, { checked: 0, hidden: [], age: '' }, 'nothing of the last respondent');
  assert.equal(await respondents('loket-9'), 1);
  await context.close();
});
