//! The protocol catalogue (the doses that trials and practice advice used) and the benefit
//! claims the product may make, each with the strength of its evidence and its source.

use crate::evidence::{
    AKSENTIJEVIC_2019, ALGHADIR_2019, ALMUTAIRI_2023, ANSARI_2018, CHANG_2021, CIPRIANI_1995,
    COMPENDIUM_2011, COMPENDIUM_2024, HEATH_2001, HOOPER_2004, PRACTICE_ADVICE, ROOS_2012,
    ROSE_2018, Source, TERBLANCHE_2005,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a person wants from retro walking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Knee pain and function (knee osteoarthritis).
    Knee,
    /// Balance and steadiness.
    Balance,
    /// Cardiorespiratory fitness.
    Fitness,
    /// Variety and general activity.
    General,
}

impl Goal {
    /// Every goal, in display order.
    pub const ALL: [Goal; 4] = [Goal::Knee, Goal::Balance, Goal::Fitness, Goal::General];
    /// The name used on the command line and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Knee => "knee",
            Goal::Balance => "balance",
            Goal::Fitness => "fitness",
            Goal::General => "general",
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Goal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Goal::ALL
            .into_iter()
            .find(|g| g.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!("goal '{s}' is not known; expected one of knee, balance, fitness, general")
            })
    }
}

/// How much weight a protocol or claim can bear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStrength {
    /// Claimed in articles, but no supporting source was found: never claimed by the product.
    Unsupported,
    /// Results conflict (e.g. a failed replication).
    Contested,
    /// Expert opinion or practice advice, not trial data.
    ExpertOpinion,
    /// A plausible mechanism (muscle activity, joint load), no outcome trial.
    MechanismOnly,
    /// Small trials.
    LowToModerate,
    /// A randomised controlled trial of modest size.
    Moderate,
    /// Measured directly (e.g. energy cost in the laboratory).
    Measured,
}

impl EvidenceStrength {
    /// A phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            EvidenceStrength::Unsupported => "unsupported: no source found",
            EvidenceStrength::Contested => "contested: results conflict",
            EvidenceStrength::ExpertOpinion => "expert opinion, not trial data",
            EvidenceStrength::MechanismOnly => "mechanism only, no outcome trial",
            EvidenceStrength::LowToModerate => "small trials: low to moderate",
            EvidenceStrength::Moderate => "one randomised controlled trial: moderate",
            EvidenceStrength::Measured => "measured in the laboratory",
        }
    }
}

/// How backward time is laid out within a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pattern {
    /// Backward blocks with short forward recoveries between them.
    Continuous,
    /// Fixed forward:backward alternation, e.g. 3 min forward : 1 min backward.
    Alternating {
        /// Forward seconds per cycle.
        forward_seconds: u32,
        /// Backward seconds per cycle.
        backward_seconds: u32,
    },
}

/// One dose of retro walking that a trial or practice source used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Protocol {
    /// Stable identifier, e.g. `knee-oa-10min`.
    pub id: &'static str,
    /// A short name for people.
    pub name: &'static str,
    /// Who it was studied in or meant for.
    pub population: &'static str,
    /// The dose, in the product's words.
    pub dose: &'static str,
    /// Goals it serves.
    pub goals: &'static [Goal],
    /// Backward minutes per session at full dose.
    pub target_backward_minutes: u32,
    /// Sessions per week in the source.
    pub sessions_per_week: Option<u8>,
    /// Programme length in the source, weeks.
    pub weeks: Option<u8>,
    /// How backward time is laid out.
    pub pattern: Pattern,
    /// Strength of evidence behind the dose.
    pub strength: EvidenceStrength,
    /// Where it comes from.
    #[serde(rename = "citation")]
    pub source: &'static Source,
    /// What the source does not say, or what we adapted.
    pub caveat: &'static str,
}

impl Protocol {
    /// Backward seconds per session at full dose.
    pub fn target_backward_seconds(&self) -> u32 {
        self.target_backward_minutes * 60
    }
}

