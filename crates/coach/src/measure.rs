//! Validated measures parsed from what people type: speed, body mass, grade, duration, pain, RPE.
//!
//! Each type has a private field and one fallible constructor, so a value that exists is valid.
//! Parsing accepts the forms people write (`3.5mph`, `5.6 km/h`, `141lb`, `1h30m`) and rejects
//! anything else with a [`MeasureError`] that quotes the input and says what is accepted.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Metres per second in one mile per hour (1609.344 m / 3600 s).
pub const MPS_PER_MPH: f64 = 0.44704;
/// Metres per second in one kilometre per hour.
pub const MPS_PER_KMH: f64 = 1.0 / 3.6;
/// Kilograms in one pound (avoirdupois).
pub const KG_PER_LB: f64 = 0.453_592_37;

/// Why a measure could not be parsed or built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    /// The text is not in any accepted form.
    #[error("{what} '{input}' is not understood; expected {expected}")]
    Malformed {
        /// Which measure, e.g. "speed".
        what: &'static str,
        /// What was given.
        input: String,
        /// The accepted forms, for people.
        expected: &'static str,
    },
    /// The value parsed but is outside what the product accepts.
    #[error("{what} {input} is out of range; expected {expected}")]
    OutOfRange {
        /// Which measure.
        what: &'static str,
        /// What was given.
        input: String,
        /// The accepted range, for people.
        expected: &'static str,
    },
}

impl MeasureError {
    fn malformed(what: &'static str, input: &str, expected: &'static str) -> Self {
        MeasureError::Malformed {
            what,
            input: as_shown(input.to_string()),
            expected,
        }
    }
    fn out_of_range(what: &'static str, input: impl fmt::Display, expected: &'static str) -> Self {
        MeasureError::OutOfRange {
            what,
            input: as_shown(input.to_string()),
            expected,
        }
    }
}

/// The input as an error message repeats it: a huge number in short scientific form ("1e308 km/h",
/// not 309 digits), other long text cut to its start. A message must not be longer than the
/// field it is about.
fn as_shown(input: String) -> String {
    const LONGEST: usize = 24;
    if input.chars().count() <= LONGEST {
        return input;
    }
    let (number, rest) = input.split_once(' ').unwrap_or((&input, ""));
    if let Ok(value) = number.parse::<f64>() {
        let short = format!("{value:e}");
        return if rest.is_empty() {
            short
        } else {
            format!("{short} {rest}")
        };
    }
    let start: String = input.chars().take(LONGEST).collect();
    format!("{start}…")
}

/// Splits "3.5 mph" / "3.5mph" into the leading number and the trimmed, lower-cased unit.
fn split_number_unit(input: &str) -> Option<(f64, String)> {
    let text = input.trim();
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == '-' || *c == '+'))
        .map_or(text.len(), |(i, _)| i);
    let number: f64 = text[..end].parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    Some((number, text[end..].trim().to_ascii_lowercase()))
}

/// Walking speed, stored in metres per second.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct Speed(f64);

impl Speed {
    /// Slowest accepted speed: slower than any treadmill's lowest setting.
    pub const MIN_MPS: f64 = 0.1;
    /// Fastest accepted walking speed: 5.5 mph, the top of the Compendium's walking codes.
    /// Faster is running, estimated as running ([`TravelSpeed`]), not as walking.
    pub const MAX_MPS: f64 = 5.5 * MPS_PER_MPH;
    const EXPECTED_RANGE: &'static str =
        "a walking speed from 0.1 m/s to 5.5 mph (8.85 km/h, 2.46 m/s); faster is running";
    const EXPECTED_FORM: &'static str =
        "a number with a unit: mph, km/h (or kph) or m/s, e.g. 3.5mph, 5.6km/h, 1.5m/s";

