//! GPX through the `gpx` crate, wrapped: its tracks become one activity (routes and waypoints
//! are plans, not recordings). When the XML is cut short, a streaming pass with `quick-xml`
//! keeps the track points before the cut. The `gpx` crate skips `<extensions>`, so heart rate
//! and cadence in Garmin's TrackPointExtension are not read from GPX.

use crate::summary::{DeviceTotals, haversine_m, summarize};
use crate::{Activity, Damaged, Format, Record, TrackError};
use jiff::Timestamp;

/// A GPX time: RFC 3339, or without an offset, which GPX defines as UTC.
fn gpx_time(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::DateTime>()
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

pub(crate) fn read(bytes: &[u8]) -> Result<Activity, Damaged> {
    let bytes = strip_bom(bytes);
    let parsed = match gpx::read(bytes) {
        Ok(g) => g,
        // The gpx crate is strict about the schema (it refuses `<magvar>`, or a missing
        // `version`); a well-formed document it refuses is read by the streaming pass instead.
        Err(e) => {
            let scan = scan(bytes);
            let has_points = scan.segments.iter().any(|s| !s.is_empty());
            return match scan.ending {
                Ending::Complete if has_points => Ok(activity(scan.sport, scan.segments)),
                Ending::Complete => Err(TrackError::NoTrackPoints.into()),
                Ending::Cut => Err(Damaged {
                    error: TrackError::TruncatedXml(e.to_string()),
                    partial: has_points.then(|| Box::new(activity(scan.sport, scan.segments))),
                }),
                Ending::Malformed(why) => Err(Damaged {
                    error: TrackError::BadXml(why),
                    partial: has_points.then(|| Box::new(activity(scan.sport, scan.segments))),
                }),
            };
        }
    };
    let segments: Vec<Vec<Record>> = parsed
        .tracks
        .iter()
        .flat_map(|t| &t.segments)
        .map(|segment| {
            segment
                .points
                .iter()
                .map(|p| Record {
                    time: p
                        .time
                        .as_ref()
                        .and_then(|t| t.format().ok())
                        .and_then(|t| t.parse::<Timestamp>().ok()),
                    latitude: Some(p.point().y()),
                    longitude: Some(p.point().x()),
                    altitude_m: p.elevation,
                    speed_mps: p.speed,
                    ..Record::default()
                })
                .collect()
        })
        .collect();
    if segments.iter().all(Vec::is_empty) {
        return Err(TrackError::NoTrackPoints.into());
    }
    let sport = parsed
        .tracks
        .iter()
        .find_map(|t| t.type_.clone())
        .filter(|t| !t.trim().is_empty());
    Ok(activity(sport, segments))
}

fn activity(sport: Option<String>, segments: Vec<Vec<Record>>) -> Activity {
    // Distance is measured within each segment: a gap between segments is not walked.
    let length: f64 = segments
        .iter()
        .map(|s| {
            s.iter()
                .filter_map(|r| Some((r.latitude?, r.longitude?)))
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| haversine_m(w[0], w[1]))
                .sum::<f64>()
        })
        .sum();
    let mut records: Vec<Record> = segments.into_iter().flatten().collect();
    let first = records.iter().filter_map(|r| r.time).min();
    let last = records.iter().filter_map(|r| r.time).max();
    for r in &mut records {
        r.offset_seconds = match (r.time, first) {
            (Some(t), Some(f)) => Some(t.duration_since(f).as_secs_f64()),
            _ => None,
        };
    }
    let elapsed = match (first, last) {
        (Some(a), Some(b)) => Some(b.duration_since(a).as_secs_f64()),
        _ => None,
    };
    let summary = summarize(
        &records,
        DeviceTotals {
            elapsed_seconds: elapsed,
            ..DeviceTotals::default()
        },
        Some(length),
    );
    Activity {
        format: Format::Gpx,
        sessions: vec![(sport.clone(), None)],
        sport,
        sub_sport: None,
        start: first,
        device: None,
        laps: Vec::new(),
        records,
        summary,
    }
}

/// How a streamed document ended.
enum Ending {
    /// Every element closed.
    Complete,
    /// Elements still open at the end: the file was cut.
    Cut,
    /// Not well-formed XML.
    Malformed(String),
}

/// What the streaming pass found.
struct Scan {
    segments: Vec<Vec<Record>>,
    sport: Option<String>,
    ending: Ending,
}

/// Streams the track points (by segment) of any GPX, well-formed or not; a point cut in the
/// middle is not kept.
fn scan(bytes: &[u8]) -> Scan {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut segments: Vec<Vec<Record>> = Vec::new();
    let mut sport = None;
    let mut current: Option<Record> = None;
    let mut path: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    let ending = loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "trkseg" => segments.push(Vec::new()),
                    "trkpt" => {
                        let mut r = Record::default();
                        for a in e.attributes().flatten() {
                            let v = a.value.trim().parse::<f64>().ok();
                            match a.key.local_name().as_ref() {
                                "lat" => r.latitude = v.filter(|v| v.abs() <= 90.0),
                                "lon" => r.longitude = v.filter(|v| v.abs() <= 180.0),
                                _ => {}
                            }
                        }
                        current = Some(r);
                    }
                    _ => {}
                }
                path.push(name);
            }
            Ok(Event::Text(t)) => {
                let text = t.trim();
                let last = path.last().map_or("", String::as_str);
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map_or("", String::as_str);
                match (parent, last, current.as_mut()) {
                    ("trkpt", "time", Some(r)) => r.time = gpx_time(text),
                    ("trkpt", "ele", Some(r)) => r.altitude_m = text.parse().ok(),
                    ("trk", "type", _) if sport.is_none() && !text.is_empty() => {
                        sport = Some(text.to_string());
                    }
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == "trkpt"
                    && let Some(r) = current.take()
                {
                    match segments.last_mut() {
                        Some(segment) => segment.push(r),
                        None => segments.push(vec![r]),
                    }
                }
                path.pop();
            }
            Ok(Event::Eof) if path.is_empty() => break Ending::Complete,
            Ok(Event::Eof) => break Ending::Cut,
            // An error at the very end of the input is a cut inside a tag.
            Err(_) if reader.buffer_position() as usize >= bytes.len() => break Ending::Cut,
            Err(e) => break Ending::Malformed(e.to_string()),
            Ok(_) => {}
        }
        buf.clear();
    };
    Scan {
        segments,
        sport,
        ending,
    }
}
