//! GPX through the `gpx` crate, wrapped: its tracks become one activity (routes and waypoints
//! are plans, not recordings). When the XML is cut short, a streaming pass with `quick-xml`
//! keeps the track points before the cut. The `gpx` crate skips `<extensions>`, so heart rate
//! and cadence (Garmin's TrackPointExtension `hr` and `cad`, in any namespace prefix) come from
//! the same streaming pass, matched to the points by their order.

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
    let mut segments = segments;
    add_extensions(bytes, &mut segments);
    let sport = parsed
        .tracks
        .iter()
        .find_map(|t| t.type_.clone())
        .filter(|t| !t.trim().is_empty());
    Ok(activity(sport, segments))
}

/// Heart rate and cadence from the points' extensions, which the `gpx` crate skips. The
/// streaming pass sees the same points in the same order; if the counts differ, nothing is
/// guessed.
fn add_extensions(bytes: &[u8], segments: &mut [Vec<Record>]) {
    if !bytes.windows(11).any(|w| w == b"<extensions") {
        return;
    }
    let scanned: Vec<Record> = scan(bytes).segments.into_iter().flatten().collect();
    let points = segments.iter().map(Vec::len).sum::<usize>();
    if scanned.len() != points {
        return;
    }
    for (record, found) in segments.iter_mut().flatten().zip(scanned) {
        record.heart_rate = found.heart_rate;
        record.cadence = found.cadence;
    }
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
                    // Inside the point's <extensions> (TrackPointExtension and its like).
                    (_, "hr" | "heartrate", Some(r)) => {
                        r.heart_rate = text.parse::<u8>().ok().filter(|b| *b > 0);
                    }
                    (_, "cad" | "cadence", Some(r)) => r.cadence = text.parse().ok(),
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

#[cfg(test)]
mod tests {
    use super::*;

    const WITH_EXTENSIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
 <trk><type>walking</type><trkseg>
  <trkpt lat="45.0" lon="14.0"><time>2024-05-01T10:00:00Z</time>
   <extensions><ns3:TrackPointExtension><ns3:hr>92</ns3:hr><ns3:cad>55</ns3:cad></ns3:TrackPointExtension></extensions>
  </trkpt>
  <trkpt lat="45.0001" lon="14.0"><time>2024-05-01T10:00:05Z</time></trkpt>
  <trkpt lat="45.0002" lon="14.0"><time>2024-05-01T10:00:10Z</time>
   <extensions><ns3:TrackPointExtension><ns3:hr>97</ns3:hr></ns3:TrackPointExtension></extensions>
  </trkpt>
 </trkseg></trk>
</gpx>"#;

    #[test]
    fn heart_rate_and_cadence_come_from_the_points_extensions() {
        let a = read(WITH_EXTENSIONS.as_bytes()).unwrap();
        let hr: Vec<Option<u8>> = a.records.iter().map(|r| r.heart_rate).collect();
        let cad: Vec<Option<u16>> = a.records.iter().map(|r| r.cadence).collect();
        assert_eq!(hr, [Some(92), None, Some(97)]);
        assert_eq!(cad, [Some(55), None, None]);
        // The streaming pass (for documents the gpx crate refuses) reads them the same way.
        let refused = WITH_EXTENSIONS.replace(r#"version="1.1" "#, "");
        let a = read(refused.as_bytes()).unwrap();
        assert_eq!(
            a.records.iter().map(|r| r.heart_rate).collect::<Vec<_>>(),
            hr
        );
    }
}
