//! The unlock socket of a vault started with `serve --master-key-shares K --unlock-socket PATH`,
//! and `cardvault unlock --socket PATH`, which custodians run to give it their shares.
//!
//! The socket is a Unix socket made anew at start-up (a stale one left by a killed vault is
//! replaced, a live one stops start-up) and removed at exit: mode 0600 (only the vault's user or
//! root may connect), or with `--unlock-group GROUP` mode 0660 and that group, so that each
//! custodian connects as their own unix user, a member of the group. Its protocol is lines of
//! text, one exchange at a time:
//!
//! - the vault greets: `locked G K` (G of K shares given; `locked G K expired` when the last set
//!   was dropped for its age) or `unlocked`;
//! - the custodian sends one share's text, and the vault answers `accepted G K` (`accepted G K
//!   restarted` for the first share of a new set after one expired), `unlocked`, `mistyped` (the
//!   custodian may type it again, [`ATTEMPTS`] times in all on one connection), `duplicate`,
//!   `same_custodian`, `wrong_threshold T K`, `wrong_set`, `failed` or `unlocked_already`.
//!
//! A share is read from the terminal without echo (or from standard input when it is not a
//! terminal, for scripts), never from the command line (other users see a process's argv), sent
//! once, and kept only in buffers zeroized on drop, on both sides. Who is at either end is the
//! kernel's word (`SO_PEERCRED`): the custodian's uid goes into the audit entry and the vault
//! takes one share per uid per set; `unlock` gives its share only to a server whose socket only
//! it (or root) could have put at that path, and never to one running as the custodian's own
//! non-root uid: a custodian who can serve the socket as themselves could be relaying it to the
//! vault and keeping the others' shares.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream as StdUnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, oneshot};
use zeroize::Zeroizing;

use crate::keys::master::shares::MAX_TEXT_LEN;
use crate::vault::{BootError, Custodian, UNLOCK_WINDOW, UnlockAnswer, Unlocking, Vault};

use super::args::UnlockArgs;

/// Shares one connection may send while they come back `mistyped`.
const ATTEMPTS: usize = 3;
/// How long the vault waits for a custodian to type a share.
const TYPING_TIMEOUT: Duration = Duration::from_secs(600);
/// How long `unlock` waits for the vault's answer (the last share opens the vault: it reads
/// and unwraps every key).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);
/// Custodians connected at once.
const CONNECTIONS: usize = 16;
/// The longest line either side reads.
const MAX_LINE: usize = MAX_TEXT_LEN + 2;
/// How often the vault looks for a set past its window (to drop its shares from memory even
/// when no custodian comes).
const EXPIRY_CHECK: Duration = Duration::from_secs(5);

/// Removes the socket's file when dropped: at exit, however `serve` ends.
#[derive(Debug)]
pub(super) struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The group of `--unlock-group`: a name from /etc/group, or a numeric gid (a group from a
/// directory service, which /etc/group does not list).
pub(super) fn unlock_group(name: &str) -> Result<rustix::fs::Gid, BootError> {
    if let Ok(gid) = name.parse::<u32>() {
        return Ok(rustix::fs::Gid::from_raw(gid));
    }
    let groups = std::fs::read_to_string("/etc/group")
        .map_err(|e| BootError::Invalid(format!("--unlock-group {name}: /etc/group: {e}")))?;
    groups
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let group = fields.next()?;
            let gid = fields.nth(1)?.parse::<u32>().ok()?;
            (group == name).then_some(gid)
        })
        .next()
        .map(rustix::fs::Gid::from_raw)
        .ok_or_else(|| {
            BootError::Invalid(format!(
                "--unlock-group {name}: no such group in /etc/group (a numeric gid is taken too)"
            ))
        })
}

