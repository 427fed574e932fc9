// <ikm-survey>: the IKM survey as a custom element. Importing this module registers the
// element; it also exports mount(element, config) -> { destroy() } and takeOver(host).
//
// A form rendered on the server can be on screen before the wasm arrives: the collector's
// own survey page has one ([data-ikm-takeover]), and <ikm-survey prerender="…/api/v1/form">
// fetches one into its shadow root (or a static copy that `ikm form` wrote, for an office
// whose endpoint is not `ikm serve`). Either is taken over by the widget without losing what
// the respondent did meanwhile. No inline script or style is needed.
//
// The widget comes in two builds: the one-page form, and one question per screen
// (`<ikm-survey mode="steps">` or `?mode=steps`), which carries no one-page form. This module
// is the part they share (the element, the routing, prerender, takeover and the stylesheet);
// each build is a content-hashed module of its own (js/ikm-survey-build.js: its wasm-bindgen
// glue with js/platform.js) and a wasm. It routes each survey to the build
// for its mode and loads only the builds the page's surveys use, each build's module and wasm
// side by side: a page that asks only for steps never downloads anything of the other build.
// scripts/bundle.mjs puts the builds' hashed file names in place of IKM_BUILDS and the
// stylesheet's text in place of IKM_CSS_TEXT and IKM_STEPS_CSS_TEXT.

/* global IKM_BUILDS, IKM_CSS_TEXT, IKM_STEPS_CSS_TEXT */
/**
 * Each build's files: `module` (its half of the widget), `wasm`, `stable` (the wasm's stable
 * copy), `css` (its whole stylesheet, for browsers that link it).
 */
const BUILDS = IKM_BUILDS;

/** `text` as a stylesheet to adopt; null where shadow roots cannot adopt one. */
function sheetOf(text) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return 'adoptedStyleSheets' in ShadowRoot.prototype ? sheet : null;
  } catch {
    return null;
  }
}

// The stylesheet travels inside this module (and the few styles only one question per screen
// uses), so a shadow root, a prerendered form's too, is styled the moment it exists, without
// a request or a wait for its build. Browsers without constructable stylesheets (Safari
// before 16.4) link the build's stylesheet file instead.
const BASE = sheetOf(IKM_CSS_TEXT);
const OWN = { form: null, steps: BASE && sheetOf(IKM_STEPS_CSS_TEXT) };

/**
 * `element`'s open shadow root, styled for build `name` (created here if it does not exist
 * yet), and a promise that resolves once a stylesheet it had to link has loaded.
 */
function styledRoot(element, name) {
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  if (BASE) {
    // The other build's own sheet goes (a survey whose mode changed); the page's own stay.
    const sheets = [BASE, OWN[name]].filter(Boolean);
    if (!sheets.every((s) => root.adoptedStyleSheets.includes(s))) {
      root.adoptedStyleSheets = [...root.adoptedStyleSheets.filter((s) => s !== BASE && s !== OWN.steps), ...sheets];
    }
    return [root, Promise.resolve()];
  }
  const href = new URL(BUILDS[name].css, import.meta.url).href;
  if (root.querySelector(`link[rel=stylesheet][href="${CSS.escape(href)}"]`)) return [root, Promise.resolve()];
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  const loaded = new Promise((resolve) => { link.onload = link.onerror = resolve; });
  root.append(link);
  return [root, loaded];
}

/** Takes the loading note out of `root`: something else has its place. */
const stopWaiting = (root) => root.querySelector('[data-ikm-waiting]')?.remove();
const ATTRIBUTES = ['endpoint', 'unit', 'lang', 'service', 'counter', 'config', 'mode'];

/** `form` or `steps`, as the widget reads a mode (`SurveyMode::from_code`); undefined for any other word. */
const modeWord = (word) => ['form', 'steps'].find((mode) => mode === word?.trim().toLowerCase());
const PAGE_MODE = modeWord(new URLSearchParams(location.search).get('mode'));

/** The build that runs a survey of mode `mode`: the page's `?mode=` first (`options::wants_steps`). */
const buildFor = (mode) => ((PAGE_MODE ?? modeWord(mode)) === 'steps' ? 'steps' : 'form');

