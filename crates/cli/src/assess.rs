//! `retrostride assess`: outcome tests interpreted against published norms.

use clap::{Args, Subcommand};
use coach::assessment::{
    Eyes, FallRisk, Population, Sex, pain_change, single_leg_stance, three_mbwt,
};
use coach::measure::{Age, PainScore};
use std::io::Write;

#[derive(Debug, Args)]
pub struct AssessArgs {
    #[command(subcommand)]
    test: Test,
}

#[derive(Debug, Subcommand)]
enum Test {
    /// 3-metre backward walk test: time against fall-risk cut-offs
    #[command(name = "3mbwt")]
    ThreeMbwt {
        /// Time to walk 3 m backward, seconds
        #[arg(long, allow_hyphen_values = true)]
        seconds: f64,
        /// older-adults, nursing-home, parkinsons, multiple-sclerosis, stroke, knee-osteoarthritis
        #[arg(long)]
        population: Population,
        /// A previous time, seconds, to judge the change
        #[arg(long, allow_hyphen_values = true)]
        previous: Option<f64>,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Single-leg stance: best of three, against age norms
    Stance {
        /// Best of three, seconds
        #[arg(long, allow_hyphen_values = true)]
        seconds: f64,
        /// Age in years
        #[arg(long)]
        age: Age,
        /// open or closed
        #[arg(long)]
        eyes: Eyes,
        /// female or male (norms differ by sex only with eyes closed)
        #[arg(long)]
        sex: Option<Sex>,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// Pain change on the 0-10 scale against its clinically important difference
    Pain {
        /// Pain at the start, 0-10
        #[arg(long)]
        before: PainScore,
        /// Pain now, 0-10
        #[arg(long)]
        after: PainScore,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: &AssessArgs, out: &mut impl Write) -> anyhow::Result<()> {
    match &args.test {
        Test::ThreeMbwt {
            seconds,
            population,
            previous,
            json,
        } => {
            let r = three_mbwt(*seconds, *population, *previous)
                .map_err(|e| anyhow::anyhow!("--seconds/--previous: {e}"))?;
            if *json {
                return crate::write_json(out, &r);
            }
            let risk = match r.risk {
                FallRisk::Low => "low fall risk",
                FallRisk::Intermediate => "intermediate fall risk",
                FallRisk::High => "higher fall risk",
                FallRisk::NotClassified => "not classified (no published cut-off)",
            };
            writeln!(
                out,
                "3MBWT {:.1} s ({:.2} m/s backward): {risk}",
                r.seconds, r.speed_mps
            )?;
            writeln!(out, "{}", r.interpretation)?;
            if let Some(c) = r.cut_off {
                writeln!(out, "  cut-off source: {}", c.source.citation())?;
            }
            for other in r.norms.other_cut_offs {
                writeln!(
                    out,
                    "  also published: {} s ({}): {}",
                    other.high_risk_at_least_s,
                    other.source.citation(),
                    other.note
                )?;
            }
        }
        Test::Stance {
            seconds,
            age,
            eyes,
            sex,
            json,
        } => {
            let r = single_leg_stance(*seconds, *age, *eyes, *sex)
                .map_err(|e| anyhow::anyhow!("--seconds/--age: {e}"))?;
            if *json {
                return crate::write_json(out, &r);
            }
            writeln!(out, "{}", r.interpretation)?;
            writeln!(out, "  source: {}", r.source.citation())?;
        }
        Test::Pain {
            before,
            after,
            json,
        } => {
            let r = pain_change(*before, *after);
            if *json {
                return crate::write_json(out, &r);
            }
            writeln!(out, "{}", r.interpretation)?;
            for s in &r.sources {
                writeln!(out, "  source: {}", s.citation())?;
            }
        }
    }
    Ok(())
}
