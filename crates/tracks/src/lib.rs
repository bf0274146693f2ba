//! Reads device activity files into one [`Activity`]: FIT (with `fitparser`), GPX (streamed with
//! `quick-xml`), TCX (likewise), and zip archives of them. Every file gives an activity or a
//! [`TrackError`] that says what is wrong; where the format allows, what was read before the
//! damage is kept as a partial activity beside the error. Indoor and treadmill files without
//! positions import like any other: distance comes from the device's own distance or speed
//! fields. Nothing here panics on any input (fuzz targets in `fuzz/` check it); nothing here
//! knows about HTTP, storage or the coach.
//!
//! Also writes FIT workout files ([`workout`]) so that a watch can run a plan's intervals.

mod fit;
mod gpx_file;
mod summary;
pub mod synthetic;
mod tcx;
pub mod workout;

use jiff::Timestamp;
use serde::Serialize;
use std::io::Read;

/// Largest file read, bytes (a day of 1 Hz records is a few MB; this bounds memory per file).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Most files read from one zip archive.
pub const MAX_ZIP_ENTRIES: usize = 1000;
/// Most bytes unpacked from one zip archive, over all its entries: a small archive of
/// zero-filled entries would otherwise unpack to gigabytes and take seconds to read.
pub const MAX_ZIP_UNPACKED_BYTES: usize = 128 * 1024 * 1024;

/// A file format this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Garmin's Flexible and Interoperable Data Transfer.
    Fit,
    /// GPS Exchange Format.
    Gpx,
    /// Training Center XML.
    Tcx,
}

/// One lap (FIT lap, TCX Lap; GPX tracks have none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lap {
    /// Start, when the file gives an absolute time.
    pub start: Option<Timestamp>,
    /// Elapsed seconds, pauses included.
    pub elapsed_seconds: Option<f64>,
    /// Timer seconds (moving, pauses excluded), when the device says.
    pub timer_seconds: Option<f64>,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// A name, where present (FIT `wkt_step` names, TCX notes).
    pub name: Option<String>,
    /// Intensity, where present: active, rest, warmup, cooldown (FIT), Active or Resting (TCX).
    pub intensity: Option<String>,
}

/// One sample.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Record {
    /// When, if absolute time is known.
    pub time: Option<Timestamp>,
    /// Seconds since the first record (known even when absolute time is not).
    pub offset_seconds: Option<f64>,
    /// Latitude, degrees.
    pub latitude: Option<f64>,
    /// Longitude, degrees.
    pub longitude: Option<f64>,
    /// Cumulative distance, metres (the device's own).
    pub distance_m: Option<f64>,
    /// Speed, m/s.
    pub speed_mps: Option<f64>,
    /// Heart rate, beats per minute.
    pub heart_rate: Option<u8>,
    /// Cadence, steps or revolutions per minute as the device reports it.
    pub cadence: Option<u16>,
    /// Altitude, metres.
    pub altitude_m: Option<f64>,
}

/// The whole activity in a few figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Elapsed seconds, first to last moment.
    pub elapsed_seconds: Option<f64>,
    /// Seconds spent moving (the device's timer time, else records above a walking crawl).
    pub moving_seconds: Option<f64>,
    /// Distance, metres: the device's total, else the last cumulative distance, else the
    /// length of the positions; `None` when nothing tells.
    pub distance_m: Option<f64>,
    /// Total ascent, metres, where altitude is known.
    pub ascent_m: Option<f64>,
    /// Mean speed while moving, m/s.
    pub average_speed_mps: Option<f64>,
    /// Mean heart rate, bpm.
    pub average_heart_rate: Option<f64>,
    /// Mean cadence.
    pub average_cadence: Option<f64>,
}

/// An activity read from one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    /// What the file was.
    pub format: Format,
    /// Sport as the file names it (`walking`, `running`, `Other`...), if any.
    pub sport: Option<String>,
    /// Sub-sport (FIT), e.g. `treadmill`, `indoor_cycling`.
    pub sub_sport: Option<String>,
    /// Every session's sport, for multisport files.
    pub sessions: Vec<(Option<String>, Option<String>)>,
    /// Start: the first session's start, else the first record with a time; `None` when the
    /// device only keeps relative time.
    pub start: Option<Timestamp>,
    /// The device, where the file says (`garmin fenix5`).
    pub device: Option<String>,
    /// Laps in order.
    pub laps: Vec<Lap>,
    /// Samples in order.
    pub records: Vec<Record>,
    /// Totals and averages.
    pub summary: Summary,
}

