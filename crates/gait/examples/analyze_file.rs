//! Reads a motion file and analyses it as `retrostride analyze FILE --json` does (no placement),
//! without the command line's other crates: a quick build for profiling the reader and the
//! analysis together (`perf record` on it), printing the analysis as JSON.
//!
//!     cargo run --release -p gait --example analyze_file -- FILE [RATE_HZ]

#![allow(clippy::unwrap_used, clippy::expect_used)] // A profiling helper: fail loudly.

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let rate_hz = std::env::args().nth(2).map(|r| r.parse().unwrap());
    let file = std::fs::File::open(path).unwrap();
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut analyzer = gait::Analyzer::new(gait::Options::default());
    let options = gait::csv::CsvOptions {
        rate_hz,
        ..gait::csv::CsvOptions::default()
    };
    gait::file::read_samples(reader, options, |s| {
        analyzer.push(&s);
        true
    })
    .unwrap();
    println!("{}", serde_json::to_string(&analyzer.finish()).unwrap());
}
