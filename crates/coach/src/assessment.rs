//! Outcome tests and their interpretation: the 3-metre backward walk test (3MBWT) against
//! published cut-offs and minimal detectable changes per population, single-leg stance against
//! age norms, and pain change against its minimal clinically important difference.

use crate::evidence::{
    ABIT_KOCAMAN_2021, CARTER_2019, CARTER_2020, FARRAR_2001, KAPAN_2025, KOCER_SOKE_2023,
    OZDEN_2021, POLO_FERRERO_2025, SALAFFI_2004, SOKE_2022, SPRINGER_2007, Source,
};
use crate::measure::{Age, PainScore};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Why an assessment input was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssessmentError {
    /// A time or age outside what the test and its norms cover.
    #[error("{what} {value} is out of range; expected {expected}")]
    OutOfRange {
        /// Which input.
        what: &'static str,
        /// What was given, with its unit.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
}

/// Who took the 3MBWT: cut-offs differ by population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Population {
    /// Community-dwelling older adults.
    OlderAdults,
    /// Nursing-home residents.
    NursingHome,
    /// People with Parkinson's disease.
    Parkinsons,
    /// People with multiple sclerosis.
    MultipleSclerosis,
    /// People after a stroke.
    Stroke,
    /// People with knee osteoarthritis.
    KneeOsteoarthritis,
}

impl Population {
    /// Every population, in display order.
    pub const ALL: [Population; 6] = [
        Population::OlderAdults,
        Population::NursingHome,
        Population::Parkinsons,
        Population::MultipleSclerosis,
        Population::Stroke,
        Population::KneeOsteoarthritis,
    ];
    /// Name on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Population::OlderAdults => "older-adults",
            Population::NursingHome => "nursing-home",
            Population::Parkinsons => "parkinsons",
            Population::MultipleSclerosis => "multiple-sclerosis",
            Population::Stroke => "stroke",
            Population::KneeOsteoarthritis => "knee-osteoarthritis",
        }
    }
}

impl FromStr for Population {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Population::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "population '{s}' is not known; expected one of {}",
                    Population::ALL.map(Population::as_str).join(", ")
                )
            })
    }
}

/// Fall risk read off a 3MBWT time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FallRisk {
    /// At or under the low-risk cut-off.
    Low,
    /// Between the low- and high-risk cut-offs.
    Intermediate,
    /// At or over the high-risk cut-off.
    High,
    /// No published cut-off for this population: no classification.
    NotClassified,
}

/// A published 3MBWT cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CutOff {
    /// At or below: low risk (when the source gives one).
    pub low_risk_at_most_s: Option<f64>,
    /// At or above: high risk.
    pub high_risk_at_least_s: f64,
    /// What the source says about it.
    pub note: &'static str,
    /// Source.
    pub source: &'static Source,
}

/// A published minimal detectable change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectableChange {
    /// Seconds.
    pub seconds: f64,
    /// Source.
    pub source: &'static Source,
}

/// What the literature offers for one population.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThreeMbwtNorms {
    /// Population.
    pub population: Population,
    /// The cut-off used to classify (none where no cut-off is published).
    pub cut_off: Option<CutOff>,
    /// Other published cut-offs for the same population, shown for context.
    pub other_cut_offs: &'static [CutOff],
    /// The smallest change beyond measurement error, where published.
    pub detectable_change: Option<DetectableChange>,
    /// What is missing or uncertain.
    pub caveat: &'static str,
}

const OLDER_ADULTS_OTHERS: &[CutOff] = &[CutOff {
    low_risk_at_most_s: None,
    high_risk_at_least_s: 5.5,
    note: "Optimal cut-off in 483 older adults (mean age 76): sensitivity 60%, specificity 69%; under 3.5 s rules falls out with 98% sensitivity.",
    source: &POLO_FERRERO_2025,
}];

const NURSING_HOME_OTHERS: &[CutOff] = &[CutOff {
    low_risk_at_most_s: None,
    high_risk_at_least_s: 9.31,
    note: "Cut-off for falls in the past (retrospective) in the same study.",
    source: &KAPAN_2025,
}];

const PARKINSONS_OTHERS: &[CutOff] = &[CutOff {
    low_risk_at_most_s: None,
    high_risk_at_least_s: 10.31,
    note: "Cut-off in a study of 36 people with Parkinson's and 33 controls.",
    source: &KOCER_SOKE_2023,
}];