    /// A speed in metres per second.
    pub fn from_mps(mps: f64) -> Result<Self, MeasureError> {
        // A tiny tolerance so that the top speed typed in km/h is not refused by rounding.
        if mps.is_finite() && (Self::MIN_MPS..=Self::MAX_MPS + 1e-9).contains(&mps) {
            Ok(Speed(mps.min(Self::MAX_MPS)))
        } else {
            Err(MeasureError::out_of_range(
                "speed",
                format!("{mps} m/s"),
                Self::EXPECTED_RANGE,
            ))
        }
    }
    /// A speed in miles per hour.
    pub fn from_mph(mph: f64) -> Result<Self, MeasureError> {
        Self::from_mps(mph * MPS_PER_MPH).map_err(|_| {
            MeasureError::out_of_range("speed", format!("{mph} mph"), Self::EXPECTED_RANGE)
        })
    }
    /// A speed in kilometres per hour.
    pub fn from_kmh(kmh: f64) -> Result<Self, MeasureError> {
        Self::from_mps(kmh * MPS_PER_KMH).map_err(|_| {
            MeasureError::out_of_range("speed", format!("{kmh} km/h"), Self::EXPECTED_RANGE)
        })
    }
    /// Metres per second.
    pub fn mps(self) -> f64 {
        self.0
    }
    /// Metres per minute, the unit of the ACSM equations.
    pub fn m_per_min(self) -> f64 {
        self.0 * 60.0
    }
    /// Miles per hour.
    pub fn mph(self) -> f64 {
        self.0 / MPS_PER_MPH
    }
    /// Kilometres per hour.
    pub fn kmh(self) -> f64 {
        self.0 / MPS_PER_KMH
    }
}

impl TryFrom<f64> for Speed {
    type Error = MeasureError;
    fn try_from(value: f64) -> Result<Self, MeasureError> {
        Self::from_mps(value)
    }
}

impl From<Speed> for f64 {
    fn from(s: Speed) -> f64 {
        s.0
    }
}

impl FromStr for Speed {
    type Err = MeasureError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let malformed = || MeasureError::malformed("speed", input, Self::EXPECTED_FORM);
        let (n, unit) = split_number_unit(input).ok_or_else(malformed)?;
        let out_of_range =
            |_| MeasureError::out_of_range("speed", input.trim(), Self::EXPECTED_RANGE);
        match unit.as_str() {
            "mph" => Self::from_mph(n).map_err(out_of_range),
            "km/h" | "kmh" | "kph" => Self::from_kmh(n).map_err(out_of_range),
            "m/s" | "mps" => Self::from_mps(n).map_err(out_of_range),
            _ => Err(malformed()),
        }
    }
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} km/h ({:.1} mph)", self.kmh(), self.mph())
    }
}

/// Speed of travel in any sport (walking, running, cycling), stored in metres per second. A
/// walking estimate needs a [`Speed`] as well: this only says the figure is a plausible speed
/// for a person moving under their own power.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct TravelSpeed(f64);

impl TravelSpeed {
    /// Slowest accepted speed, as for walking.
    pub const MIN_MPS: f64 = Speed::MIN_MPS;
    /// Fastest accepted speed: 30 m/s (108 km/h, 67 mph), beyond a racing cyclist downhill.
    pub const MAX_MPS: f64 = 30.0;
    const EXPECTED_RANGE: &'static str = "a speed from 0.1 m/s to 30 m/s (108 km/h, 67 mph)";

    /// A speed in metres per second.
    pub fn from_mps(mps: f64) -> Result<Self, MeasureError> {
        if mps.is_finite() && (Self::MIN_MPS..=Self::MAX_MPS).contains(&mps) {
            Ok(TravelSpeed(mps))
        } else {
            Err(MeasureError::out_of_range(
                "speed",
                format!("{mps} m/s"),
                Self::EXPECTED_RANGE,
            ))
        }
    }
    /// Metres per second.
    pub fn mps(self) -> f64 {
        self.0
    }
    /// Miles per hour.
    pub fn mph(self) -> f64 {
        self.0 / MPS_PER_MPH
    }
    /// Kilometres per hour.
    pub fn kmh(self) -> f64 {
        self.0 / MPS_PER_KMH
    }
    /// The same speed as a walking [`Speed`], when it is one (at most 5.5 mph).
    pub fn walking(self) -> Option<Speed> {
        Speed::from_mps(self.0).ok()
    }
}

impl From<Speed> for TravelSpeed {
    fn from(s: Speed) -> Self {
        TravelSpeed(s.mps())
    }
}

impl TryFrom<f64> for TravelSpeed {
    type Error = MeasureError;
    fn try_from(value: f64) -> Result<Self, MeasureError> {
        Self::from_mps(value)
    }
}

