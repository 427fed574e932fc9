// Shared by the end-to-end tests: a real `ikm serve` on a free loopback port with a fresh
// SQLite database, and Debian's Chromium (never a downloaded browser).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the collector (debug build, examples/office.json, dist/) and waits until it answers. */
export async function startCollector(token, extraArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ikm-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(join(ROOT, 'target/debug/ikm'), [
    'serve', '--addr', `127.0.0.1:${port}`, '--db', `sqlite://${dataDir}/ikm.db`,
    '--config', join(ROOT, 'examples/office.json'), '--dist', join(ROOT, 'dist'), ...extraArgs,
  ], { env: { ...process.env, IKM_ADMIN_TOKEN: token }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    stop() {
      server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium with the flags this closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const ELEMENT_KEYS = ['persyaratan', 'prosedur', 'waktu', 'biaya', 'produk', 'kompetensi', 'perilaku', 'sarana', 'pengaduan'];

/**
 * Fills the widget inside `host` through the DOM (clicks and input events, as taps would) and
 * presses Kirim. `answers`: { gender: 1|2, age, education, occupation: 1..6, scores: [9 × 1..4] }
 * (radio positions as on the form).
 */
export async function fillAndSend(page, host, answers) {
  await page.evaluate(async ({ host, answers, keys }) => {
    const root = document.querySelector(host).shadowRoot;
    const set = (sel, value, event) => {
      const el = root.querySelector(sel);
      el.value = value;
      el.dispatchEvent(new Event(event, { bubbles: true }));
    };
    root.querySelector(`input[name=ikm-respondent-gender][value='${answers.gender}']`).click();
    set('#ikm-respondent-age', String(answers.age), 'input');
    set('#ikm-respondent-education', answers.education, 'change');
    root.querySelector(`input[name=ikm-respondent-occupation][value='${answers.occupation}']`).click();
    keys.forEach((k, i) => root.querySelector(`input[name=ikm-answers-${k}][value='${answers.scores[i]}']`).click());
    await new Promise((r) => requestAnimationFrame(() => r()));
    root.querySelector('button[type=submit]').click();
  }, { host, answers, keys: ELEMENT_KEYS });
}
