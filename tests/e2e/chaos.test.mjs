// Chaos test: nothing lost, nothing twice. Two tabs of Debian's Chromium (one origin, so one
// outbox and one Web Lock) send 200 responses through a fault-injecting proxy in front of the
// real collector (SQLite). The proxy drops requests, drops answers after the collector has
// stored, answers 500, delays; the browser goes offline and pages reload right after
// "Tersimpan". Then the network heals: exactly 200 rows must exist, none twice, and the device
// never has two attempts of one response open at once. Prints the figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fillAndSend, freePort, outboxCount, startCollector, launchChromium } from './support.mjs';

const TOKEN = 'chaos-token-0123456789abcdef';
const SUBMISSIONS = Number(process.env.IKM_CHAOS_SUBMISSIONS || 200);

let collector, proxy, browser, upstreamPort, proxyPort;
const stats = { posts: 0, forwarded: 0, droppedRequest: 0, droppedAnswer: 0, serverError: 0, delayed: 0, replays: 0, maxSameIdInFlight: 0, reloads: 0, offlineWindows: 0 };
const inFlight = new Map();
let faults = true;
let seed = 20261130;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

/** Forwards a request to the collector; resolves with its status, headers and body. */
function forward(req, body) {
  return new Promise((resolve, reject) => {
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: req.headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function startProxy() {
  return http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const isPost = req.method === 'POST' && req.url.startsWith('/api/v1/responses');
    const id = isPost ? req.headers['idempotency-key'] : null;
    if (id) {
      stats.posts += 1;
      const n = (inFlight.get(id) || 0) + 1;
      inFlight.set(id, n);
      stats.maxSameIdInFlight = Math.max(stats.maxSameIdInFlight, n);
    }
    // An attempt is in flight while the device holds its connection open: until the answer is
    // written or the browser drops it (offline, reload). A request the browser gave up on may
    // still reach the collector later, which the Idempotency-Key makes harmless; the device
    // has not sent it twice.
    let open = Boolean(id);
    const done = () => { if (open) { open = false; inFlight.set(id, inFlight.get(id) - 1); } };
    res.once('close', done);
    try {
      const roll = isPost && faults ? random() : 1;
      if (roll < 0.2) {                     // the request never arrives
        stats.droppedRequest += 1;
        req.socket.destroy();
        return;
      }
      if (roll < 0.32) {                    // 500 without storing
        stats.serverError += 1;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"chaos"}');
        return;
      }
      if (roll < 0.47) {                    // a slow network
        stats.delayed += 1;
        await new Promise((r) => setTimeout(r, 200 + random() * 1300));
      }
      const reply = await forward(req, body);
      if (isPost) {
        stats.forwarded += 1;
        if (reply.status === 200) stats.replays += 1;
      }
      if (roll >= 0.47 && roll < 0.62) {   // stored, but the answer is lost on the way back
        stats.droppedAnswer += 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, reply.headers).end(reply.body);
    } catch {
      req.socket.destroy();
    } finally {
      done();
    }
  }).listen(proxyPort, '127.0.0.1');
}

before(async () => {
  collector = await startCollector(TOKEN, ['--rate-limit', '0']);
  upstreamPort = collector.port;
  proxyPort = await freePort();
  proxy = startProxy();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  proxy?.close();
  collector?.stop();
});

/** Waits for `ready` in the page; on a timeout, says what the widget showed instead. */
async function waitInWidget(page, what, ready) {
  try {
    await page.waitForFunction(ready, null, { timeout: 20000 });
  } catch (error) {
    const shown = await page.evaluate(() => document.querySelector('ikm-survey')?.shadowRoot?.textContent ?? '(no widget)').catch(() => '(page gone)');
    throw new Error(`timed out waiting for ${what}; the widget shows: ${shown.slice(0, 600)}`, { cause: error });
  }
}

async function formReady(page) {
  await waitInWidget(page, 'the form', () => {
    const root = document.querySelector('ikm-survey')?.shadowRoot;
    return !!root?.querySelector('form') && !root.querySelector('[data-ikm-takeover]');
  });
}

