//! `retrostride screen`: the safety questionnaire, from a file or question by question.

use anyhow::{Context, bail};
use clap::Args;
use coach::measure::Age;
use coach::screening::{QUESTIONS, Screening, ScreeningAnswers, screen};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Answers file (JSON; see examples/screening-answers.json). Without it, questions are
    /// asked one by one when run in a terminal.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Ask question by question even when standard input is not a terminal (for scripts that
    /// pipe answers in: the age, then y or n per line)
    #[arg(long, conflicts_with = "answers")]
    ask: bool,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct ScreenReport<'a> {
    #[serde(flatten)]
    screening: &'a Screening,
    answers: &'a ScreeningAnswers,
}

pub fn run(args: &ScreenArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let answers = match &args.answers {
        Some(path) => read_answers(path)?,
        None if args.ask || std::io::stdin().is_terminal() => {
            let stdin = std::io::stdin();
            // Questions go to stderr so that --json on stdout stays clean.
            ask(&mut stdin.lock(), &mut std::io::stderr())?
        }
        None => bail!(
            "no answers: give --answers FILE (see examples/screening-answers.json), or run in a terminal to be asked question by question"
        ),
    };
    let screening = screen(&answers);
    if args.json {
        return crate::write_json(
            out,
            &ScreenReport {
                screening: &screening,
                answers: &answers,
            },
        );
    }
    print_screening(&screening, out)
}

/// Reads and validates an answers file.
pub fn read_answers(path: &Path) -> anyhow::Result<ScreeningAnswers> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read answers file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "answers file {} is not valid: expected a JSON object with \"age\" (a whole number) and true/false for each of: {}",
            path.display(),
            QUESTIONS.iter().map(|q| q.id).collect::<Vec<_>>().join(", ")
        )
    })
}

fn prompt_line(
    input: &mut impl BufRead,
    prompt: &mut impl Write,
    text: &str,
) -> anyhow::Result<String> {
    write!(prompt, "{text} ")?;
    prompt.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        bail!("the answers ended before every question was answered (at: {text})");
    }
    Ok(line.trim().to_ascii_lowercase())
}

/// Asks every question, repeating a question until the answer is understood.
fn ask(input: &mut impl BufRead, prompt: &mut impl Write) -> anyhow::Result<ScreeningAnswers> {
    writeln!(
        prompt,
        "Retrostride safety screening: {} questions. Answer y or n.",
        QUESTIONS.len() + 1
    )?;
    let age = loop {
        let line = prompt_line(input, prompt, "How old are you (years)?")?;
        match line.parse::<Age>() {
            Ok(age) => break age,
            Err(e) => writeln!(prompt, "  {e}")?,
        }
    };
    let mut answers = ScreeningAnswers::all_clear(age);
    let mut json = serde_json::to_value(answers)?;
    for (i, q) in QUESTIONS.iter().enumerate() {
        let yes = loop {
            let line = prompt_line(input, prompt, &format!("{}. {} [y/n]", i + 2, q.text))?;
            match line.as_str() {
                "y" | "yes" => break true,
                "n" | "no" => break false,
                other => writeln!(prompt, "  '{other}' is not understood: answer y or n.")?,
            }
        };
        json[q.id] = yes.into();
    }
    answers = serde_json::from_value(json)?;
    Ok(answers)
}

pub fn print_screening(s: &Screening, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "Clearance: {}", s.clearance)?;
    writeln!(out, "{}", s.advice)?;
    if !s.reasons.is_empty() {
        writeln!(out, "\nWhy:")?;
        for r in &s.reasons {
            writeln!(
                out,
                "  - {}{}",
                r.explanation,
                if r.red_flag { " [see a clinician]" } else { "" }
            )?;
        }
    }
    if !s.precautions.is_empty() {
        writeln!(out, "\nPrecautions:")?;
        for p in &s.precautions {
            writeln!(out, "  - {}", p.advice())?;
        }
    }
    writeln!(out, "\nBased on:")?;
    for src in &s.sources {
        writeln!(out, "  - {}", src.citation())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use coach::screening::Clearance;

    #[test]
    fn asking_repeats_until_understood() {
        let mut answers = String::from("old\n45\n");
        answers.push_str("maybe\n");
        for _ in QUESTIONS {
            answers.push_str("n\n");
        }
        let mut prompts = Vec::new();
        let a = ask(&mut answers.as_bytes(), &mut prompts).unwrap();
        assert_eq!(a.age.value(), 45);
        assert!(!a.currently_active);
        assert_eq!(screen(&a).clearance, Clearance::ClearedWithPrecautions);
        let shown = String::from_utf8(prompts).unwrap();
        assert!(shown.contains("age 'old' is not understood"), "{shown}");
        assert!(shown.contains("'maybe' is not understood"));
    }

    #[test]
    fn answers_that_end_early_are_an_error() {
        let err = ask(&mut "45\ny\n".as_bytes(), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("ended before every question"));
    }
}