/// The norms for a population.
pub fn three_mbwt_norms(population: Population) -> ThreeMbwtNorms {
    match population {
        Population::OlderAdults => ThreeMbwtNorms {
            population,
            cut_off: Some(CutOff {
                low_risk_at_most_s: Some(3.0),
                high_risk_at_least_s: 4.5,
                note: "Proposed in community-dwelling older adults without a walking aid or neurological diagnosis, from falls in the past year.",
                source: &CARTER_2019,
            }),
            other_cut_offs: OLDER_ADULTS_OTHERS,
            detectable_change: None,
            caveat: "Özden 2021 reports a minimal detectable change for older adults, but its value was not retrieved; test-retest reliability was high (ICC 0.94).",
        },
        Population::NursingHome => ThreeMbwtNorms {
            population,
            cut_off: Some(CutOff {
                low_risk_at_most_s: None,
                high_risk_at_least_s: 8.15,
                note: "Predicts falls in the following months in 217 nursing-home residents (AUC 0.74).",
                source: &KAPAN_2025,
            }),
            other_cut_offs: NURSING_HOME_OTHERS,
            detectable_change: None,
            caveat: "No minimal detectable change published for this population.",
        },
        Population::Parkinsons => ThreeMbwtNorms {
            population,
            cut_off: Some(CutOff {
                low_risk_at_most_s: None,
                high_risk_at_least_s: 4.2,
                note: "Cut-off for fallers in 175 people with Parkinson's (AUC 0.70).",
                source: &CARTER_2020,
            }),
            other_cut_offs: PARKINSONS_OTHERS,
            detectable_change: Some(DetectableChange {
                seconds: 2.13,
                source: &KOCER_SOKE_2023,
            }),
            caveat: "The two published cut-offs differ widely (4.2 s and 10.31 s); the larger study's is used.",
        },
        Population::MultipleSclerosis => ThreeMbwtNorms {
            population,
            cut_off: None,
            other_cut_offs: &[],
            detectable_change: Some(DetectableChange {
                seconds: 1.69,
                source: &SOKE_2022,
            }),
            caveat: "A cut-off was reported for multiple sclerosis but its value was not retrieved, so the time is not classified.",
        },
        Population::Stroke => ThreeMbwtNorms {
            population,
            cut_off: None,
            other_cut_offs: &[],
            detectable_change: Some(DetectableChange {
                seconds: 1.57,
                source: &ABIT_KOCAMAN_2021,
            }),
            caveat: "No fall-risk cut-off is published for stroke; the test tracks change.",
        },
        Population::KneeOsteoarthritis => ThreeMbwtNorms {
            population,
            cut_off: None,
            other_cut_offs: &[],
            detectable_change: None,
            caveat: "No published cut-off or detectable change for knee osteoarthritis; the test is used as an outcome in trials.",
        },
    }
}

/// A 3MBWT result, interpreted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreeMbwtResult {
    /// The time, seconds.
    pub seconds: f64,
    /// Backward walking speed over the 3 m, m/s.
    pub speed_mps: f64,
    /// Fall risk by the cut-off used.
    pub risk: FallRisk,
    /// The cut-off used, with its source.
    pub cut_off: Option<CutOff>,
    /// The norms consulted.
    pub norms: ThreeMbwtNorms,
    /// Change since a previous result, when given: seconds (negative is faster).
    pub change_s: Option<f64>,
    /// Whether that change exceeds the minimal detectable change (None when none is published).
    pub change_is_real: Option<bool>,
    /// For people.
    pub interpretation: String,
}

/// Test course length, metres.
pub const THREE_MBWT_METRES: f64 = 3.0;
/// Plausible 3MBWT times, seconds.
const PLAUSIBLE_3MBWT: std::ops::RangeInclusive<f64> = 0.5..=120.0;

