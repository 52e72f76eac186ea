//! Progress of a long operator command: a bar on a terminal (`indicatif`), plain lines on
//! anything else (a log, a CI job), at most one every few seconds.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::vault::Progress;

/// How often plain progress lines come, at most.
const LINE_EVERY: Duration = Duration::from_secs(5);

/// Reports on standard error.
pub(super) enum Reporter {
    Bar(Mutex<Option<ProgressBar>>),
    Lines(Mutex<Lines>),
}

pub(super) struct Lines {
    name: String,
    total: u64,
    done: u64,
    printed: Instant,
}

impl Reporter {
    /// A bar if standard error is a terminal, else lines.
    pub(super) fn new() -> Reporter {
        if std::io::stderr().is_terminal() {
            Reporter::Bar(Mutex::new(None))
        } else {
            Reporter::Lines(Mutex::new(Lines {
                name: String::new(),
                total: 0,
                done: 0,
                printed: Instant::now(),
            }))
        }
    }

    /// Ends the current phase.
    pub(super) fn finish(&self) {
        match self {
            Reporter::Bar(bar) => {
                if let Some(bar) = bar.lock().ok().and_then(|mut b| b.take()) {
                    bar.finish();
                }
            }
            Reporter::Lines(lines) => {
                if let Ok(mut l) = lines.lock()
                    && l.total > 0
                {
                    eprintln!("{}: {}/{} done", l.name, l.done, l.total);
                    l.total = 0;
                }
            }
        }
    }
}

impl Reporter {
    /// What the current phase is called from now on (a bar's message, the lines' name).
    pub(super) fn rename(&self, name: &str) {
        match self {
            Reporter::Bar(bar) => {
                if let Some(bar) = bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
                    bar.set_message(name.to_owned());
                }
            }
            Reporter::Lines(lines) => {
                if let Ok(mut l) = lines.lock() {
                    name.clone_into(&mut l.name);
                }
            }
        }
    }
}

impl Progress for Reporter {
    fn phase(&self, name: &str, total: u64) {
        self.finish();
        match self {
            Reporter::Bar(bar) => {
                let new = ProgressBar::new(total).with_message(name.to_owned());
                if let Ok(style) =
                    ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
                {
                    new.set_style(style.progress_chars("=> "));
                }
                if let Ok(mut b) = bar.lock() {
                    *b = Some(new);
                }
            }
            Reporter::Lines(lines) => {
                eprintln!("{name}: {total} to do");
                if let Ok(mut l) = lines.lock() {
                    *l = Lines {
                        name: name.to_owned(),
                        total,
                        done: 0,
                        printed: Instant::now(),
                    };
                }
            }
        }
    }

    fn advance(&self, done: u64) {
        match self {
            Reporter::Bar(bar) => {
                if let Some(bar) = bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
                    bar.inc(done);
                }
            }
            Reporter::Lines(lines) => {
                if let Ok(mut l) = lines.lock() {
                    l.done += done;
                    if l.printed.elapsed() >= LINE_EVERY {
                        eprintln!("{}: {}/{}", l.name, l.done, l.total);
                        l.printed = Instant::now();
                    }
                }
            }
        }
    }

    fn note(&self, text: &str) {
        match self {
            Reporter::Bar(bar) => match bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
                Some(bar) => bar.println(text),
                None => eprintln!("{text}"),
            },
            Reporter::Lines(_) => eprintln!("{text}"),
        }
    }
}