/// Makes the unlock socket at `path`: mode 0600, or 0660 and owned by `group`.
pub(super) fn bind(
    path: &Path,
    group: Option<rustix::fs::Gid>,
) -> Result<(std::os::unix::net::UnixListener, SocketFile), BootError> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let shown = path.display();
    if group.is_some() {
        // Custodians of the group connect as themselves: none of them may be able to move the
        // socket aside and serve its path instead (`unlock` checks the same before it gives a
        // share; refusing here tells the operator at start-up rather than the custodians).
        trusted_directory(path, rustix::process::geteuid()).map_err(|why| {
            BootError::Invalid(format!(
                "--unlock-socket {shown} with --unlock-group: {why}"
            ))
        })?;
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_socket() {
            return Err(BootError::Invalid(format!(
                "--unlock-socket {shown} exists and is not a socket: remove it or name another path"
            )));
        }
        if StdUnixStream::connect(path).is_ok() {
            return Err(BootError::Invalid(format!(
                "--unlock-socket {shown} is in use by another vault"
            )));
        }
        // Left by a vault that was killed: nobody listens on it.
        std::fs::remove_file(path)
            .map_err(|e| BootError::Invalid(format!("removing the stale {shown}: {e}")))?;
    }
    // Made with no permission for group and others from the start (the umask is the process's,
    // and nothing else of the vault makes files at this point), then set explicitly: the group
    // is given to the socket before its mode lets the group in.
    let previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o177));
    let bound = std::os::unix::net::UnixListener::bind(path);
    rustix::process::umask(previous);
    let listener =
        bound.map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    let file = SocketFile(path.to_owned());
    let mode = match group {
        Some(gid) => {
            rustix::fs::chown(path, None, Some(gid)).map_err(|e| {
                BootError::Invalid(format!(
                    "--unlock-socket {shown}: giving it to group {} ({e}): the vault's user must be a member of --unlock-group",
                    gid.as_raw()
                ))
            })?;
            0o660
        }
        None => 0o600,
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    Ok((listener, file))
}

/// Whether only root or `owner` can have put a file at `path`: its directory (symbolic links
/// resolved) is owned by one of them and writable by neither its group nor others. Else why not.
fn trusted_directory(path: &Path, owner: rustix::process::Uid) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let real = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let meta = std::fs::metadata(&real).map_err(|e| format!("{}: {e}", real.display()))?;
    if meta.uid() != 0 && meta.uid() != owner.as_raw() {
        return Err(format!(
            "its directory {} is owned by uid {}, neither root nor uid {}",
            real.display(),
            meta.uid(),
            owner.as_raw()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "its directory {} is writable by its group or others (mode {:o}): whoever may write there can replace the socket",
            real.display(),
            meta.mode() & 0o7777
        ));
    }
    Ok(())
}

/// Takes custodians' shares on `listener` until the vault exits; the vault they open goes to
/// `opened`, once.
pub(super) async fn serve_socket(
    listener: std::os::unix::net::UnixListener,
    unlocking: Unlocking,
    opened: oneshot::Sender<Vault>,
) {
    let listener = match UnixListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, "the unlock socket");
            return;
        }
    };
    let unlocking = Arc::new(Mutex::new(unlocking));
    {
        // Shares of a set given up leave memory when their window ends, not when (or if) the
        // next custodian comes.
        let unlocking = Arc::clone(&unlocking);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(EXPIRY_CHECK);
            loop {
                every.tick().await;
                // Busy (a K-th share opening the vault): not worth blocking a worker for.
                let mut unlocking = match unlocking.try_lock() {
                    Ok(unlocking) => unlocking,
                    Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                    Err(TryLockError::WouldBlock) => continue,
                };
                if unlocking.is_unlocked() {
                    return;
                }
                unlocking.expire(std::time::Instant::now());
            }
        });
    }
    let opened = Arc::new(Mutex::new(Some(opened)));
    let slots = Arc::new(Semaphore::new(CONNECTIONS));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "accepting on the unlock socket");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            // Dropped: too many custodians connected at once.
            continue;
        };
        let unlocking = Arc::clone(&unlocking);
        let opened = Arc::clone(&opened);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = custodian(stream, unlocking, opened).await {
                tracing::debug!(error = %e, "an unlock connection ended");
            }
        });
    }
}

