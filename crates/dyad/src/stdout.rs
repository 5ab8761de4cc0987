//! Standard output that notices when its reader has gone.
//!
//! `dyad export | head` closes the pipe after a few lines; the next write fails with EPIPE
//! (Rust ignores SIGPIPE, so the process is not killed). That is the reader's choice, not a
//! failure of dyad, so the command should stop quietly and exit 0 as `cat` does in a pipe.
//! Errors travel through csv, serde_json, anyhow and the commands' own types, which do not all
//! keep the `io::Error`, so the writer itself records that the pipe closed and `main` asks it.

use std::io::{self, StdoutLock, Write};

/// Standard output, locked once, remembering a closed pipe.
pub struct Stdout {
    inner: StdoutLock<'static>,
    closed: bool,
}

impl Stdout {
    /// Locks standard output for the life of the command.
    pub fn lock() -> Stdout {
        Stdout {
            inner: io::stdout().lock(),
            closed: false,
        }
    }

    /// Whether a write or flush failed because the reader closed the pipe.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            if e.kind() == io::ErrorKind::BrokenPipe {
                self.closed = true;
            }
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
    }
}
