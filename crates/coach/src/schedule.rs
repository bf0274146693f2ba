//! When a person trains: the weekdays they chose and the time of day, which shape a plan's
//! dates (see [`crate::plan::build_plan`]). Both are optional: without weekdays the sessions are
//! spread evenly from the first day, as before; without a time they are whole-day entries.

use jiff::civil::{Time, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a weekday or a time of day was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A weekday name that is not one.
    #[error("weekday '{0}' is not known; expected mon, tue, wed, thu, fri, sat or sun")]
    UnknownWeekday(String),
    /// No weekday at all.
    #[error("no weekday chosen; expected at least one of mon, tue, wed, thu, fri, sat, sun")]
    NoWeekday,
    /// A time that is not HH:MM.
    #[error("time of day '{0}' is not understood; expected HH:MM on a 24-hour clock, e.g. 07:30")]
    BadTime(String),
}

/// The short names, Monday first, as typed and stored.
pub const WEEKDAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// The names as people read them, Monday first.
pub const WEEKDAY_WORDS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn index(day: Weekday) -> usize {
    // 0 (Monday) to 6: always in range.
    usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)
}

/// Parses one weekday name ("mon", "Monday", "wed"...).
pub fn parse_weekday(text: &str) -> Result<Weekday, ScheduleError> {
    let t = text.trim().to_ascii_lowercase();
    WEEKDAY_NAMES
        .iter()
        .zip(WEEKDAY_WORDS)
        .position(|(short, long)| t == *short || t == long.to_ascii_lowercase())
        .and_then(|i| i8::try_from(i).ok())
        .and_then(|i| Weekday::from_monday_zero_offset(i).ok())
        .ok_or_else(|| ScheduleError::UnknownWeekday(text.to_string()))
}

/// A non-empty set of weekdays the person trains on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrainingDays(u8);

impl TrainingDays {
    /// The set of these days; [`ScheduleError::NoWeekday`] when empty.
    pub fn new(days: impl IntoIterator<Item = Weekday>) -> Result<Self, ScheduleError> {
        let bits = days.into_iter().fold(0u8, |b, d| b | 1 << index(d));
        if bits == 0 {
            Err(ScheduleError::NoWeekday)
        } else {
            Ok(TrainingDays(bits))
        }
    }
    /// Whether the person trains on `day`.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << index(day)) != 0
    }
    /// How many weekdays are chosen (1 to 7).
    pub fn count(self) -> u8 {
        // At most 7 bits are set.
        u8::try_from(self.0.count_ones()).unwrap_or(7)
    }
    /// The chosen days, Monday first.
    pub fn days(self) -> impl Iterator<Item = Weekday> {
        (0..7i8)
            .filter_map(|i| Weekday::from_monday_zero_offset(i).ok())
            .filter(move |d| self.contains(*d))
    }
    /// Keeps `sessions` of the chosen days, spread as evenly over the list as it allows (three of
    /// Mon, Tue, Thu, Sat keeps Mon, Tue, Thu; the order of the list, not the gaps, decides).
    pub fn spread(self, sessions: u8) -> TrainingDays {
        let chosen: Vec<Weekday> = self.days().collect();
        let k = chosen.len();
        let n = usize::from(sessions).clamp(1, k.max(1));
        let kept = (0..n).filter_map(|i| chosen.get(i * k / n).copied());
        TrainingDays::new(kept).unwrap_or(self)
    }
    /// The days as people read them: "Monday, Wednesday and Friday".
    pub fn words(self) -> String {
        let words: Vec<&str> = self.days().map(|d| WEEKDAY_WORDS[index(d)]).collect();
        match words.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            Some((last, _)) => (*last).to_string(),
            None => String::new(),
        }
    }
}

impl fmt::Display for TrainingDays {
    /// "mon,wed,fri": the stored and typed form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.days().map(|d| WEEKDAY_NAMES[index(d)]).collect();
        f.write_str(&names.join(","))
    }
}

impl fmt::Debug for TrainingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrainingDays({self})")
    }
}

