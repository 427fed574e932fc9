// What the proof of work (docs/review.md) costs a respondent: the time from tapping Kirim to
// the thank-you screen on the collector's hosted survey, with the proof of work on (the
// default difficulty, max_number 20000) and off, on the phone profile of bench/load (CPU
// slowed ×4; then also slow 4G: 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up). The survey
// is answered unthrottled; the throttling starts just before the tap. Runs alternate between
// the two collectors; medians printed. The difference is what the proof adds: solving (about
// max_number / 2 SHA-256 hashes in batches through crypto.subtle) plus the one extra round
// trip of its 428 reply.
//
// Usage: node bench/proof.mjs   (make bench builds the release server and dist/ first)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerEverything, freePort, launchChromium, ROOT } from '../tests/e2e/support.mjs';

const RUNS = Number(process.env.IKM_BENCH_RUNS || 7);
const SERVER = process.env.IKM_BENCH_SERVER || join(ROOT, 'target/release/ikm');
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function collector(proof) {
  const dir = mkdtempSync(join(tmpdir(), 'ikm-bench-proof-'));
  const office = JSON.parse(readFileSync(join(ROOT, 'examples/office.json'), 'utf8'));
  if (proof) office.proof_of_work = { enabled: true };
  writeFileSync(join(dir, 'office.json'), JSON.stringify(office));
  const port = await freePort();
  const child = spawn(SERVER, ['serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite://${dir}/ikm.db`,
    '--config', join(dir, 'office.json'), '--dist', join(ROOT, 'dist'), '--rate-limit', '0'],
  { env: { ...process.env, IKM_ADMIN_TOKEN: 'bench-token-0123456789' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    await sleep(100);
  }
  return { base, stop: () => { child.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Milliseconds from the tap on Kirim to the thank-you screen, and the statuses of the sends. */
async function send(browser, base, network) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const statuses = [];
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/responses')) statuses.push(r.status()); });
  await page.goto(`${base}/?layanan=paspor-baru&loket=loket-1`);
  await page.locator('#ikm-survey:not([data-ikm-takeover])').waitFor();
  await answerEverything(page, '#ikm-survey', { score: 4 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  if (network) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  }
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const root = document.querySelector('#ikm-survey');
    const start = performance.now();
    const seen = new MutationObserver(() => {
      if (root.querySelector('.ikm-done[data-state=sent]')) { seen.disconnect(); resolve(performance.now() - start); }
    });
    seen.observe(root, { childList: true, subtree: true, attributes: true });
    root.querySelector('.ikm-submit').click();
  }));
  await context.close();
  return { ms, statuses };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main() {
  const on = await collector(true);
  const off = await collector(false);
  const browser = await launchChromium();
  try {
    for (const network of [false, true]) {
      const times = { on: [], off: [] };
      for (let i = 0; i < RUNS; i++) {
        for (const [name, c] of [['on', on], ['off', off]]) {
          const { ms, statuses } = await send(browser, c.base, network);
          const expected = name === 'on' ? '428,201' : '201';
          if (statuses.join() !== expected) throw new Error(`proof ${name}: sends answered ${statuses}, expected ${expected}`);
          times[name].push(ms);
        }
      }
      const [withProof, without] = [median(times.on), median(times.off)];
      const profile = network ? 'CPU ÷4, slow 4G' : 'CPU ÷4';
      const slowest = Math.max(...times.on);
      console.log(`proof of work (${profile}, ${RUNS} runs): tap to thank-you ${withProof.toFixed(0)} ms with it (slowest ${slowest.toFixed(0)}), ${without.toFixed(0)} ms without: it adds ${(withProof - without).toFixed(0)} ms (median)`);
    }
  } finally {
    await browser.close();
    on.stop();
    off.stop();
  }
}

await main();
