//! Files of a release, whether in a folder or in a zip archive.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{io, Result, TradeError};

/// A folder or a zip archive holding the files of one release.
#[derive(Debug, Clone)]
pub enum Container {
    /// A folder on disk.
    Dir(PathBuf),
    /// A zip archive on disk.
    Zip(PathBuf),
}

impl Container {
    /// The names of the files inside: file names for a folder, member paths for a zip (which
    /// may sit in a sub-folder of the archive).
    pub fn names(&self) -> Result<Vec<String>> {
        match self {
            Container::Dir(dir) => {
                let mut out = Vec::new();
                for entry in std::fs::read_dir(dir).map_err(io(dir))? {
                    let entry = entry.map_err(io(dir))?;
                    if entry.file_type().map_err(io(dir))?.is_file() {
                        out.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                out.sort();
                Ok(out)
            }
            Container::Zip(path) => {
                let archive = open_zip(path)?;
                let mut out = Vec::new();
                for name in archive.file_names() {
                    let name = name.map_err(|e| {
                        TradeError::Other(format!(
                            "{}: unreadable member name: {e}",
                            path.display()
                        ))
                    })?;
                    if !name.ends_with('/') {
                        out.push(name.into_owned());
                    }
                }
                out.sort();
                Ok(out)
            }
        }
    }

    /// How a member is named in messages: `dir/name` or `archive.zip:name`.
    pub fn label(&self, name: &str) -> String {
        match self {
            Container::Dir(dir) => dir.join(name).display().to_string(),
            Container::Zip(path) => format!("{}:{name}", path.display()),
        }
    }

    /// Calls `f` with a reader over one member.
    pub fn read<T>(&self, name: &str, f: impl FnOnce(&mut dyn Read) -> Result<T>) -> Result<T> {
        match self {
            Container::Dir(dir) => {
                let path = dir.join(name);
                let file = File::open(&path).map_err(io(&path))?;
                f(&mut BufReader::with_capacity(1 << 20, file))
            }
            Container::Zip(path) => {
                let mut archive = open_zip(path)?;
                let mut member = archive
                    .by_name(name)
                    .map_err(|e| TradeError::Other(format!("{}: {name}: {e}", path.display())))?;
                f(&mut member)
            }
        }
    }

    /// The whole of one member.
    pub fn read_all(&self, name: &str) -> Result<Vec<u8>> {
        let label = self.label(name);
        self.read(name, |r| {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes).map_err(io(label))?;
            Ok(bytes)
        })
    }

    /// The size of one member once uncompressed, for progress.
    pub fn size(&self, name: &str) -> Result<u64> {
        match self {
            Container::Dir(dir) => {
                let path = dir.join(name);
                Ok(std::fs::metadata(&path).map_err(io(&path))?.len())
            }
            Container::Zip(path) => {
                let mut archive = open_zip(path)?;
                let member = archive
                    .by_name(name)
                    .map_err(|e| TradeError::Other(format!("{}: {name}: {e}", path.display())))?;
                Ok(member.size())
            }
        }
    }
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<BufReader<File>>> {
    let file = File::open(path).map_err(io(path))?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        TradeError::Other(format!(
            "{}: not a readable zip archive: {e}",
            path.display()
        ))
    })
}
