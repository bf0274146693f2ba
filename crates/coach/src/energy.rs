//! Energy of forward and backward walking from the Compendium of Physical Activities (2011 and
//! 2024 editions) and the ACSM walking equation, scaled by the person's own body mass.
//!
//! # How a MET value is chosen
//! Speeds are first rounded to 0.1 mph, the resolution of the Compendium's codes (so 5.6 km/h
//! is 3.5 mph, as the Compendium itself lists it).
//!
//! * **Forward, level**: the Compendium's level-walking code for the speed band at or below the
//!   speed (on a treadmill, the 2024 treadmill codes; 2011 has none, so its ground codes).
//! * **Forward, uphill**: the ACSM walking equation, `VO2 = 3.5 + 0.1 S + 1.8 S G`, or the level
//!   code where that is higher (the equation gives less than the Compendium on gentle grades).
//! * **Backward**: there is no published backward-walking equation. Level backward walking is the
//!   forward level code times the edition's backward/forward ratio at 3.5 mph (codes 17320 and
//!   17200: 6.0/4.3 = 1.40 in 2011, 6.0/4.8 = 1.25 in 2024). Uphill adds the ACSM equation's
//!   vertical term times a factor chosen so that 3.5 mph at 5% gives code 17325 (8.0 in 2011,
//!   7.8 in 2024). Both codes are therefore reproduced exactly. Where that gives less than
//!   forward walking at the same speed and grade times 1.17 (steep grades), the latter is used:
//!   Hooper 2004 measured backward walking 17-20% above forward at 5-10% grades. The estimate
//!   never falls when speed or grade rises.
//! * **Published values win**: at a code's own speed and grade the estimate is that code's value.
//!   The one place this breaks monotony is the 2024 treadmill code 17475 (backward, 2.5 mph,
//!   +10%, 7.8 METs), which is above what the model gives at that point (about 7.5).
//!
//! Gross kcal = MET x kg x hours; net kcal = (MET - 1) x kg x hours.
//!
//! # Other sports
//! An activity file may be a run or a ride, not a walk ([`Sport`]). Its energy comes from the
//! 2024 Compendium's own codes for that sport ([`sport_met`]), never from the walking model:
//! * **Running**: the running code for the speed band at or below the speed (codes 12026 to
//!   12135), or 12145 "running, self-selected pace" when the file gives no speed. The
//!   Compendium has no code for running backward, so a lap run backward takes the forward code
//!   and says the figure is likely low (Flynn 1994 measured backward running dearer).
//! * **Cycling**: indoors (a trainer, a spin bike, a virtual ride), 01200 "bicycling, stationary,
//!   general"; outdoors, the speed band at or below the speed (01010 to 01060), or 01014
//!   "bicycling, general" without a speed; mountain biking, 01009.
//! * **Other sports** (swimming, rowing, strength...): no estimate, and the reason says so.
//!
//! The backward-walking codes and model are for walking backward only.

use crate::evidence::{
    ACSM_EQUATIONS, COMPENDIUM_2011, COMPENDIUM_2024, FLYNN_1994, HEATH_2001, HOOPER_2004, Source,
};
use crate::measure::{ActivityDuration, BodyMass, Grade, Speed, TravelSpeed};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which edition of the Compendium of Physical Activities to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Edition {
    /// Ainsworth et al. 2011.
    #[serde(rename = "2011")]
    Y2011,
    /// Herrmann et al. 2024 (the default: the current edition).
    #[default]
    #[serde(rename = "2024")]
    Y2024,
}

impl Edition {
    /// The publication behind this edition.
    pub fn source(self) -> &'static Source {
        match self {
            Edition::Y2011 => &COMPENDIUM_2011,
            Edition::Y2024 => &COMPENDIUM_2024,
        }
    }
    /// "2011" or "2024".
    pub fn year(self) -> &'static str {
        match self {
            Edition::Y2011 => "2011",
            Edition::Y2024 => "2024",
        }
    }
}

impl FromStr for Edition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "2011" => Ok(Edition::Y2011),
            "2024" => Ok(Edition::Y2024),
            other => Err(format!(
                "Compendium edition '{other}' is not known; expected 2011 or 2024"
            )),
        }
    }
}

/// Which way the walker faces relative to travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Ordinary walking.
    Forward,
    /// Retro walking: stepping backward, toes first.
    Backward,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        })
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "forward" | "fwd" => Ok(Direction::Forward),
            "backward" | "backwards" | "retro" | "bwd" => Ok(Direction::Backward),
            other => Err(format!(
                "direction '{other}' is not known; expected forward or backward"
            )),
        }
    }
}

/// Over ground or on a treadmill: the 2024 Compendium lists treadmill walking separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surface {
    /// Ground, a track or a hallway.
    #[default]
    Ground,
    /// A motorised treadmill.
    Treadmill,
}

/// Gross energy (all of it) or net energy (above rest: MET - 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnergyBasis {
    /// MET x kg x h: what the Compendium's figures and most trackers report.
    #[default]
    Gross,
    /// (MET - 1) x kg x h: what the activity adds to resting.
    Net,
}

/// One walk to estimate: direction, speed, grade and surface.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Walk {
    /// Forward or backward.
    pub direction: Direction,
    /// Speed of travel.
    pub speed: Speed,
    /// Grade (level is 0%).
    pub grade: Grade,
    /// Ground or treadmill.
    pub surface: Surface,
}

