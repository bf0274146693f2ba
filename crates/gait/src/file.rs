//! Any motion file this crate reads, recognised by its first bytes rather than its name: an
//! Axivity CWA file (`MD`), a GENEActiv `.bin` file (`Device Identity`), or CSV text. One place
//! for the command line and the web page, so that both accept and refuse the same files.

use crate::Sample;
use crate::csv::{CsvError, CsvOptions, CsvReader};
use crate::cwa::{CwaError, CwaReader};
use crate::geneactiv::{GeneActivError, GeneActivReader};
use std::io::BufRead;

/// The kinds of motion file read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Axivity AX3/AX6.
    Cwa,
    /// GENEActiv `.bin`.
    GeneActiv,
    /// CSV with a header.
    Csv,
}

impl FileFormat {
    /// The format the first bytes of a file show.
    pub fn sniff(start: &[u8]) -> FileFormat {
        if start.starts_with(b"MD") {
            FileFormat::Cwa
        } else if start.starts_with(b"Device Identity") {
            FileFormat::GeneActiv
        } else {
            FileFormat::Csv
        }
    }

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Cwa => "Axivity CWA",
            FileFormat::GeneActiv => "GENEActiv",
            FileFormat::Csv => "CSV",
        }
    }
}

/// What reading a file left to say besides its samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileNotes {
    /// What a CSV reader assumed (units), in words.
    pub assumptions: Vec<String>,
    /// CWA sectors skipped for bad checksums.
    pub skipped_sectors: Option<u32>,
    /// GENEActiv pages skipped as damaged.
    pub skipped_pages: Option<u32>,
    /// A GENEActiv file that ends inside a page.
    pub truncated: bool,
}

/// Why a motion file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Neither text nor a device file's start.
    #[error(
        "this is not a CSV, CWA or GENEActiv file: it is not text, and it does not start as an Axivity .cwa or a GENEActiv .bin file does"
    )]
    NotText,
    /// The file could not be read at all.
    #[error("the file cannot be read: {0}")]
    Io(#[from] std::io::Error),
    /// CSV that cannot be read.
    #[error("{0}")]
    Csv(#[from] CsvError),
    /// A CWA file that cannot be read.
    #[error("it starts like an Axivity .cwa file but cannot be read: {0}")]
    Cwa(#[from] CwaError),
    /// A GENEActiv file that cannot be read.
    #[error("it starts like a GENEActiv .bin file but cannot be read: {0}")]
    GeneActiv(#[from] GeneActivError),
}

/// Whether the start of a file can be CSV text: no NUL byte, and UTF-8 (a character cut at the
/// end of the look is allowed).
fn looks_like_text(start: &[u8]) -> bool {
    !start.contains(&0)
        && match std::str::from_utf8(start) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        }
}

/// Reads every sample of a motion file into `each`, which returns `false` to stop early (a
/// cap on samples), and gives the format and what the reading left to say.
pub fn read_samples<R: BufRead>(
    mut reader: R,
    csv: CsvOptions,
    mut each: impl FnMut(Sample) -> bool,
) -> Result<(FileFormat, FileNotes), FileError> {
    let start = reader.fill_buf()?;
    let format = FileFormat::sniff(start);
    let look = &start[..start.len().min(4096)];
    if format == FileFormat::Csv && !looks_like_text(look) {
        return Err(FileError::NotText);
    }
    let mut notes = FileNotes::default();
    match format {
        FileFormat::Cwa => {
            let mut cwa = CwaReader::new(reader)?;
            for s in cwa.by_ref() {
                if !each(s?) {
                    break;
                }
            }
            notes.skipped_sectors = Some(cwa.skipped_sectors);
        }
        FileFormat::GeneActiv => {
            let mut bin = GeneActivReader::new(reader)?;
            for s in bin.by_ref() {
                if !each(s?) {
                    break;
                }
            }
            notes.skipped_pages = Some(bin.skipped_pages);
            notes.truncated = bin.truncated;
        }
        FileFormat::Csv => {
            let mut rows = CsvReader::new(reader, csv)?;
            for s in rows.by_ref() {
                if !each(s?) {
                    break;
                }
            }
            notes.assumptions = rows.assumptions.clone();
        }
    }
    Ok((format, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_that_is_no_device_file_is_refused_in_words() {
        let e = read_samples(&[0x00, 0x9f, 0x42, 0x00][..], CsvOptions::default(), |_| {
            true
        })
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("this is not a CSV, CWA or GENEActiv file")
        );
    }

    #[test]
    fn csv_text_is_read_and_can_be_stopped_early() {
        let text = "time_s,acc_x,acc_y,acc_z\n0,0,0,9.8\n0.01,0,0,9.8\n0.02,0,0,9.8\n";
        let mut seen = 0;
        let (format, _) = read_samples(text.as_bytes(), CsvOptions::default(), |_| {
            seen += 1;
            seen < 2
        })
        .unwrap();
        assert_eq!((format, seen), (FileFormat::Csv, 2));
    }
}
