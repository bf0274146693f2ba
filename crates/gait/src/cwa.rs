//! Axivity CWA files (AX3 and AX6), as the format is specified in the Open Movement project's
//! `cwa.h`: a 1024-byte header ("MD"), then 512-byte sectors ("AX") each with a timestamp, a
//! rate code, samples (packed 10-bit triplets with an exponent, or 16-bit values; AX6 adds the
//! gyroscope) and a checksum. Sectors whose checksum fails are skipped and counted, not fatal.
//! Sectors stream one at a time: memory does not grow with the file.

use crate::blocks::{Blocks, next_sample};
use crate::{G, Sample};
use std::io::Read;

const HEADER_BYTES: usize = 1024;
const SECTOR_BYTES: usize = 512;

/// Why a CWA file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CwaError {
    /// No "MD" header.
    #[error("not a CWA file: it does not start with an \"MD\" header block")]
    NotCwa,
    /// Reading failed.
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// A streaming reader: iterate for samples; the counters fill in as it goes.
pub struct CwaReader<R: Read> {
    source: R,
    blocks: Blocks,
    /// Sectors skipped: bad checksum, unknown kind or cut short.
    pub skipped_sectors: u32,
    /// Data sectors read.
    pub sectors: u32,
    /// "AX3" or "AX6", from the header.
    pub device: &'static str,
    /// The sample rate of the last sector, Hz.
    pub rate_hz: f64,
    /// Where the next sample falls if the recording runs on without a break, and the
    /// sequence number that would continue it.
    continuation: Option<(f64, u32)>,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A packed CWA timestamp as Unix seconds.
fn unpack_time(packed: u32) -> f64 {
    let year = i64::from((packed >> 26) & 0x3f) + 2000;
    let month = i64::from((packed >> 22) & 0x0f).clamp(1, 12);
    let day = i64::from((packed >> 17) & 0x1f).clamp(1, 31);
    let hours = i64::from((packed >> 12) & 0x1f);
    let minutes = i64::from((packed >> 6) & 0x3f);
    let seconds = i64::from(packed & 0x3f);
    (days_from_civil(year, month, day) * 86_400 + hours * 3600 + minutes * 60 + seconds) as f64
}

impl<R: Read> CwaReader<R> {
    /// Reads the header.
    pub fn new(mut source: R) -> Result<Self, CwaError> {
        let mut header = [0u8; HEADER_BYTES];
        source
            .read_exact(&mut header)
            .map_err(|_| CwaError::NotCwa)?;
        if &header[0..2] != b"MD" {
            return Err(CwaError::NotCwa);
        }
        let device = if header[4] == 0x64 { "AX6" } else { "AX3" };
        Ok(CwaReader {
            source,
            blocks: Blocks::default(),
            skipped_sectors: 0,
            sectors: 0,
            device,
            rate_hz: 0.0,
            continuation: None,
        })
    }

    /// Reads sectors until one gives samples; false at the end of the file.
    fn fill(&mut self) -> Result<bool, CwaError> {
        let mut sector = [0u8; SECTOR_BYTES];
        loop {
            let mut got = 0;
            while got < SECTOR_BYTES {
                match self.source.read(&mut sector[got..]) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(CwaError::Io(e.to_string())),
                }
            }
            if got == 0 {
                return Ok(false);
            }
            if got < SECTOR_BYTES || &sector[0..2] != b"AX" {
                self.skipped_sectors += 1;
                if got < SECTOR_BYTES {
                    return Ok(false);
                }
                continue;
            }
            let checksum = (0..SECTOR_BYTES / 2)
                .map(|i| u16_at(&sector, i * 2))
                .fold(0u16, u16::wrapping_add);
            if checksum != 0 {
                self.skipped_sectors += 1;
                continue;
            }
            self.sectors += 1;
            self.decode(&sector);
            if !self.blocks.samples.is_empty() {
                return Ok(true);
            }
        }
    }

