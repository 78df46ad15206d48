//! Typed errors of the engine. The front doors (MCP, CLI, hook) turn them into messages that say
//! what was wrong and what to send instead; nothing here panics on user input.

use thiserror::Error;

/// Every failure a request can end in. Messages are complete sentences meant for the person or
/// assistant who sent the request.
#[derive(Debug, Error)]
pub enum KdError {
    /// A configured input limit was exceeded. `option` names the knob that raises it.
    #[error("input exceeds the {limit} limit ({actual} > {max}); {hint}")]
    Limit {
        limit: &'static str,
        actual: u64,
        max: u64,
        hint: String,
    },
    /// The request itself is malformed (wrong shape, unknown option value ...).
    #[error("{0}")]
    Invalid(String),
    /// Input could not be read (file missing, not UTF-8 ...).
    #[error("{0}")]
    Input(String),
    /// A template failed to render (a broken user override, usually).
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    /// Something that is not the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl KdError {
    pub fn invalid(msg: impl Into<String>) -> Self {
        KdError::Invalid(msg.into())
    }
    pub fn input(msg: impl Into<String>) -> Self {
        KdError::Input(msg.into())
    }
}

pub type Result<T, E = KdError> = std::result::Result<T, E>;
