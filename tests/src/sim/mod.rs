//! The scenario simulator: deploys the real contracts into an embedded drink sandbox, replays a
//! scenario block by block with the oracle updated each step and the keeper running every block,
//! checks conservation after every block and records everything (see the README's simulator
//! section and scenarios/).
pub mod cli;
pub mod report;
pub mod run;
pub mod scenario;
pub mod svg;
pub mod world;

#[cfg(test)]
mod tests;