/// The catalogue.
pub const PROTOCOLS: &[Protocol] = &[
    Protocol {
        id: "knee-oa-10min",
        name: "Knee osteoarthritis: 10 minutes, 3 times a week, 6 weeks",
        population: "adults with knee osteoarthritis (mean age 56)",
        dose: "10 minutes of supervised backward walking on top of usual care, 3 days a week for 6 weeks",
        goals: &[Goal::Knee],
        target_backward_minutes: 10,
        sessions_per_week: Some(3),
        weeks: Some(6),
        pattern: Pattern::Continuous,
        strength: EvidenceStrength::Moderate,
        source: &ALGHADIR_2019,
        caveat: "The trial's walking speed and how it progressed were not found; sessions were supervised.",
    },
    Protocol {
        id: "rehab-30min",
        name: "Rehabilitation: 30 minutes, 3 times a week, 4 weeks",
        population: "people more than 6 months after a stroke, able to walk 11 m",
        dose: "30 minutes of backward treadmill walking added to 30 minutes of physiotherapy, 3 times a week for 4 weeks",
        goals: &[Goal::Balance],
        target_backward_minutes: 30,
        sessions_per_week: Some(3),
        weeks: Some(4),
        pattern: Pattern::Continuous,
        strength: EvidenceStrength::LowToModerate,
        source: &CHANG_2021,
        caveat: "A pilot trial with 8 people per group, supervised in a clinic; the numeric results were not retrieved.",
    },
    Protocol {
        id: "healthy-15min",
        name: "Healthy adults: 15 minutes, 3 times a week",
        population: "healthy young men",
        dose: "15 minutes of backward walking at 3.2-3.7 mph, 3 times a week for 4 weeks",
        goals: &[Goal::Fitness],
        target_backward_minutes: 15,
        sessions_per_week: Some(3),
        weeks: Some(4),
        pattern: Pattern::Continuous,
        strength: EvidenceStrength::LowToModerate,
        source: &HEATH_2001,
        caveat: "Eight participants; the study measured how practice lowers the energy cost, not health outcomes.",
    },
    Protocol {
        id: "build-up-5-to-30",
        name: "Beginner build-up: from 5 to 30 minutes",
        population: "newcomers to backward walking",
        dose: "start with about 5 minutes of backward walking and build toward 30",
        goals: &[Goal::General, Goal::Balance, Goal::Fitness],
        target_backward_minutes: 30,
        sessions_per_week: None,
        weeks: None,
        pattern: Pattern::Continuous,
        strength: EvidenceStrength::ExpertOpinion,
        source: &PRACTICE_ADVICE,
        caveat: "Practice advice from articles and blogs, not a trial protocol.",
    },
    Protocol {
        id: "alternate-3-1",
        name: "3 minutes forward : 1 minute backward",
        population: "people walking for fitness or variety",
        dose: "alternate 3 minutes forward with 1 minute backward for about 30 minutes",
        goals: &[Goal::General, Goal::Fitness],
        target_backward_minutes: 7,
        sessions_per_week: None,
        weeks: None,
        pattern: Pattern::Alternating {
            forward_seconds: 180,
            backward_seconds: 60,
        },
        strength: EvidenceStrength::ExpertOpinion,
        source: &PRACTICE_ADVICE,
        caveat: "A pattern from popular articles; the exact ratio was not confirmed in any study.",
    },
    Protocol {
        id: "daily-10min",
        name: "10 minutes a day",
        population: "anyone cleared for activity",
        dose: "10 minutes of backward walking every day",
        goals: &[Goal::General, Goal::Knee],
        target_backward_minutes: 10,
        sessions_per_week: Some(7),
        weeks: None,
        pattern: Pattern::Continuous,
        strength: EvidenceStrength::ExpertOpinion,
        source: &PRACTICE_ADVICE,
        caveat: "Practice advice, not a trial protocol; trials used 10 minutes 3 times a week.",
    },
];

/// A protocol by id.
pub fn protocol(id: &str) -> Option<&'static Protocol> {
    PROTOCOLS.iter().find(|p| p.id == id)
}

/// The protocol a plan for this goal rests on when none is chosen: the strongest evidence.
pub fn default_protocol(goal: Goal) -> &'static Protocol {
    let id = match goal {
        Goal::Knee => "knee-oa-10min",
        Goal::Balance => "rehab-30min",
        Goal::Fitness => "healthy-15min",
        Goal::General => "build-up-5-to-30",
    };
    // Every id above is in the catalogue; a test pins it.
    protocol(id).unwrap_or(&PROTOCOLS[0])
}

/// A benefit that popular articles claim, and what the product may say about it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BenefitClaim {
    /// Stable identifier.
    pub id: &'static str,
    /// The claim as articles make it.
    pub claim: &'static str,
    /// What the product says, never more strongly than the evidence.
    pub statement: &'static str,
    /// Strength of the evidence.
    pub strength: EvidenceStrength,
    /// Sources (empty when unsupported).
    pub sources: &'static [&'static Source],
}

impl BenefitClaim {
    /// Whether the product may present this as a benefit at all.
    pub fn may_claim(&self) -> bool {
        !matches!(self.strength, EvidenceStrength::Unsupported)
    }
}

