//! Reading a store file by offset: the open file is shared by the reading threads without
//! seeking ([`Pread`]), and the pages a pair needs of a column chunk come from one read
//! ([`ReadAhead`]).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::reader::{ChunkReader, Length};

use crate::error::{io, Result};

/// Reads by offset (`pread`), so that the open file is shared by threads without seeking (the
/// pages a pair needs of a column chunk are read in one call: [`ReadAhead`]).
#[derive(Debug, Clone)]
pub(super) struct Pread {
    file: Arc<File>,
    len: u64,
}

impl Pread {
    /// Opens `path` for reading by offset.
    pub(super) fn open(path: &Path) -> Result<Pread> {
        let file = File::open(path).map_err(io(path))?;
        let len = file.metadata().map_err(io(path))?.len();
        Ok(Pread {
            file: Arc::new(file),
            len,
        })
    }
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// A reader from an offset to the end of the file.
pub(super) struct PreadFrom {
    file: Arc<File>,
    pos: u64,
}

impl std::io::Read for PreadFrom {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Length for Pread {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Pread {
    type T = PreadFrom;

    fn get_read(&self, start: u64) -> Result<PreadFrom, ParquetError> {
        Ok(PreadFrom {
            file: self.file.clone(),
            pos: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let mut buf = vec![0u8; length];
        let mut done = 0;
        while done < length {
            let n = read_at(&self.file, &mut buf[done..], start + done as u64)?;
            if n == 0 {
                return Err(ParquetError::EOF(format!(
                    "expected {length} bytes at offset {start}, found {done}"
                )));
            }
            done += n;
        }
        Ok(Bytes::from(buf))
    }
}

/// The pages of a column chunk that a pair needs, read ahead with one `pread` and handed to the
/// page reader as slices (a `pread` and a buffer a page cost a tenth of a heavy pair's time);
/// other reads go to the file.
pub(super) struct ReadAhead {
    /// The file, for reads outside `bytes`.
    pub file: Pread,
    /// The offset of `bytes` in the file.
    pub start: u64,
    /// What was read ahead (possibly nothing).
    pub bytes: Bytes,
}

impl Length for ReadAhead {
    fn len(&self) -> u64 {
        self.file.len
    }
}

impl ChunkReader for ReadAhead {
    type T = PreadFrom;

    fn get_read(&self, start: u64) -> Result<PreadFrom, ParquetError> {
        self.file.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let from = start
            .checked_sub(self.start)
            .and_then(|d| usize::try_from(d).ok());
        match from {
            Some(from)
                if from
                    .checked_add(length)
                    .is_some_and(|end| end <= self.bytes.len()) =>
            {
                Ok(self.bytes.slice(from..from + length))
            }
            _ => self.file.get_bytes(start, length),
        }
    }
}