/// The kind of activity a file names, in four kinds: what decides how its energy is estimated
/// and whether it can count toward a walking plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SportKind {
    /// Walking or hiking.
    Walking,
    /// Running, jogging, trail running.
    Running,
    /// Cycling of any kind but an e-bike.
    Cycling,
    /// Anything else the file names: swimming, rowing, strength training, an e-bike, or a
    /// multisport file whose parts differ.
    Other,
}

/// The kind a sport or sub-sport name means; `None` for names that say nothing (`generic`,
/// `Other`, `transition`, junk such as a number).
fn kind_of_name(name: &str) -> Option<SportKind> {
    let name = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if name.contains("e_bike") || name.contains("ebike") || name.contains("e_biking") {
        return Some(SportKind::Other);
    }
    let kind = match name.as_str() {
        "" | "generic" | "other" | "activity" | "transition" | "multisport" | "all" => {
            return None;
        }
        n if n.contains("walk") || n.contains("hik") => SportKind::Walking,
        n if n.contains("run") || n.contains("jog") => SportKind::Running,
        n if n.contains("cycl") || n.contains("bik") || n == "ride" || n.ends_with("_ride") => {
            SportKind::Cycling
        }
        n if n.chars().all(|c| c.is_ascii_digit() || c == '_') => return None,
        // Names of other sports; any other word says nothing.
        n if KNOWN_OTHER.iter().any(|k| n.contains(k)) => SportKind::Other,
        _ => return None,
    };
    Some(kind)
}

/// Fragments of sport names that are neither walking, running nor cycling (FIT sport names,
/// TCX and GPX types as apps write them).
const KNOWN_OTHER: &[&str] = &[
    "swim",
    "row",
    "paddl",
    "kayak",
    "canoe",
    "ski",
    "board",
    "skat",
    "training",
    "fitness",
    "strength",
    "yoga",
    "pilates",
    "elliptical",
    "climb",
    "golf",
    "tennis",
    "soccer",
    "football",
    "basketball",
    "sail",
    "surf",
    "dive",
    "diving",
    "boxing",
    "dance",
    "stair",
    "hiit",
    "cardio",
    "tactical",
    "motor",
    "driving",
    "flying",
    "horse",
    "hunting",
    "fishing",
    "wheelchair",
];

impl Activity {
    /// The kind of sport the file names, from every session's sport and sub-sport (a sub-sport
    /// such as `treadmill` or `indoor_cycling` says more than `generic`). `None` when the file
    /// does not say; [`SportKind::Other`] when its sessions are of different kinds.
    pub fn sport_kind(&self) -> Option<SportKind> {
        let mut sessions = self.sessions.clone();
        if sessions.is_empty() {
            sessions.push((self.sport.clone(), self.sub_sport.clone()));
        }
        let mut kinds: Vec<SportKind> = Vec::new();
        for (sport, sub) in &sessions {
            let sub_kind = sub.as_deref().and_then(kind_of_name);
            let kind = match (sport.as_deref().and_then(kind_of_name), sub_kind) {
                // An e-bike or another sport named by the sub-sport wins over a plain name.
                (Some(SportKind::Cycling), Some(SportKind::Other)) => Some(SportKind::Other),
                (Some(k), _) => Some(k),
                (None, k) => k,
            };
            if let Some(k) = kind
                && !kinds.contains(&k)
            {
                kinds.push(k);
            }
        }
        match kinds.as_slice() {
            [] => None,
            [one] => Some(*one),
            _ => Some(SportKind::Other),
        }
    }

