//! Writes the synthetic day of [`gait::synthetic`] as CSV (`sample, acc_x, acc_y, acc_z, gyr_x,
//! gyr_y, gyr_z`; m/s², deg/s, x vertical: the lower-back frame mobgap expects), for
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
    writeln!(out, "sample,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z").unwrap();
    for (i, s) in gait::synthetic::day(seconds).enumerate() {
        let g = s.gyr.unwrap_or_default();
        writeln!(
            out,
            "{i},{:.5},{:.5},{:.5},{:.4},{:.4},{:.4}",
            s.acc[0], s.acc[1], s.acc[2], g[0], g[1], g[2]
        )
        .unwrap();
    }
    let bouts = gait::synthetic::bouts(seconds);
    let steps: f64 = bouts.iter().map(|(_, len, cad)| len * cad / 60.0).sum();
    eprintln!("{} walking bouts, about {steps:.0} steps", bouts.len());
}
