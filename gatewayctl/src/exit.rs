//! Exit codes scripts can branch on.
//!
//! | code | meaning |
//! |---|---|
//! | 0  | success |
//! | 1  | the daemon refused or failed the request |
//! | 2  | usage: bad flags or arguments (also clap's own) |
//! | 3  | not found |
//! | 4  | conflict or precondition (already exists) |
//! | 5  | `audit verify`: the audit chain or a signature does not check out |
//! | 69 | gatewayd unreachable (not running, wrong socket) |
//! | 74 | the daemon's disk is full: nothing was changed |
//! | 75 | timed out waiting for gatewayd |
//! | 77 | this user may not open the control socket (permissions) |

pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const CONFLICT: u8 = 4;
pub const TAMPERED: u8 = 5;
pub const UNAVAILABLE: u8 = 69;
pub const NO_PERMISSION: u8 = 77;
pub const DISK_FULL: u8 = 74;
pub const TIMEOUT: u8 = 75;