    /// Whether the file says it was done indoors: on a treadmill, a trainer, a spin bike or a
    /// virtual ride (whose positions are a game's, not the rider's).
    pub fn indoors(&self) -> bool {
        let names = self
            .sessions
            .iter()
            .flat_map(|(s, sub)| [s, sub])
            .chain([&self.sport, &self.sub_sport])
            .filter_map(|n| n.as_deref())
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>();
        names.iter().any(|n| {
            n.contains("treadmill")
                || n.contains("indoor")
                || n.contains("virtual")
                || n.contains("spin")
                || n.contains("trainer")
                || n == "fitness_equipment"
        })
    }

    /// Whether the file says it was mountain biking.
    pub fn mountain(&self) -> bool {
        [&self.sport, &self.sub_sport]
            .into_iter()
            .chain(self.sessions.iter().flat_map(|(s, sub)| [s, sub]))
            .filter_map(|n| n.as_deref())
            .any(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("mountain") && !n.contains("e_bike")
            })
    }

    /// Whether any record carries a position.
    pub fn has_positions(&self) -> bool {
        self.records
            .iter()
            .any(|r| r.latitude.is_some() && r.longitude.is_some())
    }
}

/// Why a file could not be read (or only in part).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrackError {
    /// Zero bytes.
    #[error("the file is empty")]
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("the file is {}; the limit is {}", size_in_words(*.0), size_in_words(MAX_FILE_BYTES))]
    TooLarge(usize),
    /// The name and content match no format read here.
    #[error("not a FIT, GPX, TCX or zip file ({0})")]
    UnknownFormat(String),
    /// A `.fit` name, but no FIT header.
    #[error("not a FIT file: {0}")]
    NotFit(String),
    /// A valid FIT file of another kind (settings, course...).
    #[error("a FIT {0} file, not an activity")]
    NotActivity(String),
    /// The file ends early.
    #[error("the file is cut off: {0}, as when a copy or a download stops early")]
    Truncated(String),
    /// The checksum does not match the content.
    #[error("the file's checksum does not match its content (damaged in transfer?)")]
    BadCrc,
    /// A FIT header (of a chained file) is damaged.
    #[error("a FIT file header is damaged: {0}")]
    CorruptHeader(String),
    /// A FIT data message uses a local message type never defined.
    #[error(
        "the file is damaged: a record refers to a layout the file never describes (FIT local message type {0}), so nothing after it can be read"
    )]
    UndefinedLocalMessage(u8),
    /// Other FIT damage.
    #[error("the FIT data cannot be decoded: {0}")]
    BadFit(String),
    /// XML that does not parse.
    #[error("the XML is malformed: {0}")]
    BadXml(String),
    /// XML cut short.
    #[error("the XML ends early: {0}")]
    TruncatedXml(String),
    /// A GPX file with routes or waypoints but no recorded track.
    #[error("no track points: a route or waypoints only, not a recorded activity")]
    NoTrackPoints,
    /// A TCX file with no Activity.
    #[error("no activity in the TCX file")]
    NoActivity,
    /// Track points without any time.
    #[error("no track point has a time, so the activity cannot be placed or timed")]
    NoTimestamps,
    /// A zip archive that cannot be read.
    #[error("the zip archive cannot be read: {0}")]
    BadZip(String),
    /// A zip archive with no activity file inside.
    #[error("the zip archive holds no FIT, GPX or TCX file")]
    EmptyZip,
    /// A zip archive that unpacks to more than [`MAX_ZIP_UNPACKED_BYTES`]: the entries from
    /// this one on are not read.
    #[error(
        "the zip archive unpacks to more than {} MB: this file and the ones after it are not read",
        MAX_ZIP_UNPACKED_BYTES / (1024 * 1024)
    )]
    ZipTooLarge,
}

/// A size as people say it: "780 bytes", "2.9 KB", "40 MB".
pub fn size_in_words(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    // Sizes here are far below 2^52, so the conversion is exact.
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < 100.0 * KB {
        format!("{:.1} KB", b / KB)
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{:.0} MB", (b / (KB * KB)).ceil())
    }
}

