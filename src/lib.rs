//! The `<ikm-survey>` widget (placeholder until the widget lands).
