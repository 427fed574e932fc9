// One build of the widget (the one-page form, or one question per screen), which
// js/ikm-survey.js imports for the surveys of its mode: the wasm-bindgen glue with
// js/platform.js.
export { default as init, mount, takeOver } from './ikm-survey-wasm.js';
