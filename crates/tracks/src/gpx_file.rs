//! GPX in one streaming pass with `quick-xml`: the tracks' points become one activity (routes
//! and waypoints are plans, not recordings). Events borrow from the input and each point is
//! built in place, so reading allocates little beyond the records kept; distance is summed per
//! segment as the points go by. Heart rate and cadence come from the points' extensions
//! (Garmin's TrackPointExtension `hr` and `cad`, in any namespace prefix). A document cut short
//! keeps the track points before the cut; a malformed one keeps those before the damage.

use crate::summary::{DeviceTotals, haversine_m, summarize};
use crate::{Activity, Damaged, Format, Record, TrackError};
use jiff::Timestamp;
use quick_xml::events::{BytesStart, Event};

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
    let scan = scan(strip_bom(bytes));
    let has_points = !scan.records.is_empty();
    let ending = scan.ending.clone();
    match ending {
        Ending::Complete if has_points => Ok(activity(scan)),
        Ending::Complete => Err(TrackError::NoTrackPoints.into()),
        Ending::Cut(why) => Err(Damaged {
            error: TrackError::TruncatedXml(why),
            partial: has_points.then(|| Box::new(activity(scan))),
        }),
        Ending::Malformed(why) => Err(Damaged {
            error: TrackError::BadXml(why),
            partial: has_points.then(|| Box::new(activity(scan))),
        }),
    }
}

fn activity(scan: Scan) -> Activity {
    let Scan {
        mut records,
        length_m,
        sport,
        ..
    } = scan;
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
        Some(length_m),
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
#[derive(Clone)]
enum Ending {
    /// Every element closed.
    Complete,
    /// Elements still open at the end: the file was cut.
    Cut(String),
    /// Not well-formed XML.
    Malformed(String),
}

/// What the streaming pass found.
struct Scan {
    /// Track points in document order, over all tracks and segments.
    records: Vec<Record>,
    /// Length of the positions, measured within each segment: a gap between segments is not
    /// walked.
    length_m: f64,
    sport: Option<String>,
    ending: Ending,
}

/// The elements the pass looks at; every other element is `Other`. Kept on a stack instead of
/// the names themselves, so that an element costs no allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Trk,
    Trkseg,
    Trkpt,
    Time,
    Ele,
    Speed,
    Type,
    HeartRate,
    Cadence,
    Other,
}

impl Tag {
    fn of(local_name: &str) -> Tag {
        match local_name {
            "trk" => Tag::Trk,
            "trkseg" => Tag::Trkseg,
            "trkpt" => Tag::Trkpt,
            "time" => Tag::Time,
            "ele" => Tag::Ele,
            "speed" => Tag::Speed,
            "type" => Tag::Type,
            "hr" | "heartrate" => Tag::HeartRate,
            "cad" | "cadence" => Tag::Cadence,
            _ => Tag::Other,
        }
    }
}

/// A number that means something: NaN and infinities are dropped.
fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A track point from its start tag: latitude and longitude within their ranges, else none.
fn point(e: &BytesStart) -> Record {
    let mut r = Record::default();
    for a in e.attributes().flatten() {
        let v = finite(a.value.trim());
        match a.key.local_name().as_ref() {
            "lat" => r.latitude = v.filter(|v| v.abs() <= 90.0),
            "lon" => r.longitude = v.filter(|v| v.abs() <= 180.0),
            _ => {}
        }
    }
    r
}

/// Where the points go as they are read.
struct Points {
    records: Vec<Record>,
    length_m: f64,
    /// The last position in the current segment.
    previous: Option<(f64, f64)>,
}

impl Points {
    fn new_segment(&mut self) {
        self.previous = None;
    }

    fn push(&mut self, r: Record) {
        if let (Some(lat), Some(lon)) = (r.latitude, r.longitude) {
            if let Some(previous) = self.previous {
                self.length_m += haversine_m(previous, (lat, lon));
            }
            self.previous = Some((lat, lon));
        }
        self.records.push(r);
    }
}