impl TrackError {
    /// A stable name for the kind of error, for JSON and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            TrackError::Empty => "empty_file",
            TrackError::TooLarge(_) => "too_large",
            TrackError::ZipTooLarge => "zip_too_large",
            TrackError::UnknownFormat(_) => "unknown_format",
            TrackError::NotFit(_) => "not_fit",
            TrackError::NotActivity(_) => "not_activity",
            TrackError::Truncated(_) => "truncated",
            TrackError::BadCrc => "bad_crc",
            TrackError::CorruptHeader(_) => "corrupt_header",
            TrackError::UndefinedLocalMessage(_) => "undefined_local_message",
            TrackError::BadFit(_) => "bad_fit",
            TrackError::BadXml(_) => "bad_xml",
            TrackError::TruncatedXml(_) => "truncated_xml",
            TrackError::NoTrackPoints => "no_track_points",
            TrackError::NoActivity => "no_activity",
            TrackError::NoTimestamps => "no_timestamps",
            TrackError::BadZip(_) => "bad_zip",
            TrackError::EmptyZip => "empty_zip",
        }
    }
}

/// What reading one file (or one zip entry) gave.
#[derive(Debug, Clone, PartialEq)]
pub struct FileResult {
    /// The file's name (for a zip entry, `archive.zip/entry.fit`).
    pub name: String,
    /// SHA-free content fingerprint (FNV-1a 64 of the bytes), to spot the same file twice.
    pub fingerprint: u64,
    /// The activity, or why not.
    pub outcome: Result<Activity, Damaged>,
}

/// A file that could not be read whole: the error, and what was read before the damage.
#[derive(Debug, Clone, PartialEq)]
pub struct Damaged {
    /// What is wrong.
    pub error: TrackError,
    /// The activity as far as it could be read, when anything could (boxed: errors stay small).
    pub partial: Option<Box<Activity>>,
}

impl From<TrackError> for Damaged {
    fn from(error: TrackError) -> Self {
        Damaged {
            error,
            partial: None,
        }
    }
}

/// FNV-1a, 64 bits: a fingerprint to recognise byte-identical files, not a security hash.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads one file by its name and bytes. A zip archive gives one result per activity file
/// inside (byte-identical entries once); anything else gives one result.
pub fn read(name: &str, bytes: &[u8]) -> Vec<FileResult> {
    if bytes.len() > MAX_FILE_BYTES {
        return vec![FileResult {
            name: name.to_string(),
            fingerprint: 0,
            outcome: Err(TrackError::TooLarge(bytes.len()).into()),
        }];
    }
    if bytes.starts_with(b"PK\x03\x04") || extension(name) == "zip" {
        return read_zip(name, bytes);
    }
    // The fingerprint (FNV-1a, one byte after another) costs as much as reading a large file:
    // on a second core it is free.
    let (print, outcome) = if bytes.len() >= PARALLEL_FINGERPRINT_BYTES {
        std::thread::scope(|scope| {
            // Without a thread (the system refuses one), the fingerprint is taken here.
            let print = std::thread::Builder::new()
                .spawn_scoped(scope, || fingerprint(bytes))
                .ok();
            let outcome = read_one(name, bytes);
            let print = print
                .and_then(|p| p.join().ok())
                .unwrap_or_else(|| fingerprint(bytes));
            (print, outcome)
        })
    } else {
        (fingerprint(bytes), read_one(name, bytes))
    };
    vec![FileResult {
        name: name.to_string(),
        fingerprint: print,
        outcome,
    }]
}

/// Files from this size on are fingerprinted on a thread of their own while they are read.
const PARALLEL_FINGERPRINT_BYTES: usize = 1024 * 1024;

/// Reads one activity file (not an archive).
pub fn read_one(name: &str, bytes: &[u8]) -> Result<Activity, Damaged> {
    if bytes.is_empty() {
        return Err(TrackError::Empty.into());
    }
    let is_fit_header = bytes.len() >= 12 && &bytes[8..12] == b".FIT";
    let text_start = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    match extension(name).as_str() {
        "fit" => fit::read(bytes),
        "gpx" => gpx_file::read(bytes),
        "tcx" => tcx::read(bytes),
        _ if is_fit_header => fit::read(bytes),
        _ if text_start.contains("<gpx") => gpx_file::read(bytes),
        _ if text_start.contains("<trainingcenterdatabase") => tcx::read(bytes),
        other => Err(TrackError::UnknownFormat(if other.is_empty() {
            "no extension and no known header".to_string()
        } else {
            format!(".{other} with no known header")
        })
        .into()),
    }
}