/** Starts a download now, so that it runs alongside the wasm's instead of after it. */
function preload(href, as) {
  if (document.querySelector(`link[rel=preload][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = as;
  link.href = href;
  if (as === 'fetch') link.crossOrigin = 'anonymous';
  document.head.append(link);
}

/** The element's attributes as mount options. */
function optionsOf(element) {
  const options = {};
  for (const name of ATTRIBUTES) {
    const value = element.getAttribute?.(name) ?? element[name];
    if (value != null && value !== '') options[name] = String(value);
  }
  // A boolean attribute: `<ikm-survey kiosk>` makes this device a shared kiosk tablet.
  if (element.hasAttribute?.('kiosk')) options.kiosk = true;
  return options;
}

/**
 * Shows the server's copy of the form in `element`'s shadow root, styled, as soon as it
 * arrives. The request carries the page's QR-link parameters and the element's attributes;
 * the collector applies the widget's own precedence rules to them.
 */
async function prerender(element, name) {
  const url = new URL(element.getAttribute('prerender'), document.baseURI);
  const page = new URLSearchParams(location.search);
  // Whether the link or the element changes the form: a static copy (`ikm form`, the plain
  // form in the office's own language) is then not what the widget will show.
  let changed = page.get('kode') || page.get('kiosk') || element.hasAttribute('kiosk');
  for (const name of ['layanan', 'loket', 'lang', 'mode']) {
    if (page.get(name)) {
      url.searchParams.set(name, page.get(name));
      changed = true;
    }
  }
  // Only what changes the form, so the URL stays the one a page may preload.
  for (const [attribute, name] of [['service', 'service'], ['counter', 'counter'], ['lang', 'attr-lang'], ['mode', 'attr-mode']]) {
    const value = element.getAttribute(attribute);
    if (value) {
      url.searchParams.set(name, value);
      changed = true;
    }
  }
  // The default credentials mode, so that a <link rel="preload" as="fetch" crossorigin> of
  // the same URL in the page is reused rather than fetched again.
  const response = await fetch(url);
  if (!response.ok) return;
  const template = document.createElement('template');
  template.innerHTML = await response.text();
  if (changed && template.content.querySelector('[data-ikm-static]')) return;
  const [root, linked] = styledRoot(element, name);
  await linked; // never show it unstyled
  if (root.querySelector('.ikm-host, [data-ikm-takeover]')) return; // the widget got there first
  // A send before the widget is in is held, not posted to the office's page, and made by
  // the widget once it has taken over.
  template.content.querySelector('form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    event.currentTarget.closest('[data-ikm-takeover]').dataset.ikmSubmit = '';
  });
  stopWaiting(root);
  root.append(template.content);
}

/**
 * Says that the survey is loading in `element`'s empty shadow root until its build runs, so a
 * slow link never shows an empty box: the widget's own words (`ui::LOADING`), in English
 * where the page's `?lang=` or else the element's `lang` asks for it (the widget may still
 * pick English later from the configuration or the browser).
 */
function waiting(element, name) {
  if (element.shadowRoot?.childElementCount) return;
  const [root] = styledRoot(element, name);
  const note = document.createElement('p');
  note.className = 'ikm-loading';
  note.setAttribute('role', 'status');
  note.dataset.ikmWaiting = '';
  const lang = (new URLSearchParams(location.search).get('lang') ?? element.getAttribute('lang'))?.trim().toLowerCase();
  note.textContent = lang === 'en' ? 'Loading the survey…' : 'Memuat survei…';
  root.append(note);
}

/**
 * Build `name`'s wasm, its download started now: the bytes of the page's own early download
 * of its stable copy (`<link rel="preload" href="…/ikm-survey.wasm" as="fetch" crossorigin>`,
 * or `ikm-survey-steps.wasm` for one question per screen, which a page without a
 * server-rendered form may add so the wasm does not wait for this module) when they are this
 * release's (their SHA-256 matches the hashed name: a deploy may be half done), otherwise the
 * content-hashed file (streaming compilation).
 */
async function wasmSource(name) {
  const { wasm, stable } = BUILDS[name];
  const hashed = new URL(wasm, import.meta.url);
  const copy = new URL(stable, import.meta.url).href;
  const preloaded = [...document.querySelectorAll('link[rel=preload]')].some((link) => link.href === copy);
  if (preloaded && globalThis.crypto?.subtle) {
    try {
      const response = await fetch(copy);
      const bytes = response.ok ? await response.arrayBuffer() : null;
      const digest = bytes && new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const hex = digest && [...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join('');
      if (hex && wasm.endsWith(`.${hex}.wasm`)) return bytes;
    } catch { /* unreachable or not this release's: the hashed file below */ }
  }
  return fetch(hashed);
}

// Each widget's configuration as text, fetched alongside the wasm (reusing the page's
// preload of it) and handed to the widget, whose first render is then the form itself. One
// that has not arrived by the time the wasm has (or failed) the widget fetches and reports
// itself, showing that it is loading meanwhile.
const CONFIGS = new Map();

/** Fetches `href` now; its text lands in CONFIGS if the server answers with success. */
function prefetchConfig(href) {
  fetch(href)
    .then((response) => (response.ok ? response.text() : null))
    .then((text) => { if (text != null) CONFIGS.set(href, text); })
    .catch(() => {});
}

/**
 * Build `name`, running, once: everything the first screen of its surveys needs starts at
 * once (its module, its wasm, each survey's office configuration or server-rendered form;
 * the stylesheet where it must be fetched).
 */
const builds = {};
const running = {};
const tries = {};
const load = (name) => (builds[name] ??= (async () => {
  const source = wasmSource(name);
  // A module that failed to load may be remembered as failed: a retry asks anew.
  const url = new URL(BUILDS[name].module, import.meta.url);
  if (tries[name]) url.search = tries[name];
  const module = import(url.href);
  if (!BASE) preload(new URL(BUILDS[name].css, import.meta.url).href, 'style');
  for (const element of document.querySelectorAll('ikm-survey')) {
    if (buildFor(element.getAttribute('mode')) !== name) continue;
    if (element.hasAttribute('prerender')) prerender(element, name).catch(() => {});
    else if (element.hasAttribute('config')) prefetchConfig(new URL(element.getAttribute('config'), document.baseURI).href);
  }
  const loaded = await module;
  await loaded.init({ module_or_path: await source });
  return (running[name] = loaded);
})().catch((error) => {
  delete builds[name]; // a later survey tries again
  tries[name] = (tries[name] ?? 0) + 1;
  throw error;
}));

/**
 * Says in `element`'s shadow root, above whatever it shows (a prerendered form keeps its
 * answers), that the survey could not load, in both languages (the texts are in the wasm),
 * with a button that tries again; so does the connection's return. Tells the page too
 * (`ikm-error`, code `load`). Returns the notice.
 */
function unavailable(element, name, retry) {
  const [root] = styledRoot(element, name);
  stopWaiting(root);
  const notice = document.createElement('div');
  notice.className = 'ikm-notice';
  notice.setAttribute('role', 'alert');
  notice.innerHTML = '<p class="ikm-notice-title">Survei tidak dapat dimuat</p><p>Periksa koneksi Anda, lalu coba lagi.</p>'
    + '<p lang="en">The survey could not be loaded. Check your connection, then try again.</p>'
    + '<button type="button" class="ikm-button">Coba lagi <span lang="en">(Try again)</span></button>';
  const button = notice.querySelector('button');
  const again = () => {
    removeEventListener('online', again);
    button.disabled = true;
    retry();
  };
  button.onclick = again;
  addEventListener('online', again);
  root.prepend(notice);
  element.dispatchEvent(new CustomEvent('ikm-error', { bubbles: true, composed: true, detail: { code: 'load' } }));
  return { remove() { removeEventListener('online', again); notice.remove(); } };
}

/**
 * Runs a survey of mode `mode` in the build for it (`run(module, name)`): at once if that build
 * is running, otherwise as soon as it is (a survey added or changed after the page loaded
 * may need the other one); a handle either way. If the build cannot load, `element` (when
 * given) says so until a retry brings it in.
 */
function routed(mode, run, element) {
  const name = buildFor(mode);
  if (running[name]) return run(running[name], name);
  let handle;
  let gone;
  let notice;
  const attempt = () => load(name).then((module) => {
    notice?.remove();
    if (!gone) handle = run(module, name);
  }, () => {
    notice?.remove();
    if (!gone && element) notice = unavailable(element, name, attempt);
  });
  if (element) waiting(element, name);
  attempt();
  return { destroy() { gone = 1; notice?.remove(); handle?.destroy(); } };
}

/** Renders the survey into element's open shadow root; config holds the attribute values. */
export function mount(element, config = {}) {
  return routed(optionsOf(config).mode, (module, name) => mountIn(module, name, element, config), element);
}

/** Mounts with build `name`'s module, which is running. */
function mountIn(module, name, element, config) {
  const [root] = styledRoot(element, name);
  stopWaiting(root);
  const options = optionsOf(config);
  const configJson = options.config && CONFIGS.get(new URL(options.config, document.baseURI).href);
  const handle = module.mount(element, configJson ? { ...options, configJson } : options);
  return {
    destroy() {
      handle.destroy();
      root.querySelector('link[rel=stylesheet]')?.remove();
    },
  };
}

/** Lets the widget's scheduled renders run (they follow in microtasks and a frame). */
const settle = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

/** Puts `control`'s value into the widget's control of the same name, as a user would. */
function replay(into, control) {
  const named = `[name="${CSS.escape(control.name)}"]`;
  // Events by hand: a click on a control that is not in the page yet does nothing.
  if (control.type === 'radio') {
    const target = control.checked && into.querySelector(`${named}[value="${CSS.escape(control.value)}"]`);
    if (!target) return;
    target.checked = true;
    target.dispatchEvent(new Event('change', { bubbles: true }));
    return;
  }
  const target = into.querySelector(named);
  if (!target || target.type === 'hidden' || target.value === control.value) return;
  target.value = control.value;
  target.dispatchEvent(new Event(target.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
}

/** A selector that finds the focused control again in the widget's own copy of the form. */
function focusSelector(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.name) return `[name="${CSS.escape(element.name)}"][value="${CSS.escape(element.value)}"]`;
  return null;
}

/**
 * Replaces a server-rendered survey (`host`, in the page or in a shadow root) with the live
 * widget, losing nothing: the widget renders off-page for the same response, what the
 * respondent did meanwhile is replayed into it (choices first, then the text that some
 * choices reveal), and it takes the form's place in one step, with focus, caret and scroll
 * where the respondent left them. `config` holds the element's attributes, if any.
 */
export function takeOver(host, config = {}) {
  return routed(optionsOf(config).mode ?? host.dataset.mode, (module) => takeOverIn(module, host, config));
}

/** Takes over with a build's module, which is running. */
function takeOverIn(module, host, config) {
  const form = host.querySelector('form');
  const configJson = host.dataset.config ?? document.getElementById(host.dataset.configId ?? '')?.textContent;
  const options = { endpoint: host.dataset.endpoint, unit: host.dataset.unit, mode: host.dataset.mode, ...optionsOf(config), configJson };
  const container = host.cloneNode(false);
  delete container.dataset.ikmTakeover;
  delete container.dataset.config;
  const id = form?.elements.namedItem('id')?.value ?? '';
  const root = host.getRootNode();
  const handle = module.takeOver(container, options, id, async () => {
    const controls = form ? [...form.elements].filter((c) => c.name) : [];
    for (const c of controls) if (c.type === 'radio' || c.tagName === 'SELECT') replay(container, c);
    await settle();
    for (const c of controls) if (c.type !== 'radio' && c.tagName !== 'SELECT') replay(container, c);
    await settle();
    const active = root.activeElement;
    const selector = active && host.contains(active) ? focusSelector(active) : null;
    const caret = active?.selectionStart != null ? [active.selectionStart, active.selectionEnd] : null;
    host.replaceWith(container);
    const again = selector && container.querySelector(selector);
    if (again) {
      again.focus({ preventScroll: true });
      if (caret) again.setSelectionRange?.(caret[0], caret[1]);
    }
    if ('ikmSubmit' in host.dataset) container.querySelector('button[type=submit]')?.click();
  });
  return { destroy() { handle.destroy(); container.remove(); } };
}

class IkmSurvey extends HTMLElement {
  static get observedAttributes() { return ATTRIBUTES; }

  #handle = null;

  connectedCallback() { this.#render(); }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
  }

  attributeChangedCallback(_name, before, after) {
    if (this.#handle && before !== after) this.#render();
  }

  #render() {
    this.#handle?.destroy();
    // Decided once the build runs: a prerendered form may arrive in the shadow root meanwhile.
    this.#handle = routed(optionsOf(this).mode, (module, name) => {
      const prerendered = this.shadowRoot?.querySelector('[data-ikm-takeover]');
      return prerendered ? takeOverIn(module, prerendered, this) : mountIn(module, name, this, this);
    }, this);
  }
}

// One copy runs the page: the same module under another name (the stable ikm-survey.js and
// ikm-survey-steps.js, or the hashed file) leaves the element, the takeovers and the worker to it.
const FIRST = !globalThis[Symbol.for('ikm-survey')];
globalThis[Symbol.for('ikm-survey')] = 1;
if (FIRST) {
  // The builds the page's surveys use, their downloads started at once, side by side; a page
  // without a survey yet (one that calls mount() itself) gets the one-page build.
  const names = new Set([...document.querySelectorAll('ikm-survey')].map((element) => buildFor(element.getAttribute('mode')))
    .concat([...document.querySelectorAll('[data-ikm-takeover]')].map((host) => buildFor(host.dataset.mode))));
  for (const name of names.size ? names : ['form']) load(name).catch(() => {});

  if (!customElements.get('ikm-survey')) customElements.define('ikm-survey', IkmSurvey);
  for (const host of document.querySelectorAll('[data-ikm-takeover]')) takeOver(host);

  // The offline service worker: the collector's own page names it (data-sw), an office
  // website with its own copy can too (<ikm-survey sw="/sw.js?page=/survei&files=/ikm/">).
  const worker = document.querySelector('[data-sw]')?.dataset.sw ?? document.querySelector('ikm-survey[sw]')?.getAttribute('sw');
  if (worker && 'serviceWorker' in navigator) navigator.serviceWorker.register(worker).catch(() => {});
}