/// Streams the track points of any GPX, well-formed or not; a point cut in the middle is not
/// kept.
fn scan(bytes: &[u8]) -> Scan {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    // Indentation between elements says nothing; skipping it saves an event per line.
    reader.config_mut().trim_text(true);
    let mut points = Points {
        records: Vec::new(),
        length_m: 0.0,
        previous: None,
    };
    let mut sport = None;
    let mut current: Option<Record> = None;
    let mut path: Vec<Tag> = Vec::new();
    let ending = loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let tag = Tag::of(e.local_name().as_ref());
                match tag {
                    Tag::Trkseg => points.new_segment(),
                    Tag::Trkpt => current = Some(point(&e)),
                    // The track's type whole, up to its end tag: text events come trimmed and
                    // split at each reference, so `walk &amp; run` would lose its spaces.
                    Tag::Type if path.last() == Some(&Tag::Trk) => {
                        if let Ok(raw) = reader.read_text(e.name()) {
                            let text = quick_xml::escape::unescape(&raw)
                                .map_or_else(|_| raw.trim().to_string(), |t| t.trim().to_string());
                            if sport.is_none() && !text.is_empty() {
                                sport = Some(text);
                            }
                            // The end tag is read too: nothing to push.
                            continue;
                        }
                    }
                    _ => {}
                }
                path.push(tag);
            }
            Ok(Event::Empty(e)) => match Tag::of(e.local_name().as_ref()) {
                Tag::Trkseg => points.new_segment(),
                // `<trkpt lat=".." lon=".."/>`: a position without time.
                Tag::Trkpt => points.push(point(&e)),
                _ => {}
            },
            Ok(Event::Text(t)) => {
                let (parent, last) = match path.as_slice() {
                    [.., parent, last] => (*parent, *last),
                    [last] => (Tag::Other, *last),
                    [] => (Tag::Other, Tag::Other),
                };
                let text = t.trim();
                match (parent, last, current.as_mut()) {
                    (Tag::Trkpt, Tag::Time, Some(r)) => r.time = gpx_time(text),
                    (Tag::Trkpt, Tag::Ele, Some(r)) => r.altitude_m = finite(text),
                    (Tag::Trkpt, Tag::Speed, Some(r)) => {
                        r.speed_mps = finite(text).filter(|v| *v >= 0.0);
                    }
                    // Inside the point's <extensions> (TrackPointExtension and its like).
                    (_, Tag::HeartRate, Some(r)) => {
                        r.heart_rate = text.parse::<u8>().ok().filter(|b| *b > 0);
                    }
                    (_, Tag::Cadence, Some(r)) => r.cadence = text.parse().ok(),
                    _ => {}
                }
            }
            Ok(Event::End(_)) => {
                if path.pop() == Some(Tag::Trkpt)
                    && let Some(r) = current.take()
                {
                    points.push(r);
                }
            }
            Ok(Event::Eof) if path.is_empty() => break Ending::Complete,
            Ok(Event::Eof) => break Ending::Cut(cut(bytes.len(), path.len())),
            // An error at the very end of the input is a cut inside a tag.
            Err(_) if reader.buffer_position() as usize >= bytes.len() => {
                break Ending::Cut(cut(bytes.len(), path.len()));
            }
            Err(e) => break Ending::Malformed(e.to_string()),
            Ok(_) => {}
        }
    };
    Scan {
        records: points.records,
        length_m: points.length_m,
        sport,
        ending,
    }
}