/// One Compendium entry the product uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CompendiumCode {
    /// The Compendium's activity code.
    pub code: u32,
    /// The Compendium's description, abridged.
    pub description: &'static str,
    /// METs in this edition.
    pub met: f64,
    /// Lowest speed of the listed band, mph.
    #[serde(skip)]
    pub from_mph: f64,
    /// Highest speed of the listed band, mph (equal to `from_mph` for a single listed speed).
    #[serde(skip)]
    pub to_mph: f64,
}

const fn code(
    code: u32,
    (from_mph, to_mph): (f64, f64),
    met: f64,
    description: &'static str,
) -> CompendiumCode {
    CompendiumCode {
        code,
        description,
        met,
        from_mph,
        to_mph,
    }
}

/// Level forward walking, 2011, ordered by the lowest speed of each band.
#[rustfmt::skip] // one code per line reads as the Compendium table it copies
const LEVEL_2011: &[CompendiumCode] = &[
    code(17151, (0.0, 1.9), 2.0, "walking, less than 2.0 mph, level, strolling, very slow"),
    code(17152, (2.0, 2.0), 2.8, "walking, 2.0 mph, level, slow pace, firm surface"),
    code(17170, (2.5, 2.5), 3.0, "walking, 2.5 mph, level, firm surface"),
    code(17190, (2.8, 3.2), 3.5, "walking, 2.8 to 3.2 mph, level, moderate pace"),
    code(17200, (3.5, 3.5), 4.3, "walking, 3.5 mph, level, brisk, for exercise"),
    code(17220, (4.0, 4.0), 5.0, "walking, 4.0 mph, level, very brisk"),
    code(17230, (4.5, 4.5), 7.0, "walking, 4.5 mph, level, very, very brisk"),
    code(17231, (5.0, 5.0), 8.3, "walking, 5.0 mph, level"),
];

/// Level forward walking, 2024.
#[rustfmt::skip] // one code per line reads as the Compendium table it copies
const LEVEL_2024: &[CompendiumCode] = &[
    code(17151, (0.0, 1.9), 2.3, "walking, less than 2.0 mph, level, strolling, very slow"),
    code(17152, (2.0, 2.4), 2.8, "walking, 2.0 to 2.4 mph, level, slow pace, firm surface"),
    code(17170, (2.5, 2.5), 3.0, "walking, 2.5 mph, level, firm surface"),
    code(17190, (2.8, 3.4), 3.8, "walking, 2.8 to 3.4 mph, level, moderate pace"),
    code(17200, (3.5, 3.9), 4.8, "walking, 3.5 to 3.9 mph, level, brisk, for exercise"),
    code(17220, (4.0, 4.4), 5.5, "walking, 4.0 to 4.4 mph, level, very brisk"),
    code(17230, (4.5, 4.9), 7.0, "walking, 4.5 to 4.9 mph, very, very brisk"),
    code(17231, (5.0, 5.5), 8.5, "walking, 5.0 to 5.5 mph, level"),
];

/// Treadmill walking at 0% grade, 2024 (2011 has no treadmill walking codes).
#[rustfmt::skip] // one code per line reads as the Compendium table it copies
const TREADMILL_2024: &[CompendiumCode] = &[
    code(17340, (0.0, 0.9), 2.1, "treadmill, less than 1.0 mph, 0% grade"),
    code(17343, (1.0, 1.0), 2.3, "treadmill, 1.0 mph, 0% grade"),
    code(17346, (1.2, 1.9), 2.8, "treadmill, 1.2 to 1.9 mph, 0% grade"),
    code(17349, (2.0, 2.4), 3.0, "treadmill, 2.0 to 2.4 mph, 0% grade"),
    code(17352, (2.5, 2.9), 3.5, "treadmill, 2.5 to 2.9 mph, 0% grade"),
    code(17355, (3.0, 3.4), 3.8, "treadmill, 3.0 to 3.4 mph, 0% grade"),
    code(17358, (3.5, 3.9), 4.8, "treadmill, 3.5 to 3.9 mph, 0% grade"),
    code(17361, (4.0, 4.4), 5.8, "treadmill, 4.0 to 4.4 mph, 0% grade"),
    code(17364, (4.5, 4.9), 6.8, "treadmill, 4.5 to 4.9 mph, 0% grade"),
    code(17367, (5.0, 5.5), 8.3, "treadmill, 5.0 to 5.5 mph, 0% grade"),
];

/// Backward walking, 3.5 mph, level: 6.0 METs in both editions.
pub const BACKWARD_LEVEL: CompendiumCode =
    code(17320, (3.5, 3.5), 6.0, "walking, backward, 3.5 mph, level");
/// Backward walking, 3.5 mph, 5% uphill, 2011.
pub const BACKWARD_UPHILL_2011: CompendiumCode = code(
    17325,
    (3.5, 3.5),
    8.0,
    "walking, backward, 3.5 mph, uphill, 5% grade",
);
/// Backward walking, 3.5 mph, 5% uphill, 2024 (lowered from 8.0).
pub const BACKWARD_UPHILL_2024: CompendiumCode = code(
    17325,
    (3.5, 3.5),
    7.8,
    "walking, backward, 3.5 mph, uphill, 5% grade",
);
/// Backward treadmill walking, 2.5 mph, +10% grade: new in 2024.
pub const BACKWARD_TREADMILL_2024: CompendiumCode = code(
    17475,
    (2.5, 2.5),
    7.8,
    "walking, treadmill, backwards, 2.5 mph, +10% grade",
);

