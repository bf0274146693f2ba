//! Writes realistic GPX test files for `bench/tracks.sh` and the criterion bench: a watch's
//! recording as Garmin Connect exports it (1 Hz track points with lat/lon written as the exact
//! decimal of the watch's semicircles, elevation, time, and a TrackPointExtension with heart
//! rate and cadence, indented like the export).
//!
//!   synth_gpx gpx OUT.gpx BYTES            one file of about BYTES
//!   synth_gpx zip OUT.zip COUNT BYTES      a zip of COUNT distinct files of about BYTES each

#![allow(clippy::unwrap_used, clippy::expect_used)] // A tool for benchmarks: fail loudly.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| -> usize {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| usage())
    };
    match args.get(1).map(String::as_str) {
        Some("gpx") => {
            let out = args.get(2).unwrap_or_else(|| usage());
            std::fs::write(out, tracks::synthetic::gpx(number(3), 0)).unwrap();
        }
        Some("zip") => {
            let out = args.get(2).unwrap_or_else(|| usage());
            let bytes = tracks::synthetic::zip_of_gpx(number(3), number(4));
            std::fs::File::create(out)
                .unwrap()
                .write_all(&bytes)
                .unwrap();
        }
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!("usage: synth_gpx gpx OUT.gpx BYTES | synth_gpx zip OUT.zip COUNT BYTES");
    std::process::exit(2)
}
