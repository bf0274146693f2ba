//! Motion data as CSV with a header row: `time_s` (or `sample` with a rate), `acc_x`, `acc_y`,
//! `acc_z`, optionally `gyr_x`, `gyr_y`, `gyr_z`, in any column order and any sensor
//! orientation. Units are detected from the data when not given (gravity's magnitude tells m/s²
//! from g; the size of turning rates tells deg/s from rad/s) and the reader says what it
//! assumed. Rows stream: memory does not grow with the file. Written by hand rather than with
//! the `csv` crate because the format is numbers separated by commas, with no quoting.
//!
//! Reading numbers is the cost here (a day at 100 Hz is 8.6 million rows, 60 million values), so
//! rows are read as bytes straight from the reader's buffer: each line is found with `memchr`,
//! and each value the analysis needs is parsed where it stands with `fast-float2`, which parses
//! from bytes (no UTF-8 check, no trimming, no split) and tells where the number ended. A row
//! that is anything but plain numbers (blank, short, a bad value, text that is not ASCII) goes to
//! the exact reading of `&str` values, which gives the same values and the same messages as
//! ever.

use crate::{G, Sample};
use std::collections::VecDeque;
use std::io::BufRead;

/// Acceleration units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccUnit {
    /// Metres per second squared.
    MetersPerSecond2,
    /// Multiples of standard gravity.
    G,
}

/// Angular velocity units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GyroUnit {
    /// Degrees per second.
    DegreesPerSecond,
    /// Radians per second.
    RadiansPerSecond,
}

impl std::str::FromStr for AccUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m/s2" | "m/s^2" | "mps2" => Ok(AccUnit::MetersPerSecond2),
            "g" => Ok(AccUnit::G),
            _ => Err(format!(
                "acceleration unit '{s}' is not known; expected m/s2 or g"
            )),
        }
    }
}

impl std::str::FromStr for GyroUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "deg/s" | "dps" => Ok(GyroUnit::DegreesPerSecond),
            "rad/s" => Ok(GyroUnit::RadiansPerSecond),
            _ => Err(format!(
                "gyroscope unit '{s}' is not known; expected deg/s or rad/s"
            )),
        }
    }
}

/// How to read a CSV file.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Samples per second, needed when the file counts samples instead of giving times.
    pub rate_hz: Option<f64>,
    /// Acceleration unit, detected when absent.
    pub acc_unit: Option<AccUnit>,
    /// Gyroscope unit, detected when absent.
    pub gyro_unit: Option<GyroUnit>,
}

/// Why motion data cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// No header row.
    #[error(
        "the file is empty: expected a header row naming time_s (or sample), acc_x, acc_y, acc_z"
    )]
    Empty,
    /// A required column is missing.
    #[error(
        "the header has no `{0}` column: expected time_s (or sample with --rate), acc_x, acc_y, acc_z, and optionally gyr_x, gyr_y, gyr_z"
    )]
    MissingColumn(&'static str),
    /// Sample numbers without a rate.
    #[error("the file counts samples (`sample` column): give the rate with --rate HZ")]
    NeedRate,
    /// A value that is not a number.
    #[error("line {line}: `{value}` in column {column} is not a number")]
    BadNumber {
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: String,
        /// The text.
        value: String,
    },
    /// Too few values on a line.
    #[error("line {line}: {found} values, expected {expected}")]
    ShortLine {
        /// 1-based line number.
        line: usize,
        /// Values found.
        found: usize,
        /// Values expected.
        expected: usize,
    },
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// A line too long to be a row of numbers.
    #[error("line {line} is longer than {limit} bytes: this is not a row of motion data")]
    LongLine {
        /// 1-based line number.
        line: usize,
        /// The longest line read, bytes.
        limit: usize,
    },
}

/// Rows used to detect units.
const DETECTION_ROWS: usize = 1000;

/// Longest line read, bytes: a row of numbers is some tens of bytes, so a longer line is not
/// motion data, and reading it whole would make memory grow with the file.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Where each of a row's seven values (time, acc x y z, gyr x y z) is found.
struct Columns {
    time: usize,
    acc: [usize; 3],
    gyr: Option<[usize; 3]>,
    width: usize,
    /// For each column up to `width`, the value it holds, if the analysis needs it.
    slots: Vec<Option<usize>>,
}