/// Millilitres of oxygen per kg per minute in one MET.
const ML_O2_PER_MET: f64 = 3.5;
/// The speed and grade of the backward codes 17320/17325, in mph and percent.
const BACKWARD_CODE_MPH: f64 = 3.5;
const BACKWARD_UPHILL_CODE_PERCENT: f64 = 5.0;

/// How a MET value was produced.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum MetBasis {
    /// A Compendium code's published value, used as is.
    Compendium {
        /// Edition year.
        edition: Edition,
        /// The code.
        code: CompendiumCode,
        /// True when the speed lies between two listed bands and the lower one was used.
        between_bands: bool,
    },
    /// The ACSM walking equation (forward only).
    AcsmWalking,
    /// Our documented backward model: forward level code x ratio, plus a scaled grade term.
    BackwardModel {
        /// Edition year whose codes calibrate the model.
        edition: Edition,
        /// Forward level code the model starts from.
        forward_code: CompendiumCode,
        /// Backward/forward ratio applied to the level code.
        level_ratio: f64,
        /// Factor on the ACSM vertical term for grade.
        grade_factor: f64,
    },
    /// Forward walking at the same speed and grade times [`BACKWARD_MIN_PREMIUM`], used where the
    /// model would give less (steep grades, where the Compendium has no backward code).
    BackwardFloor {
        /// Edition year of the forward estimate.
        edition: Edition,
        /// The forward MET value.
        forward_met: f64,
    },
}

/// Backward walking is never estimated at less than forward walking at the same speed and grade
/// times this: Hooper 2004 measured 17-20% more (as a share of maximum) at 5-10% grades.
pub const BACKWARD_MIN_PREMIUM: f64 = 1.17;

/// A MET value and what produced it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetEstimate {
    /// Metabolic equivalents (1 MET is about 1 kcal per kg per hour).
    pub met: f64,
    /// What produced it.
    pub basis: MetBasis,
}

impl MetEstimate {
    /// One line for people: what produced the value.
    pub fn describe(&self) -> String {
        match self.basis {
            MetBasis::Compendium {
                edition,
                code,
                between_bands,
            } => {
                let mut text = format!(
                    "Compendium {} code {:05} ({}): {:.1} METs",
                    edition.year(),
                    code.code,
                    code.description,
                    code.met
                );
                if between_bands {
                    text.push_str(
                        "; your speed lies between two listed speeds, so the lower one is used",
                    );
                }
                text
            }
            MetBasis::AcsmWalking => format!(
                "ACSM walking equation (VO2 = 3.5 + 0.1 x speed + 1.8 x speed x grade): {:.1} METs",
                self.met
            ),
            MetBasis::BackwardModel {
                edition,
                forward_code,
                level_ratio,
                grade_factor,
            } => format!(
                "estimate (no published value for this speed and grade): Compendium {} forward code {:05} x {:.2} (the backward/forward ratio of codes 17320 and 17200){}: {:.1} METs",
                edition.year(),
                forward_code.code,
                level_ratio,
                if grade_factor > 0.0 {
                    format!(
                        ", plus {grade_factor:.2} x the ACSM equation's grade term (calibrated to code 17325)"
                    )
                } else {
                    String::new()
                },
                self.met
            ),
            MetBasis::BackwardFloor { forward_met, .. } => format!(
                "estimate (no published value for this speed and grade): forward walking at the same speed and grade ({forward_met:.1} METs) x {BACKWARD_MIN_PREMIUM}, the smallest backward premium Hooper et al. 2004 measured on grades: {:.1} METs",
                self.met
            ),
        }
    }

    /// The publications behind the value.
    pub fn sources(&self) -> Vec<&'static Source> {
        match self.basis {
            MetBasis::Compendium { edition, .. } => vec![edition.source()],
            MetBasis::AcsmWalking => vec![&ACSM_EQUATIONS],
            MetBasis::BackwardModel { edition, .. } => vec![edition.source(), &ACSM_EQUATIONS],
            MetBasis::BackwardFloor { edition, .. } => {
                vec![edition.source(), &ACSM_EQUATIONS, &HOOPER_2004]
            }
        }
    }
}

/// Speed rounded to the Compendium's 0.1 mph resolution.
fn compendium_mph(speed: Speed) -> f64 {
    (speed.mph() * 10.0).round() / 10.0
}

/// The code whose band holds the speed, and whether the speed fell between listed bands
/// (above one band's top and below the next band's bottom), in which case the lower band is used.
fn band(table: &'static [CompendiumCode], mph: f64) -> (CompendiumCode, bool) {
    // Tables are ordered by speed, non-empty and start at 0 mph.
    let index = table
        .iter()
        .rposition(|c| c.from_mph <= mph + 1e-9)
        .unwrap_or(0);
    let found = table[index];
    let between = mph > found.to_mph + 1e-9 && index + 1 < table.len();
    (found, between)
}

fn level_table(edition: Edition, surface: Surface) -> &'static [CompendiumCode] {
    match (edition, surface) {
        (Edition::Y2011, _) => LEVEL_2011,
        (Edition::Y2024, Surface::Ground) => LEVEL_2024,
        (Edition::Y2024, Surface::Treadmill) => TREADMILL_2024,
    }
}

