//! GPX through the `gpx` crate, wrapped: its tracks become one activity (routes and waypoints
//! are plans, not recordings). When the XML is cut short, a streaming pass with `quick-xml`
//! keeps the track points before the cut. The `gpx` crate skips `<extensions>`, so heart rate
//! and cadence in Garmin's TrackPointExtension are not read from GPX.

use crate::summary::{DeviceTotals, haversine_m, summarize};
use crate::{Activity, Damaged, Format, Record, TrackError};
use jiff::Timestamp;

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

pub(crate) fn read(bytes: &[u8]) -> Result<Activity, Damaged> {
    let bytes = strip_bom(bytes);
    let parsed = match gpx::read(bytes) {
        Ok(g) => g,
        Err(e) => {
            // Cut short? Keep the points before the cut.
            let (points, complete) = salvage(bytes);
            let error = if complete {
                TrackError::BadXml(e.to_string())
            } else {
                TrackError::TruncatedXml(e.to_string())
            };
            let partial = (!points.is_empty()).then(|| activity(None, vec![points]));
            return Err(Damaged { error, partial });
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

/// Streams the track points of possibly broken GPX; returns them and whether the document
/// ended properly.
fn salvage(bytes: &[u8]) -> (Vec<Record>, bool) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut points = Vec::new();
    let mut current: Option<Record> = None;
    let mut field: Option<String> = None;
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = e.local_name().as_ref().to_string();
                if name == "trkpt" {
                    let mut r = Record::default();
                    for a in e.attributes().flatten() {
                        let v = a.value.trim().parse::<f64>().ok();
                        match a.key.local_name().as_ref() {
                            "lat" => r.latitude = v,
                            "lon" => r.longitude = v,
                            _ => {}
                        }
                    }
                    current = Some(r);
                } else {
                    field = Some(name);
                }
            }
            Ok(Event::Text(t)) => {
                if let (Some(r), Some(f)) = (current.as_mut(), field.as_deref()) {
                    let text = t.trim().to_string();
                    match f {
                        "time" => r.time = text.parse().ok(),
                        "ele" => r.altitude_m = text.parse().ok(),
                        _ => {}
                    }
                }
            }
            Ok(Event::End(e)) => {
                depth = depth.saturating_sub(1);
                if e.local_name().as_ref() == "trkpt" {
                    if let Some(r) = current.take() {
                        points.push(r);
                    }
                }
                field = None;
            }
            // Elements still open at the end mean the document was cut (a point cut in the
            // middle is not kept).
            Ok(Event::Eof) => return (points, depth == 0),
            Err(_) => return (points, false),
            Ok(_) => {}
        }
        buf.clear();
    }
}
