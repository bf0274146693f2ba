//! `retrostride protocols` and `retrostride claims`: what the product rests on.

use clap::Args;
use coach::protocol::{BENEFIT_CLAIMS, PROTOCOLS};
use std::io::Write;

#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

pub fn protocols(args: &CatalogueArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if args.json {
        return crate::write_json(out, &PROTOCOLS);
    }
    for p in PROTOCOLS {
        writeln!(out, "{}\n  {}", p.id, p.name)?;
        writeln!(out, "  dose: {}", p.dose)?;
        writeln!(out, "  studied in: {}", p.population)?;
        let goals: Vec<&str> = p.goals.iter().map(|g| g.as_str()).collect();
        writeln!(out, "  goals: {}", goals.join(", "))?;
        writeln!(out, "  evidence: {} — {}", p.strength.describe(), p.caveat)?;
        writeln!(
            out,
            "  source: {} [{}]\n",
            p.source.citation(),
            p.source.checked.describe()
        )?;
    }
    Ok(())
}

pub fn claims(args: &CatalogueArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if args.json {
        return crate::write_json(out, &BENEFIT_CLAIMS);
    }
    for c in BENEFIT_CLAIMS {
        writeln!(out, "{}\n  {}", c.claim, c.statement)?;
        writeln!(out, "  strength: {}", c.strength.describe())?;
        for s in c.sources {
            writeln!(out, "  source: {}", s.citation())?;
        }
        writeln!(out)?;
    }
    Ok(())
}