/// One custodian's connection.
async fn custodian(
    mut stream: UnixStream,
    unlocking: Arc<Mutex<Unlocking>>,
    opened: Arc<Mutex<Option<oneshot::Sender<Vault>>>>,
) -> std::io::Result<()> {
    // A peer the kernel does not name could not be held to one share per set: not served.
    let cred = rustix::net::sockopt::socket_peercred(stream.as_fd())?;
    let who = Some(Custodian {
        uid: cred.uid.as_raw(),
    });
    let greeting = {
        let mut unlocking = unlocking.lock().unwrap_or_else(PoisonError::into_inner);
        if unlocking.is_unlocked() {
            "unlocked\n".to_owned()
        } else {
            unlocking.expire(std::time::Instant::now());
            let (given, threshold) = unlocking.progress();
            let expired = if unlocking.set_expired() {
                " expired"
            } else {
                ""
            };
            format!("locked {given} {threshold}{expired}\n")
        }
    };
    stream.write_all(greeting.as_bytes()).await?;
    for _ in 0..ATTEMPTS {
        let line = match tokio::time::timeout(TYPING_TIMEOUT, read_line_async(&mut stream)).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => return Ok(()),
            Ok(Err(e)) => return Err(e),
            Err(_) => return Ok(()),
        };
        let unlocking = Arc::clone(&unlocking);
        let offered = tokio::task::spawn_blocking(move || {
            let text = core::str::from_utf8(&line).unwrap_or("");
            unlocking
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .offer(text, who)
        })
        .await;
        let answer = match offered {
            Ok((answer, vault)) => {
                if let Some(vault) = vault
                    && let Some(sender) =
                        opened.lock().unwrap_or_else(PoisonError::into_inner).take()
                {
                    let _ = sender.send(vault);
                }
                answer
            }
            Err(e) => {
                tracing::error!(error = %e, "taking a share failed");
                UnlockAnswer::Failed
            }
        };
        stream.write_all(answer_line(answer).as_bytes()).await?;
        if answer != UnlockAnswer::Mistyped {
            break;
        }
    }
    stream.shutdown().await
}

fn answer_line(answer: UnlockAnswer) -> String {
    match answer {
        UnlockAnswer::Accepted {
            given,
            threshold,
            restarted,
        } => format!(
            "accepted {given} {threshold}{}\n",
            if restarted { " restarted" } else { "" }
        ),
        UnlockAnswer::Unlocked => "unlocked\n".into(),
        UnlockAnswer::Mistyped => "mistyped\n".into(),
        UnlockAnswer::Duplicate => "duplicate\n".into(),
        UnlockAnswer::SameCustodian => "same_custodian\n".into(),
        UnlockAnswer::WrongThreshold { share, threshold } => {
            format!("wrong_threshold {share} {threshold}\n")
        }
        UnlockAnswer::WrongSet => "wrong_set\n".into(),
        UnlockAnswer::Failed => "failed\n".into(),
        UnlockAnswer::AlreadyUnlocked => "unlocked_already\n".into(),
    }
}

/// One line (without its newline), at most [`MAX_LINE`] bytes, into a zeroizing buffer; `None`
/// at the end of the stream before any byte. A longer line is cut (and will not parse).
async fn read_line_async(stream: &mut UnixStream) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        if stream.read(&mut *byte).await? == 0 {
            return Ok((!line.is_empty()).then_some(line));
        }
        if byte[0] == b'\n' {
            return Ok(Some(line));
        }
        if line.len() < MAX_LINE {
            line.push(byte[0]);
        }
    }
}

