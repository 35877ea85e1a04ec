//! The scenario simulator: deploys the real contracts into an embedded drink sandbox, replays a
//! scenario block by block with the oracle updated each step and the keeper running every block.
//!
//! Skeleton: see the README's simulator section.
pub mod cli;