impl FromStr for TrainingDays {
    type Err = ScheduleError;
    /// "mon,wed,fri" (commas or spaces; full names too).
    fn from_str(s: &str) -> Result<Self, ScheduleError> {
        let days = s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(parse_weekday)
            .collect::<Result<Vec<_>, _>>()?;
        TrainingDays::new(days)
    }
}

impl Serialize for TrainingDays {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.days().map(|d| WEEKDAY_NAMES[index(d)]))
    }
}

impl<'de> Deserialize<'de> for TrainingDays {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let days = names
            .iter()
            .map(|n| parse_weekday(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(serde::de::Error::custom)?;
        TrainingDays::new(days).map_err(serde::de::Error::custom)
    }
}

/// The local time of day sessions start, to the minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(Time);

impl TimeOfDay {
    /// The time, to the minute.
    pub fn time(self) -> Time {
        self.0
    }
    /// A time from hours and minutes on a 24-hour clock.
    pub fn new(hour: i8, minute: i8) -> Result<Self, ScheduleError> {
        Time::new(hour, minute, 0, 0)
            .map(TimeOfDay)
            .map_err(|_| ScheduleError::BadTime(format!("{hour}:{minute:02}")))
    }
}

impl fmt::Display for TimeOfDay {
    /// "07:30".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

impl FromStr for TimeOfDay {
    type Err = ScheduleError;
    /// "7:30", "07:30" (seconds, as some browsers send them, are accepted and dropped).
    fn from_str(s: &str) -> Result<Self, ScheduleError> {
        let bad = || ScheduleError::BadTime(s.to_string());
        let mut parts = s.trim().split(':');
        let mut number = |max: i8| -> Result<i8, ScheduleError> {
            let p = parts.next().ok_or_else(bad)?;
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<i8>()
                .ok()
                .filter(|v| (0..=max).contains(v))
                .ok_or_else(bad)
        };
        let hour = number(23)?;
        let minute = number(59)?;
        match parts.next() {
            None => {}
            Some(sec) if sec.len() == 2 && sec.bytes().all(|b| b.is_ascii_digit()) => {}
            Some(_) => return Err(bad()),
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        TimeOfDay::new(hour, minute)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// When sessions fall: the chosen weekdays and time of day, each optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// The weekdays chosen; none: spread evenly from the first day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<TrainingDays>,
    /// The start time; none: whole-day entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeOfDay>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_parse_in_short_and_long_form_and_print_monday_first() {
        let days: TrainingDays = "fri, Monday wed".parse().unwrap();
        assert_eq!(days.to_string(), "mon,wed,fri");
        assert_eq!(days.count(), 3);
        assert_eq!(days.words(), "Monday, Wednesday and Friday");
        assert!(days.contains(Weekday::Wednesday) && !days.contains(Weekday::Sunday));
        let err = "mon,funday"
            .parse::<TrainingDays>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("funday") && err.contains("expected"), "{err}");
        assert_eq!("".parse::<TrainingDays>(), Err(ScheduleError::NoWeekday));
    }

    #[test]
    fn weekdays_round_trip_through_json() {
        let days: TrainingDays = "tue,sat".parse().unwrap();
        let json = serde_json::to_string(&days).unwrap();
        assert_eq!(json, r#"["tue","sat"]"#);
        assert_eq!(serde_json::from_str::<TrainingDays>(&json).unwrap(), days);
        assert!(serde_json::from_str::<TrainingDays>("[]").is_err());
    }

    #[test]
    fn spreading_keeps_the_number_of_sessions() {
        let days: TrainingDays = "mon,tue,thu,sat".parse().unwrap();
        assert_eq!(days.spread(2).to_string(), "mon,thu");
        assert_eq!(days.spread(4), days);
        assert_eq!(days.spread(9), days);
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!("7:30".parse::<TimeOfDay>().unwrap().to_string(), "07:30");
        assert_eq!(
            "18:05:00".parse::<TimeOfDay>().unwrap().to_string(),
            "18:05"
        );
        for bad in ["24:00", "7", "7:3x", "", "-1:00", "07:30:00:00", "7:300"] {
            let err = bad.parse::<TimeOfDay>().unwrap_err().to_string();
            assert!(err.contains("HH:MM"), "{bad}: {err}");
        }
    }
}
