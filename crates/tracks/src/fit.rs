//! FIT through `fitparser`'s stream processor, one object at a time, so that what was decoded
//! before damage (a truncated transfer, a bad checksum, a corrupt chained header) is kept.

use crate::summary::{DeviceTotals, position_length, summarize};
use crate::{Activity, Damaged, Format, Lap, Record, TrackError};
use fitparser::de::{FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{ErrorKind, FitDataRecord, Value};
use jiff::Timestamp;
use std::collections::HashMap;

/// Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_UNIX: i64 = 631_065_600;
/// FIT times below this many seconds after the FIT epoch are relative device time (a watch
/// without a clock), not dates.
const RELATIVE_TIME_LIMIT: i64 = 0x1000_0000;
/// Degrees per semicircle.
const DEGREES_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

fn number(value: &Value) -> Option<f64> {
    let v = match value {
        Value::Byte(v) | Value::Enum(v) | Value::UInt8(v) | Value::UInt8z(v) => f64::from(*v),
        Value::SInt8(v) => f64::from(*v),
        Value::SInt16(v) => f64::from(*v),
        Value::UInt16(v) | Value::UInt16z(v) => f64::from(*v),
        Value::SInt32(v) => f64::from(*v),
        Value::UInt32(v) | Value::UInt32z(v) => f64::from(*v),
        Value::Float32(v) => f64::from(*v),
        Value::Float64(v) => *v,
        Value::SInt64(v) => *v as f64,
        Value::UInt64(v) | Value::UInt64z(v) => *v as f64,
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => number(other).map(|n| format!("{n}")),
    }
}

/// A FIT time: absolute when it is a date, or seconds of relative device time.
#[derive(Debug, Clone, Copy)]
enum FitTime {
    Absolute(Timestamp),
    Relative(f64),
}

impl FitTime {
    fn seconds(self) -> f64 {
        match self {
            FitTime::Absolute(t) => t.as_millisecond() as f64 / 1000.0,
            FitTime::Relative(s) => s,
        }
    }
    fn absolute(self) -> Option<Timestamp> {
        match self {
            FitTime::Absolute(t) => Some(t),
            FitTime::Relative(_) => None,
        }
    }
}

fn time(value: &Value) -> Option<FitTime> {
    let Value::Timestamp(t) = value else {
        return None;
    };
    let millis = t.timestamp_millis();
    let since_fit_epoch = millis.div_euclid(1000) - FIT_EPOCH_UNIX;
    if since_fit_epoch < RELATIVE_TIME_LIMIT {
        return Some(FitTime::Relative(since_fit_epoch as f64));
    }
    Timestamp::from_millisecond(millis)
        .ok()
        .map(FitTime::Absolute)
}

fn fields(message: &FitDataRecord) -> HashMap<&str, &Value> {
    message
        .fields()
        .iter()
        .map(|f| (f.name(), f.value()))
        .collect()
}

/// What the messages of the file say, gathered as they stream past.
#[derive(Default)]
struct Gathered {
    file_type: Option<String>,
    device: Option<String>,
    sessions: Vec<Session>,
    laps: Vec<(Lap, Option<f64>)>,
    records: Vec<(Option<FitTime>, Record)>,
    step_names: HashMap<u32, String>,
    lap_steps: Vec<Option<u32>>,
}

struct Session {
    sport: Option<String>,
    sub_sport: Option<String>,
    start: Option<FitTime>,
    elapsed: Option<f64>,
    timer: Option<f64>,
    distance: Option<f64>,
    ascent: Option<f64>,
}

impl Gathered {
    fn take(&mut self, message: &FitDataRecord) {
        let f = fields(message);
        let num = |name: &str| f.get(name).and_then(|v| number(v));
        match message.kind() {
            MesgNum::FileId => {
                self.file_type = self
                    .file_type
                    .take()
                    .or(f.get("type").and_then(|v| text(v)));
                if self.device.is_none() {
                    let maker = f.get("manufacturer").and_then(|v| text(v));
                    let product = f
                        .get("garmin_product")
                        .or(f.get("product"))
                        .and_then(|v| text(v));
                    self.device = match (maker, product) {
                        (Some(m), Some(p)) => Some(format!("{m} {p}")),
                        (m, p) => m.or(p),
                    };
                }
            }
            MesgNum::Session => self.sessions.push(Session {
                sport: f.get("sport").and_then(|v| text(v)),
                sub_sport: f.get("sub_sport").and_then(|v| text(v)),
                start: f.get("start_time").and_then(|v| time(v)),
                elapsed: num("total_elapsed_time"),
                timer: num("total_timer_time"),
                distance: num("total_distance"),
                ascent: num("total_ascent"),
            }),
            MesgNum::Lap => {
                let start = f.get("start_time").and_then(|v| time(v));
                self.laps.push((
                    Lap {
                        start: start.and_then(FitTime::absolute),
                        elapsed_seconds: num("total_elapsed_time"),
                        timer_seconds: num("total_timer_time"),
                        distance_m: num("total_distance"),
                        name: None,
                        intensity: f.get("intensity").and_then(|v| text(v)),
                    },
                    start.map(FitTime::seconds),
                ));
                self.lap_steps.push(num("wkt_step_index").map(|i| i as u32));
            }
            MesgNum::WorkoutStep => {
                if let (Some(index), Some(name)) = (
                    num("message_index"),
                    f.get("wkt_step_name").and_then(|v| text(v)),
                ) {
                    self.step_names.insert(index as u32, name);
                }
            }
            MesgNum::Record => {
                let at = f.get("timestamp").and_then(|v| time(v));
                let position = |name: &str| {
                    num(name)
                        .map(|s| s * DEGREES_PER_SEMICIRCLE)
                        .filter(|d| d.abs() <= 180.0)
                };
                let (latitude, longitude) =
                    match (position("position_lat"), position("position_long")) {
                        (Some(la), Some(lo)) if la.abs() <= 90.0 => (Some(la), Some(lo)),
                        _ => (None, None),
                    };
                self.records.push((
                    at,
                    Record {
                        time: at.and_then(FitTime::absolute),
                        offset_seconds: None,
                        latitude,
                        longitude,
                        distance_m: num("distance"),
                        speed_mps: num("enhanced_speed").or(num("speed")),
                        heart_rate: num("heart_rate")
                            .filter(|h| (1.0..=255.0).contains(h))
                            .map(|h| h as u8),
                        cadence: num("cadence")
                            .filter(|c| (0.0..=u16::MAX as f64).contains(c))
                            .map(|c| c as u16),
                        altitude_m: num("enhanced_altitude").or(num("altitude")),
                    },
                ));
            }
            _ => {}
        }
    }

    fn into_activity(mut self) -> Result<Activity, TrackError> {
        let kind = self.file_type.clone().unwrap_or_else(|| "unknown".into());
        if self.sessions.is_empty() && self.records.is_empty() && kind != "activity" {
            return Err(TrackError::NotActivity(kind));
        }
        // Offsets from the first record with a time, absolute or relative.
        let first = self
            .records
            .iter()
            .find_map(|(t, _)| *t)
            .map(FitTime::seconds);
        for (t, r) in &mut self.records {
            r.offset_seconds = match (t, first) {
                (Some(t), Some(f)) => Some(t.seconds() - f),
                _ => None,
            };
        }
        let records: Vec<Record> = self.records.into_iter().map(|(_, r)| r).collect();
        let laps = self
            .laps
            .into_iter()
            .zip(self.lap_steps.iter().chain(std::iter::repeat(&None)))
            .map(|((mut lap, _), step)| {
                lap.name = step.and_then(|s| self.step_names.get(&s).cloned());
                lap
            })
            .collect();
        let sum = |pick: fn(&Session) -> Option<f64>| -> Option<f64> {
            let values: Vec<f64> = self.sessions.iter().filter_map(pick).collect();
            (!values.is_empty()).then(|| values.iter().sum())
        };
        let totals = DeviceTotals {
            elapsed_seconds: sum(|s| s.elapsed),
            timer_seconds: sum(|s| s.timer),
            distance_m: sum(|s| s.distance),
            ascent_m: sum(|s| s.ascent),
        };
        let start = self
            .sessions
            .first()
            .and_then(|s| s.start)
            .and_then(FitTime::absolute)
            .or_else(|| records.iter().find_map(|r| r.time));
        // A session that started in relative time has no absolute start, even if a later
        // record looks like a date.
        let relative = self
            .sessions
            .first()
            .and_then(|s| s.start)
            .is_some_and(|s| matches!(s, FitTime::Relative(_)));
        let summary = summarize(&records, totals, Some(position_length(&records)));
        Ok(Activity {
            format: Format::Fit,
            sport: self.sessions.first().and_then(|s| s.sport.clone()),
            sub_sport: self.sessions.first().and_then(|s| s.sub_sport.clone()),
            sessions: self
                .sessions
                .iter()
                .map(|s| (s.sport.clone(), s.sub_sport.clone()))
                .collect(),
            start: if relative { None } else { start },
            device: self.device,
            laps,
            records,
            summary,
        })
    }
}

/// Reads a FIT file, chained files included.
pub(crate) fn read(bytes: &[u8]) -> Result<Activity, Damaged> {
    if bytes.len() < 12 || &bytes[8..12] != b".FIT" {
        return Err(TrackError::NotFit(format!(
            "no \".FIT\" signature in the first 12 bytes ({} bytes in all)",
            bytes.len()
        ))
        .into());
    }
    let mut processor = FitStreamProcessor::new();
    let mut gathered = Gathered::default();
    let mut buffer = bytes;
    let mut expecting_header = true;
    let mut damage: Option<TrackError> = None;
    while !buffer.is_empty() {
        let offset = bytes.len() - buffer.len();
        match processor.deserialize_next(buffer) {
            Ok((rest, object)) => {
                expecting_header = step(&mut processor, &mut gathered, object, &mut damage);
                buffer = rest;
            }
            Err(error) => match *error {
                // The checksum is wrong but the object parsed: note it and read on.
                ErrorKind::InvalidCrc((rest, object, _, _)) => {
                    damage.get_or_insert(TrackError::BadCrc);
                    let remaining = rest.len();
                    expecting_header = step(&mut processor, &mut gathered, object, &mut damage);
                    buffer = &bytes[bytes.len() - remaining.min(bytes.len())..];
                }
                other => {
                    damage = Some(classify(other, offset, bytes.len(), expecting_header));
                    break;
                }
            },
        }
        if damage
            .as_ref()
            .is_some_and(|d| !matches!(d, TrackError::BadCrc))
        {
            break;
        }
    }
    let activity = gathered.into_activity();
    match (damage, activity) {
        (None, Ok(activity)) => Ok(activity),
        (None, Err(e)) => Err(e.into()),
        (Some(error), Ok(activity)) => Err(Damaged {
            error,
            partial: Some(Box::new(activity))
                .filter(|a| !a.records.is_empty() || !a.laps.is_empty()),
        }),
        (Some(error), Err(_)) => Err(error.into()),
    }
}

/// Handles one decoded object; returns whether a file header comes next.
fn step(
    processor: &mut FitStreamProcessor,
    gathered: &mut Gathered,
    object: FitObject,
    damage: &mut Option<TrackError>,
) -> bool {
    match object {
        FitObject::Crc(_) => {
            processor.reset();
            true
        }
        FitObject::Header(_) | FitObject::DefinitionMessage(_) => false,
        FitObject::DataMessage(message) => {
            match processor.decode_message(message) {
                Ok(record) => gathered.take(&record),
                Err(e) => {
                    damage.get_or_insert(TrackError::BadFit(e.to_string()));
                }
            }
            false
        }
    }
}

fn classify(error: ErrorKind, offset: usize, len: usize, expecting_header: bool) -> TrackError {
    match error {
        ErrorKind::UnexpectedEof(_) => TrackError::Truncated(format!(
            "it stops in the middle of a record after {}",
            crate::size_in_words(len)
        )),
        ErrorKind::MissingDefinitionMessage(local, _) => TrackError::UndefinedLocalMessage(local),
        ErrorKind::ParseError(at, _) if expecting_header => TrackError::CorruptHeader(format!(
            "where a further part of the file should begin ({} in), the bytes are not a FIT header",
            crate::size_in_words(at)
        )),
        other => TrackError::BadFit(format!(
            "{other}, {} into the file",
            crate::size_in_words(offset)
        )),
    }
}
