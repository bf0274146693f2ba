//! `retrostride activity FILE...`: what device files (FIT, GPX, TCX, zip) hold, one line (or one
//! JSON object) per activity, with the error instead when a file cannot be read.

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use tracks::{Activity, FileResult};

#[derive(Debug, Args)]
pub struct ActivityArgs {
    /// FIT, GPX or TCX files, or zip archives of them
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON for scripts (an array, one object per activity)
    #[arg(long)]
    json: bool,
    /// Include every record (time, position, distance, speed, heart rate, cadence, altitude)
    #[arg(long, requires = "json")]
    records: bool,
}

/// One lap, as printed.
#[derive(Serialize)]
struct LapView {
    start: Option<String>,
    elapsed_seconds: Option<f64>,
    timer_seconds: Option<f64>,
    distance_m: Option<f64>,
    name: Option<String>,
    intensity: Option<String>,
}

/// One activity (or error), as printed.
#[derive(Serialize)]
struct ActivityView<'a> {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<tracks::Format>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sport: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_sport: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    moving_seconds: Option<f64>,
    distance_m: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    laps: Option<Vec<LapView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a tracks::Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    indoor: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<&'a [tracks::Record]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<&'static str>,
    /// What was read before the damage, when the file is damaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    partial: Option<Box<ActivityView<'a>>>,
}

fn view<'a>(file: &str, a: &'a Activity, records: bool) -> ActivityView<'a> {
    ActivityView {
        file: file.to_string(),
        format: Some(a.format),
        sport: a.sport.as_deref(),
        sub_sport: a.sub_sport.as_deref(),
        start: a.start.map(|t| t.to_string()),
        elapsed_seconds: a.summary.elapsed_seconds,
        moving_seconds: a.summary.moving_seconds,
        distance_m: a.summary.distance_m,
        laps: Some(
            a.laps
                .iter()
                .map(|l| LapView {
                    start: l.start.map(|t| t.to_string()),
                    elapsed_seconds: l.elapsed_seconds,
                    timer_seconds: l.timer_seconds,
                    distance_m: l.distance_m,
                    name: l.name.clone(),
                    intensity: l.intensity.clone(),
                })
                .collect(),
        ),
        summary: Some(&a.summary),
        device: a.device.as_deref(),
        indoor: Some(!a.has_positions()),
        records: records.then_some(a.records.as_slice()),
        error: None,
        error_kind: None,
        partial: None,
    }
}

fn result_view(result: &FileResult, records: bool) -> ActivityView<'_> {
    match &result.outcome {
        Ok(a) => view(&result.name, a, records),
        Err(damaged) => ActivityView {
            file: result.name.clone(),
            format: None,
            sport: None,
            sub_sport: None,
            start: None,
            elapsed_seconds: None,
            moving_seconds: None,
            distance_m: None,
            laps: None,
            summary: None,
            device: None,
            indoor: None,
            records: None,
            error: Some(format!("{}: {}", result.name, damaged.error)),
            error_kind: Some(damaged.error.kind()),
            partial: damaged
                .partial
                .as_ref()
                .map(|p| Box::new(view(&result.name, p, records))),
        },
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

pub fn run(args: &ActivityArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        // A file over the limit is refused by its size, without reading it into memory.
        if let Ok(size) = std::fs::metadata(path).map(|m| m.len())
            && size > tracks::MAX_FILE_BYTES as u64
        {
            results.push(FileResult {
                name,
                fingerprint: 0,
                outcome: Err(tracks::TrackError::TooLarge(
                    usize::try_from(size).unwrap_or(usize::MAX),
                )
                .into()),
            });
            continue;
        }
        match std::fs::read(path) {
            Ok(bytes) => results.extend(tracks::read(&name, &bytes)),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {name}"));
            }
        }
    }
    if args.json {
        let views: Vec<ActivityView> = results
            .iter()
            .map(|r| result_view(r, args.records))
            .collect();
        return crate::write_json(out, &views);
    }
    for r in &results {
        match &r.outcome {
            Ok(a) => writeln!(
                out,
                "{}: {} {}{}, started {}, {} elapsed, {}, {} lap(s), {} record(s){}",
                r.name,
                format!("{:?}", a.format).to_uppercase(),
                a.sport.as_deref().unwrap_or("unknown sport"),
                a.sub_sport
                    .as_deref()
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                a.start.map_or_else(
                    || "at an unknown time (device time only)".into(),
                    |t| t.to_string()
                ),
                a.summary
                    .elapsed_seconds
                    .map_or_else(|| "unknown".into(), duration),
                a.summary
                    .distance_m
                    .map_or_else(|| "no distance".into(), |d| format!("{:.2} km", d / 1000.0)),
                a.laps.len(),
                a.records.len(),
                if a.has_positions() { "" } else { ", no GPS" },
            )?,
            Err(d) => {
                writeln!(out, "{}: error: {}", r.name, d.error)?;
                if let Some(p) = &d.partial {
                    writeln!(
                        out,
                        "  kept before the damage: {} record(s), {} lap(s){}",
                        p.records.len(),
                        p.laps.len(),
                        p.summary
                            .elapsed_seconds
                            .map(|e| format!(", {} elapsed", duration(e)))
                            .unwrap_or_default()
                    )?;
                }
            }
        }
    }
    Ok(())
}
