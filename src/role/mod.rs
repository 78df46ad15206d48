//! The [DBA] role: its card, the router that decides when it switches on, and handoffs to the
//! roles it works with.

pub mod card;
pub mod handoff;
pub mod router;

pub use card::CARD;
pub use handoff::{HandoffReport, HandoffRequest, handoff};
pub use router::{RouteDecision, RouteRequest, route};
