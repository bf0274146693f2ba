//! Writes the synthetic day of [`gait::synthetic`] as CSV ([`gait::synthetic::write_csv`]), for
//! `bench/gait.sh`.
//!
//!     cargo run --release -p gait --example synth_csv -- OUT.csv [SECONDS]

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark helper: fail loudly.

use std::io::Write;

fn main() {
    let path = std::env::args().nth(1).expect("an output path");
    let seconds: f64 = std::env::args()
        .nth(2)
        .map_or(86_400.0, |s| s.parse().unwrap());
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    gait::synthetic::write_csv(seconds, &mut out).unwrap();
    out.flush().unwrap();
    let bouts = gait::synthetic::bouts(seconds);
    let steps: f64 = bouts.iter().map(|(_, len, cad)| len * cad / 60.0).sum();
    eprintln!("{} walking bouts, about {steps:.0} steps", bouts.len());
}
