//! GENEActiv `.bin` files. The format is text: a header of "Key:Value" lines in sections (the
//! calibration among them), then one page per 300 samples, each page a few "Key:Value" lines
//! (its time, temperature, rate) and one line of hexadecimal with 12 digits a sample: x, y and z
//! as 12-bit two's complement, then 10 bits of light, the button and a reserved bit. A value in g
//! is (raw × 100 - offset) / gain with the header's calibration. No maintained Rust crate reads
//! the format, and it is small enough to read here.
//!
//! Pages stream one at a time: memory does not grow with the file. A page that cannot be read
//! is skipped and counted; a page cut short at the end of the file keeps its whole samples.

use crate::blocks::{Blocks, next_sample};
use crate::{G, Sample};
use std::io::BufRead;

/// Longest line accepted: a page's data line is 3,600 characters.
const MAX_LINE: usize = 16 * 1024;
/// Hexadecimal digits per sample.
const DIGITS_PER_SAMPLE: usize = 12;

/// Why a GENEActiv file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeneActivError {
    /// The first line is not "Device Identity".
    #[error("not a GENEActiv .bin file: it does not start with \"Device Identity\"")]
    NotGeneActiv,
    /// The header lacks a value the samples need.
    #[error("the GENEActiv header has no usable \"{0}\"; the file may be damaged")]
    MissingHeader(&'static str),
    /// Reading failed.
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// The header's calibration: gain and offset per axis.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Calibration {
    gain: [f64; 3],
    offset: [f64; 3],
}

/// A streaming reader: iterate for samples; the counters fill in as it goes.
pub struct GeneActivReader<R: BufRead> {
    source: R,
    calibration: Calibration,
    /// The device's clock offset from UTC, seconds (the header's "Time Zone").
    utc_offset_s: f64,
    /// Measurement frequency from the header, Hz (pages may repeat it).
    pub rate_hz: f64,
    /// Pages the header announces.
    pub pages_announced: u64,
    /// Pages read.
    pub pages: u64,
    /// Pages skipped because they could not be read.
    pub skipped_pages: u32,
    /// Whether the file ended inside a page.
    pub truncated: bool,
    blocks: Blocks,
    line: Vec<u8>,
}

/// Reads one line (without its end) into `line`; false at the end of the file. Longer lines are
/// cut at [`MAX_LINE`] and the rest skipped, so that memory stays bounded.
fn read_line(source: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool, GeneActivError> {
    line.clear();
    let mut any = false;
    loop {
        let available = match source.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(GeneActivError::Io(e.to_string())),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, found) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        let room = MAX_LINE.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = found.unwrap_or(available.len());
        source.consume(used);
        if found.is_some() {
            break;
        }
    }
    while line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(any)
}

/// Splits a "Key:Value" line, trimming both (and the NULs unset fields are padded with).
fn key_value(line: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(line).ok()?;
    let (key, value) = text.split_once(':')?;
    Some((
        key.trim(),
        value.trim_matches(|c: char| c.is_whitespace() || c == '\0'),
    ))
}

/// "2013-05-30 10:12:54:500" as seconds since 1970 in the device's clock.
fn parse_page_time(value: &str) -> Option<f64> {
    let (date, time) = value.trim().split_once(' ')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    let millis = t.next().flatten().unwrap_or(0);
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..=60).contains(&second)
        && (0..1000).contains(&millis);
    valid.then(|| {
        (crate::cwa::days_from_civil(year, month, day) * 86_400
            + hour * 3600
            + minute * 60
            + second) as f64
            + millis as f64 / 1000.0
    })
}