/// Interprets a 3MBWT time for a population, optionally against a previous time.
pub fn three_mbwt(
    seconds: f64,
    population: Population,
    previous: Option<f64>,
) -> Result<ThreeMbwtResult, AssessmentError> {
    let check = |what, value: f64| {
        if value.is_finite() && PLAUSIBLE_3MBWT.contains(&value) {
            Ok(value)
        } else {
            Err(AssessmentError::OutOfRange {
                what,
                value: format!("{value} s"),
                expected: "a time from 0.5 to 120 seconds",
            })
        }
    };
    let seconds = check("3MBWT time", seconds)?;
    let previous = previous
        .map(|p| check("previous 3MBWT time", p))
        .transpose()?;
    let norms = three_mbwt_norms(population);
    let risk = match norms.cut_off {
        None => FallRisk::NotClassified,
        Some(c) if seconds >= c.high_risk_at_least_s => FallRisk::High,
        Some(CutOff {
            low_risk_at_most_s: Some(low),
            ..
        }) if seconds > low => FallRisk::Intermediate,
        Some(_) => FallRisk::Low,
    };
    let mut interpretation = match (risk, norms.cut_off) {
        (FallRisk::High, Some(c)) => format!(
            "{seconds:.1} s is at or above {} s, the cut-off for higher fall risk ({}).",
            c.high_risk_at_least_s, c.source.short
        ),
        (FallRisk::Intermediate, Some(c)) => format!(
            "{seconds:.1} s is between the low-risk ({} s) and high-risk ({} s) cut-offs ({}).",
            c.low_risk_at_most_s.unwrap_or_default(),
            c.high_risk_at_least_s,
            c.source.short
        ),
        (FallRisk::Low, Some(c)) => match c.low_risk_at_most_s {
            Some(low) => format!(
                "{seconds:.1} s is at or under {low} s, the low-risk cut-off ({}).",
                c.source.short
            ),
            None => format!(
                "{seconds:.1} s is under {} s, the cut-off for higher fall risk ({}).",
                c.high_risk_at_least_s, c.source.short
            ),
        },
        _ => format!("{seconds:.1} s: {}", norms.caveat),
    };
    let change_s = previous.map(|p| seconds - p);
    let change_is_real = match (change_s, norms.detectable_change) {
        (Some(change), Some(mdc)) => {
            let real = change.abs() >= mdc.seconds;
            interpretation.push_str(&format!(
                " Change since last time: {change:+.1} s; the smallest change beyond measurement error is {} s ({}), so this is {}.",
                mdc.seconds,
                mdc.source.short,
                if real { "a real change" } else { "within measurement error" }
            ));
            Some(real)
        }
        (Some(change), None) => {
            interpretation.push_str(&format!(
                " Change since last time: {change:+.1} s; no minimal detectable change is published for this population."
            ));
            None
        }
        _ => None,
    };
    Ok(ThreeMbwtResult {
        seconds,
        speed_mps: THREE_MBWT_METRES / seconds,
        risk,
        cut_off: norms.cut_off,
        norms,
        change_s,
        change_is_real,
        interpretation,
    })
}

/// Reliability figures for the 3MBWT in older adults (shown on the test page).
pub const THREE_MBWT_RELIABILITY: &Source = &OZDEN_2021;

/// Eyes open or closed for single-leg stance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eyes {
    /// Eyes open.
    Open,
    /// Eyes closed.
    Closed,
}

impl FromStr for Eyes {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Eyes::Open),
            "closed" => Ok(Eyes::Closed),
            _ => Err(format!("eyes '{s}' is not known; expected open or closed")),
        }
    }
}

/// Sex, used only where norms differ by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl FromStr for Sex {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "female" | "f" => Ok(Sex::Female),
            "male" | "m" => Ok(Sex::Male),
            _ => Err(format!("sex '{s}' is not known; expected female or male")),
        }
    }
}

/// Springer 2007 age bands: (lowest age, eyes-open mean, eyes-closed women, eyes-closed men).
/// Eyes-closed means were checked in a secondary copy; eyes-open means are recalled and flagged.
const STANCE_NORMS: &[(u8, f64, f64, f64)] = &[
    (18, 43.5, 13.1, 16.9),
    (40, 40.4, 13.5, 12.0),
    (50, 36.5, 7.9, 8.6),
    (60, 26.9, 3.6, 5.1),
    (70, 15.0, 3.7, 2.6),
    (80, 6.2, 2.1, 1.8),
];

/// The test's cap: Springer stopped timing at 45 s.
pub const STANCE_CAP_S: f64 = 45.0;