/// `cardvault unlock --socket PATH`.
pub(super) fn unlock(args: &UnlockArgs) -> Result<ExitCode, BootError> {
    let shown = args.socket.display();
    let mut stream = StdUnixStream::connect(&args.socket).map_err(|e| {
        BootError::Invalid(format!(
            "no vault waits for shares on {shown} ({e}): is `cardvault serve --master-key-shares K --unlock-socket {shown}` running, and are you in its --unlock-group?"
        ))
    })?;
    let io = |e: std::io::Error| BootError::Invalid(format!("the unlock socket {shown}: {e}"));
    // Who serves the socket, as the kernel says. Not this custodian's own uid (unless root,
    // for trials): a vault's socket is served by the vault's user, and a custodian who can
    // serve it as themselves can move the vault's aside, listen at its path and relay, keeping
    // every other custodian's share. And only a server that alone (or root) could have put its
    // socket at PATH: a socket someone else made, in a directory others may write to or while
    // the vault is down, would otherwise collect the shares.
    let server = rustix::net::sockopt::socket_peercred(stream.as_fd())
        .map_err(|e| io(e.into()))?
        .uid;
    let me = rustix::process::geteuid();
    if server == me && !me.is_root() {
        return Err(BootError::Invalid(format!(
            "{shown} is served by your own uid ({}), not by the vault's user: whoever serves it as you could be relaying it and keeping the shares; not giving it a share (run the vault as its own user, with --unlock-group for the custodians)",
            me.as_raw()
        )));
    }
    if !server.is_root() {
        use std::os::unix::fs::MetadataExt;
        let owner = std::fs::metadata(&args.socket).map_err(io)?.uid();
        if owner != server.as_raw() {
            return Err(BootError::Invalid(format!(
                "{shown} is owned by uid {owner} but served by uid {}: not giving it a share",
                server.as_raw()
            )));
        }
        let real = std::fs::canonicalize(&args.socket).map_err(io)?;
        trusted_directory(&real, server).map_err(|why| {
            BootError::Invalid(format!(
                "{shown} is served by uid {}, but {why}: not giving it a share",
                server.as_raw()
            ))
        })?;
    }
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(io)?;
    let greeting = read_line_blocking(&mut stream).map_err(io)?;
    let greeting = String::from_utf8_lossy(&greeting).into_owned();
    let mut words = greeting.split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some("unlocked"), _, _) => {
            println!("The vault is unlocked already.");
            return Ok(ExitCode::SUCCESS);
        }
        (Some("locked"), Some(given), Some(threshold)) => {
            if words.next() == Some("expired") {
                println!(
                    "The shares given before were more than {} minutes old and were dropped: the set started over.",
                    UNLOCK_WINDOW.as_secs() / 60
                );
            }
            println!(
                "The vault is locked: it waits for {threshold} master key shares, {given} given so far."
            );
        }
        _ => {
            return Err(BootError::Invalid(format!(
                "{shown} is not a vault's unlock socket"
            )));
        }
    }
    for _ in 0..ATTEMPTS {
        let Some(mut share) = read_share().map_err(io)? else {
            println!("No share given.");
            return Ok(ExitCode::FAILURE);
        };
        share.push(b'\n');
        stream.write_all(&share).map_err(io)?;
        drop(share);
        let answer = read_line_blocking(&mut stream).map_err(io)?;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let mut words = answer.split(' ');
        let (word, a, b) = (words.next(), words.next(), words.next());
        let restarted = words.next() == Some("restarted");
        let minutes = UNLOCK_WINDOW.as_secs() / 60;
        let (message, code) = match (word, a, b) {
            (Some("accepted"), Some(given), Some(threshold)) => (
                format!(
                    "{}Share accepted: {given} of {threshold} given. The vault stays locked until {threshold} are in, within {minutes} minutes of the first.",
                    if restarted {
                        format!("The shares given before were more than {minutes} minutes old and were dropped: the set started over with yours. ")
                    } else {
                        String::new()
                    },
                ),
                ExitCode::SUCCESS,
            ),
            (Some("unlocked"), _, _) => (
                "Share accepted: the vault is unlocked and serving.".to_owned(),
                ExitCode::SUCCESS,
            ),
            (Some("mistyped"), _, _) => {
                println!(
                    "This share is mistyped: it is not one as `master-key split` printed it (its checksum does not match). Nothing was kept; check it and type it again."
                );
                continue;
            }
            (Some("duplicate"), _, _) => (
                "A share with this number was given already: nothing was kept.".to_owned(),
                ExitCode::FAILURE,
            ),
            (Some("same_custodian"), _, _) => (
                "This custodian has already given a share to this set: each share of a set comes from a different custodian (a different user). Nothing was kept.".to_owned(),
                ExitCode::FAILURE,
            ),
            (Some("wrong_threshold"), Some(share), Some(threshold)) => (
                format!("This share is from a split that needs {share} shares; the vault was started with --master-key-shares {threshold}. Nothing was kept."),
                ExitCode::FAILURE,
            ),
            (Some("wrong_set"), _, _) => (
                "These shares do not make the vault's master key: the set is refused as a whole (which share is wrong cannot be told). The vault stays locked; every custodian gives their share again.".to_owned(),
                ExitCode::FAILURE,
            ),
            (Some("failed"), _, _) => (
                "The shares make the vault's key, but the vault could not open (see its log). It stays locked; every custodian gives their share again.".to_owned(),
                ExitCode::FAILURE,
            ),
            (Some("unlocked_already"), _, _) => (
                "The vault is unlocked already: nothing was kept.".to_owned(),
                ExitCode::SUCCESS,
            ),
            _ => (
                "The vault's answer was not understood.".to_owned(),
                ExitCode::FAILURE,
            ),
        };
        println!("{message}");
        return Ok(code);
    }
    Ok(ExitCode::FAILURE)
}

