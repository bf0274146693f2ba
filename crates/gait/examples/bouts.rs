//! Prints the bouts found in a CWA or CSV file (a debugging aid).
//!
//!     cargo run --release -p gait --example bouts -- FILE

#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let bytes = std::fs::read(&path).unwrap();
    let samples = gait::cwa::read(&bytes).unwrap().samples;
    let a = gait::analyze(samples, gait::Options::default());
    for b in &a.bouts {
        println!(
            "{:8.1}-{:8.1} s  steps {:4}  cadence {:5.1}  cv {:.2}  {} {:.2}",
            b.start_s - a.bouts[0].start_s + 0.0,
            b.end_s - a.bouts[0].start_s,
            b.steps,
            b.cadence_spm,
            b.step_time_cv,
            b.direction,
            b.confidence
        );
    }
    println!("total {}", a.total_steps);
}
