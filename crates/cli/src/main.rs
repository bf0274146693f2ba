//! `retrostride`: the command line of Retrostride, the backward-walking coach.
//!
//! Parses arguments into the coach's validated types (clap calls their `FromStr`), asks the coach,
//! and prints the answer for people or, with `--json`, for scripts. Bad input exits with code 2
//! and a message naming the flag, the value and what is accepted; nothing here panics.

mod activity;
mod analyze;
mod assess;
mod catalogue;
mod energy;
mod next;
mod plan;
mod screen;
mod server;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// Retrostride: screening, plans, progression, energy and assessments for backward walking.
#[derive(Debug, Parser)]
#[command(name = "retrostride", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server: the web app and the JSON API (SQLite by default, no set-up).
    Serve(server::ServeArgs),
    /// Manage accounts: add (e.g. an admin), change a role, list.
    User(server::UserArgs),
    /// Copy the SQLite database consistently, even while the server runs.
    Backup(server::BackupArgs),
    /// Estimate the energy of a forward or backward walk (Compendium METs and your body mass).
    Energy(energy::EnergyArgs),
    /// Screen for safety before starting: answers file, or question by question in a terminal.
    Screen(screen::ScreenArgs),
    /// Make a dated, progressive plan from a goal, setting, level and schedule.
    Plan(plan::PlanArgs),
    /// Decide the next session from how the last one went: advance, hold or step down.
    Next(next::NextArgs),
    /// Interpret an outcome test: 3mbwt, stance or pain.
    Assess(assess::AssessArgs),
    /// Read device files (FIT, GPX, TCX, or zip archives of them): sport, start, time, distance, laps.
    Activity(activity::ActivityArgs),
    /// Find walking in raw motion data (CSV, Axivity CWA or GENEActiv .bin): steps, bouts, cadence, direction.
    Analyze(analyze::AnalyzeArgs),
    /// List the protocol catalogue with its evidence.
    Protocols(catalogue::CatalogueArgs),
    /// List what popular articles claim and what the evidence supports.
    Claims(catalogue::CatalogueArgs),
}

/// Exit code for bad input, as for clap's own usage errors.
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Serve(args) => {
            return server_exit(server::serve(&args, &mut out));
        }
        Command::User(args) => server::user(&args, &mut out),
        Command::Backup(args) => server::backup(&args, &mut out),
        Command::Energy(args) => energy::run(&args, &mut out),
        Command::Screen(args) => screen::run(&args, &mut out),
        Command::Plan(args) => plan::run(&args, &mut out),
        Command::Next(args) => next::run(&args, &mut out),
        Command::Assess(args) => assess::run(&args, &mut out),
        Command::Activity(args) => activity::run(&args, &mut out),
        Command::Analyze(args) => analyze::run(&args, &mut out),
        Command::Protocols(args) => catalogue::protocols(&args, &mut out),
        Command::Claims(args) => catalogue::claims(&args, &mut out),
    };
    match result.and_then(|()| out.flush().map_err(anyhow::Error::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Exit code when the server cannot start or stops on an error.
const EXIT_SERVER_FAILED: u8 = 1;

fn server_exit(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_SERVER_FAILED)
        }
    }
}

/// `retrostride plan ... | head` closes stdout early; that is not an error worth reporting.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = cause
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                cause
                    .downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes a value as pretty JSON followed by a newline.
fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// "12 min 30 s" for seconds.
fn minutes(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}