fn read_line_blocking(stream: &mut StdUnixStream) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE));
    let mut byte = [0u8; 1];
    loop {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the vault closed the connection",
            ));
        }
        if byte[0] == b'\n' {
            return Ok(line);
        }
        if line.len() < MAX_LINE {
            line.push(byte[0]);
        }
    }
}

/// Restores the terminal's settings when dropped (echo back on, however reading ends).
struct Echo<'a> {
    fd: std::os::fd::BorrowedFd<'a>,
    saved: rustix::termios::Termios,
}

impl Drop for Echo<'_> {
    fn drop(&mut self) {
        let _ =
            rustix::termios::tcsetattr(self.fd, rustix::termios::OptionalActions::Now, &self.saved);
    }
}

/// One share: typed at a prompt without echo when standard input is a terminal, else its next
/// line (scripts). `None` at the end of input. Read a byte at a time straight from the file
/// descriptor, so that no buffer of the standard library keeps a copy.
fn read_share() -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    use rustix::termios::{LocalModes, OptionalActions, isatty, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let _echo = if isatty(fd) {
        let saved = tcgetattr(fd)?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        // The custodian's Enter still moves to a new line.
        quiet.local_modes.insert(LocalModes::ECHONL);
        tcsetattr(fd, OptionalActions::Flush, &quiet)?;
        let mut tty = std::io::stderr();
        write!(tty, "Share (not shown as you type): ")?;
        tty.flush()?;
        Some(Echo { fd, saved })
    } else {
        None
    };
    let mut line = Zeroizing::new(Vec::with_capacity(MAX_LINE + 1));
    let mut byte = Zeroizing::new([0u8; 1]);
    loop {
        let read = match rustix::io::read(fd, &mut *byte) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        };
        if read == 0 {
            break;
        }
        if byte[0] == b'\n' {
            break;
        }
        if line.len() < MAX_LINE {
            line.push(byte[0]);
        }
    }
    if line.is_empty() {
        return Ok(None);
    }
    // A pasted share may end in a carriage return.
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(line))
}