impl From<TravelSpeed> for f64 {
    fn from(s: TravelSpeed) -> f64 {
        s.0
    }
}

/// Body mass, stored in kilograms.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct BodyMass(f64);

impl BodyMass {
    const EXPECTED_RANGE: &'static str = "a body mass from 20 kg to 350 kg (44 lb to 772 lb)";
    const EXPECTED_FORM: &'static str = "a number with a unit: kg or lb, e.g. 64kg, 141lb";

    /// A body mass in kilograms, 20 to 350.
    pub fn from_kg(kg: f64) -> Result<Self, MeasureError> {
        if kg.is_finite() && (20.0..=350.0).contains(&kg) {
            Ok(BodyMass(kg))
        } else {
            Err(MeasureError::out_of_range(
                "body mass",
                format!("{kg} kg"),
                Self::EXPECTED_RANGE,
            ))
        }
    }
    /// A body mass in pounds.
    pub fn from_lb(lb: f64) -> Result<Self, MeasureError> {
        Self::from_kg(lb * KG_PER_LB).map_err(|_| {
            MeasureError::out_of_range("body mass", format!("{lb} lb"), Self::EXPECTED_RANGE)
        })
    }
    /// Kilograms.
    pub fn kg(self) -> f64 {
        self.0
    }
    /// Pounds.
    pub fn lb(self) -> f64 {
        self.0 / KG_PER_LB
    }
}

impl TryFrom<f64> for BodyMass {
    type Error = MeasureError;
    fn try_from(value: f64) -> Result<Self, MeasureError> {
        Self::from_kg(value)
    }
}

impl From<BodyMass> for f64 {
    fn from(m: BodyMass) -> f64 {
        m.0
    }
}

impl FromStr for BodyMass {
    type Err = MeasureError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let malformed = || MeasureError::malformed("body mass", input, Self::EXPECTED_FORM);
        let (n, unit) = split_number_unit(input).ok_or_else(malformed)?;
        let out_of_range =
            |_| MeasureError::out_of_range("body mass", input.trim(), Self::EXPECTED_RANGE);
        match unit.as_str() {
            "kg" | "kgs" => Self::from_kg(n).map_err(out_of_range),
            "lb" | "lbs" => Self::from_lb(n).map_err(out_of_range),
            _ => Err(malformed()),
        }
    }
}

impl fmt::Display for BodyMass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} kg ({:.0} lb)", self.kg(), self.lb())
    }
}

/// Treadmill or hill grade, stored as a percentage (5 means 5%). Level and uphill only:
/// the equations and Compendium codes the product encodes do not cover backward downhill.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(into = "f64", try_from = "f64")]
pub struct Grade(f64);

impl Grade {
    /// Steepest accepted grade, the top of most treadmills.
    pub const MAX_PERCENT: f64 = 25.0;
    const EXPECTED: &'static str =
        "a grade in percent from 0 to 25, written 5% or 5 (downhill is not supported)";

    /// Level ground.
    pub const LEVEL: Grade = Grade(0.0);

    /// A grade in percent.
    pub fn from_percent(percent: f64) -> Result<Self, MeasureError> {
        if percent.is_finite() && (0.0..=Self::MAX_PERCENT).contains(&percent) {
            Ok(Grade(percent))
        } else {
            Err(MeasureError::out_of_range(
                "grade",
                format!("{percent}%"),
                Self::EXPECTED,
            ))
        }
    }
    /// Percent (5 for 5%).
    pub fn percent(self) -> f64 {
        self.0
    }
    /// As a fraction (0.05 for 5%), the form the ACSM equations use.
    pub fn fraction(self) -> f64 {
        self.0 / 100.0
    }
}

impl TryFrom<f64> for Grade {
    type Error = MeasureError;
    fn try_from(value: f64) -> Result<Self, MeasureError> {
        Self::from_percent(value)
    }
}

impl From<Grade> for f64 {
    fn from(g: Grade) -> f64 {
        g.0
    }
}

