//! `retrostride next`: advance, hold or step down after a session.

use clap::Args;
use coach::measure::{ActivityDuration, PainScore, Rpe};
use coach::progression::{Decision, SessionOutcome, decide};
use std::io::Write;

#[derive(Debug, Args)]
pub struct NextArgs {
    /// Backward time the last session planned: 10min
    #[arg(long)]
    planned_backward: ActivityDuration,
    /// Backward time actually walked: 8min (0s when none)
    #[arg(long, value_parser = parse_done)]
    done_backward: u32,
    /// Effort on Borg's 6-20 scale
    #[arg(long)]
    rpe: Rpe,
    /// Pain before the session, 0-10; left out, it is not given (not 0) and the coach holds
    #[arg(long)]
    pain_before: Option<PainScore>,
    /// Pain after the session, 0-10; left out, it is not given (not 0) and the coach holds
    #[arg(long)]
    pain_after: Option<PainScore>,
    /// Near-falls during the session
    #[arg(long, default_value_t = 0)]
    near_falls: u8,
    /// Say this if you did not feel safe at any point
    #[arg(long)]
    felt_unsafe: bool,
    /// Backward time the plan has next: 11min
    #[arg(long)]
    next_planned: ActivityDuration,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

/// Done time may be zero (a session abandoned at once), unlike a planned duration.
fn parse_done(text: &str) -> Result<u32, String> {
    let trimmed = text.trim();
    if trimmed.trim_end_matches(|c: char| c.is_ascii_alphabetic()) == "0" {
        return Ok(0);
    }
    trimmed
        .parse::<ActivityDuration>()
        .map(|d| d.seconds())
        .map_err(|e| e.to_string())
}

pub fn run(args: &NextArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let outcome = SessionOutcome {
        planned_backward_seconds: args.planned_backward.seconds(),
        done_backward_seconds: args.done_backward,
        rpe: args.rpe,
        pain_before: args.pain_before,
        pain_after: args.pain_after,
        near_falls: args.near_falls,
        felt_safe: !args.felt_unsafe,
    };
    let p = decide(Some(&outcome), args.next_planned.seconds());
    if args.json {
        return crate::write_json(out, &p);
    }
    let word = match p.decision {
        Decision::Advance => "Advance",
        Decision::Hold => "Hold",
        Decision::StepDown => "Step down",
    };
    writeln!(
        out,
        "{word}: next session {} backward.",
        crate::minutes(p.next_backward_seconds)
    )?;
    for r in &p.reasons {
        writeln!(out, "  - {r}")?;
    }
    for pr in &p.added_precautions {
        writeln!(out, "  precaution from now on: {}", pr.advice())?;
    }
    Ok(())
}
