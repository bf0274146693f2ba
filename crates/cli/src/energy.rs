//! `retrostride energy`: kcal for a walk.

use clap::Args;
use coach::energy::{Direction, Edition, EnergyBasis, Surface, Walk, estimate};
use coach::measure::{ActivityDuration, BodyMass, Grade, Speed};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
pub struct EnergyArgs {
    /// forward or backward
    #[arg(long)]
    direction: Direction,
    /// Speed with its unit: 3.5mph, 5.6km/h or 1.5m/s
    #[arg(long, allow_hyphen_values = true)]
    speed: Speed,
    /// Grade in percent: 5% or 5 (level when left out)
    #[arg(long, allow_hyphen_values = true, default_value = "0")]
    grade: Grade,
    /// Duration: 10min, 90s, 1h30m
    #[arg(long, allow_hyphen_values = true)]
    duration: ActivityDuration,
    /// Body mass: 64kg or 141lb
    #[arg(long, allow_hyphen_values = true)]
    mass: BodyMass,
    /// Compendium edition: 2011 or 2024
    #[arg(long, default_value = "2024")]
    edition: Edition,
    /// On a treadmill (the 2024 Compendium lists treadmill walking separately)
    #[arg(long)]
    treadmill: bool,
    /// Net energy (above rest: MET - 1) instead of gross
    #[arg(long)]
    net: bool,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct EnergyReport<'a> {
    /// Rounded to 0.1 kcal for presentation; `met` is unrounded.
    kcal: f64,
    met: f64,
    basis: EnergyBasis,
    edition: Edition,
    source: &'a str,
    direction: Direction,
    speed_mps: f64,
    grade_percent: f64,
    surface: Surface,
    duration_seconds: u32,
    mass_kg: f64,
    method: &'a coach::energy::MetBasis,
    references: &'a [&'static coach::evidence::Source],
    notes: &'a [String],
}

pub fn run(args: &EnergyArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let walk = Walk {
        direction: args.direction,
        speed: args.speed,
        grade: args.grade,
        surface: if args.treadmill {
            Surface::Treadmill
        } else {
            Surface::Ground
        },
    };
    let basis = if args.net {
        EnergyBasis::Net
    } else {
        EnergyBasis::Gross
    };
    let e = estimate(&walk, args.duration, args.mass, args.edition, basis);
    if args.json {
        return crate::write_json(
            out,
            &EnergyReport {
                kcal: (e.kcal * 10.0).round() / 10.0,
                met: e.met,
                basis,
                edition: args.edition,
                source: &e.source,
                direction: walk.direction,
                speed_mps: walk.speed.mps(),
                grade_percent: walk.grade.percent(),
                surface: walk.surface,
                duration_seconds: args.duration.seconds(),
                mass_kg: args.mass.kg(),
                method: &e.met_basis,
                references: &e.references,
                notes: &e.notes,
            },
        );
    }
    writeln!(
        out,
        "{:.0} kcal {} for {} of {} walking at {}{}{}, {}",
        e.kcal,
        if args.net { "net" } else { "gross" },
        args.duration,
        walk.direction,
        walk.speed,
        if walk.grade.percent() > 0.0 {
            format!(", {} uphill", walk.grade)
        } else {
            String::new()
        },
        if args.treadmill {
            " on a treadmill"
        } else {
            ""
        },
        args.mass
    )?;
    writeln!(out, "{:.1} METs: {}", e.met, e.source)?;
    for r in &e.references {
        writeln!(out, "  source: {}", r.citation())?;
    }
    for n in &e.notes {
        writeln!(out, "  note: {n}")?;
    }
    Ok(())
}
