//! `retrostride analyze FILE`: steps, walking bouts, cadence and the direction of each bout in
//! raw motion data (CSV with a header, an Axivity CWA file or a GENEActiv .bin file).

use anyhow::Context;
use clap::Args;
use gait::csv::{AccUnit, CsvOptions, GyroUnit};
use gait::{Analysis, Analyzer, Options, Placement};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A CSV file (header: time_s or sample, acc_x, acc_y, acc_z, optional gyr_x, gyr_y, gyr_z),
    /// an Axivity .cwa file or a GENEActiv .bin file (recognised by their content)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where the sensor was worn: lower-back, pocket, hand, bag, armband, wrist, foot (on the shoe
    /// or instep), ankle. Without it steps are still counted (a phone may move between places),
    /// but the direction is not read
    #[arg(long)]
    placement: Option<Placement>,
    /// Samples per second, for CSV files that number samples instead of giving times
    #[arg(long, value_name = "HZ")]
    rate: Option<f64>,
    /// Acceleration unit of a CSV file: m/s2 or g (detected when absent)
    #[arg(long)]
    acc_unit: Option<AccUnit>,
    /// Gyroscope unit of a CSV file: deg/s or rad/s (detected when absent)
    #[arg(long)]
    gyro_unit: Option<GyroUnit>,
    /// The first SECONDS were walked forward (a guided session's warm-up): the direction is read
    /// against them
    #[arg(long, value_name = "SECONDS", conflicts_with = "forward")]
    forward_until: Option<f64>,
    /// FROM-TO (seconds from the start) was walked forward, e.g. 120-180: the direction is read
    /// against it
    #[arg(long, value_name = "FROM-TO")]
    forward: Option<String>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    file: String,
    #[serde(flatten)]
    analysis: &'a Analysis,
    assumptions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_sectors: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped_pages: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

/// `FROM-TO` in seconds, FROM before TO.
fn parse_span(span: &str) -> anyhow::Result<(f64, f64)> {
    let parsed = span.split_once('-').and_then(|(a, b)| {
        let (a, b) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
        (a.is_finite() && b.is_finite() && a >= 0.0 && b > a).then_some((a, b))
    });
    parsed.ok_or_else(|| {
        anyhow::anyhow!(
            "--forward {span:?} is not a stretch of time: expected FROM-TO in seconds from the start, FROM before TO (e.g. 120-180)"
        )
    })
}

pub fn run(args: &AnalyzeArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0 && rate <= 10_000.0)
    {
        anyhow::bail!("--rate {rate} is not a sample rate: expected 0 to 10000 Hz");
    }
    if let Some(s) = args.forward_until
        && !(s.is_finite() && s > 0.0)
    {
        anyhow::bail!("--forward-until {s} is not a duration: expected seconds above 0");
    }
    let forward_segment = match (&args.forward, args.forward_until) {
        (Some(span), _) => Some(parse_span(span)?),
        (None, Some(s)) => Some((0.0, s)),
        (None, None) => None,
    };
    let name = args.file.display().to_string();
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot read {name}"))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut analyzer = Analyzer::new(Options {
        placement: args.placement,
        forward_segment,
        keep_contacts: false,
    });
    let (_, notes) = gait::file::read_samples(
        reader,
        CsvOptions {
            rate_hz: args.rate,
            acc_unit: args.acc_unit,
            gyro_unit: args.gyro_unit,
        },
        |sample| {
            analyzer.push(&sample);
            true
        },
    )
    .with_context(|| format!("{name} cannot be read"))?;
    let gait::file::FileNotes {
        assumptions,
        skipped_sectors: skipped,
        skipped_pages,
        truncated,
    } = notes;
    for a in &assumptions {
        eprintln!("assumed: {a}");
    }
    let analysis = analyzer.finish();
    if args.json {
        return crate::write_json(
            out,
            &Report {
                file: name,
                analysis: &analysis,
                assumptions,
                skipped_sectors: skipped,
                skipped_pages,
                truncated,
            },
        );
    }
    writeln!(
        out,
        "{name}: {:.0} s, {} samples; {} steps in {} walking bout(s){}",
        analysis.duration_s,
        analysis.samples,
        analysis.total_steps,
        analysis.bouts.len(),
        [
            skipped.map(|s| format!("; {s} damaged sector(s) skipped")),
            skipped_pages.map(|s| format!("; {s} damaged page(s) skipped")),
            truncated.then(|| "; the file ends inside a page".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<String>()
    )?;
    let mut per_stride = false;
    for b in &analysis.bouts {
        per_stride |= b.two_steps_per_stride;
        writeln!(
            out,
            "  {}{:7.1}-{:7.1} s  {:4} steps  {:5.1} steps/min  variability {:4.1}%  {}{}",
            if b.turned { "↻" } else { " " },
            b.start_s,
            b.end_s,
            b.steps,
            b.cadence_spm,
            b.step_time_cv * 100.0,
            b.direction_words(),
            match b.basis {
                gait::Basis::Motion if b.direction != gait::Direction::Unknown =>
                    format!(", {:.0}%", b.confidence * 100.0),
                _ => String::new(),
            }
        )?;
    }
    if analysis.bouts.iter().any(|b| b.turned) {
        writeln!(
            out,
            "↻ the walker turned round without stopping: a new stretch starts there."
        )?;
    }
    if per_stride {
        writeln!(
            out,
            "Steps are counted as two per stride of the foot that wears the sensor."
        )?;
    }
    writeln!(out, "{}", analysis.direction_note)?;
    Ok(())
}