    fn decode(&mut self, s: &[u8; SECTOR_BYTES]) {
        self.blocks.samples.clear();
        let fractional = u16_at(s, 4);
        let timestamp = u32_at(s, 14);
        let light_scale = u16_at(s, 18);
        let rate_code = s[24];
        let axes = usize::from(s[25] >> 4);
        let packing = s[25] & 0x0f;
        let offset = i16::from_le_bytes([s[26], s[27]]);
        let count = usize::from(u16_at(s, 28));
        let rate = 3200.0 / f64::from(1u32 << (15 - u32::from(rate_code & 0x0f)));
        if !(rate.is_finite() && rate > 0.0) {
            return;
        }
        self.rate_hz = rate;
        let mut t0 = unpack_time(timestamp);
        if fractional & 0x8000 != 0 {
            t0 += f64::from(fractional & 0x7fff) / 32_768.0;
        }
        // Sector timestamps are whole seconds unless the fraction is given, so consecutive
        // sectors run on from the previous one; the timestamp re-anchors after a break (a
        // skipped sector, or a drift over half a second).
        let sequence = u32_at(s, 10);
        let stamped = t0 - f64::from(offset) / rate;
        let start = match self.continuation {
            Some((next, expected)) if expected == sequence && (next - stamped).abs() < 1.5 => next,
            _ => stamped,
        };
        let at = |i: usize| start + i as f64 / rate;
        let data = &s[30..510];
        match (packing, axes) {
            (0, 3) => {
                for i in 0..count.min(120) {
                    let v = u32_at(data, i * 4);
                    let exponent = v >> 30;
                    // Each axis: a 10-bit signed value, shifted left by the exponent.
                    let axis = |shift: u32| {
                        let raw = ((v >> shift) & 0x3ff) as i32;
                        let signed = if raw & 0x200 != 0 { raw - 0x400 } else { raw };
                        f64::from(signed << exponent) / 256.0 * G
                    };
                    self.blocks.samples.push(Sample {
                        t: at(i),
                        acc: [axis(0), axis(10), axis(20)],
                        gyr: None,
                    });
                }
            }
            (2, 3) | (2, 6) => {
                let accel_lsb = G / f64::from(1u32 << (8 + u32::from((light_scale >> 13) & 7)));
                let gyro_n = u32::from((light_scale >> 10) & 7);
                let gyro_range = if gyro_n == 0 {
                    2000.0
                } else {
                    4000.0 / f64::from(1u32 << gyro_n)
                };
                let gyro_lsb = gyro_range / 32_768.0;
                let width = axes * 2;
                for i in 0..count.min(480 / width) {
                    let value = |k: usize| {
                        f64::from(i16::from_le_bytes([
                            data[i * width + k * 2],
                            data[i * width + k * 2 + 1],
                        ]))
                    };
                    // AX6: gyroscope x, y, z, then accelerometer x, y, z.
                    let (acc, gyr) = if axes == 6 {
                        (
                            [
                                value(3) * accel_lsb,
                                value(4) * accel_lsb,
                                value(5) * accel_lsb,
                            ],
                            Some([
                                value(0) * gyro_lsb,
                                value(1) * gyro_lsb,
                                value(2) * gyro_lsb,
                            ]),
                        )
                    } else {
                        (
                            [
                                value(0) * accel_lsb,
                                value(1) * accel_lsb,
                                value(2) * accel_lsb,
                            ],
                            None,
                        )
                    };
                    self.blocks.samples.push(Sample { t: at(i), acc, gyr });
                }
            }
            // Magnetometer or unknown packings: not used here.
            _ => self.skipped_sectors += 1,
        }
        if let Some(last) = self.blocks.samples.last() {
            self.continuation = Some((last.t + 1.0 / rate, sequence.wrapping_add(1)));
        }
    }
}

impl<R: Read> Iterator for CwaReader<R> {
    type Item = Result<Sample, CwaError>;

    fn next(&mut self) -> Option<Self::Item> {
        next_sample(self, |r| &mut r.blocks, Self::fill)
    }
}

/// A whole recording in memory (for tests and small files).
#[derive(Debug, Clone)]
pub struct CwaRecording {
    /// The samples.
    pub samples: Vec<Sample>,
    /// Sectors skipped.
    pub skipped_sectors: u32,
    /// Sectors read.
    pub sectors: u32,
    /// "AX3" or "AX6".
    pub device: &'static str,
    /// Sample rate, Hz.
    pub rate_hz: f64,
}

/// Reads a whole file from bytes.
pub fn read(bytes: &[u8]) -> Result<CwaRecording, CwaError> {
    let mut reader = CwaReader::new(bytes)?;
    let samples = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    Ok(CwaRecording {
        samples,
        skipped_sectors: reader.skipped_sectors,
        sectors: reader.sectors,
        device: reader.device,
        rate_hz: reader.rate_hz,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_times_unpack() {
        // 2014-04-01 12:30:15
        let packed = (14 << 26) | (4 << 22) | (1 << 17) | (12 << 12) | (30 << 6) | 15;
        assert_eq!(unpack_time(packed), 1_396_355_415.0);
    }

    #[test]
    fn garbage_is_not_a_cwa_file() {
        assert_eq!(read(b"hello").unwrap_err(), CwaError::NotCwa);
        assert_eq!(read(&[0u8; 2048]).unwrap_err(), CwaError::NotCwa);
    }
}