/// ACSM walking equation in METs: (3.5 + 0.1 S + 1.8 S G) / 3.5, S in m/min, G a fraction.
pub fn acsm_walking_met(speed: Speed, grade: Grade) -> f64 {
    let s = speed.m_per_min();
    (ML_O2_PER_MET + 0.1 * s + 1.8 * s * grade.fraction()) / ML_O2_PER_MET
}

/// The vertical (grade) term of the ACSM walking equation, in METs, at a speed in mph and a
/// grade in percent.
fn acsm_vertical_met(mph: f64, grade_percent: f64) -> f64 {
    let s = mph * crate::measure::MPS_PER_MPH * 60.0;
    1.8 * s * (grade_percent / 100.0) / ML_O2_PER_MET
}

fn backward_uphill_code(edition: Edition) -> CompendiumCode {
    match edition {
        Edition::Y2011 => BACKWARD_UPHILL_2011,
        Edition::Y2024 => BACKWARD_UPHILL_2024,
    }
}

/// Backward/forward ratio for level walking at 3.5 mph in this edition (17320 / 17200).
pub fn backward_level_ratio(edition: Edition) -> f64 {
    let (forward, _) = band(level_table(edition, Surface::Ground), BACKWARD_CODE_MPH);
    BACKWARD_LEVEL.met / forward.met
}

/// Factor on the ACSM vertical term that makes the model give code 17325 at 3.5 mph, 5%.
pub fn backward_grade_factor(edition: Edition) -> f64 {
    (backward_uphill_code(edition).met - BACKWARD_LEVEL.met)
        / acsm_vertical_met(BACKWARD_CODE_MPH, BACKWARD_UPHILL_CODE_PERCENT)
}

fn is_close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// The MET value for a walk in an edition, with what produced it.
pub fn met(walk: &Walk, edition: Edition) -> MetEstimate {
    let mph = compendium_mph(walk.speed);
    let grade = walk.grade.percent();
    match walk.direction {
        Direction::Forward => {
            let (level, between_bands) = band(level_table(edition, walk.surface), mph);
            let from_code = MetEstimate {
                met: level.met,
                basis: MetBasis::Compendium {
                    edition,
                    code: level,
                    between_bands,
                },
            };
            if grade == 0.0 {
                return from_code;
            }
            let equation = acsm_walking_met(walk.speed, walk.grade);
            if equation > level.met {
                MetEstimate {
                    met: equation,
                    basis: MetBasis::AcsmWalking,
                }
            } else {
                from_code
            }
        }
        Direction::Backward => {
            let published = |code: CompendiumCode| MetEstimate {
                met: code.met,
                basis: MetBasis::Compendium {
                    edition,
                    code,
                    between_bands: false,
                },
            };
            if is_close(mph, BACKWARD_CODE_MPH) && grade == 0.0 {
                return published(BACKWARD_LEVEL);
            }
            if is_close(mph, BACKWARD_CODE_MPH) && is_close(grade, BACKWARD_UPHILL_CODE_PERCENT) {
                return published(backward_uphill_code(edition));
            }
            if edition == Edition::Y2024
                && walk.surface == Surface::Treadmill
                && is_close(mph, BACKWARD_TREADMILL_2024.from_mph)
                && is_close(grade, 10.0)
            {
                return published(BACKWARD_TREADMILL_2024);
            }
            let (forward_code, _) = band(level_table(edition, Surface::Ground), mph);
            let level_ratio = backward_level_ratio(edition);
            let grade_factor = if grade > 0.0 {
                backward_grade_factor(edition)
            } else {
                0.0
            };
            let model =
                forward_code.met * level_ratio + grade_factor * acsm_vertical_met(mph, grade);
            let forward = met(
                &Walk {
                    direction: Direction::Forward,
                    ..*walk
                },
                edition,
            );
            let floor = forward.met * BACKWARD_MIN_PREMIUM;
            if floor > model {
                return MetEstimate {
                    met: floor,
                    basis: MetBasis::BackwardFloor {
                        edition,
                        forward_met: forward.met,
                    },
                };
            }
            MetEstimate {
                met: model,
                basis: MetBasis::BackwardModel {
                    edition,
                    forward_code,
                    level_ratio,
                    grade_factor,
                },
            }
        }
    }
}

/// An energy estimate: MET, kcal and what produced them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnergyEstimate {
    /// Kilocalories over the duration, gross or net as asked.
    pub kcal: f64,
    /// The MET value used.
    pub met: f64,
    /// Gross or net.
    pub basis: EnergyBasis,
    /// The edition asked for.
    pub edition: Edition,
    /// How the MET value was produced.
    pub met_basis: MetBasis,
    /// One line for people: what produced the figure.
    pub source: String,
    /// Citations behind the figure.
    pub references: Vec<&'static Source>,
    /// Caveats a person should know.
    pub notes: Vec<String>,
}

/// Kilocalories for a MET value, mass and duration, gross or net.
pub fn kcal(met: f64, mass: BodyMass, duration: ActivityDuration, basis: EnergyBasis) -> f64 {
    let met = match basis {
        EnergyBasis::Gross => met,
        EnergyBasis::Net => (met - 1.0).max(0.0),
    };
    met * mass.kg() * duration.hours()
}