impl Columns {
    fn new(time: usize, acc: [usize; 3], gyr: Option<[usize; 3]>) -> Columns {
        let mut width = time.max(acc[0]).max(acc[1]).max(acc[2]) + 1;
        if let Some(g) = gyr {
            width = width.max(g[0].max(g[1]).max(g[2]) + 1);
        }
        let mut slots = vec![None; width];
        let used = std::iter::once(time)
            .chain(acc)
            .chain(gyr.into_iter().flatten());
        for (slot, column) in used.enumerate() {
            slots[column] = Some(slot);
        }
        Columns {
            time,
            acc,
            gyr,
            width,
            slots,
        }
    }
}

/// A streaming CSV reader; iterate it for samples.
pub struct CsvReader<R: BufRead> {
    source: R,
    /// A line that straddles two fills of the source's buffer, gathered (at most
    /// [`MAX_LINE_BYTES`]).
    carry: Vec<u8>,
    line: usize,
    columns: Columns,
    period: Option<f64>,
    acc_scale: f64,
    gyro_scale: f64,
    buffered: VecDeque<(usize, [f64; 7])>,
    names: Vec<String>,
    /// What the reader assumed, for people to check.
    pub assumptions: Vec<String>,
}

/// What `char::is_whitespace` (and so `str::trim`) takes for white space, among ASCII bytes.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Powers of ten that are exact as `f64`.
const EXACT_POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A plain decimal at the start of `bytes` and how many bytes it takes (for the tests).
#[cfg(test)]
fn plain_decimal(bytes: &[u8]) -> Option<(f64, usize)> {
    plain_decimal_parts(bytes).map(|(numerator, denominator, used)| (numerator / denominator, used))
}

/// A plain decimal at the start of `bytes` (`-12.345`: an optional minus, digits, an optional
/// point and digits, 15 digits at most) as its signed digits and the power of ten to divide
/// them by, and how many bytes it takes; `None` for anything else (an exponent, a plus, more
/// digits), which `fast-float2` then reads. Written here because motion data is almost all
/// such numbers and this is Clinger's exact case, which a general parser reaches only after
/// its own checks: the digits make an integer below 2^53 and the power of ten is exact, so one
/// division, correctly rounded, gives the very `f64` that `str::parse` gives (see
/// `benches/csv.rs` for the comparison; a day holds 60 million values; end to end on the day,
/// 1.52 s of CPU against 1.67 s with `fast-float2` alone). The division is left
/// to the caller, so that a row's divisions run together rather than each holding up the
/// parsing of the next value (the profile showed the reader waiting on them).
fn plain_decimal_parts(bytes: &[u8]) -> Option<(f64, f64, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let (whole, digits) = digit_run(bytes, at, 0);
    at += digits;
    let (mantissa, decimals) = match bytes.get(at) {
        Some(b'.') => {
            at += 1;
            let (mantissa, decimals) = digit_run(bytes, at, whole);
            at += decimals;
            (mantissa, decimals)
        }
        _ => (whole, 0),
    };
    let digits = digits + decimals;
    if digits == 0
        || digits > 15
        || decimals >= EXACT_POWERS_OF_TEN.len()
        || matches!(bytes.get(at), Some(b'e' | b'E'))
    {
        return None;
    }
    // Below 10^15 < 2^53: exact as f64 (converted as signed, which x86-64 does in one step);
    // the sign before the division is the sign after it (rounding to nearest is symmetric).
    let numerator = mantissa as i64 as f64;
    Some((
        if negative { -numerator } else { numerator },
        EXACT_POWERS_OF_TEN[decimals],
        at,
    ))
}

/// The digits from `at` on, appended to `value`, and how many there are. Eight bytes at a time
/// where eight are left (SWAR: no branch per digit, whose mispredictions at the varying ends of
/// the numbers cost more than the arithmetic), one at a time after that. Wrapping: a value of
/// more than 15 digits is not used.
fn digit_run(bytes: &[u8], at: usize, mut value: u64) -> (u64, usize) {
    let mut count = 0;
    if let Some(eight_bytes) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(eight_bytes);
        // Each byte minus '0' (a digit becomes 0-9); a byte is not a digit where that is 10 or
        // more, which adding 0x76 shows in its top bit (or the byte's own top bit is set; a carry
        // out of such a byte only touches later bytes).
        let x = u64::from_le_bytes(word) ^ 0x3030_3030_3030_3030;
        let not_digit = (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080;
        count = (not_digit.trailing_zeros() / 8) as usize;
        if count > 0 {
            // The digits to the top bytes, zeros (leading zero digits) below; then pairs,
            // fours and eights of digits combined as in `fast_float`'s eight-digit step.
            let mut v = x << (8 * (8 - count));
            v = v.wrapping_mul(10).wrapping_add(v >> 8);
            let ones = (v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
            let tens = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
            let eight = u64::from((ones.wrapping_add(tens) >> 32) as u32);
            value = value.wrapping_mul(EXACT_TENS[count]).wrapping_add(eight);
        }
        if count < 8 {
            return (value, count);
        }
    }
    while let Some(d) = bytes
        .get(at + count)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d < 10)
    {
        value = value.wrapping_mul(10).wrapping_add(u64::from(d));
        count += 1;
    }
    (value, count)
}

