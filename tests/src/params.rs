//! The example deployment parameters: the keeper crate's (`deltamargin_keeper::params`), which
//! the drill deploys with, re-exported for the sandbox suite and the simulator.

pub use deltamargin_keeper::params::*;