impl FromStr for Grade {
    type Err = MeasureError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (n, unit) = split_number_unit(input)
            .ok_or_else(|| MeasureError::malformed("grade", input, Self::EXPECTED))?;
        if !(unit.is_empty() || unit == "%") {
            return Err(MeasureError::malformed("grade", input, Self::EXPECTED));
        }
        Self::from_percent(n)
            .map_err(|_| MeasureError::out_of_range("grade", input.trim(), Self::EXPECTED))
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// A length of time in whole seconds, 1 s to 24 h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u32", try_from = "u32")]
pub struct ActivityDuration(u32);

impl ActivityDuration {
    /// Longest accepted duration: one day.
    pub const MAX_SECONDS: u32 = 24 * 3600;
    const EXPECTED: &'static str = "a duration from 1 s to 24 h written with units: 10min, 90s, 1h30m, 1h 5min 30s (h, min or m, s or sec)";

    /// A duration in seconds.
    pub fn from_seconds(seconds: u32) -> Result<Self, MeasureError> {
        if (1..=Self::MAX_SECONDS).contains(&seconds) {
            Ok(ActivityDuration(seconds))
        } else {
            Err(MeasureError::out_of_range(
                "duration",
                format!("{seconds} s"),
                Self::EXPECTED,
            ))
        }
    }
    /// Seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
    /// Hours, as the energy formulas want.
    pub fn hours(self) -> f64 {
        f64::from(self.0) / 3600.0
    }
}

impl TryFrom<u32> for ActivityDuration {
    type Error = MeasureError;
    fn try_from(value: u32) -> Result<Self, MeasureError> {
        Self::from_seconds(value)
    }
}

impl From<ActivityDuration> for u32 {
    fn from(d: ActivityDuration) -> u32 {
        d.0
    }
}

impl FromStr for ActivityDuration {
    type Err = MeasureError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let malformed = || MeasureError::malformed("duration", input, Self::EXPECTED);
        let text: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if text.is_empty() {
            return Err(malformed());
        }
        let mut total = 0.0_f64;
        let mut rest = text.as_str();
        // Units in the order they must appear; each at most once.
        let mut last_rank = 0;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(malformed)?;
            let number: f64 = rest[..digits].parse().map_err(|_| malformed())?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(rest.len());
            let (rank, factor) = match &rest[..unit_len] {
                "h" | "hr" | "hrs" | "hour" | "hours" => (1, 3600.0),
                "m" | "min" | "mins" | "minute" | "minutes" => (2, 60.0),
                "s" | "sec" | "secs" | "second" | "seconds" => (3, 1.0),
                _ => return Err(malformed()),
            };
            if rank <= last_rank {
                return Err(malformed());
            }
            last_rank = rank;
            total += number * factor;
            rest = &rest[unit_len..];
        }
        let rounded = total.round();
        if !(1.0..=f64::from(Self::MAX_SECONDS)).contains(&rounded) {
            return Err(MeasureError::out_of_range(
                "duration",
                input.trim(),
                Self::EXPECTED,
            ));
        }
        // In range 1..=86400, so the cast cannot truncate.
        Self::from_seconds(rounded as u32)
    }
}

impl fmt::Display for ActivityDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 % 3600 / 60, self.0 % 60);
        match (h, m, s) {
            (0, 0, s) => write!(f, "{s} s"),
            (0, m, 0) => write!(f, "{m} min"),
            (0, m, s) => write!(f, "{m} min {s} s"),
            (h, 0, _) => write!(f, "{h} h"),
            (h, m, _) => write!(f, "{h} h {m} min"),
        }
    }
}

/// A whole number as JSON may write it: `7` or `7.0` (JSON Schema counts both as integers, so
/// clients generated from the API's schema may send either). Fractions, and numbers outside
/// `0..=u32::MAX`, are refused with a message saying so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub u32);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let number = any_number(deserializer)?;
        let whole = number.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&number);
        if whole {
            // In range and without a fraction, so the cast is exact.
            Ok(WholeNumber(number as u32))
        } else {
            Err(D::Error::custom(format!(
                "{number} is not a whole number from 0 to {}",
                u32::MAX
            )))
        }
    }
}

/// Reads any JSON number as f64 (integers up to 2^53 are exact, which covers every scale).
fn any_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct Number;
    impl serde::de::Visitor<'_> for Number {
        type Value = f64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_i64<E>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_f64<E>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
    }
    deserializer.deserialize_any(Number)
}