/// Energy for a walk of a given duration by a person of a given body mass.
pub fn estimate(
    walk: &Walk,
    duration: ActivityDuration,
    mass: BodyMass,
    edition: Edition,
    basis: EnergyBasis,
) -> EnergyEstimate {
    let met_estimate = met(walk, edition);
    let mut notes = Vec::new();
    if walk.direction == Direction::Backward {
        notes.push(format!(
            "Practice lowers the cost of backward walking: in {} oxygen uptake fell from 2.05 to 1.66 L/min after 4 weeks, so this figure is likely high for practised walkers.",
            HEATH_2001.short
        ));
    }
    if walk.surface == Surface::Treadmill && edition == Edition::Y2011 {
        notes.push(
            "The 2011 Compendium has no treadmill walking codes, so its level-walking codes are used; the 2024 edition has treadmill codes.".to_string(),
        );
    }
    if matches!(met_estimate.basis, MetBasis::AcsmWalking) {
        let m_min = walk.speed.m_per_min();
        if !(50.0..=100.0).contains(&m_min) {
            notes.push(format!(
                "The ACSM walking equation is stated for 50-100 m/min (1.9-3.7 mph); {m_min:.0} m/min is outside it."
            ));
        }
    }
    notes.push(
        "A MET assumes a resting rate of 3.5 mL/kg/min, which overstates most adults' rest by about a fifth; treat the figure as an estimate.".to_string(),
    );
    EnergyEstimate {
        kcal: kcal(met_estimate.met, mass, duration, basis),
        met: met_estimate.met,
        basis,
        edition,
        met_basis: met_estimate.basis,
        source: met_estimate.describe(),
        references: met_estimate.sources(),
        notes,
    }
}

/// What kind of activity a session was. Only walking follows a plan; the other sports are kept
/// in the history with their own energy (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sport {
    /// Walking, forward or backward (the default: what the product is for).
    #[default]
    Walking,
    /// Running or jogging.
    Running,
    /// Cycling, outdoors or on a trainer.
    Cycling,
    /// Anything else (swimming, rowing, strength training...): listed, not estimated.
    Other,
}

impl Sport {
    /// Every sport, in the order forms list them.
    pub const ALL: [Sport; 4] = [Sport::Walking, Sport::Running, Sport::Cycling, Sport::Other];

    /// The stored and typed name: `walking`, `running`, `cycling` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Walking => "walking",
            Sport::Running => "running",
            Sport::Cycling => "cycling",
            Sport::Other => "other",
        }
    }

    /// Whether sessions of this sport count toward a walking plan.
    pub fn follows_plan(self) -> bool {
        self == Sport::Walking
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sport {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "walking" | "walk" => Ok(Sport::Walking),
            "running" | "run" => Ok(Sport::Running),
            "cycling" | "bike" | "ride" => Ok(Sport::Cycling),
            "other" => Ok(Sport::Other),
            other => Err(format!(
                "sport '{other}' is not known; expected walking, running, cycling or other"
            )),
        }
    }
}

/// Running on level ground, 2024, ordered by the lowest speed of each band.
#[rustfmt::skip] // one code per line reads as the Compendium table it copies
const RUNNING_2024: &[CompendiumCode] = &[
    code(12026, (0.0, 3.7), 3.3, "jogging, 2.6 to 3.7 mph"),
    code(12028, (4.0, 4.2), 6.5, "running, 4 to 4.2 mph (13 min/mile)"),
    code(12029, (4.3, 4.8), 7.8, "running, 4.3 to 4.8 mph"),
    code(12030, (5.0, 5.2), 8.5, "running, 5.0 to 5.2 mph (12 min/mile)"),
    code(12045, (5.5, 5.8), 9.0, "running, 5.5 to 5.8 mph"),
    code(12050, (6.0, 6.3), 9.3, "running, 6 to 6.3 mph (10 min/mile)"),
    code(12060, (6.7, 6.7), 10.5, "running, 6.7 mph (9 min/mile)"),
    code(12070, (7.0, 7.0), 11.0, "running, 7 mph (8.5 min/mile)"),
    code(12080, (7.5, 7.5), 11.8, "running, 7.5 mph (8 min/mile)"),
    code(12090, (8.0, 8.0), 12.0, "running, 8 mph (7.5 min/mile)"),
    code(12100, (8.6, 8.6), 12.5, "running, 8.6 mph (7 min/mile)"),
    code(12110, (9.0, 9.0), 13.0, "running, 9 mph (6.5 min/mile)"),
    code(12115, (9.3, 9.6), 14.8, "running, 9.3 to 9.6 mph"),
    code(12120, (10.0, 10.0), 14.8, "running, 10 mph (6 min/mile)"),
    code(12130, (11.0, 11.0), 16.8, "running, 11 mph (5.5 min/mile)"),
    code(12132, (12.0, 12.0), 18.5, "running, 12 mph (5 min/mile)"),
    code(12134, (13.0, 13.0), 19.8, "running, 13 mph (4.6 min/mile)"),
    code(12135, (14.0, 14.0), 23.0, "running, 14 mph (4.3 min/mile)"),
];

/// Running without a known speed, 2024.
pub const RUNNING_SELF_PACED_2024: CompendiumCode =
    code(12145, (0.0, 0.0), 10.5, "running, self-selected pace");

