// <ikm-survey>: the IKM survey as a custom element. Importing this module registers the
// element; it loads its wasm and stylesheet relative to its own URL, needs no inline
// script or style, and also exports mount(element, config) -> { destroy() }.
import init, { mount as mountWasm } from './ikm-survey-wasm.js';

await init({ module_or_path: new URL('ikm-survey-wasm_bg.wasm', import.meta.url) });

const STYLESHEET = new URL('ikm-survey.css', import.meta.url).href;
const ATTRIBUTES = ['endpoint', 'unit', 'lang', 'service', 'counter', 'config'];

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