/// A single-leg stance result against age norms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceResult {
    /// Best of three, seconds (capped at 45).
    pub seconds: f64,
    /// Mean for the age band (and sex, eyes closed), seconds.
    pub norm_mean_s: f64,
    /// The age band, e.g. "60-69".
    pub age_band: String,
    /// Whether the norm is unverified (eyes-open means were not checked against the source).
    pub norm_unverified: bool,
    /// At or above the mean.
    pub at_or_above_norm: bool,
    /// For people.
    pub interpretation: String,
    /// Source.
    pub source: &'static Source,
}

/// Compares a best-of-three single-leg stance time with Springer 2007's age-band means.
/// Sex matters only eyes closed; without it, the mean of women's and men's is used.
pub fn single_leg_stance(
    seconds: f64,
    age: Age,
    eyes: Eyes,
    sex: Option<Sex>,
) -> Result<StanceResult, AssessmentError> {
    if !(seconds.is_finite() && (0.0..=120.0).contains(&seconds)) {
        return Err(AssessmentError::OutOfRange {
            what: "stance time",
            value: format!("{seconds} s"),
            expected: "a time from 0 to 120 seconds (the test stops at 45)",
        });
    }
    let age = age.value();
    if age < 18 {
        return Err(AssessmentError::OutOfRange {
            what: "age",
            value: format!("{age} years"),
            expected: "an age of 18 or over (the norms are for adults)",
        });
    }
    let index = STANCE_NORMS.iter().rposition(|n| n.0 <= age).unwrap_or(0);
    let (from, open, closed_f, closed_m) = STANCE_NORMS[index];
    let age_band = match STANCE_NORMS.get(index + 1) {
        Some(next) => format!("{from}-{}", next.0 - 1),
        None => format!("{from}+"),
    };
    let norm_mean_s = match (eyes, sex) {
        (Eyes::Open, _) => open,
        (Eyes::Closed, Some(Sex::Female)) => closed_f,
        (Eyes::Closed, Some(Sex::Male)) => closed_m,
        (Eyes::Closed, None) => (closed_f + closed_m) / 2.0,
    };
    let capped = seconds.min(STANCE_CAP_S);
    let at_or_above_norm = capped >= norm_mean_s;
    let norm_unverified = eyes == Eyes::Open;
    let interpretation = format!(
        "{capped:.1} s eyes {} is {} the mean of {norm_mean_s:.1} s for ages {age_band} ({}){}.",
        match eyes {
            Eyes::Open => "open",
            Eyes::Closed => "closed",
        },
        if at_or_above_norm {
            "at or above"
        } else {
            "below"
        },
        SPRINGER_2007.short,
        if norm_unverified {
            "; the eyes-open means are not yet checked against the paper"
        } else {
            ""
        }
    );
    Ok(StanceResult {
        seconds: capped,
        norm_mean_s,
        age_band,
        norm_unverified,
        at_or_above_norm,
        interpretation,
        source: &SPRINGER_2007,
    })
}

/// How a pain change reads against its clinically important differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PainChange {
    /// Down by 2 points or a third or more: "much better" (Salaffi), clinically important (Farrar).
    MuchBetter,
    /// Down by at least 1 point or 15%: the minimal clinically important difference (Salaffi).
    MinimallyBetter,
    /// Less than that either way.
    NoImportantChange,
    /// Up by 1 point or more.
    Worse,
}

/// A pain change, interpreted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainChangeResult {
    /// Points (negative is less pain).
    pub change_points: i8,
    /// Percent of the starting pain (None when it started at 0).
    pub change_percent: Option<f64>,
    /// The reading.
    pub reading: PainChange,
    /// For people.
    pub interpretation: String,
    /// Sources.
    pub sources: Vec<&'static Source>,
}

