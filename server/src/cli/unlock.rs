//! The unlock socket of a vault started with `serve --master-key-shares K --unlock-socket PATH`,
//! and `cardvault unlock --socket PATH`, which custodians run to give it their shares.
//!
//! The socket is a Unix socket made anew at start-up with mode 0600 (the vault's user or root
//! may connect; a stale one left by a killed vault is replaced, a live one stops start-up) and
//! removed at exit. Its protocol is lines of text, one exchange at a time:
//!
//! - the vault greets: `locked G K` (G of K shares given) or `unlocked`;
//! - the custodian sends one share's text, and the vault answers `accepted G K`, `unlocked`,
//!   `mistyped` (the custodian may type it again, [`ATTEMPTS`] times in all on one connection),
//!   `duplicate`, `wrong_threshold T K`, `wrong_set`, `failed` or `unlocked_already`.
//!
//! A share is read from the terminal without echo (or from standard input when it is not a
//! terminal, for scripts), never from the command line (other users see a process's argv), sent
//! once, and kept only in buffers zeroized on drop, on both sides. Who is at either end is the
//! kernel's word (`SO_PEERCRED`): the custodian's uid goes into the audit entry, and `unlock`
//! gives its share only to a server running as root or as the custodian's own user (the vault's:
//! the socket's mode lets no one else connect).

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream as StdUnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, oneshot};
use zeroize::Zeroizing;

use crate::keys::master::shares::MAX_TEXT_LEN;
use crate::vault::{BootError, Custodian, UnlockAnswer, Unlocking, Vault};

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

/// Removes the socket's file when dropped: at exit, however `serve` ends.
#[derive(Debug)]
pub(super) struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Makes the unlock socket at `path`, mode 0600.
pub(super) fn bind(
    path: &Path,
) -> Result<(std::os::unix::net::UnixListener, SocketFile), BootError> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let shown = path.display();
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
    // and nothing else of the vault makes files at this point), then set explicitly.
    let previous = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o177));
    let bound = std::os::unix::net::UnixListener::bind(path);
    rustix::process::umask(previous);
    let listener =
        bound.map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    let file = SocketFile(path.to_owned());
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| BootError::Invalid(format!("--unlock-socket {shown}: {e}")))?;
    Ok((listener, file))
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
    let who = rustix::net::sockopt::socket_peercred(stream.as_fd())
        .ok()
        .map(|cred| Custodian {
            uid: cred.uid.as_raw(),
        });
    let greeting = {
        let unlocking = unlocking.lock().unwrap_or_else(PoisonError::into_inner);
        if unlocking.is_unlocked() {
            "unlocked\n".to_owned()
        } else {
            let (given, threshold) = unlocking.progress();
            format!("locked {given} {threshold}\n")
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
        UnlockAnswer::Accepted { given, threshold } => format!("accepted {given} {threshold}\n"),
        UnlockAnswer::Unlocked => "unlocked\n".into(),
        UnlockAnswer::Mistyped => "mistyped\n".into(),
        UnlockAnswer::Duplicate => "duplicate\n".into(),
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
            "no vault waits for shares on {shown} ({e}): is `cardvault serve --master-key-shares K --unlock-socket {shown}` running, and are you its user?"
        ))
    })?;
    let io = |e: std::io::Error| BootError::Invalid(format!("the unlock socket {shown}: {e}"));
    // Only the vault's user (or root) may connect to its socket (mode 0600), and the share goes
    // only to a server of that user or root: a socket someone else put at PATH (in a directory
    // others may write to, or while the vault is down) would otherwise collect the shares.
    let server = rustix::net::sockopt::socket_peercred(stream.as_fd())
        .map_err(|e| io(e.into()))?
        .uid;
    let me = rustix::process::geteuid();
    if server != me && !server.is_root() {
        return Err(BootError::Invalid(format!(
            "{shown} is served by uid {}, neither root nor you (uid {}): not giving it a share",
            server.as_raw(),
            me.as_raw()
        )));
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
        let (message, code) = match (word, a, b) {
            (Some("accepted"), Some(given), Some(threshold)) => (
                format!("Share accepted: {given} of {threshold} given. The vault stays locked until {threshold} are in."),
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