/// The claims of popular articles, with what the evidence supports.
pub const BENEFIT_CLAIMS: &[BenefitClaim] = &[
    BenefitClaim {
        id: "knee-pain",
        claim: "Helps knee pain and function",
        statement: "In one randomised trial of 68 adults with knee osteoarthritis, 10 minutes of backward walking 3 times a week for 6 weeks, on top of usual care, lowered pain by 1.8 points (0-10 scale) against 1.0 with usual care alone, and improved function.",
        strength: EvidenceStrength::Moderate,
        sources: &[&ALGHADIR_2019],
    },
    BenefitClaim {
        id: "energy",
        claim: "Burns more calories than walking forward",
        statement: "At the same speed it costs about 25-40% more energy than forward walking (the Compendium's 2024 and 2011 values at 3.5 mph), and less once you have practised.",
        strength: EvidenceStrength::Measured,
        sources: &[
            &COMPENDIUM_2024,
            &COMPENDIUM_2011,
            &HOOPER_2004,
            &HEATH_2001,
        ],
    },
    BenefitClaim {
        id: "fitness",
        claim: "Improves fitness and lowers body fat",
        statement: "In one small trial of 26 young women, 6 weeks of backward running and walking raised predicted aerobic capacity by about 5% and lowered body fat by 2.4 percentage points.",
        strength: EvidenceStrength::LowToModerate,
        sources: &[&TERBLANCHE_2005],
    },
    BenefitClaim {
        id: "balance",
        claim: "Improves balance, including after a stroke",
        statement: "Small trials after stroke found better walking speed and balance with backward walking training added to therapy.",
        strength: EvidenceStrength::LowToModerate,
        sources: &[&ROSE_2018, &CHANG_2021],
    },
    BenefitClaim {
        id: "memory",
        claim: "Improves short-term memory",
        statement: "One set of experiments found better recall after moving backward, but a preregistered replication of one experiment found no effect: the claim is contested.",
        strength: EvidenceStrength::Contested,
        sources: &[&AKSENTIJEVIC_2019],
    },
    BenefitClaim {
        id: "back-muscles",
        claim: "Works the back muscles; good for low back pain",
        statement: "Back muscles (multifidus, erector spinae) work harder walking backward than forward; no trial has shown that this relieves back pain.",
        strength: EvidenceStrength::MechanismOnly,
        sources: &[&ANSARI_2018],
    },
    BenefitClaim {
        id: "knee-load",
        claim: "Puts less load on the knee",
        statement: "In backward running, the force pressing the kneecap into the joint was about a quarter lower than forward; this was measured in running, not walking.",
        strength: EvidenceStrength::MechanismOnly,
        sources: &[&ROOS_2012],
    },
    BenefitClaim {
        id: "leg-muscles",
        claim: "Strengthens the thighs, shins and calves",
        statement: "Thigh, shin and calf muscle activity in backward walking changes with incline, most in the calf; strength gains were not measured.",
        strength: EvidenceStrength::MechanismOnly,
        sources: &[&CIPRIANI_1995],
    },
    BenefitClaim {
        id: "sleep-mood",
        claim: "Helps sleep, mood and stress",
        statement: "No study supporting this was found; Retrostride does not claim it.",
        strength: EvidenceStrength::Unsupported,
        sources: &[],
    },
    BenefitClaim {
        id: "lbpp-knee",
        claim: "Backward walking with lower-body positive pressure helps knee problems",
        statement: "The 2023 study often cited for this is a trial protocol with no results yet; Retrostride does not claim it.",
        strength: EvidenceStrength::Unsupported,
        sources: &[&ALMUTAIRI_2023],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_goal_has_a_default_protocol_that_serves_it() {
        for goal in Goal::ALL {
            let p = default_protocol(goal);
            assert!(p.goals.contains(&goal), "{goal} -> {}", p.id);
            assert!(protocol(p.id).is_some());
        }
    }

    #[test]
    fn protocol_ids_are_unique_and_doses_positive() {
        let mut ids: Vec<_> = PROTOCOLS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PROTOCOLS.len());
        assert!(PROTOCOLS.iter().all(|p| p.target_backward_minutes > 0));
    }

    #[test]
    fn the_knee_protocol_is_the_alghadir_dose() {
        let p = default_protocol(Goal::Knee);
        assert_eq!(
            (p.target_backward_minutes, p.sessions_per_week, p.weeks),
            (10, Some(3), Some(6))
        );
        assert_eq!(p.source.doi, Some("10.1186/s12891-019-2537-9"));
    }

    #[test]
    fn unsupported_claims_are_not_claimed_and_supported_ones_cite() {
        for c in BENEFIT_CLAIMS {
            if c.may_claim() {
                assert!(!c.sources.is_empty(), "{} has no source", c.id);
            } else {
                assert!(c.statement.contains("does not claim"), "{}", c.id);
            }
        }
    }

    #[test]
    fn goal_parse_errors_list_the_choices() {
        let err = "speed".parse::<Goal>().unwrap_err();
        assert!(err.contains("knee, balance, fitness, general"));
        assert_eq!("Knee".parse::<Goal>().unwrap(), Goal::Knee);
    }
}
