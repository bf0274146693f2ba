//! TCX with `quick-xml`, streaming: Activity (sport), Lap (start, time, distance, intensity,
//! notes), Trackpoint (time, position, altitude, distance, heart rate, cadence, and speed and
//! run cadence from Garmin's TPX extension). Elements are matched by local name, so any
//! namespace prefix works. A document cut short keeps what came before the cut.

use crate::summary::{DeviceTotals, position_length, summarize};
use crate::{Activity, Damaged, Format, Lap, Record, TrackError};
use jiff::Timestamp;
use quick_xml::events::Event;

#[derive(Default)]
struct Parsed {
    activities: usize,
    sport: Option<String>,
    device: Option<String>,
    laps: Vec<Lap>,
    records: Vec<Record>,
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

pub(crate) fn read(bytes: &[u8]) -> Result<Activity, Damaged> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut parsed = Parsed::default();
    let mut path: Vec<String> = Vec::new();
    let mut lap: Option<Lap> = None;
    let mut point: Option<Record> = None;
    let mut buf = Vec::new();
    let damage = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                let attribute = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == key)
                        // Entities (&amp; and the like) are resolved; a value whose entities
                        // do not resolve is kept as written.
                        .map(
                            |a| match a.normalized_value(quick_xml::XmlVersion::default()) {
                                Ok(v) => v.trim().to_string(),
                                Err(_) => a.value.trim().to_string(),
                            },
                        )
                };
                match name.as_str() {
                    "Activity" => {
                        parsed.activities += 1;
                        if parsed.sport.is_none() {
                            parsed.sport = attribute("Sport");
                        }
                    }
                    "Lap" => {
                        lap = Some(Lap {
                            start: attribute("StartTime").and_then(|t| t.parse().ok()),
                            elapsed_seconds: None,
                            timer_seconds: None,
                            distance_m: None,
                            name: None,
                            intensity: None,
                        });
                    }
                    "Trackpoint" => point = Some(Record::default()),
                    _ => {}
                }
                path.push(name);
            }
            Ok(Event::End(e)) => {
                match e.local_name().as_ref() {
                    "Trackpoint" => {
                        if let Some(p) = point.take() {
                            parsed.records.push(p);
                        }
                    }
                    "Lap" => {
                        if let Some(l) = lap.take() {
                            parsed.laps.push(l);
                        }
                    }
                    _ => {}
                }
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text: &str = &t;
                take_text(
                    &path,
                    text.trim(),
                    &mut parsed,
                    lap.as_mut(),
                    point.as_mut(),
                );
            }
            Ok(Event::Eof) => {
                break (!path.is_empty()).then(|| {
                    TrackError::TruncatedXml(format!(
                        "the document ends inside <{}>",
                        path.last().map_or("", String::as_str)
                    ))
                });
            }
            Err(e) => {
                break Some(if path.is_empty() {
                    TrackError::BadXml(e.to_string())
                } else {
                    TrackError::TruncatedXml(e.to_string())
                });
            }
            Ok(_) => {}
        }
        buf.clear();
    };
    if let Some(error) = damage {
        let partial = (!parsed.records.is_empty() || !parsed.laps.is_empty())
            .then(|| Box::new(activity(parsed)));
        return Err(Damaged { error, partial });
    }
    if parsed.activities == 0 {
        return Err(TrackError::NoActivity.into());
    }
    Ok(activity(parsed))
}

fn take_text(
    path: &[String],
    text: &str,
    parsed: &mut Parsed,
    lap: Option<&mut Lap>,
    point: Option<&mut Record>,
) {
    if text.is_empty() {
        return;
    }
    let n = path.len();
    let last = path.last().map_or("", String::as_str);
    let parent = n
        .checked_sub(2)
        .and_then(|i| path.get(i))
        .map_or("", String::as_str);
    match (parent, last) {
        ("Creator", "Name") if parsed.device.is_none() => parsed.device = Some(text.into()),
        ("Lap", "TotalTimeSeconds") => {
            if let Some(l) = lap {
                l.elapsed_seconds = number(text);
                l.timer_seconds = number(text);
            }
        }
        ("Lap", "DistanceMeters") => {
            if let Some(l) = lap {
                l.distance_m = number(text);
            }
        }
        ("Lap", "Intensity") => {
            if let Some(l) = lap {
                l.intensity = Some(text.into());
            }
        }
        ("Lap", "Notes") => {
            if let Some(l) = lap {
                l.name = Some(text.into());
            }
        }
        _ => {
            let Some(p) = point else { return };
            match (parent, last) {
                ("Trackpoint", "Time") => p.time = text.parse::<Timestamp>().ok(),
                ("Position", "LatitudeDegrees") => {
                    p.latitude = number(text).filter(|v| v.abs() <= 90.0)
                }
                ("Position", "LongitudeDegrees") => {
                    p.longitude = number(text).filter(|v| v.abs() <= 180.0)
                }
                ("Trackpoint", "AltitudeMeters") => p.altitude_m = number(text),
                ("Trackpoint", "DistanceMeters") => p.distance_m = number(text),
                ("HeartRateBpm", "Value") => {
                    p.heart_rate = number(text)
                        .filter(|h| (1.0..=255.0).contains(h))
                        .map(|h| h as u8)
                }
                ("Trackpoint", "Cadence") | ("TPX", "RunCadence") => {
                    p.cadence = number(text)
                        .filter(|c| (0.0..=f64::from(u16::MAX)).contains(c))
                        .map(|c| c as u16)
                }
                ("TPX", "Speed") => p.speed_mps = number(text),
                _ => {}
            }
        }
    }
}

fn activity(parsed: Parsed) -> Activity {
    let mut records = parsed.records;
    let first = records.iter().find_map(|r| r.time);
    for r in &mut records {
        r.offset_seconds = match (r.time, first) {
            (Some(t), Some(f)) => Some(t.duration_since(f).as_secs_f64()),
            _ => None,
        };
    }
    let lap_sum = |pick: fn(&Lap) -> Option<f64>| {
        let values: Vec<f64> = parsed.laps.iter().filter_map(pick).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>())
    };
    let totals = DeviceTotals {
        elapsed_seconds: lap_sum(|l| l.elapsed_seconds),
        timer_seconds: lap_sum(|l| l.timer_seconds),
        // A lap total of 0 m with no distance anywhere means "not measured" (yoga, strength).
        distance_m: lap_sum(|l| l.distance_m),
        ascent_m: None,
    };
    let summary = summarize(&records, totals, Some(position_length(&records)));
    Activity {
        format: Format::Tcx,
        sessions: vec![(parsed.sport.clone(), None)],
        start: parsed.laps.first().and_then(|l| l.start).or(first),
        sport: parsed.sport,
        sub_sport: None,
        device: parsed.device,
        laps: parsed.laps,
        records,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sport_is_read_with_its_entities_resolved() {
        let tcx = br#"<?xml version="1.0"?>
<TrainingCenterDatabase><Activities><Activity Sport="Walk &amp; talk">
<Lap StartTime="2026-01-01T10:00:00Z"><Track>
<Trackpoint><Time>2026-01-01T10:00:00Z</Time></Trackpoint>
<Trackpoint><Time>2026-01-01T10:00:10Z</Time></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#;
        let activity = read(tcx).unwrap();
        assert_eq!(activity.sport.as_deref(), Some("Walk & talk"));
    }
}
