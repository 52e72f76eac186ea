//! What the operating system may see of the vault's process.
//!
//! The vault's memory holds the master key, the unwrapped data and transport keys, and for the
//! length of a request a card's number, CVC and name. A core dump (or another process of the same
//! user attaching with ptrace, or reading `/proc/PID/mem`) would copy them to wherever dumps go.
//! So before anything else the process makes itself non-dumpable (`PR_SET_DUMPABLE` 0, which also
//! closes ptrace and `/proc/PID/mem` to non-root processes of the same user) and sets its core limit
//! to 0, soft and hard, so that not even a `suid_dumpable=2` kernel setting writes one.
//!
//! It also raises its open-file limit to the hard limit: each connection is a descriptor, and
//! the listener's connection cap ([`crate::http::listener`]) is sized from what is granted.

use rustix::process::{
    DumpableBehavior, Resource, Rlimit, getrlimit, set_dumpable_behavior, setrlimit,
};

/// What [`harden`] could not do; start-up stops on it.
#[derive(Debug)]
pub struct HardenError(&'static str, rustix::io::Errno);

impl std::fmt::Display for HardenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0, self.1)
    }
}

/// Makes the process non-dumpable with no core limit, and raises its descriptor limit. Returns
/// the descriptor limit now in force.
pub fn harden() -> Result<u64, HardenError> {
    set_dumpable_behavior(DumpableBehavior::NotDumpable)
        .map_err(|e| HardenError("cannot make the process non-dumpable", e))?;
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(|e| HardenError("cannot set the core size limit to 0", e))?;
    Ok(raise_open_files())
}

/// Raises the soft descriptor limit to the hard one; `None` (unlimited) is capped where the
/// kernel would refuse it anyway. Failing to raise is not fatal: the limit stays as it was.
fn raise_open_files() -> u64 {
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    let Some(hard) = limit.maximum else {
        return current;
    };
    if hard <= current {
        return current;
    }
    match setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(hard),
            maximum: Some(hard),
        },
    ) {
        Ok(()) => hard,
        Err(_) => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hardened_process_is_not_dumpable_and_has_no_core_limit() {
        let limit = harden().expect("harden");
        assert_eq!(
            rustix::process::dumpable_behavior().expect("dumpable"),
            DumpableBehavior::NotDumpable
        );
        let core = getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
        assert_eq!(Some(limit), getrlimit(Resource::Nofile).current);
    }
}