/// Powers of ten up to 10^8, as integers.
const EXACT_TENS: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// A finite number at the start of `bytes` as a numerator and a denominator to divide it by
/// (see [`plain_decimal_parts`]), and how many bytes it takes.
fn number_at(bytes: &[u8]) -> Option<(f64, f64, usize)> {
    plain_decimal_parts(bytes).or_else(|| {
        fast_float2::parse_partial::<f64, _>(bytes)
            .ok()
            .filter(|(value, _)| value.is_finite())
            .map(|(value, used)| (value, 1.0, used))
    })
}

/// A value as the reader's common path reads it from bytes: the number that is the whole of
/// `field`, or `None` (for the benchmark that compares it with other parsers).
pub fn parse_value(field: &[u8]) -> Option<f64> {
    number_at(field).and_then(|(numerator, denominator, used)| {
        (used == field.len()).then_some(numerator / denominator)
    })
}

/// A row of plain numbers, read from its bytes; `None` for anything else (a blank line, a short
/// row, a value that is not a finite number, white space that is not ASCII), which
/// [`parse_row`] then reads or reports exactly. The bytes must be valid UTF-8, as `parse_row`
/// would refuse them otherwise.
fn parse_row_fast(line: &[u8], columns: &Columns) -> Option<[f64; 7]> {
    // Rows wider than `parse_row` reads are its to refuse, with its message.
    if columns.width > PARSE_ROW_FIELDS {
        return None;
    }
    let mut numerators = [0.0; 7];
    let mut denominators = [1.0; 7];
    let mut at = 0;
    let skip_space = |mut at: usize| {
        while line.get(at).is_some_and(|b| is_space(*b)) {
            at += 1;
        }
        at
    };
    for (column, slot) in columns.slots.iter().enumerate() {
        match slot {
            Some(slot) => {
                at = skip_space(at);
                // The value must be all of the (trimmed) field: a number, then only spaces up to
                // the comma, as `str::parse` on the trimmed field would take it.
                let (numerator, denominator, used) = number_at(&line[at..])?;
                if used == 0 {
                    return None;
                }
                numerators[*slot] = numerator;
                denominators[*slot] = denominator;
                at = skip_space(at + used);
            }
            None => at += memchr::memchr(b',', &line[at..]).unwrap_or(line.len() - at),
        }
        match line.get(at) {
            Some(b',') => at += 1,
            // The end of the line: only after the last column needed.
            None if column + 1 == columns.width => {}
            _ => return None,
        }
    }
    Some(std::array::from_fn(|i| numerators[i] / denominators[i]))
}

/// The most fields a row may have before its needed values (see [`parse_row`]).
const PARSE_ROW_FIELDS: usize = 32;

/// A row read exactly as `&str` values (see [`parse_row_fast`] for the common case).
fn parse_row(
    text: &str,
    line: usize,
    columns: &Columns,
    names: &[String],
) -> Result<[f64; 7], CsvError> {
    // Split into a fixed array: no allocation per row (a day at 100 Hz is 8.6 million rows).
    let mut values = [""; PARSE_ROW_FIELDS];
    let mut found = 0;
    for (i, v) in text.split(',').enumerate() {
        if i < values.len() {
            values[i] = v.trim();
        }
        found = i + 1;
    }
    if found < columns.width || columns.width > values.len() {
        return Err(CsvError::ShortLine {
            line,
            found,
            expected: columns.width,
        });
    }
    let number = |i: usize| -> Result<f64, CsvError> {
        values[i]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| CsvError::BadNumber {
                line,
                column: names.get(i).cloned().unwrap_or_default(),
                value: values[i].chars().take(40).collect(),
            })
    };
    let mut row = [0.0; 7];
    row[0] = number(columns.time)?;
    for k in 0..3 {
        row[1 + k] = number(columns.acc[k])?;
    }
    if let Some(g) = columns.gyr {
        for k in 0..3 {
            row[4 + k] = number(g[k])?;
        }
    }
    Ok(row)
}

