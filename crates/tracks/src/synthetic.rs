//! Realistic synthetic GPX for benchmarks and tests: a watch's 1 Hz walk as Garmin Connect
//! exports it (positions as the exact decimal of the watch's semicircles, elevation, time, heart
//! rate and cadence in a TrackPointExtension, indented like the export). Deterministic: the same
//! size and variant give the same bytes; different variants start at other times and places, so
//! that a zip of them holds distinct files.

use std::fmt::Write as _;
use std::io::Write as _;

/// A small deterministic generator (SplitMix64): no random-number crate for test data.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits as a fraction in [0, 1).
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Degrees as a watch stores them (semicircles, 2^31 per 180 degrees), written out exactly as
/// Garmin Connect does (`37.24173816852271556854248046875`).
fn semicircle_degrees(out: &mut String, degrees: f64) {
    let semicircles = (degrees * 2_147_483_648.0 / 180.0).round();
    let exact = format!("{:.40}", semicircles * 180.0 / 2_147_483_648.0);
    out.push_str(exact.trim_end_matches('0').trim_end_matches('.'));
}

/// A GPX file of about `bytes` bytes (at least one track point); `variant` moves the start.
pub fn gpx(bytes: usize, variant: u32) -> Vec<u8> {
    let mut out = String::with_capacity(bytes + 1024);
    let start = jiff::Timestamp::from_second(1_500_000_000 + i64::from(variant) * 86_400)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="Garmin Connect" version="1.1"
  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd"
  xmlns="http://www.topografix.com/GPX/1/1"
  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
  xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <metadata>
    <link href="connect.garmin.com">
      <text>Garmin Connect</text>
    </link>
    <time>{}</time>
  </metadata>
  <trk>
    <name>Backward walk {variant}</name>
    <type>walking</type>
    <trkseg>
"#,
        start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    );
    let mut noise = Noise(u64::from(variant));
    let (mut lat, mut lon) = (
        37.2 + f64::from(variant % 100) * 0.01,
        -121.9 - f64::from(variant / 100) * 0.01,
    );
    let mut ele = 104.0;
    let mut heading: f64 = 0.0;
    let tail = "    </trkseg>\n  </trk>\n</gpx>\n";
    let mut second = 0i64;
    while second == 0 || out.len() + tail.len() < bytes {
        heading += (noise.next() - 0.5) * 0.3;
        // About 1.2 m/s of walking.
        lat += heading.cos() * 1.2 / 111_195.0;
        lon += heading.sin() * 1.2 / 88_000.0;
        ele += (noise.next() - 0.5) * 0.4;
        let time = start
            .checked_add(jiff::SignedDuration::from_secs(second))
            .unwrap_or(start);
        out.push_str("      <trkpt lat=\"");
        semicircle_degrees(&mut out, lat);
        out.push_str("\" lon=\"");
        semicircle_degrees(&mut out, lon);
        let _ = write!(
            out,
            "\">\n        <ele>{:.1}</ele>\n        <time>{}</time>\n        <extensions>\n          <ns3:TrackPointExtension>\n            <ns3:hr>{}</ns3:hr>\n            <ns3:cad>{}</ns3:cad>\n          </ns3:TrackPointExtension>\n        </extensions>\n      </trkpt>\n",
            ele,
            time.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            95 + (noise.next() * 30.0) as u32,
            50 + (noise.next() * 10.0) as u32,
        );
        second += 1;
    }
    out.push_str(tail);
    out.into_bytes()
}

/// A zip (deflated) of `count` distinct GPX files of about `bytes` each, named `walk-N.gpx`.
pub fn zip_of_gpx(count: usize, bytes: usize) -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..count {
        let variant = u32::try_from(i).unwrap_or(u32::MAX);
        // Writing to memory fails only when out of memory; an entry that fails is left out.
        if archive.start_file(format!("walk-{i}.gpx"), options).is_ok() {
            let _ = archive.write_all(&gpx(bytes, variant));
        }
    }
    archive
        .finish()
        .map(std::io::Cursor::into_inner)
        .unwrap_or_default()
}
