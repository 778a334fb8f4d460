//! One module per noun; one function per verb.

pub mod account;
pub mod completion;
pub mod key;
pub mod stats;
pub mod status;
