//! kd-dba: the [DBA] role for AI coding assistants.
//!
//! One engine, three front doors (MCP server, CLI, assistant hook). Every capability is a plain
//! function from a typed request to a typed report; see ARCHITECTURE.md for the map.

#![recursion_limit = "256"]

pub mod advise;
pub mod backup;
pub mod catalog;
pub mod cli;
pub mod design;
pub mod erd;
pub mod error;
pub mod explain;
pub mod findings;
pub mod hook;
pub mod input;
pub mod inspect;
pub mod limits;
pub mod mcp;
pub mod migrate;
pub mod optimize;
pub mod query;
pub mod render;
pub mod review;
pub mod role;
pub mod rules;
pub mod sql;
pub mod tune;
pub mod units;
