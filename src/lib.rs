//! The `<ikm-survey>` widget: the official IKM questionnaire as an embeddable Yew component.
//!
//! Pure and tested natively: `state` (the form's reducer: intents in, state and effects out)
//! and `options` (what the page and attributes decide). The view (`components`) compiles on
//! every target: the browser runs it, and the collector renders its hosted survey page with
//! it (`render`, feature `ssr`). Compiled for wasm32 only, because they touch the browser:
//! the component that runs effects (`components::app`), `outbox_driver` (the device's outbox
//! and its delivery), `browser` (fetch, events, query string, clock and randomness) and
//! `mount` (the JS-facing API).

pub mod components;
pub mod kiosk;
pub mod options;
#[cfg(feature = "ssr")]
pub mod render;
pub mod state;
#[cfg(feature = "steps")]
pub mod steps;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub mod mount;
#[cfg(target_arch = "wasm32")]
pub mod outbox_driver;

/// Talc instead of Rust's default dlmalloc: smaller in the wasm, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
