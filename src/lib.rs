//! The `<ikm-survey>` widget: the official IKM questionnaire as an embeddable Yew component.
//!
//! `state` is the pure form reducer (tested natively); everything touching the browser is
//! compiled for wasm32 only: `mount` (the JS-facing API), `components` (the view) and
//! `browser` (fetch, events, query string, clock and randomness at the edges).

pub mod state;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod delivery;
#[cfg(target_arch = "wasm32")]
pub mod mount;

/// Talc instead of Rust's default dlmalloc: smaller in the wasm, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