/// Cycling outdoors by speed, 2024, ordered by the lowest speed of each band.
#[rustfmt::skip] // one code per line reads as the Compendium table it copies
const CYCLING_2024: &[CompendiumCode] = &[
    code(1010, (0.0, 9.9), 4.0, "bicycling, <10 mph, leisure, to work or for pleasure"),
    code(1020, (10.0, 11.9), 6.8, "bicycling, 10-11.9 mph, leisure, slow, light effort"),
    code(1030, (12.0, 13.9), 8.0, "bicycling, 12-13.9 mph, leisure, moderate effort"),
    code(1040, (14.0, 15.9), 10.0, "bicycling, 14-15.9 mph, racing or leisure, fast, vigorous effort"),
    code(1050, (16.0, 19.0), 12.0, "bicycling, 16-19 mph, racing/not drafting or >19 mph drafting, very fast, racing general"),
    code(1060, (20.0, 20.0), 16.8, "bicycling, >20 mph, racing, not drafting"),
];

/// Cycling outdoors without a known speed, 2024.
pub const CYCLING_GENERAL_2024: CompendiumCode = code(1014, (0.0, 0.0), 7.0, "bicycling, general");
/// Mountain biking, 2024.
pub const CYCLING_MOUNTAIN_2024: CompendiumCode =
    code(1009, (0.0, 0.0), 8.5, "bicycling, mountain, general");
/// Cycling indoors (a trainer, a spin bike, a virtual ride) without power, 2024.
pub const CYCLING_STATIONARY_2024: CompendiumCode =
    code(1200, (0.0, 0.0), 6.8, "bicycling, stationary, general");

/// Where and how a run or a ride was done, as far as the file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terrain {
    /// Roads, tracks, trails: the speed codes apply.
    #[default]
    Outdoors,
    /// A trainer, a spin bike or a treadmill: for cycling, the stationary code.
    Indoors,
    /// Mountain biking.
    Mountain,
}

/// A MET value for a stretch of running or cycling at a speed (when known), from the 2024
/// Compendium's codes for that sport, and the caveats a person should read with it. `None` for
/// walking (use [`met`]) and for other sports (no estimate).
pub fn sport_met(
    sport: Sport,
    direction: Direction,
    speed: Option<TravelSpeed>,
    terrain: Terrain,
) -> Option<(MetEstimate, Vec<String>)> {
    let edition = Edition::Y2024;
    let mut notes = Vec::new();
    let from_code = |code: CompendiumCode, between_bands: bool| MetEstimate {
        met: code.met,
        basis: MetBasis::Compendium {
            edition,
            code,
            between_bands,
        },
    };
    let banded = |table: &'static [CompendiumCode], speed: TravelSpeed, notes: &mut Vec<String>| {
        let mph = (speed.mph() * 10.0).round() / 10.0;
        let (found, between) = band(table, mph);
        let first = table[0];
        if first.from_mph == 0.0 && mph + 1e-9 < lowest_listed(first) {
            notes.push(format!(
                "{mph:.1} mph is slower than the slowest listed speed, so its code is used."
            ));
        }
        if let Some(top) = table.last()
            && mph > top.to_mph + 1e-9
            && found.code == top.code
            && top.from_mph > 0.0
        {
            notes.push(format!(
                "{mph:.1} mph is faster than the fastest listed speed ({:.0} mph), so its code is used.",
                top.to_mph
            ));
        }
        from_code(found, between)
    };
    let estimate = match sport {
        Sport::Walking | Sport::Other => return None,
        Sport::Running => {
            if direction == Direction::Backward {
                notes.push(format!(
                    "The Compendium has no code for running backward, so the forward running value is used; backward running costs more at the same speed ({}), so this figure is likely low.",
                    FLYNN_1994.short
                ));
            }
            match speed {
                Some(s) => banded(RUNNING_2024, s, &mut notes),
                None => {
                    notes.push(
                        "The file gives no speed, so running at a self-selected pace is assumed."
                            .to_string(),
                    );
                    from_code(RUNNING_SELF_PACED_2024, false)
                }
            }
        }
        Sport::Cycling => {
            match (terrain, speed) {
                (Terrain::Indoors, _) => from_code(CYCLING_STATIONARY_2024, false),
                (Terrain::Mountain, _) => from_code(CYCLING_MOUNTAIN_2024, false),
                (Terrain::Outdoors, Some(s)) => banded(CYCLING_2024, s, &mut notes),
                (Terrain::Outdoors, None) => {
                    notes.push("The file gives no speed, so the Compendium's general cycling code is used.".to_string());
                    from_code(CYCLING_GENERAL_2024, false)
                }
            }
        }
    };
    Some((estimate, notes))
}

/// The slowest speed a table's first code names in its description (its band starts at 0 so
/// that slower speeds find it): 2.6 mph for jogging; none for cycling under 10 mph.
fn lowest_listed(first: CompendiumCode) -> f64 {
    if first.code == 12026 { 2.6 } else { 0.0 }
}