/// Why a cut document is cut, in words.
fn cut(length: usize, open: usize) -> String {
    format!("it stops after {length} bytes with {open} element(s) still open")
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
        // A document without `version` (which the former `gpx` crate refused) reads them the same way.
        let refused = WITH_EXTENSIONS.replace(r#"version="1.1" "#, "");
        let a = read(refused.as_bytes()).unwrap();
        assert_eq!(
            a.records.iter().map(|r| r.heart_rate).collect::<Vec<_>>(),
            hr
        );
    }

    /// A million points (as self-closing `<trkpt/>` elements, timed at both ends).
    fn million_points() -> String {
        let mut gpx = String::from(
            "<gpx version=\"1.1\"><trk><type>walking</type><trkseg>\n<trkpt lat=\"45\" lon=\"14\"><time>2024-05-01T10:00:00Z</time></trkpt>\n",
        );
        for i in 1..999_999 {
            gpx.push_str(&format!(
                "<trkpt lat=\"{}\" lon=\"14\"/>\n",
                45.0 + f64::from(i) * 1e-6
            ));
        }
        gpx.push_str("<trkpt lat=\"46\" lon=\"14\"><time>2024-05-01T11:00:00Z</time></trkpt>\n</trkseg></trk></gpx>\n");
        gpx
    }

    #[test]
    fn the_tracks_type_is_read_whole_with_its_references_resolved() {
        let gpx = |kind: &str| {
            format!(
                "<gpx version=\"1.1\" creator=\"t\"><trk><type>{kind}</type><trkseg>\
                 <trkpt lat=\"46\" lon=\"14\"><time>2024-05-01T10:00:00Z</time></trkpt>\
                 <trkpt lat=\"46.001\" lon=\"14\"><time>2024-05-01T10:01:00Z</time></trkpt>\
                 </trkseg></trk></gpx>"
            )
        };
        let sport = |kind: &str| read(gpx(kind).as_bytes()).unwrap().sport;
        assert_eq!(sport("walk &amp; run").as_deref(), Some("walk & run"));
        assert_eq!(sport(" Retro &#38; walk ").as_deref(), Some("Retro & walk"));
        assert_eq!(sport("walking").as_deref(), Some("walking"));
        assert_eq!(sport("").as_deref(), None);
        // A reference the document never defines is kept as written, not refused.
        assert_eq!(sport("walk &nope; run").as_deref(), Some("walk &nope; run"));
        // Cut inside the type: the points before are kept, none here.
        let cut = gpx("walking");
        let cut = &cut.as_bytes()[..cut.find("walking").unwrap() + 3];
        assert!(read(cut).is_err());
    }

    #[test]
    fn a_million_points_are_all_read_and_a_cut_with_garbage_after_it_keeps_those_before() {
        let gpx = million_points();
        let a = read(gpx.as_bytes()).unwrap();
        assert_eq!(a.records.len(), 1_000_000);
        assert_eq!(a.summary.elapsed_seconds, Some(3600.0));
        assert_eq!(a.sport.as_deref(), Some("walking"));
        // One degree of latitude, walked in small steps.
        let d = a.summary.distance_m.unwrap();
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
        assert_eq!(a.records[500_000].latitude, Some(45.5));

        // Cut in the middle of the 500,001st point, then garbage where the rest was.
        let cut_at = gpx.match_indices("<trkpt").nth(500_000).unwrap().0 + 10;
        let mut damaged = gpx.as_bytes()[..cut_at].to_vec();
        damaged.extend_from_slice(b"\x00\xff<<garbage>>&;</trkpt></nothing>");
        let d = read(&damaged).unwrap_err();
        assert_eq!(d.error.kind(), "bad_xml", "{}", d.error);
        assert_eq!(d.partial.unwrap().records.len(), 500_000);
        // Cut alone, the file is truncated, with the same points kept.
        let d = read(&gpx.as_bytes()[..cut_at]).unwrap_err();
        assert_eq!(d.error.kind(), "truncated_xml", "{}", d.error);
        assert_eq!(d.partial.unwrap().records.len(), 500_000);
    }

    #[test]
    fn speed_elevation_and_positions_out_of_range_are_read_with_care() {
        let gpx = r#"<gpx version="1.0"><trk><trkseg>
  <trkpt lat="45.0" lon="14.0"><ele>NaN</ele><speed>1.5</speed><time>2024-05-01T10:00:00</time></trkpt>
  <trkpt lat="95.0" lon="14.0"><ele>1e400</ele><speed>-3</speed><time>2024-05-01T10:00:01Z</time></trkpt>
</trkseg></trk></gpx>"#;
        let a = read(gpx.as_bytes()).unwrap();
        assert_eq!(a.records[0].speed_mps, Some(1.5));
        assert_eq!(a.records[0].altitude_m, None, "NaN is no altitude");
        assert_eq!(a.records[1].altitude_m, None, "nor is infinity");
        assert_eq!(a.records[1].speed_mps, None, "nor a negative speed");
        assert_eq!(a.records[1].latitude, None, "latitude beyond 90 degrees");
        assert_eq!(
            a.summary.elapsed_seconds,
            Some(1.0),
            "a time without offset is UTC"
        );
    }
}
