//! `retrostride plan`: a dated, progressive plan.

use anyhow::Context;
use clap::Args;
use coach::measure::Speed;
use coach::plan::{DaysPerWeek, Level, Plan, PlanRequest, Setting, Units, Weeks, build_plan};
use coach::protocol::{Goal, PROTOCOLS, Protocol, protocol};
use coach::schedule::{Schedule, TimeOfDay, TrainingDays};
use coach::screening::{Clearance, Precaution, screen};
use jiff::civil::Date;
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// knee, balance, fitness or general
    #[arg(long)]
    goal: Goal,
    /// ground, hallway or treadmill
    #[arg(long)]
    setting: Setting,
    /// new or some-experience
    #[arg(long)]
    level: Level,
    /// Sessions a week, 1 to 7
    #[arg(long)]
    days_per_week: DaysPerWeek,
    /// Plan length in weeks, 1 to 52
    #[arg(long)]
    weeks: Weeks,
    /// Date of the first session, YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    start: Date,
    /// A screening: the answers file, or the output of `retrostride screen --json`
    #[arg(long, value_name = "FILE", conflicts_with = "clearance")]
    screening: Option<PathBuf>,
    /// A clearance instead of a screening: cleared, cleared_with_precautions, see_clinician_first
    #[arg(long)]
    clearance: Option<Clearance>,
    /// Comfortable forward walking speed (sets treadmill speeds): 3mph, 4.8km/h
    #[arg(long)]
    forward_speed: Option<Speed>,
    /// A protocol id from `retrostride protocols` (default: the goal's best-evidenced one)
    #[arg(long, value_parser = parse_protocol)]
    protocol: Option<&'static Protocol>,
    /// Weekdays to train on, at least --days-per-week of them: mon,wed,fri (default: spread
    /// evenly from --start)
    #[arg(long, value_name = "DAYS")]
    weekdays: Option<TrainingDays>,
    /// Time of day the sessions start, HH:MM (shown in JSON as `schedule.time`)
    #[arg(long, value_name = "HH:MM")]
    time: Option<TimeOfDay>,
    /// metric or imperial (treadmill steps of 0.8 km/h or 0.5 mph)
    #[arg(long, default_value = "metric")]
    units: Units,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
    /// Also write each session as a FIT workout file into DIR, for a watch to run the intervals
    #[arg(long, value_name = "DIR")]
    fit_workouts: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|e| format!("expected a calendar date written YYYY-MM-DD, e.g. 2027-01-04 ({e})"))
}

fn parse_protocol(id: &str) -> Result<&'static Protocol, String> {
    protocol(id).ok_or_else(|| {
        format!(
            "protocol '{id}' is not in the catalogue; expected one of {}",
            PROTOCOLS
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The part of `retrostride screen --json` output a plan needs.
#[derive(Deserialize)]
struct ScreeningOutcome {
    clearance: Clearance,
    precautions: Vec<Precaution>,
}

/// Reads either an answers file (and screens it) or a saved screening result.
fn read_screening(path: &Path) -> anyhow::Result<(Clearance, Vec<Precaution>)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read screening file {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("screening file {} is not JSON", path.display()))?;
    if value.get("clearance").is_some() {
        let saved: ScreeningOutcome = serde_json::from_value(value).with_context(|| {
            format!(
                "screening file {} has a clearance but is not a valid screening result (from `retrostride screen --json`)",
                path.display()
            )
        })?;
        return Ok((saved.clearance, saved.precautions));
    }
    let answers = crate::screen::read_answers(path)?;
    let s = screen(&answers);
    Ok((s.clearance, s.precautions))
}

pub fn run(args: &PlanArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let (clearance, precautions) = match (&args.screening, args.clearance) {
        (Some(path), _) => read_screening(path)?,
        (None, Some(c)) => (c, vec![]),
        (None, None) => {
            eprintln!(
                "warning: no screening given, so this plan assumes 'cleared'. Run `retrostride screen` first and pass --screening FILE."
            );
            (Clearance::Cleared, vec![])
        }
    };
    let request = PlanRequest {
        goal: args.goal,
        clearance,
        precautions,
        setting: args.setting,
        level: args.level,
        days_per_week: args.days_per_week,
        weeks: args.weeks,
        start: args.start,
        forward_speed: args.forward_speed,
        protocol: args.protocol,
        units: args.units,
        clinician_assigned: false,
        schedule: Schedule {
            days: args.weekdays,
            time: args.time,
        },
    };
    let plan = build_plan(&request)?;
    if let Some(dir) = &args.fit_workouts {
        let written = write_workouts(&plan, dir)?;
        eprintln!("wrote {written} FIT workout file(s) to {}", dir.display());
    }
    if args.json {
        return crate::write_json(out, &plan);
    }
    print_plan(&plan, out)
}

fn speed_text(speed: Speed, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1} km/h", speed.kmh()),
        Units::Imperial => format!("{:.1} mph", speed.mph()),
    }
}