/** Sends response number `n` from `page` and waits for "Tersimpan". */
async function fillAndSubmit(page, n) {
  await fillAndSend(page, 'ikm-survey', {
    gender: 1 + (n % 2),
    age: 18 + (n % 50),
    education: ['SD', 'SMA', 'D4-S1'][n % 3],
    occupation: 1 + (n % 5),
    scores: Array.from({ length: 9 }, (_, i) => 1 + ((n + i) % 4)),
  });
  await waitInWidget(page, `"Tersimpan" after response ${n}`, () => !!document.querySelector('ikm-survey').shadowRoot.querySelector('.ikm-done'));
}

async function rows() {
  const month = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 7);
  const csv = await (await fetch(`http://127.0.0.1:${upstreamPort}/api/v1/responses.csv?month=${month}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
  return csv.trim().split('\n').slice(1).filter(Boolean).map((line) => line.split(',')[0]);
}

test(`${SUBMISSIONS} submissions through drops, lost answers, 500s, delays, offline and reloads end as exactly ${SUBMISSIONS} rows`, { timeout: 600000 }, async () => {
  const started = Date.now();
  const context = await browser.newContext();
  // index.html: a page embedding <ikm-survey>, as an office website would.
  const url = `http://127.0.0.1:${proxyPort}/index.html?layanan=paspor-baru&loket=loket-1`;
  const tabs = [await context.newPage(), await context.newPage()];
  for (const tab of tabs) {
    await tab.goto(url);
    await formReady(tab);
  }
    let offline = false;
  for (let n = 0; n < SUBMISSIONS; n++) {
    const page = tabs[n % 2];
    if (n % 40 === 20) {                    // the network drops: four responses are answered offline
      stats.offlineWindows += 1;
      offline = true;
      await context.setOffline(true);
    } else if (offline && n % 40 === 24) {
      offline = false;
      await context.setOffline(false);
    }
    await fillAndSubmit(page, n);
    if (n % 15 === 7 && !offline) {         // the respondent closes or reloads right after "Tersimpan"
      stats.reloads += 1;
      await page.reload();
    } else {
      await page.evaluate(() => document.querySelector('ikm-survey').shadowRoot.querySelector('.ikm-done a.ikm-button').click());
    }
    await formReady(page);
  }
  const submittedIn = (Date.now() - started) / 1000;

  // The network heals and the browser comes back online: the outbox must drain by itself.
  faults = false;
  await context.setOffline(true);
  await context.setOffline(false);
  const leftOnDevice = () => tabs[0].evaluate(outboxCount);
  let stored = [];
  let left = SUBMISSIONS;
  // Entries whose answers were lost are stored already; they leave the device at their next
  // attempt (a 200 replay), after any lease of a request that was in flight (30 s at most).
  for (let i = 0; i < 240 && (stored.length < SUBMISSIONS || left > 0); i++) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await rows();
    left = await leftOnDevice();
  }
  await new Promise((r) => setTimeout(r, 2000)); // late duplicates would show up now
  stored = await rows();
  left = await leftOnDevice();
  const seconds = (Date.now() - started) / 1000;
  console.log(`chaos: ${SUBMISSIONS} submissions from 2 tabs in ${submittedIn.toFixed(1)} s; ${stats.posts} POSTs seen by the proxy: ` +
    `${stats.droppedRequest} dropped before the collector, ${stats.droppedAnswer} answers dropped after storing, ` +
    `${stats.serverError} answered 500, ${stats.delayed} delayed, ${stats.replays} replays answered 200; ` +
    `${stats.offlineWindows} offline windows, ${stats.reloads} reloads right after saving; ` +
    `${stored.length} rows (${new Set(stored).size} distinct) after ${seconds.toFixed(1)} s; ${left} left on the device; ` +
    `most attempts of one response in flight at once: ${stats.maxSameIdInFlight}`);
  assert.equal(stored.length, SUBMISSIONS, 'every submission is stored');
  assert.equal(new Set(stored).size, SUBMISSIONS, 'no response is stored twice');
  assert.equal(left, 0, 'the outbox is empty');
  assert.equal(stats.maxSameIdInFlight, 1, 'no response is ever sent twice at the same time');
  assert.ok(stats.droppedAnswer > 0 && stats.droppedRequest > 0 && stats.serverError > 0 && stats.replays > 0, 'every fault happened');
  await context.close();
});