/// What a worker made of one zip entry, before the entries are put back in order.
enum Unpacked {
    /// Not an activity file (a directory, a resource fork, another kind of file).
    Skipped,
    /// A result to keep as it is (an entry that cannot be opened or is too large).
    Refused(FileResult),
    /// Unpacked: its size counts toward the archive's budget.
    Read {
        full: String,
        /// Bytes unpacked (at most `MAX_FILE_BYTES + 1`).
        size: usize,
        /// The read failed part-way.
        failed: Option<String>,
        fingerprint: u64,
        outcome: Result<Activity, Damaged>,
    },
}

/// Unpacks and reads entry `i`. Reads at most `MAX_FILE_BYTES + 1` bytes: the archive's
/// budget is applied afterwards, in entry order, by [`read_zip`].
fn unpack(name: &str, archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, i: usize) -> Unpacked {
    let refused = |entry: String, error: TrackError| {
        Unpacked::Refused(FileResult {
            name: entry,
            fingerprint: 0,
            outcome: Err(error.into()),
        })
    };
    let mut entry = match archive.by_index(i) {
        Ok(e) => e,
        Err(e) => return refused(format!("{name}/#{i}"), TrackError::BadZip(e.to_string())),
    };
    let entry_name = match entry.name() {
        Ok(n) => n.to_string(),
        Err(e) => return refused(format!("{name}/#{i}"), TrackError::BadZip(e.to_string())),
    };
    let base = entry_name.rsplit('/').next().unwrap_or(&entry_name);
    // Directories, macOS resource forks and files of other kinds are not activities.
    if entry.is_dir()
        || entry_name.starts_with("__MACOSX/")
        || base.starts_with("._")
        || !matches!(extension(base).as_str(), "fit" | "gpx" | "tcx")
    {
        return Unpacked::Skipped;
    }
    let full = format!("{name}/{entry_name}");
    if entry.size() > MAX_FILE_BYTES as u64 {
        return refused(full, TrackError::TooLarge(entry.size() as usize));
    }
    let mut content = Vec::new();
    // `take` bounds the read even when the header lies about the size.
    let read = (&mut entry)
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut content);
    let size = content.len();
    if let Err(e) = read {
        return Unpacked::Read {
            full,
            size,
            failed: Some(e.to_string()),
            fingerprint: 0,
            // Not read: the failure is what is reported.
            outcome: Err(TrackError::BadZip(String::new()).into()),
        };
    }
    let base = base.to_string();
    Unpacked::Read {
        fingerprint: fingerprint(&content),
        outcome: read_one(&base, &content),
        full,
        size,
        failed: None,
    }
}

fn read_zip(name: &str, bytes: &[u8]) -> Vec<FileResult> {
    let fail = |error: TrackError| {
        vec![FileResult {
            name: name.to_string(),
            fingerprint: fingerprint(bytes),
            outcome: Err(error.into()),
        }]
    };
    let archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => return fail(TrackError::BadZip(e.to_string())),
    };
    let count = archive.len().min(MAX_ZIP_ENTRIES);
    let unpacked = unpack_in_parallel(name, &archive, count);
    let mut results = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut total = 0usize;
    // In entry order, as if read one after another: the budget stops at the same entry
    // whatever order the workers finished in.
    for entry in unpacked {
        let (full, size, failed, print, outcome) = match entry {
            Unpacked::Skipped => continue,
            Unpacked::Refused(result) => {
                results.push(result);
                continue;
            }
            Unpacked::Read {
                full,
                size,
                failed,
                fingerprint,
                outcome,
            } => (full, size, failed, fingerprint, outcome),
        };
        let budget = (MAX_ZIP_UNPACKED_BYTES - total).min(MAX_FILE_BYTES);
        total = (total + size.min(budget + 1)).min(MAX_ZIP_UNPACKED_BYTES);
        if size > budget && budget < MAX_FILE_BYTES {
            results.push(FileResult {
                name: full,
                fingerprint: 0,
                outcome: Err(TrackError::ZipTooLarge.into()),
            });
            break;
        }
        if let Some(why) = failed {
            results.push(FileResult {
                name: full,
                fingerprint: 0,
                outcome: Err(TrackError::BadZip(why).into()),
            });
            continue;
        }
        if !seen.insert(print) {
            continue;
        }
        results.push(FileResult {
            name: full,
            fingerprint: print,
            outcome,
        });
    }
    if results.is_empty() {
        return fail(TrackError::EmptyZip);
    }
    results
}