/// One line's bytes, as read.
enum Line<'a> {
    /// Plain ASCII: the fast reading applies.
    Ascii(&'a [u8]),
    /// Other text.
    Text(&'a str),
}

/// Finds the next line of `source` (without its `\n`) and hands it to `read`; `None` at the end.
/// A line is taken from the source's buffer where it lies whole, else gathered in `carry`.
fn next_line<R: BufRead, T>(
    source: &mut R,
    carry: &mut Vec<u8>,
    line: usize,
    mut read: impl FnMut(Line<'_>) -> T,
) -> Result<Option<T>, CsvError> {
    carry.clear();
    // The words `BufRead::read_line` used for such a line, kept as they were.
    let invalid = || CsvError::Io("stream did not contain valid UTF-8".into());
    let mut as_line = |bytes: &[u8]| -> Result<T, CsvError> {
        if bytes.is_ascii() {
            Ok(read(Line::Ascii(bytes)))
        } else {
            match std::str::from_utf8(bytes) {
                Ok(text) => Ok(read(Line::Text(text))),
                Err(_) => Err(invalid()),
            }
        }
    };
    loop {
        let buffer = match source.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CsvError::Io(e.to_string())),
        };
        if buffer.is_empty() {
            return if carry.is_empty() {
                Ok(None)
            } else {
                as_line(carry).map(Some)
            };
        }
        let (end, used) = match memchr::memchr(b'\n', buffer) {
            Some(i) => (Some(i), i + 1),
            None => (None, buffer.len()),
        };
        let out = match end {
            Some(i) if carry.is_empty() => Some(as_line(&buffer[..i])),
            _ => {
                let part = &buffer[..end.unwrap_or(buffer.len())];
                if carry.len() + part.len() > MAX_LINE_BYTES {
                    return Err(CsvError::LongLine {
                        line,
                        limit: MAX_LINE_BYTES,
                    });
                }
                carry.extend_from_slice(part);
                end.map(|_| as_line(carry))
            }
        };
        source.consume(used);
        if let Some(out) = out {
            return out.map(Some);
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A line's row: `None` for a blank line (skipped).
fn read_row(
    line: Line<'_>,
    number: usize,
    columns: &Columns,
    names: &[String],
) -> Option<Result<[f64; 7], CsvError>> {
    let text = match line {
        Line::Ascii(bytes) => {
            if let Some(row) = parse_row_fast(bytes, columns) {
                return Some(Ok(row));
            }
            // ASCII, so UTF-8: the slow path below says what is wrong, word for word.
            std::str::from_utf8(bytes).unwrap_or_default()
        }
        Line::Text(text) => text,
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(parse_row(text.trim_end(), number, columns, names))
}

impl<R: BufRead> CsvReader<R> {
    /// Reads the header and enough rows to detect the units.
    pub fn new(mut source: R, options: CsvOptions) -> Result<Self, CsvError> {
        let mut carry = Vec::new();
        let mut line = 0;
        let header = loop {
            line += 1;
            let text = next_line(&mut source, &mut carry, line, |l| match l {
                Line::Ascii(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                Line::Text(text) => text.to_string(),
            })?;
            match text {
                None => return Err(CsvError::Empty),
                Some(text) if text.trim().is_empty() => continue,
                Some(text) => break text.trim_end().to_string(),
            }
        };
        let names: Vec<String> = header
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(|n| n.trim().to_ascii_lowercase())
            .collect();
        let find = |name: &'static str| names.iter().position(|n| n == name);
        let (time, is_sample_index) = match (find("time_s"), find("sample")) {
            (Some(t), _) => (t, false),
            (None, Some(s)) => (s, true),
            (None, None) => return Err(CsvError::MissingColumn("time_s")),
        };
        let need = |name: &'static str| find(name).ok_or(CsvError::MissingColumn(name));
        let acc = [need("acc_x")?, need("acc_y")?, need("acc_z")?];
        let gyr = match (find("gyr_x"), find("gyr_y"), find("gyr_z")) {
            (Some(x), Some(y), Some(z)) => Some([x, y, z]),
            _ => None,
        };
        let columns = Columns::new(time, acc, gyr);
        let period = if is_sample_index {
            match options.rate_hz {
                Some(r) if r.is_finite() && r > 0.0 => Some(1.0 / r),
                _ => return Err(CsvError::NeedRate),
            }
        } else {
            None
        };
        // Read ahead for unit detection; the rows are replayed by the iterator.
        let mut buffered = VecDeque::new();
        while buffered.len() < DETECTION_ROWS {
            let row = next_line(&mut source, &mut carry, line + 1, |l| {
                read_row(l, line + 1, &columns, &names)
            })?;
            let Some(row) = row else { break };
            line += 1;
            if let Some(row) = row {
                buffered.push_back((line, row?));
            }
        }
        let mut assumptions = Vec::new();
        let acc_unit = match options.acc_unit {
            Some(u) => u,
            None => {
                let m = median(
                    buffered
                        .iter()
                        .map(|(_, r)| (r[1] * r[1] + r[2] * r[2] + r[3] * r[3]).sqrt())
                        .collect(),
                );
                // At rest or walking the magnitude hovers around gravity: ~9.8 or ~1.
                let unit = if m > 3.0 {
                    AccUnit::MetersPerSecond2
                } else {
                    AccUnit::G
                };
                assumptions.push(format!(
                    "acceleration in {} (median magnitude {m:.2}); pass --acc-unit to override",
                    if unit == AccUnit::G { "g" } else { "m/s2" }
                ));
                unit
            }
        };
        let gyro_unit = match (options.gyro_unit, gyr) {
            (Some(u), _) => u,
            (None, None) => GyroUnit::DegreesPerSecond,
            (None, Some(_)) => {
                let mut rates: Vec<f64> = buffered
                    .iter()
                    .map(|(_, r)| (r[4] * r[4] + r[5] * r[5] + r[6] * r[6]).sqrt())
                    .collect();
                rates.sort_by(f64::total_cmp);
                let high = rates.get(rates.len() * 95 / 100).copied().unwrap_or(0.0);
                // Body segments turn at up to a few hundred deg/s, that is a few rad/s.
                let unit = if high > 15.0 {
                    GyroUnit::DegreesPerSecond
                } else {
                    GyroUnit::RadiansPerSecond
                };
                assumptions.push(format!(
                    "gyroscope in {} (95th percentile {high:.2}); pass --gyro-unit to override",
                    if unit == GyroUnit::RadiansPerSecond {
                        "rad/s"
                    } else {
                        "deg/s"
                    }
                ));
                unit
            }
        };
        Ok(CsvReader {
            source,
            carry,
            line,
            columns,
            period,
            acc_scale: if acc_unit == AccUnit::G { G } else { 1.0 },
            gyro_scale: if gyro_unit == GyroUnit::RadiansPerSecond {
                180.0 / std::f64::consts::PI
            } else {
                1.0
            },
            buffered,
            names,
            assumptions,
        })
    }

    fn sample(&self, row: [f64; 7]) -> Sample {
        Sample {
            t: match self.period {
                Some(p) => row[0] * p,
                None => row[0],
            },
            acc: [
                row[1] * self.acc_scale,
                row[2] * self.acc_scale,
                row[3] * self.acc_scale,
            ],
            gyr: self.columns.gyr.map(|_| {
                [
                    row[4] * self.gyro_scale,
                    row[5] * self.gyro_scale,
                    row[6] * self.gyro_scale,
                ]
            }),
        }
    }
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Result<Sample, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((_, row)) = self.buffered.pop_front() {
            return Some(Ok(self.sample(row)));
        }
        loop {
            let line = self.line + 1;
            let (columns, names) = (&self.columns, &self.names);
            let row = next_line(&mut self.source, &mut self.carry, line, |l| {
                read_row(l, line, columns, names)
            });
            match row {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some(row)) => {
                    self.line = line;
                    if let Some(row) = row {
                        return Some(row.map(|r| self.sample(r)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: CsvOptions) -> Result<(Vec<Sample>, Vec<String>), CsvError> {
        let reader = CsvReader::new(text.as_bytes(), options)?;
        let assumptions = reader.assumptions.clone();
        let samples = reader.collect::<Result<Vec<_>, _>>()?;
        Ok((samples, assumptions))
    }

    #[test]
    fn units_are_detected_and_said() {
        let (s, said) = read(
            "time_s,acc_x,acc_y,acc_z\n0,0,0,1\n0.01,0,0.1,0.98\n",
            CsvOptions::default(),
        )
        .unwrap();
        assert!((s[0].acc[2] - G).abs() < 1e-9);
        assert!(said[0].contains("in g"));
        let (s, said) = read(
            "sample,gyr_x,gyr_y,gyr_z,acc_z,acc_y,acc_x\n0,1.5,0,0,9.8,0,0\n1,0,2,0,9.7,0,0\n",
            CsvOptions {
                rate_hz: Some(100.0),
                ..CsvOptions::default()
            },
        )
        .unwrap();
        assert!((s[1].t - 0.01).abs() < 1e-12);
        assert!((s[0].acc[2] - 9.8).abs() < 1e-9, "columns in any order");
        assert!(said[1].contains("rad/s"));
        assert!((s[0].gyr.unwrap()[0] - 1.5_f64.to_degrees()).abs() < 1e-9);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert_eq!(
            read("", CsvOptions::default()).unwrap_err(),
            CsvError::Empty
        );
        assert_eq!(
            read("time_s,acc_x,acc_y\n", CsvOptions::default()).unwrap_err(),
            CsvError::MissingColumn("acc_z")
        );
        assert_eq!(
            read("sample,acc_x,acc_y,acc_z\n0,0,0,1\n", CsvOptions::default()).unwrap_err(),
            CsvError::NeedRate
        );
        let e = read(
            "time_s,acc_x,acc_y,acc_z\n0,0,0,1\n0.1,x,0,1\n",
            CsvOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("line 3") && e.to_string().contains("acc_x"),
            "{e}"
        );
        let e = read("time_s,acc_x,acc_y,acc_z\n0,0,0\n", CsvOptions::default()).unwrap_err();
        assert!(matches!(
            e,
            CsvError::ShortLine {
                line: 2,
                found: 3,
                expected: 4
            }
        ));
    }

    #[test]
    fn a_row_wider_than_the_reader_takes_is_refused_on_its_first_line_as_before() {
        let filler: Vec<String> = (0..30).map(|i| format!("x{i}")).collect();
        let text = format!(
            "{},time_s,acc_x,acc_y,acc_z\n{}0,0,0,1\n",
            filler.join(","),
            "1,".repeat(30)
        );
        let e = read(&text, CsvOptions::default()).unwrap_err();
        assert!(
            matches!(
                e,
                CsvError::ShortLine {
                    line: 2,
                    found: 34,
                    expected: 34
                }
            ),
            "{e:?}"
        );
    }

    /// The same text read through a reader whose buffer holds only a few bytes, so that lines
    /// straddle its fills.
    fn read_small(text: &str, options: CsvOptions) -> Result<Vec<Sample>, CsvError> {
        let source = std::io::BufReader::with_capacity(7, text.as_bytes());
        CsvReader::new(source, options)?.collect()
    }

    #[test]
    fn rows_of_every_shape_read_alike_in_any_buffer() {
        let text = "\u{feff}Time_s , acc_x,acc_y,acc_z,note,gyr_x,gyr_y,gyr_z\r\n\
                    \r\n\
                    0, 0.5 ,-1.25,9.8,walk,+1,2e1,-3.5E-1\r\n\
                    \t \n\
                    0.01,.5,-.5,5.,x y,0,0,0,extra,columns\n\
                    0.02,1,2,3,\u{e9},4,5,6\n\
                    0.03,0000000000000000001.5,1234567890.123456789,3,,4,5,6";
        let options = CsvOptions {
            acc_unit: Some(AccUnit::MetersPerSecond2),
            gyro_unit: Some(GyroUnit::DegreesPerSecond),
            ..CsvOptions::default()
        };
        let whole = read(text, options).unwrap().0;
        assert_eq!(whole, read_small(text, options).unwrap());
        let acc: Vec<[f64; 3]> = whole.iter().map(|s| s.acc).collect();
        assert_eq!(
            acc,
            vec![
                [0.5, -1.25, 9.8],
                [0.5, -0.5, 5.0],
                [1.0, 2.0, 3.0],
                [1.5, 1_234_567_890.123_456_7, 3.0]
            ]
        );
        assert_eq!(whole[0].gyr, Some([1.0, 20.0, -0.35]));
        assert_eq!(whole[3].t, 0.03);
    }

    #[test]
    fn bad_rows_are_reported_by_their_line_in_any_buffer() {
        let text = "time_s,acc_x,acc_y,acc_z\n0,0,0,1\n\n0.1,1.5.2,0,1\n";
        for e in [
            read(text, CsvOptions::default()).unwrap_err(),
            read_small(text, CsvOptions::default()).unwrap_err(),
        ] {
            assert_eq!(
                e.to_string(),
                "line 4: `1.5.2` in column acc_x is not a number"
            );
        }
        // Past the rows read ahead for the units, too.
        let mut long = String::from("time_s,acc_x,acc_y,acc_z\n");
        for i in 0..1500 {
            long.push_str(&format!("{i},0,0,1\n"));
        }
        long.push_str("1500,0,inf,1\n");
        let e = read_small(&long, CsvOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1502: `inf` in column acc_y is not a number"
        );
        let e = read(
            "time_s,acc_x,acc_y,acc_z\n0,0,0,1\n1,2\n",
            CsvOptions::default(),
        );
        assert!(matches!(
            e.unwrap_err(),
            CsvError::ShortLine {
                line: 3,
                found: 2,
                expected: 4
            }
        ));
    }

    #[test]
    fn text_that_is_not_utf8_or_no_row_at_all_is_refused() {
        let bytes = b"time_s,acc_x,acc_y,acc_z\n0,0,0,1\n0.1,0,\xff,1\n";
        let e = CsvReader::new(&bytes[..], CsvOptions::default())
            .map(|r| r.collect::<Result<Vec<_>, _>>())
            .and_then(|r| r)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read the file: stream did not contain valid UTF-8"
        );
        let mut text = String::from("time_s,acc_x,acc_y,acc_z\n0,");
        text.push_str(&"1".repeat(MAX_LINE_BYTES + 1));
        let e = read_small(&text, CsvOptions::default()).unwrap_err();
        assert_eq!(
            e,
            CsvError::LongLine {
                line: 2,
                limit: MAX_LINE_BYTES
            }
        );
    }

    #[test]
    fn plain_decimals_are_the_numbers_str_parse_gives() {
        for text in [
            "0",
            "-0",
            "9.80665",
            "-0.0238",
            "123456789012345",
            "0.00000000000001",
            ".5",
            "5.",
        ] {
            let (value, used) = plain_decimal(text.as_bytes()).unwrap();
            assert_eq!(used, text.len());
            assert_eq!(
                value.to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
        }
        // Left to fast-float2 (or refused).
        for text in [
            "",
            "-",
            ".",
            "1e5",
            "+1",
            "1234567890123456",
            "0.000000000000001",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
    }

    proptest::proptest! {
        /// Plain decimals of any length, followed by anything, eight bytes at a time or not.
        #[test]
        fn plain_decimals_of_any_length_are_exact(
            number in "-?[0-9]{0,17}(\\.[0-9]{0,17})?",
            after in "[,;x \t.eE0-9\u{e9}]{0,9}",
        ) {
            let text = format!("{number}{after}");
            if let Some((value, used)) = plain_decimal(text.as_bytes()) {
                let exact = text[..used].parse::<f64>().unwrap();
                proptest::prop_assert_eq!(value.to_bits(), exact.to_bits(), "{}", text);
                proptest::prop_assert!(!text[used..].starts_with(|c: char| c.is_ascii_digit()));
            }
        }

        /// Whatever a row holds, the fast reading of its bytes gives what the exact reading of
        /// its text gives, or leaves it to the exact reading.
        #[test]
        fn the_fast_reading_agrees_with_the_exact_one(
            row in proptest::collection::vec(
                proptest::string::string_regex("[ \t]?[-+]?[0-9]{0,18}(\\.[0-9]{0,18})?([eE][-+]?[0-9]{0,3})?[ \t]?|inf|NaN|x|").unwrap(),
                4..7,
            )
        ) {
            let line = row.join(",");
            let columns = Columns::new(0, [1, 2, 3], None);
            let names: Vec<String> = ["time_s", "acc_x", "acc_y", "acc_z"].map(String::from).to_vec();
            if let Some(fast) = parse_row_fast(line.as_bytes(), &columns) {
                let exact = parse_row(line.trim_end(), 2, &columns, &names).unwrap();
                proptest::prop_assert_eq!(fast.map(f64::to_bits), exact.map(f64::to_bits), "{}", line);
            }
        }
    }
}