macro_rules! integer_scale {
    ($(#[$doc:meta])* $name:ident, $what:literal, $min:literal, $max:literal, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "WholeNumber", into = "u8")]
        pub struct $name(u8);

        impl $name {
            /// Lowest value on the scale.
            pub const MIN: $name = $name($min);
            /// Highest value on the scale.
            pub const MAX: $name = $name($max);
            const EXPECTED: &'static str = $expected;

            /// The value, if it is on the scale.
            pub fn new(value: u8) -> Result<Self, MeasureError> {
                if ($min..=$max).contains(&value) {
                    Ok($name(value))
                } else {
                    Err(MeasureError::out_of_range($what, value, Self::EXPECTED))
                }
            }
            /// The value on the scale.
            pub fn value(self) -> u8 {
                self.0
            }
        }

        impl TryFrom<u8> for $name {
            type Error = MeasureError;
            fn try_from(value: u8) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<WholeNumber> for $name {
            type Error = MeasureError;
            fn try_from(value: WholeNumber) -> Result<Self, Self::Error> {
                u8::try_from(value.0)
                    .map_err(|_| MeasureError::out_of_range($what, value.0, Self::EXPECTED))
                    .and_then(Self::new)
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.0
            }
        }

        impl FromStr for $name {
            type Err = MeasureError;
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                let text = input.trim();
                // "3/10" and "13/20" are common ways to write a score.
                let number = text.split_once('/').map_or(text, |(n, _)| n.trim());
                let value: i64 = number
                    .parse()
                    .map_err(|_| MeasureError::malformed($what, input, Self::EXPECTED))?;
                u8::try_from(value)
                    .ok()
                    .and_then(|v| Self::new(v).ok())
                    .ok_or_else(|| MeasureError::out_of_range($what, text, Self::EXPECTED))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

integer_scale!(
    /// Pain on the 0-10 numerical rating scale (0 no pain, 10 worst imaginable).
    PainScore,
    "pain score",
    0,
    10,
    "a whole number from 0 (no pain) to 10 (worst pain imaginable)"
);

integer_scale!(
    /// Effort on Borg's rating of perceived exertion, 6 (no exertion) to 20 (maximal).
    Rpe,
    "RPE",
    6,
    20,
    "a whole number on Borg's scale from 6 (no exertion at all) to 20 (maximal exertion)"
);

integer_scale!(
    /// Age in whole years.
    Age,
    "age",
    1,
    120,
    "an age in whole years from 1 to 120"
);

impl Rpe {
    /// Borg 15, "hard": above it the built-in progression rules hold.
    pub const HARD: Rpe = Rpe(15);

    /// Borg's verbal anchor for this rating, where the scale has one.
    pub fn anchor(self) -> &'static str {
        match self.0 {
            6 => "no exertion at all",
            7 | 8 => "extremely light",
            9 | 10 => "very light",
            11 | 12 => "light",
            13 | 14 => "somewhat hard",
            15 | 16 => "hard",
            17 | 18 => "very hard",
            19 => "extremely hard",
            _ => "maximal exertion",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_parse_in_every_unit() {
        let mph: Speed = "3.5mph".parse().unwrap();
        assert!((mph.mps() - 1.56464).abs() < 1e-4);
        let kmh: Speed = "5.6 km/h".parse().unwrap();
        assert!((kmh.mps() - 1.5556).abs() < 1e-3);
        let mps: Speed = "1.5m/s".parse().unwrap();
        assert_eq!(mps.mps(), 1.5);
        assert!((mph.mph() - 3.5).abs() < 1e-9);
        assert!(" 4 KPH ".parse::<Speed>().is_ok());
    }

    #[test]
    fn speed_without_unit_says_which_units_are_accepted() {
        let err = "3.5".parse::<Speed>().unwrap_err().to_string();
        assert!(err.contains("'3.5'"), "{err}");
        assert!(err.contains("mph") && err.contains("km/h"), "{err}");
    }

    #[test]
    fn huge_inputs_are_repeated_short() {
        let e = Speed::from_kmh(1e308).map(|_| ()).unwrap_err().to_string();
        assert!(e.contains("1e308 km/h"), "{e}");
        assert!(e.len() < 200, "{e}");
        let long = "x".repeat(500);
        let e = long.parse::<Speed>().map(|_| ()).unwrap_err().to_string();
        assert!(e.len() < 250, "{e}");
    }

    #[test]
    fn running_speed_is_out_of_range() {
        let err = "7mph".parse::<Speed>().unwrap_err();
        assert!(matches!(err, MeasureError::OutOfRange { .. }));
        assert!(err.to_string().contains("7mph"));
        assert!("0mph".parse::<Speed>().is_err());
        assert!("-1m/s".parse::<Speed>().is_err());
        assert!("NaNmph".parse::<Speed>().is_err());
        assert!("infmph".parse::<Speed>().is_err());
    }

    #[test]
    fn top_speed_in_kmh_is_accepted() {
        assert!("8.85km/h".parse::<Speed>().is_ok());
        assert!("5.5mph".parse::<Speed>().is_ok());
    }

    #[test]
    fn body_mass_in_kg_and_lb() {
        assert_eq!("64kg".parse::<BodyMass>().unwrap().kg(), 64.0);
        let lb: BodyMass = "141 lb".parse().unwrap();
        assert!((lb.kg() - 63.956).abs() < 1e-3);
        assert!("141lbs".parse::<BodyMass>().is_ok());
        assert!("64".parse::<BodyMass>().is_err());
        assert!("5kg".parse::<BodyMass>().is_err());
        assert!("64 stone".parse::<BodyMass>().is_err());
    }

    #[test]
    fn grade_with_or_without_percent_sign() {
        assert_eq!("5%".parse::<Grade>().unwrap().percent(), 5.0);
        assert_eq!("5".parse::<Grade>().unwrap().fraction(), 0.05);
        assert!("-3%".parse::<Grade>().is_err());
        assert!("30%".parse::<Grade>().is_err());
        assert!("5deg".parse::<Grade>().is_err());
    }

    #[test]
    fn durations_in_the_forms_people_type() {
        let cases = [
            ("10min", 600),
            ("90s", 90),
            ("1h30m", 5400),
            ("1h 5min 30s", 3930),
            ("45 minutes", 2700),
            ("2h", 7200),
            ("0.5h", 1800),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                text.parse::<ActivityDuration>().unwrap().seconds(),
                seconds,
                "{text}"
            );
        }
        for bad in [
            "",
            "10",
            "min",
            "30s10m",
            "10min10min",
            "25h",
            "0s",
            "ten min",
        ] {
            assert!(bad.parse::<ActivityDuration>().is_err(), "{bad}");
        }
    }

    #[test]
    fn pain_and_rpe_stay_on_their_scales() {
        assert_eq!("3".parse::<PainScore>().unwrap().value(), 3);
        assert_eq!("3/10".parse::<PainScore>().unwrap().value(), 3);
        assert!("11".parse::<PainScore>().is_err());
        assert!("-1".parse::<PainScore>().is_err());
        assert!("5".parse::<Rpe>().is_err());
        assert!("21".parse::<Rpe>().is_err());
        assert_eq!("13".parse::<Rpe>().unwrap().anchor(), "somewhat hard");
        let err = "21".parse::<Rpe>().unwrap_err().to_string();
        assert!(
            err.contains("21") && err.contains("6") && err.contains("20"),
            "{err}"
        );
    }

    #[test]
    fn scales_deserialize_with_validation() {
        assert!(serde_json::from_str::<PainScore>("7").is_ok());
        assert!(serde_json::from_str::<PainScore>("12").is_err());
        assert!(serde_json::from_str::<Rpe>("4").is_err());
    }

    #[test]
    fn ages_are_plausible() {
        assert_eq!("58".parse::<Age>().unwrap().value(), 58);
        assert!("0".parse::<Age>().is_err());
        assert!("250".parse::<Age>().is_err());
        assert!(serde_json::from_str::<Age>("121").is_err());
    }

    #[test]
    fn durations_display_readably() {
        assert_eq!(
            ActivityDuration::from_seconds(600).unwrap().to_string(),
            "10 min"
        );
        assert_eq!(
            ActivityDuration::from_seconds(90).unwrap().to_string(),
            "1 min 30 s"
        );
        assert_eq!(
            ActivityDuration::from_seconds(45).unwrap().to_string(),
            "45 s"
        );
    }
}