/// Interprets a change in pain on the 0-10 scale.
pub fn pain_change(before: PainScore, after: PainScore) -> PainChangeResult {
    let (b, a) = (
        i8::try_from(before.value()).unwrap_or(10),
        i8::try_from(after.value()).unwrap_or(10),
    );
    let change_points = a - b;
    let change_percent = (b > 0).then(|| f64::from(change_points) / f64::from(b) * 100.0);
    let drop = -change_points;
    let drop_share = change_percent.map_or(0.0, |p| -p);
    let reading = if change_points >= 1 {
        PainChange::Worse
    } else if drop >= 2 || (drop >= 1 && drop_share >= 33.0) {
        PainChange::MuchBetter
    } else if drop >= 1 {
        PainChange::MinimallyBetter
    } else {
        PainChange::NoImportantChange
    };
    let interpretation = match reading {
        PainChange::MuchBetter => format!(
            "Pain fell from {b} to {a}: a clinically important improvement (2 points or a third, Salaffi 2004; about 2 points or 30%, Farrar 2001)."
        ),
        PainChange::MinimallyBetter => format!(
            "Pain fell from {b} to {a}: the smallest change people notice as better (1 point or 15%, Salaffi 2004)."
        ),
        PainChange::NoImportantChange => {
            format!("Pain went from {b} to {a}: no clinically important change.")
        }
        PainChange::Worse => format!(
            "Pain rose from {b} to {a}. A rise of 2 points or more is clinically meaningful: ease off, and see a clinician if it persists."
        ),
    };
    PainChangeResult {
        change_points,
        change_percent,
        reading,
        interpretation,
        sources: vec![&SALAFFI_2004, &FARRAR_2001],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_adults_use_carters_cut_offs() {
        let r = three_mbwt(5.2, Population::OlderAdults, None).unwrap();
        assert_eq!(r.risk, FallRisk::High);
        assert_eq!(r.cut_off.unwrap().source.id, "carter-2019");
        assert_eq!(
            three_mbwt(3.0, Population::OlderAdults, None).unwrap().risk,
            FallRisk::Low
        );
        assert_eq!(
            three_mbwt(3.8, Population::OlderAdults, None).unwrap().risk,
            FallRisk::Intermediate
        );
        assert_eq!(
            three_mbwt(4.5, Population::OlderAdults, None).unwrap().risk,
            FallRisk::High
        );
    }

    #[test]
    fn parkinsons_change_is_judged_against_its_mdc() {
        let r = three_mbwt(6.0, Population::Parkinsons, Some(8.5)).unwrap();
        assert_eq!(r.change_is_real, Some(true));
        let r = three_mbwt(6.0, Population::Parkinsons, Some(7.0)).unwrap();
        assert_eq!(r.change_is_real, Some(false));
        assert!(r.interpretation.contains("2.13"));
    }

    #[test]
    fn populations_without_cut_offs_are_not_classified() {
        for p in [
            Population::Stroke,
            Population::MultipleSclerosis,
            Population::KneeOsteoarthritis,
        ] {
            assert_eq!(
                three_mbwt(6.0, p, None).unwrap().risk,
                FallRisk::NotClassified
            );
        }
    }

    #[test]
    fn implausible_times_are_refused() {
        assert!(three_mbwt(0.0, Population::OlderAdults, None).is_err());
        assert!(three_mbwt(f64::NAN, Population::OlderAdults, None).is_err());
        assert!(three_mbwt(5.0, Population::OlderAdults, Some(500.0)).is_err());
    }

    #[test]
    fn stance_uses_the_age_band_and_sex() {
        let r =
            single_leg_stance(4.0, Age::new(65).unwrap(), Eyes::Closed, Some(Sex::Female)).unwrap();
        assert_eq!((r.age_band.as_str(), r.norm_mean_s), ("60-69", 3.6));
        assert!(r.at_or_above_norm && !r.norm_unverified);
        let r = single_leg_stance(60.0, Age::new(30).unwrap(), Eyes::Open, None).unwrap();
        assert_eq!(r.seconds, 45.0);
        assert!(r.norm_unverified);
        assert_eq!(
            single_leg_stance(10.0, Age::new(85).unwrap(), Eyes::Open, None)
                .unwrap()
                .age_band,
            "80+"
        );
        assert!(single_leg_stance(10.0, Age::new(12).unwrap(), Eyes::Open, None).is_err());
    }

    #[test]
    fn pain_change_against_mcid() {
        let p = |n| PainScore::new(n).unwrap();
        assert_eq!(pain_change(p(6), p(4)).reading, PainChange::MuchBetter);
        assert_eq!(pain_change(p(3), p(2)).reading, PainChange::MuchBetter);
        assert_eq!(pain_change(p(8), p(7)).reading, PainChange::MinimallyBetter);
        assert_eq!(
            pain_change(p(4), p(4)).reading,
            PainChange::NoImportantChange
        );
        assert_eq!(pain_change(p(2), p(3)).reading, PainChange::Worse);
        assert_eq!(pain_change(p(0), p(0)).change_percent, None);
    }
}
