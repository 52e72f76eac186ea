//! Child processes: every command runs in the workspace root, with the directory
//! that `cargo install` fills on its PATH.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root: the parent of the xtask crate.
pub fn workspace_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// Cargo's target directory (`$CARGO_TARGET_DIR`, else `<root>/target`).
pub fn target_dir() -> PathBuf {
    let root = workspace_root();
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// `path` relative to the workspace root when it is inside it: shorter in messages,
/// and valid as an argument since every child runs in the root.
pub fn relative(path: &Path) -> &Path {
    let root = workspace_root();
    path.strip_prefix(&root).unwrap_or(path)
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, else `~/.cargo/bin`.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    match env::var_os("CARGO_HOME") {
        Some(home) => Some(PathBuf::from(home).join("bin")),
        None => env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin")),
    }
}

/// Our PATH, with the cargo bin dir put first when it is not on it already.
fn search_path() -> OsString {
    let path = env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = env::split_paths(&path).collect();
    if let Some(bin) = cargo_bin_dir()
        && !dirs.contains(&bin)
    {
        dirs.insert(0, bin);
    }
    env::join_paths(dirs).unwrap_or(path)
}

/// The first `name` on the child PATH.
pub fn find_program(name: &str) -> Option<PathBuf> {
    env::split_paths(&search_path())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A command that runs in the workspace root with the child PATH.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(workspace_root()).env("PATH", search_path());
    cmd
}

/// The cargo that runs us (cargo sets `$CARGO` for `cargo run`). The server's build script
/// embeds the field from `CARDVAULT_FIELD_DIR`, which [`crate::build`] fills.
pub fn cargo() -> Command {
    let mut cmd = command(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.env("CARDVAULT_FIELD_DIR", target_dir().join("field"));
    cmd
}

/// Prints `==> <command line>`, then runs the command with inherited stdio.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let line = describe(cmd);
    println!("==> {line}");
    let status = cmd
        .status()
        .map_err(|err| format!("cannot start `{line}`: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// Runs the command quietly and returns its stdout; an error if it cannot start or fails.
pub fn stdout_of(cmd: &mut Command) -> Result<String, String> {
    let line = describe(cmd);
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|err| format!("cannot start `{line}`: {err}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "`{line}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The command as a shell line: the variables we set (PATH aside), the program's
/// file name, and the arguments.
fn describe(cmd: &Command) -> String {
    let vars = cmd
        .get_envs()
        .filter(|(key, _)| *key != "PATH")
        .filter_map(|(key, value)| Some(format!("{}={}", key.display(), value?.display())));
    let program = Path::new(cmd.get_program());
    let program = program.file_name().unwrap_or(program.as_os_str()).display();
    let args = cmd.get_args().map(|arg| arg.display().to_string());
    vars.chain([program.to_string()])
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_shows_vars_program_name_and_args() {
        let mut cmd = command("/usr/bin/cargo");
        cmd.env("RUNNER", "x").args(["test", "-p", "cardvault"]);
        assert_eq!(describe(&cmd), "RUNNER=x cargo test -p cardvault");
    }
}