/// Unpacks and reads the first `count` entries on as many threads as there are cores, each
/// taking the next entry in turn; the results come back in entry order. A worker stops taking
/// entries once what has been unpacked passes the archive's budget (the entries after that
/// point are over the budget whatever their size, so they are never needed).
fn unpack_in_parallel(
    name: &str,
    archive: &zip::ZipArchive<std::io::Cursor<&[u8]>>,
    count: usize,
) -> Vec<Unpacked> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // At most four: each worker may hold a member of up to `MAX_FILE_BYTES` unpacked, and an
    // upload's workers share the server's cores with every other request.
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(4)
        .min(count)
        .max(1);
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Unpacked>>> = Mutex::new((0..count).map(|_| None).collect());
    let work = |mut archive: zip::ZipArchive<std::io::Cursor<&[u8]>>| {
        loop {
            if total.load(Ordering::Relaxed) > MAX_ZIP_UNPACKED_BYTES {
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            let entry = unpack(name, &mut archive, i);
            if let Unpacked::Read { size, .. } = &entry {
                total.fetch_add(*size, Ordering::Relaxed);
            }
            if let Ok(mut slots) = slots.lock()
                && let Some(slot) = slots.get_mut(i)
            {
                *slot = Some(entry);
            }
        }
    };
    std::thread::scope(|scope| {
        // This thread is one of the workers; a thread the system refuses is one worker less.
        for _ in 1..threads {
            let archive = archive.clone();
            let _ = std::thread::Builder::new().spawn_scoped(scope, || work(archive));
        }
        work(archive.clone());
    });
    let slots = slots
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // An entry no worker took lies past the budget: it stands for an entry over it, so that
    // the in-order pass stops there.
    slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.unwrap_or_else(|| Unpacked::Read {
                full: format!("{name}/#{i}"),
                size: MAX_FILE_BYTES + 1,
                failed: None,
                fingerprint: 0,
                outcome: Err(TrackError::ZipTooLarge.into()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_by_kind_not_by_panic() {
        assert_eq!(
            read_one("x.fit", b"").unwrap_err().error.kind(),
            "empty_file"
        );
        assert_eq!(
            read_one("x.fit", b"hello world, not fit")
                .unwrap_err()
                .error
                .kind(),
            "not_fit"
        );
        assert_eq!(
            read_one("x.bin", b"\x00\x01").unwrap_err().error.kind(),
            "unknown_format"
        );
        assert_eq!(
            read("x.zip", b"PK\x03\x04junk")[0]
                .outcome
                .clone()
                .unwrap_err()
                .error
                .kind(),
            "bad_zip"
        );
    }

    #[test]
    fn an_archive_that_unpacks_beyond_the_budget_stops_with_a_clear_error() {
        // Three stored (uncompressed) FIT-named entries of 48 MiB each, 144 MiB in all: the
        // first two are read (and refused as not FIT), the third goes past the 128 MiB budget.
        use std::io::Write;
        let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        let block = vec![0u8; 48 * 1024 * 1024];
        for i in 0..3u8 {
            // Entries differ in their last byte, so that none is skipped as a duplicate.
            let mut content = block.clone();
            if let Some(last) = content.last_mut() {
                *last = i;
            }
            archive.start_file(format!("ride-{i}.fit"), stored).unwrap();
            archive.write_all(&content).unwrap();
        }
        let bytes = archive.finish().unwrap().into_inner();
        let results = read_zip("big.zip", &bytes);
        let kinds: Vec<&str> = results
            .iter()
            .map(|r| r.outcome.as_ref().map_or_else(|e| e.error.kind(), |_| "ok"))
            .collect();
        assert_eq!(kinds, vec!["not_fit", "not_fit", "zip_too_large"]);
    }

    fn named(sport: Option<&str>, sub: Option<&str>) -> Activity {
        Activity {
            format: Format::Fit,
            sport: sport.map(str::to_string),
            sub_sport: sub.map(str::to_string),
            sessions: vec![(sport.map(str::to_string), sub.map(str::to_string))],
            start: None,
            device: None,
            laps: Vec::new(),
            records: Vec::new(),
            summary: Summary::default(),
        }
    }

    #[test]
    fn a_file_keeps_its_sport_in_four_kinds() {
        let kind = |sport, sub| named(sport, sub).sport_kind();
        assert_eq!(
            kind(Some("walking"), Some("generic")),
            Some(SportKind::Walking)
        );
        assert_eq!(
            kind(Some("running"), Some("treadmill")),
            Some(SportKind::Running)
        );
        assert_eq!(kind(Some("Running"), None), Some(SportKind::Running), "TCX");
        assert_eq!(kind(Some("Biking"), None), Some(SportKind::Cycling), "TCX");
        assert_eq!(
            kind(Some("cycling"), Some("indoor_cycling")),
            Some(SportKind::Cycling)
        );
        assert_eq!(
            kind(Some("cycling"), Some("e_bike_fitness")),
            Some(SportKind::Other)
        );
        assert_eq!(
            kind(Some("swimming"), Some("lap_swimming")),
            Some(SportKind::Other)
        );
        assert_eq!(
            kind(Some("fitness_equipment"), Some("indoor_rowing")),
            Some(SportKind::Other)
        );
        assert_eq!(kind(Some("hiking"), None), Some(SportKind::Walking));
        assert_eq!(kind(Some("Other"), None), None, "TCX's Other says nothing");
        assert_eq!(kind(Some("jkljkl"), None), None, "junk says nothing");
        assert_eq!(kind(None, None), None);
        let mut multi = named(Some("running"), None);
        multi.sessions = vec![
            (Some("generic".into()), None),
            (Some("running".into()), None),
            (Some("transition".into()), None),
            (Some("cycling".into()), None),
        ];
        assert_eq!(multi.sport_kind(), Some(SportKind::Other));
        assert!(named(Some("cycling"), Some("virtual_activity")).indoors());
        assert!(named(Some("running"), Some("treadmill")).indoors());
        assert!(!named(Some("cycling"), Some("road")).indoors());
        assert!(named(Some("cycling"), Some("mountain")).mountain());
    }

    #[test]
    fn fingerprints_tell_files_apart() {
        assert_eq!(fingerprint(b"abc"), fingerprint(b"abc"));
        assert_ne!(fingerprint(b"abc"), fingerprint(b"abd"));
    }

    #[test]
    fn a_zip_read_in_parallel_keeps_its_entries_order_and_each_entrys_error() {
        use std::io::Write;
        let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut expected = Vec::new();
        for i in 0..40u32 {
            let mut gpx = synthetic::gpx(4000, i);
            let kind = match i {
                // A cut file, garbage named as FIT, a copy of the first, a text file.
                7 => {
                    gpx.truncate(2500);
                    Some("truncated_xml")
                }
                13 => {
                    gpx = b"not a fit file at all".to_vec();
                    Some("not_fit")
                }
                21 => {
                    gpx = synthetic::gpx(4000, 0);
                    None
                }
                30 => None,
                _ => Some("ok"),
            };
            let name = match i {
                13 => format!("walk-{i}.fit"),
                30 => format!("walk-{i}.txt"),
                _ => format!("walk-{i}.gpx"),
            };
            archive.start_file(name.as_str(), options).unwrap();
            archive.write_all(&gpx).unwrap();
            if let Some(kind) = kind {
                expected.push((format!("walks.zip/{name}"), kind));
            }
        }
        let bytes = archive.finish().unwrap().into_inner();
        let found: Vec<(String, &str)> = read("walks.zip", &bytes)
            .into_iter()
            .map(|r| {
                let kind = r.outcome.as_ref().map_or_else(|e| e.error.kind(), |_| "ok");
                (r.name, kind)
            })
            .collect();
        assert_eq!(found.len(), 38, "the copy and the text file are left out");
        assert_eq!(
            found,
            expected
                .iter()
                .map(|(n, k)| (n.clone(), *k))
                .collect::<Vec<_>>()
        );
    }
}
