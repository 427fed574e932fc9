// <ikm-survey>: the IKM survey as a custom element. Importing this module registers the
// element; it also exports mount(element, config) -> { destroy() }. scripts/bundle.mjs
// bundles it with the wasm-bindgen glue and js/platform.js into one content-hashed module
// and puts the hashed names of the wasm and the stylesheet in place of IKM_WASM / IKM_CSS.
// Needs no inline script or style.
import init, { mount as mountWasm } from './ikm-survey-wasm.js';

/* global IKM_WASM, IKM_CSS */
const STYLESHEET = new URL(IKM_CSS, import.meta.url).href;
const ATTRIBUTES = ['endpoint', 'unit', 'lang', 'service', 'counter', 'config'];

// Streaming compilation starts as soon as this module runs.
await init({ module_or_path: new URL(IKM_WASM, import.meta.url) });

/** Renders the survey into element's open shadow root; config holds the attribute values. */
export function mount(element, config = {}) {
  const options = {};
  for (const name of ATTRIBUTES) {
    if (config[name] != null && config[name] !== '') options[name] = String(config[name]);
  }
  return mountWasm(element, options, STYLESHEET);
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
    const config = {};
    for (const name of ATTRIBUTES) config[name] = this.getAttribute(name);
    this.#handle = mount(this, config);
  }
}

if (!customElements.get('ikm-survey')) customElements.define('ikm-survey', IkmSurvey);