fn print_plan(plan: &Plan, out: &mut impl Write) -> anyhow::Result<()> {
    let p = plan.protocol;
    writeln!(
        out,
        "Plan: {} ({} goal, {})",
        p.name, plan.goal, plan.setting
    )?;
    writeln!(out, "Rests on: {} — {}", p.source.citation(), p.dose)?;
    writeln!(out, "Studied in: {}", p.population)?;
    writeln!(out, "Evidence: {}. {}", p.strength.describe(), p.caveat)?;
    if let Some(link) = p.source.link() {
        writeln!(out, "Read it: {link}")?;
    }
    writeln!(out, "Clearance: {}", plan.clearance)?;
    for a in &plan.adjustments {
        writeln!(out, "Note: {a}")?;
    }
    for advice in plan
        .precautions
        .iter()
        .filter_map(|p| p.advice_in(plan.setting))
    {
        writeln!(out, "Precaution: {advice}")?;
    }
    writeln!(out)?;
    for s in &plan.sessions {
        // Runs of identical backward blocks read as "5 x 1 min".
        let mut backward: Vec<(usize, String)> = Vec::new();
        for b in s
            .blocks
            .iter()
            .filter(|b| b.direction == coach::energy::Direction::Backward)
        {
            let mut t = crate::minutes(b.seconds);
            if let Some(v) = b.speed {
                t.push_str(&format!(" @ {}", speed_text(v, plan.units)));
            }
            if let Some(g) = b.grade {
                t.push_str(&format!(" +{g}"));
            }
            match backward.last_mut() {
                Some((n, last)) if *last == t => *n += 1,
                _ => backward.push((1, t)),
            }
        }
        let backward: Vec<String> = backward
            .into_iter()
            .map(|(n, t)| if n == 1 { t } else { format!("{n} x {t}") })
            .collect();
        writeln!(
            out,
            "{} week {:>2} #{:<3} {:>11} backward of {:>11}: {}",
            s.date,
            s.week,
            s.number,
            crate::minutes(s.backward_seconds),
            crate::minutes(s.total_seconds),
            backward.join(", ")
        )?;
    }
    writeln!(out, "\nHow it progresses:")?;
    for r in &plan.rules {
        writeln!(out, "  - {r}")?;
    }
    Ok(())
}

/// A block as a watch shows it.
fn workout_step(block: &coach::plan::Block, units: Units) -> tracks::workout::WorkoutStep {
    use coach::plan::BlockKind;
    use tracks::workout::StepIntensity;
    let (name, intensity) = match block.kind {
        BlockKind::WarmUp => ("Warm-up forward", StepIntensity::Warmup),
        BlockKind::Backward => ("Backward", StepIntensity::Active),
        BlockKind::Recovery => ("Recovery forward", StepIntensity::Recovery),
        BlockKind::Forward => ("Forward", StepIntensity::Active),
        BlockKind::CoolDown => ("Cool-down forward", StepIntensity::Cooldown),
    };
    let direction = match block.direction {
        coach::energy::Direction::Forward => "Walk forward",
        coach::energy::Direction::Backward => "Walk backward, toes first",
    };
    let notes = match block.speed {
        Some(speed) => format!("{direction} at {}", speed_text(speed, units)),
        None => direction.to_string(),
    };
    tracks::workout::WorkoutStep {
        name: name.to_string(),
        seconds: block.seconds,
        intensity,
        notes,
    }
}

/// Writes one FIT workout per planned session; returns how many.
fn write_workouts(plan: &Plan, dir: &Path) -> anyhow::Result<usize> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let created = jiff::Timestamp::now();
    for session in &plan.sessions {
        let steps: Vec<_> = session
            .blocks
            .iter()
            .map(|b| workout_step(b, plan.units))
            .collect();
        let name = format!("Retro {} {}", session.number, session.date);
        let bytes = tracks::workout::encode(&name, &steps, created).with_context(|| {
            format!("session {} cannot be written as a workout", session.number)
        })?;
        let path = dir.join(format!(
            "retrostride-session-{:03}-{}.fit",
            session.number, session.date
        ));
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(plan.sessions.len())
}
