//! Motion data as CSV with a header row: `time_s` (or `sample` with a rate), `acc_x`, `acc_y`,
//! `acc_z`, optionally `gyr_x`, `gyr_y`, `gyr_z`, in any column order and any sensor
//! orientation. Units are detected from the data when not given (gravity's magnitude tells m/s²
//! from g; the size of turning rates tells deg/s from rad/s) and the reader says what it
//! assumed. Rows stream: memory does not grow with the file. Written by hand rather than with
//! the `csv` crate because the format is numbers separated by commas, with no quoting.

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
}

/// Rows used to detect units.
const DETECTION_ROWS: usize = 1000;

struct Columns {
    time: usize,
    acc: [usize; 3],
    gyr: Option<[usize; 3]>,
    width: usize,
}

/// A streaming CSV reader; iterate it for samples.
pub struct CsvReader<R: BufRead> {
    source: R,
    text: String,
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

fn parse_row(
    text: &str,
    line: usize,
    columns: &Columns,
    names: &[String],
) -> Result<[f64; 7], CsvError> {
    // Split into a fixed array: no allocation per row (a day at 100 Hz is 8.6 million rows).
    let mut values = [""; 32];
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

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

impl<R: BufRead> CsvReader<R> {
    /// Reads the header and enough rows to detect the units.
    pub fn new(mut source: R, options: CsvOptions) -> Result<Self, CsvError> {
        let mut text = String::new();
        let mut line = 0;
        let header = loop {
            text.clear();
            line += 1;
            match source.read_line(&mut text) {
                Ok(0) => return Err(CsvError::Empty),
                Err(e) => return Err(CsvError::Io(e.to_string())),
                Ok(_) if text.trim().is_empty() => continue,
                Ok(_) => break text.trim_end().to_string(),
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
        let mut width = time.max(acc[0]).max(acc[1]).max(acc[2]) + 1;
        if let Some(g) = gyr {
            width = width.max(g[0].max(g[1]).max(g[2]) + 1);
        }
        let columns = Columns {
            time,

            acc,
            gyr,
            width,
        };
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
            text.clear();
            match source.read_line(&mut text) {
                Ok(0) => break,
                Err(e) => return Err(CsvError::Io(e.to_string())),
                Ok(_) => {}
            }
            line += 1;
            if text.trim().is_empty() {
                continue;
            }
            buffered.push_back((line, parse_row(text.trim_end(), line, &columns, &names)?));
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
            text,
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
            self.text.clear();
            match self.source.read_line(&mut self.text) {
                Ok(0) => return None,
                Err(e) => return Some(Err(CsvError::Io(e.to_string()))),
                Ok(_) => {}
            }
            self.line += 1;
            let text = self.text.trim_end();
            if text.is_empty() {
                continue;
            }
            return Some(
                parse_row(text, self.line, &self.columns, &self.names).map(|r| self.sample(r)),
            );
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
}