/// "GMT +01:00" as seconds east of UTC.
fn parse_time_zone(value: &str) -> Option<f64> {
    let rest = value.trim().strip_prefix("GMT")?.trim();
    if rest.is_empty() {
        return Some(0.0);
    }
    let (sign, rest) = match rest.as_bytes().first()? {
        b'+' => (1.0, &rest[1..]),
        b'-' => (-1.0, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: f64 = hours.trim().parse().ok()?;
    let minutes: f64 = minutes.trim().parse().ok()?;
    Some(sign * (hours * 3600.0 + minutes * 60.0))
}

/// A 12-bit two's complement value from three hexadecimal digits.
fn signed12(digits: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(digits).ok()?;
    let raw = i32::from_str_radix(text, 16).ok()?;
    Some(f64::from(if raw >= 0x800 { raw - 0x1000 } else { raw }))
}

impl<R: BufRead> GeneActivReader<R> {
    /// Reads the header, up to the first page.
    pub fn new(mut source: R) -> Result<Self, GeneActivError> {
        let mut line = Vec::new();
        if !read_line(&mut source, &mut line)? || line.trim_ascii() != b"Device Identity" {
            return Err(GeneActivError::NotGeneActiv);
        }
        let mut gain = [None; 3];
        let mut offset = [None; 3];
        let mut rate_hz = None;
        let mut pages_announced = 0;
        let mut utc_offset_s = 0.0;
        while read_line(&mut source, &mut line)? {
            if line.trim_ascii() == b"Recorded Data" {
                break;
            }
            let Some((key, value)) = key_value(&line) else {
                continue;
            };
            let number = value.parse::<f64>().ok().filter(|v| v.is_finite());
            match key {
                "x gain" => gain[0] = number,
                "y gain" => gain[1] = number,
                "z gain" => gain[2] = number,
                "x offset" => offset[0] = number,
                "y offset" => offset[1] = number,
                "z offset" => offset[2] = number,
                "Measurement Frequency" => {
                    rate_hz = value
                        .trim_end_matches("Hz")
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|r| r.is_finite() && *r > 0.0);
                }
                "Number of Pages" => pages_announced = value.parse().unwrap_or(0),
                "Time Zone" => utc_offset_s = parse_time_zone(value).unwrap_or(0.0),
                _ => {}
            }
        }
        let gain = [gain[0], gain[1], gain[2]];
        let gain = gain
            .iter()
            .map(|g| g.filter(|g| *g != 0.0))
            .collect::<Option<Vec<f64>>>()
            .ok_or(GeneActivError::MissingHeader("x/y/z gain"))?;
        let offset = offset
            .iter()
            .copied()
            .collect::<Option<Vec<f64>>>()
            .ok_or(GeneActivError::MissingHeader("x/y/z offset"))?;
        let rate_hz = rate_hz.ok_or(GeneActivError::MissingHeader("Measurement Frequency"))?;
        Ok(GeneActivReader {
            source,
            calibration: Calibration {
                gain: [gain[0], gain[1], gain[2]],
                offset: [offset[0], offset[1], offset[2]],
            },
            utc_offset_s,
            rate_hz,
            pages_announced,
            pages: 0,
            skipped_pages: 0,
            truncated: false,
            blocks: Blocks::default(),
            line,
        })
    }

    /// Reads pages until one gives samples; false at the end of the file. The reader stands
    /// after a "Recorded Data" line or at the start of the first page's keys.
    fn fill(&mut self) -> Result<bool, GeneActivError> {
        loop {
            let mut page_time = None;
            let mut rate = self.rate_hz;
            // The page's keys, then its data line (the first line that is not "Key:Value").
            let data = loop {
                if !read_line(&mut self.source, &mut self.line)? {
                    if page_time.is_some() {
                        self.truncated = true;
                    }
                    return Ok(false);
                }
                let trimmed = self.line.trim_ascii();
                if trimmed.is_empty() || trimmed == b"Recorded Data" {
                    continue;
                }
                match key_value(&self.line) {
                    Some(("Page Time", value)) => page_time = parse_page_time(value),
                    Some(("Measurement Frequency", value)) => {
                        if let Ok(r) = value.trim_end_matches("Hz").trim().parse::<f64>()
                            && r.is_finite()
                            && r > 0.0
                        {
                            rate = r;
                        }
                    }
                    Some(_) => {}
                    None => break self.line.trim_ascii().to_vec(),
                }
            };
            let Some(start) = page_time.filter(|_| data.iter().all(u8::is_ascii_hexdigit)) else {
                self.skipped_pages += 1;
                continue;
            };
            let whole = data.len() / DIGITS_PER_SAMPLE;
            if whole * DIGITS_PER_SAMPLE != data.len() {
                // Only the file's end cuts a data line; elsewhere the page is damaged.
                self.truncated = true;
            }
            let start = start - self.utc_offset_s;
            let c = self.calibration;
            let samples: Option<Vec<Sample>> = data
                .chunks_exact(DIGITS_PER_SAMPLE)
                .enumerate()
                .map(|(i, digits)| {
                    let mut acc = [0.0; 3];
                    for (axis, value) in acc.iter_mut().enumerate() {
                        let raw = signed12(&digits[axis * 3..axis * 3 + 3])?;
                        *value = (raw * 100.0 - c.offset[axis]) / c.gain[axis] * G;
                    }
                    Some(Sample {
                        t: start + i as f64 / rate,
                        acc,
                        gyr: None,
                    })
                })
                .collect();
            match samples {
                Some(samples) if !samples.is_empty() => {
                    self.pages += 1;
                    self.rate_hz = rate;
                    self.blocks.samples = samples;
                    return Ok(true);
                }
                _ => self.skipped_pages += 1,
            }
        }
    }
}

impl<R: BufRead> Iterator for GeneActivReader<R> {
    type Item = Result<Sample, GeneActivError>;

    fn next(&mut self) -> Option<Self::Item> {
        next_sample(self, |r| &mut r.blocks, Self::fill)
    }
}

/// A whole GENEActiv file in memory.
#[derive(Debug, Clone)]
pub struct GeneActivRecording {
    /// Samples in time order, acceleration in m/s².
    pub samples: Vec<Sample>,
    /// Sample rate, Hz.
    pub rate_hz: f64,
    /// Pages read.
    pub pages: u64,
    /// Pages that could not be read.
    pub skipped_pages: u32,
    /// Pages the header announces.
    pub pages_announced: u64,
    /// Whether the file ended inside a page.
    pub truncated: bool,
}

/// Reads a whole GENEActiv file.
pub fn read(bytes: &[u8]) -> Result<GeneActivRecording, GeneActivError> {
    let mut reader = GeneActivReader::new(bytes)?;
    let samples = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok(GeneActivRecording {
        samples,
        rate_hz: reader.rate_hz,
        pages: reader.pages,
        skipped_pages: reader.skipped_pages,
        pages_announced: reader.pages_announced,
        truncated: reader.truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Device Identity\r\nDevice Type:GENEActiv\r\n\r\nConfiguration Info\r\nMeasurement Frequency:100 Hz\r\nTime Zone:GMT +01:00\r\n\r\nCalibration Data\r\nx gain:25600\r\nx offset:0\r\ny gain:25600\r\ny offset:0\r\nz gain:25600\r\nz offset:-2560\r\n\r\nMemory Status\r\nNumber of Pages:2\r\n\r\n";

    fn page(time: &str, data: &str) -> String {
        format!(
            "Recorded Data\r\nSequence Number:0\r\nPage Time:{time}\r\nTemperature:21.5\r\nMeasurement Frequency:100\r\n{data}\r\n"
        )
    }

    #[test]
    fn samples_are_calibrated_and_timed_in_utc() {
        // x = 0x100 = 256 → 256 × 100 / 25600 = 1 g; y = 0xF00 = -256 → -1 g;
        // z = 0 → (0 + 2560) / 25600 = 0.1 g.
        let file = format!(
            "{HEADER}{}",
            page("2013-05-30 10:00:00:500", "100F00000004100F00000004")
        );
        let r = read(file.as_bytes()).unwrap();
        assert_eq!(r.samples.len(), 2);
        assert_eq!(r.pages, 1);
        assert_eq!(r.pages_announced, 2);
        let s = r.samples[0];
        assert!((s.acc[0] - G).abs() < 1e-9);
        assert!((s.acc[1] + G).abs() < 1e-9);
        assert!((s.acc[2] - 0.1 * G).abs() < 1e-9);
        // 10:00:00.5 at GMT+1 is 09:00:00.5 UTC.
        assert_eq!(s.t, 1_369_904_400.5);
        assert!((r.samples[1].t - s.t - 0.01).abs() < 1e-6);
    }

    #[test]
    fn damaged_pages_are_skipped_and_a_cut_page_keeps_its_whole_samples() {
        let file = format!(
            "{HEADER}{}{}{}",
            page("2013-05-30 10:00:00:000", "1000000000041000000000"),
            page("not a time", "100000000004"),
            page("2013-05-30 10:00:03:000", "10000000000G")
        );
        let r = read(file.as_bytes()).unwrap();
        assert_eq!(r.samples.len(), 1, "the first page's whole sample");
        assert!(r.truncated);
        assert_eq!(r.skipped_pages, 2);
    }

    #[test]
    fn other_files_and_missing_calibration_are_refused() {
        assert_eq!(
            read(b"MD\x00\x00").unwrap_err(),
            GeneActivError::NotGeneActiv
        );
        let e = read(b"Device Identity\r\nMeasurement Frequency:100 Hz\r\nRecorded Data\r\n")
            .unwrap_err();
        assert!(e.to_string().contains("gain"), "{e}");
        assert_eq!(
            parse_time_zone("GMT -05:30"),
            Some(-(5.0 * 3600.0 + 1800.0))
        );
    }
}
