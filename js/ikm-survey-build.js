// One build of the widget (the one-page form, or one question per screen), which
// js/ikm-survey.js imports for the surveys of its mode: the wasm-bindgen glue with
// js/platform.js, and the build's stylesheet as text (IKM_CSS_TEXT, put in place by
// scripts/bundle.mjs) so a shadow root is styled without a request.
export { default as init, mount, takeOver } from './ikm-survey-wasm.js';

/* global IKM_CSS_TEXT */
export const CSS_TEXT = IKM_CSS_TEXT;
