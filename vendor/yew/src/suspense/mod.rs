//! This module provides suspense support.

mod component;
mod hooks;
mod suspension;

#[cfg(any(feature = "csr", feature = "ssr"))]
pub(crate) use component::BaseSuspense;
#[cfg(feature = "extra-nodes")]
pub use component::Suspense;
pub use component::SuspenseProps;
pub use hooks::*;
pub use suspension::{Suspension, SuspensionHandle, SuspensionResult};
