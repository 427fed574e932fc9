// A small W3C WebDriver client (the standard protocol over HTTP, with Node's fetch) for the
// engines playwright-core cannot drive from Debian's packages: WebKit through WebKitGTK's
// WebKitWebDriver, and Gecko (Debian's firefox-esr) through geckodriver. Only the commands the
// tests use.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { freePort } from './support.mjs';

/** The W3C key for an element reference in a command's answer. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** What each engine needs to start on this machine; `driver` is null when not installed. */
export function engines() {
  const which = (bin) => {
    for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
      try {
        if (statSync(`${dir}/${bin}`).isFile()) return `${dir}/${bin}`;
      } catch { /* not in this directory */ }
    }
    return null;
  };
  const webkit = which('WebKitWebDriver');
  const xvfb = which('xvfb-run');
  const gecko = which('geckodriver');
  const firefox = which('firefox-esr') ?? which('firefox');
  return [
    {
      name: 'WebKit (WebKitGTK)',
      driver: webkit && xvfb ? webkit : null,
      // WebKitGTK draws to a display even in automation: a virtual one from Xvfb.
      command: (port) => [xvfb, ['-a', webkit, `--port=${port}`]],
      capabilities: () => ({ 'webkitgtk:browserOptions': { args: ['--automation'] } }),
    },
    {
      name: 'Gecko (Firefox ESR)',
      driver: gecko && firefox ? gecko : null,
      command: (port) => [gecko, [`--port=${port}`, '--log=error']],
      capabilities: () => ({
        browserName: 'firefox',
        'moz:firefoxOptions': { binary: firefox, args: ['-headless'] },
      }),
    },
  ];
}

/** Starts a driver and waits until it answers `/status`. */
export async function startDriver(engine) {
  const port = await freePort();
  const [bin, args] = engine.command(port);
  const child = spawn(bin, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
    env: { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: '1' },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/status`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    },
  };
}

/** One browser session. */
export class Session {
  static async start(driverUrl, capabilities) {
    const answer = await call(`${driverUrl}/session`, 'POST', { capabilities: { alwaysMatch: capabilities } });
    return new Session(driverUrl, answer.sessionId);
  }

  constructor(driverUrl, id) {
    this.base = `${driverUrl}/session/${id}`;
  }

  go(url) { return call(`${this.base}/url`, 'POST', { url }); }
  title() { return call(`${this.base}/title`, 'GET'); }
  source() { return call(`${this.base}/source`, 'GET'); }

  /** Runs `fn` (a function, or its source) in the page with `args`; its return value. */
  run(fn, ...args) {
    return call(`${this.base}/execute/sync`, 'POST', { script: `return (${fn}).apply(null, arguments)`, args });
  }

  /** Runs an async `fn` in the page and waits for its promise. */
  runAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve((${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
        .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e) }));`;
    return call(`${this.base}/execute/async`, 'POST', { script, args }).then((r) => {
      if (r && r.error) throw new Error(r.error);
      return r?.ok;
    });
  }

  /** Polls `fn` in the page until it returns something truthy. */
  async until(fn, what, timeout = 20000, ...args) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await this.run(fn, ...args).catch(() => null);
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async find(css) {
    const answer = await call(`${this.base}/element`, 'POST', { using: 'css selector', value: css });
    return answer[ELEMENT];
  }

  async click(css) {
    const id = await this.find(css);
    return call(`${this.base}/element/${id}/click`, 'POST', {});
  }

  async type(css, text) {
    const id = await this.find(css);
    return call(`${this.base}/element/${id}/value`, 'POST', { text });
  }

  end() { return call(this.base, 'DELETE').catch(() => null); }
}

async function call(url, method, body) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${answer.value?.error}: ${answer.value?.message}`);
  }
  return answer.value;
}