/// Energy of a stretch of running or cycling (see [`sport_met`]); `None` for walking and other
/// sports.
pub fn estimate_sport(
    sport: Sport,
    direction: Direction,
    speed: Option<TravelSpeed>,
    terrain: Terrain,
    duration: ActivityDuration,
    mass: BodyMass,
    basis: EnergyBasis,
) -> Option<EnergyEstimate> {
    let (met_estimate, mut notes) = sport_met(sport, direction, speed, terrain)?;
    notes.push(
        "A MET assumes a resting rate of 3.5 mL/kg/min, which overstates most adults' rest by about a fifth; treat the figure as an estimate.".to_string(),
    );
    let mut references = met_estimate.sources();
    if sport == Sport::Running && direction == Direction::Backward {
        references.push(&FLYNN_1994);
    }
    Some(EnergyEstimate {
        kcal: kcal(met_estimate.met, mass, duration, basis),
        met: met_estimate.met,
        basis,
        edition: Edition::Y2024,
        met_basis: met_estimate.basis,
        source: met_estimate.describe(),
        references,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(direction: Direction, speed: &str, grade: &str) -> Walk {
        Walk {
            direction,
            speed: speed.parse().unwrap(),
            grade: grade.parse().unwrap(),
            surface: Surface::Ground,
        }
    }

    fn kcal_10min_64kg(w: &Walk, edition: Edition, basis: EnergyBasis) -> f64 {
        estimate(
            w,
            "10min".parse().unwrap(),
            "64kg".parse().unwrap(),
            edition,
            basis,
        )
        .kcal
    }

    #[test]
    fn reproduces_the_published_2011_figures() {
        let e = Edition::Y2011;
        let g = EnergyBasis::Gross;
        let fwd = kcal_10min_64kg(&walk(Direction::Forward, "3.5mph", "0"), e, g);
        let bwd = kcal_10min_64kg(&walk(Direction::Backward, "3.5mph", "0"), e, g);
        let up = kcal_10min_64kg(&walk(Direction::Backward, "3.5mph", "5%"), e, g);
        assert_eq!((fwd.round(), bwd.round(), up.round()), (46.0, 64.0, 85.0));
    }

    #[test]
    fn reproduces_the_2024_figures_and_net_values() {
        let e = Edition::Y2024;
        let g = EnergyBasis::Gross;
        let fwd = kcal_10min_64kg(&walk(Direction::Forward, "3.5mph", "0"), e, g);
        let up = kcal_10min_64kg(&walk(Direction::Backward, "3.5mph", "5%"), e, g);
        assert!((fwd - 51.2).abs() < 0.05 && (up - 83.2).abs() < 0.05);
        let net = kcal_10min_64kg(
            &walk(Direction::Backward, "3.5mph", "5%"),
            Edition::Y2011,
            EnergyBasis::Net,
        );
        assert!((net - 74.7).abs() < 0.05, "{net}");
    }

    #[test]
    fn metric_speed_finds_the_same_code() {
        let m = met(&walk(Direction::Backward, "5.6km/h", "5%"), Edition::Y2011);
        assert_eq!(m.met, 8.0);
        assert!(matches!(m.basis, MetBasis::Compendium { code, .. } if code.code == 17325));
    }

    #[test]
    fn backward_model_passes_through_both_backward_codes() {
        for edition in [Edition::Y2011, Edition::Y2024] {
            let level = backward_level_ratio(edition)
                * band(level_table(edition, Surface::Ground), 3.5).0.met;
            assert!((level - 6.0).abs() < 1e-9);
            let up = level + backward_grade_factor(edition) * acsm_vertical_met(3.5, 5.0);
            assert!((up - backward_uphill_code(edition).met).abs() < 1e-9);
        }
    }

    #[test]
    fn forward_uphill_uses_the_acsm_equation() {
        let m = met(&walk(Direction::Forward, "3.5mph", "10%"), Edition::Y2024);
        assert!(matches!(m.basis, MetBasis::AcsmWalking));
        // ACSM worked value: 3.5 mph at 10% is about 8.5 METs.
        assert!((m.met - 8.5).abs() < 0.05, "{}", m.met);
    }

    #[test]
    fn between_bands_is_said() {
        let m = met(&walk(Direction::Forward, "3.3mph", "0"), Edition::Y2011);
        assert!(matches!(
            m.basis,
            MetBasis::Compendium { between_bands: true, code, .. } if code.code == 17190
        ));
        assert!(m.describe().contains("between two listed speeds"));
        let inside = met(&walk(Direction::Forward, "3.0mph", "0"), Edition::Y2011);
        assert!(matches!(
            inside.basis,
            MetBasis::Compendium {
                between_bands: false,
                ..
            }
        ));
    }

    #[test]
    fn treadmill_backward_2024_code_is_used() {
        let mut w = walk(Direction::Backward, "2.5mph", "10%");
        w.surface = Surface::Treadmill;
        let m = met(&w, Edition::Y2024);
        assert_eq!(m.met, 7.8);
        // On the ground the treadmill code does not apply.
        w.surface = Surface::Ground;
        assert!(!matches!(
            met(&w, Edition::Y2024).basis,
            MetBasis::Compendium { .. }
        ));
    }

    #[test]
    fn treadmill_in_2011_says_ground_codes_were_used() {
        let mut w = walk(Direction::Forward, "3.0mph", "0");
        w.surface = Surface::Treadmill;
        let e = estimate(
            &w,
            "10min".parse().unwrap(),
            "70kg".parse().unwrap(),
            Edition::Y2011,
            EnergyBasis::Gross,
        );
        assert!(
            e.notes
                .iter()
                .any(|n| n.contains("no treadmill walking codes"))
        );
        // 2024 has a treadmill code for 3.0-3.4 mph.
        let m = met(&w, Edition::Y2024);
        assert!(matches!(m.basis, MetBasis::Compendium { code, .. } if code.code == 17355));
    }

    #[test]
    fn steep_backward_is_never_cheaper_than_forward() {
        let fwd = met(&walk(Direction::Forward, "3.5mph", "20%"), Edition::Y2024);
        let bwd = met(&walk(Direction::Backward, "3.5mph", "20%"), Edition::Y2024);
        assert!(matches!(bwd.basis, MetBasis::BackwardFloor { .. }));
        assert!((bwd.met - fwd.met * BACKWARD_MIN_PREMIUM).abs() < 1e-9);
        assert!(bwd.describe().contains("Hooper"));
    }

    #[test]
    fn off_grid_backward_says_it_is_an_estimate() {
        let e = estimate(
            &walk(Direction::Backward, "2.0mph", "0"),
            "10min".parse().unwrap(),
            "70kg".parse().unwrap(),
            Edition::Y2024,
            EnergyBasis::Gross,
        );
        assert!(e.source.starts_with("estimate"), "{}", e.source);
        // 2.0 mph forward is 2.8 METs in 2024; backward x 1.25.
        assert!((e.met - 3.5).abs() < 1e-9);
        assert!(e.notes.iter().any(|n| n.contains("Practice")));
    }

    fn travel(mph: f64) -> TravelSpeed {
        TravelSpeed::from_mps(mph * crate::measure::MPS_PER_MPH).unwrap()
    }

    fn code_of(m: &MetEstimate) -> u32 {
        match m.basis {
            MetBasis::Compendium { code, .. } => code.code,
            _ => 0,
        }
    }

    #[test]
    fn a_run_takes_the_running_code_for_its_speed_not_a_walking_one() {
        let (m, _) = sport_met(
            Sport::Running,
            Direction::Forward,
            Some(travel(6.1)),
            Terrain::Outdoors,
        )
        .unwrap();
        assert_eq!((code_of(&m), m.met), (12050, 9.3));
        assert!(
            m.describe().starts_with("Compendium 2024 code 12050"),
            "{}",
            m.describe()
        );
        // 6.5 mph lies between 6.3 and 6.7: the lower band, and it says so.
        let (m, _) = sport_met(
            Sport::Running,
            Direction::Forward,
            Some(travel(6.5)),
            Terrain::Outdoors,
        )
        .unwrap();
        assert!(
            matches!(m.basis, MetBasis::Compendium { between_bands: true, code, .. } if code.code == 12050)
        );
        let (m, notes) =
            sport_met(Sport::Running, Direction::Forward, None, Terrain::Outdoors).unwrap();
        assert_eq!(code_of(&m), 12145);
        assert!(notes.iter().any(|n| n.contains("no speed")));
    }

    #[test]
    fn a_run_backward_says_there_is_no_backward_running_code() {
        let (m, notes) = sport_met(
            Sport::Running,
            Direction::Backward,
            Some(travel(5.0)),
            Terrain::Outdoors,
        )
        .unwrap();
        assert_eq!(code_of(&m), 12030, "never a backward walking code");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("no code for running backward"))
        );
    }

    #[test]
    fn a_ride_takes_the_cycling_code_for_its_speed_or_the_stationary_one_indoors() {
        let (m, _) = sport_met(
            Sport::Cycling,
            Direction::Forward,
            Some(travel(13.0)),
            Terrain::Outdoors,
        )
        .unwrap();
        assert_eq!((code_of(&m), m.met), (1030, 8.0));
        assert!(m.describe().contains("code 01030"), "{}", m.describe());
        let (m, _) = sport_met(
            Sport::Cycling,
            Direction::Forward,
            Some(travel(25.0)),
            Terrain::Outdoors,
        )
        .unwrap();
        assert_eq!(code_of(&m), 1060);
        let (m, _) = sport_met(
            Sport::Cycling,
            Direction::Forward,
            Some(travel(20.0)),
            Terrain::Indoors,
        )
        .unwrap();
        assert_eq!(code_of(&m), 1200);
        let (m, _) =
            sport_met(Sport::Cycling, Direction::Forward, None, Terrain::Outdoors).unwrap();
        assert_eq!(code_of(&m), 1014);
        assert!(sport_met(Sport::Other, Direction::Forward, None, Terrain::Outdoors).is_none());
        assert!(sport_met(Sport::Walking, Direction::Forward, None, Terrain::Outdoors).is_none());
    }

    #[test]
    fn sport_energy_is_met_times_kg_times_hours() {
        let e = estimate_sport(
            Sport::Running,
            Direction::Forward,
            Some(travel(6.0)),
            Terrain::Outdoors,
            "30min".parse().unwrap(),
            "70kg".parse().unwrap(),
            EnergyBasis::Gross,
        )
        .unwrap();
        assert!((e.kcal - 9.3 * 70.0 * 0.5).abs() < 1e-9, "{}", e.kcal);
        assert_eq!(e.edition, Edition::Y2024);
    }

    #[test]
    fn running_and_cycling_codes_never_fall_as_speed_rises() {
        for table in [RUNNING_2024, CYCLING_2024] {
            for w in table.windows(2) {
                assert!(
                    w[0].from_mph < w[1].from_mph && w[0].met <= w[1].met,
                    "{:?}",
                    w[1]
                );
            }
        }
        assert_eq!("ride".parse::<Sport>(), Ok(Sport::Cycling));
        assert!("swim".parse::<Sport>().is_err());
    }
}
