//! Safety screening: the seven PAR-Q+ topics in the product's own words, plus the risks that
//! matter for walking backward, give a [`Clearance`] with reasons and concrete precautions.
//!
//! The rules are conservative. A red flag (a PAR-Q+ "yes", or a backward-walking risk such as a
//! fall in the last year) means `see_clinician_first`, because the product has no PAR-Q+
//! follow-up pages. When a clinician has already approved backward walking, red flags become
//! precautions instead, starting with supervision.

use crate::evidence::{PAR_Q_PLUS, PRACTICE_ADVICE, RIEBE_2015, Source};
use crate::measure::Age;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The screening result that shapes everything after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clearance {
    /// No concerns: start gently and build up.
    Cleared,
    /// May start, with the listed precautions.
    ClearedWithPrecautions,
    /// Talk to a doctor or physiotherapist before starting.
    SeeClinicianFirst,
}

impl Clearance {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Clearance::Cleared => "cleared",
            Clearance::ClearedWithPrecautions => "cleared_with_precautions",
            Clearance::SeeClinicianFirst => "see_clinician_first",
        }
    }
}

impl Clearance {
    /// The clearance as the pages say it: "cleared", "cleared, with precautions", "see a
    /// clinician first".
    pub fn in_words(self) -> &'static str {
        match self {
            Clearance::Cleared => "cleared",
            Clearance::ClearedWithPrecautions => "cleared, with precautions",
            Clearance::SeeClinicianFirst => "see a clinician first",
        }
    }
}

impl fmt::Display for Clearance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Clearance {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "cleared" => Ok(Clearance::Cleared),
            "cleared_with_precautions" => Ok(Clearance::ClearedWithPrecautions),
            "see_clinician_first" => Ok(Clearance::SeeClinicianFirst),
            _ => Err(format!(
                "clearance '{s}' is not known; expected cleared, cleared_with_precautions or see_clinician_first"
            )),
        }
    }
}

/// A concrete safety measure that shapes the plan and the session screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precaution {
    /// Have someone with you for the first sessions.
    StartSupervised,
    /// Walk in a hallway beside a wall or rail you can touch.
    HallwayBesideWall,
    /// Not on a treadmill yet: flat ground first.
    NoTreadmillYet,
    /// On a treadmill: hands on the rails, safety clip attached.
    HandrailsAndSafetyClip,
    /// Backward blocks of at most a minute, with forward recoveries.
    ShorterBlocks,
    /// Light to moderate effort only: no incline, modest treadmill speed.
    ModerateIntensityOnly,
}

impl Precaution {
    /// Every precaution.
    pub const ALL: [Precaution; 6] = [
        Precaution::StartSupervised,
        Precaution::HallwayBesideWall,
        Precaution::NoTreadmillYet,
        Precaution::HandrailsAndSafetyClip,
        Precaution::ShorterBlocks,
        Precaution::ModerateIntensityOnly,
    ];

    /// What to do, in words a person can act on.
    pub fn advice(self) -> &'static str {
        match self {
            Precaution::StartSupervised => {
                "Have someone walk beside you for your first sessions, and stop if you feel unsteady."
            }
            Precaution::HallwayBesideWall => {
                "Walk in a clear, well-lit hallway beside a wall or rail you can touch."
            }
            Precaution::NoTreadmillYet => {
                "Stay off the treadmill for now: practise on flat ground first."
            }
            Precaution::HandrailsAndSafetyClip => {
                "On a treadmill, attach the safety clip and keep your hands on the rails; start at the slowest speed."
            }
            Precaution::ShorterBlocks => {
                "Keep backward blocks to a minute at most, with forward walking in between."
            }
            Precaution::ModerateIntensityOnly => {
                "Keep the effort light to moderate: no incline, and a treadmill speed you could talk at."
            }
        }
    }

    /// The advice for sessions in `setting`: only what applies there (a hallway plan says
    /// nothing of treadmills). `None` when the precaution has nothing to say in that setting.
    pub fn advice_in(self, setting: crate::plan::Setting) -> Option<&'static str> {
        use crate::plan::Setting;
        match (self, setting) {
            (Precaution::NoTreadmillYet | Precaution::HandrailsAndSafetyClip, Setting::Ground)
            | (Precaution::NoTreadmillYet | Precaution::HandrailsAndSafetyClip, Setting::Hallway) => {
                None
            }
            (Precaution::ModerateIntensityOnly, Setting::Ground | Setting::Hallway) => {
                Some("Keep the effort light to moderate: a pace at which you could still talk.")
            }
            (Precaution::HallwayBesideWall, Setting::Treadmill) => None,
            _ => Some(self.advice()),
        }
    }
}

/// One screening question.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Question {
    /// The answers-file field.
    pub id: &'static str,
    /// The question, in the product's own words.
    pub text: &'static str,
    /// Which list it belongs to.
    pub topic: Topic,
}

/// Where a question comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// One of the seven PAR-Q+ general topics.
    ParQ,
    /// A risk that matters for walking backward.
    BackwardWalking,
    /// Context: age, activity, prior approval.
    Context,
}

/// The yes/no questions, in the order they are asked. `age` is asked separately.
pub const QUESTIONS: &[Question] = &[
    Question {
        id: "heart_condition",
        topic: Topic::ParQ,
        text: "Has a doctor ever told you that you have a heart condition or high blood pressure?",
    },
    Question {
        id: "chest_pain",
        topic: Topic::ParQ,
        text: "Do you get chest pain at rest, in daily life, or when you are active?",
    },
    Question {
        id: "dizziness_or_fainting",
        topic: Topic::ParQ,
        text: "In the last 12 months, have you lost your balance because of dizziness, or lost consciousness? (Not counting getting out of breath during hard exercise.)",
    },
    Question {
        id: "other_chronic_condition",
        topic: Topic::ParQ,
        text: "Have you been diagnosed with any other long-term medical condition?",
    },
    Question {
        id: "medication_for_chronic_condition",
        topic: Topic::ParQ,
        text: "Do you take prescribed medicine for a long-term condition?",
    },
    Question {
        id: "bone_or_joint_problem",
        topic: Topic::ParQ,
        text: "Do you have, or have you had in the last 12 months, a bone, joint or soft-tissue problem (knee pain, for example) that more activity could make worse?",
    },
    Question {
        id: "supervised_activity_only",
        topic: Topic::ParQ,
        text: "Has a doctor said you should only be active under medical supervision?",
    },
    Question {
        id: "fall_last_12_months",
        topic: Topic::BackwardWalking,
        text: "Have you fallen in the last 12 months?",
    },
    Question {
        id: "near_fall_last_12_months",
        topic: Topic::BackwardWalking,
        text: "In the last 12 months, have you nearly fallen (tripped or stumbled and just caught yourself)?",
    },
    Question {
        id: "balance_problems",
        topic: Topic::BackwardWalking,
        text: "Do you have problems with balance or coordination?",
    },
    Question {
        id: "neurological_condition",
        topic: Topic::BackwardWalking,
        text: "Do you have a neurological condition, such as Parkinson's, multiple sclerosis, a past stroke or neuropathy?",
    },
    Question {
        id: "lower_limb_injury_or_surgery_6_months",
        topic: Topic::BackwardWalking,
        text: "Have you injured or had surgery on a hip, leg, knee, ankle or foot in the last 6 months?",
    },
    Question {
        id: "poor_vision",
        topic: Topic::BackwardWalking,
        text: "Is your eyesight poor, even with glasses or contact lenses?",
    },
    Question {
        id: "walking_aid",
        topic: Topic::BackwardWalking,
        text: "Do you use a walking aid (stick, crutch, frame)?",
    },
    Question {
        id: "osteoporosis",
        topic: Topic::BackwardWalking,
        text: "Have you been told you have osteoporosis (fragile bones)?",
    },
    Question {
        id: "pregnant",
        topic: Topic::BackwardWalking,
        text: "Are you pregnant?",
    },
    Question {
        id: "currently_active",
        topic: Topic::Context,
        text: "For the last 3 months, have you been active on purpose for at least 30 minutes at moderate effort, 3 or more days a week?",
    },
    Question {
        id: "clinician_approved",
        topic: Topic::Context,
        text: "Has a doctor or physiotherapist who knows your health told you that backward walking is fine for you?",
    },
];

/// The answers to the screening, as the answers file and the API carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // Each field is the question of the same id in QUESTIONS.
pub struct ScreeningAnswers {
    /// Age in whole years (the PAR-Q+ is for ages 15 to 69).
    pub age: Age,
    pub heart_condition: bool,
    pub chest_pain: bool,
    pub dizziness_or_fainting: bool,
    pub other_chronic_condition: bool,
    pub medication_for_chronic_condition: bool,
    pub bone_or_joint_problem: bool,
    pub supervised_activity_only: bool,
    pub fall_last_12_months: bool,
    pub near_fall_last_12_months: bool,
    pub balance_problems: bool,
    pub neurological_condition: bool,
    pub lower_limb_injury_or_surgery_6_months: bool,
    pub poor_vision: bool,
    pub walking_aid: bool,
    pub osteoporosis: bool,
    pub pregnant: bool,
    pub currently_active: bool,
    pub clinician_approved: bool,
}

impl ScreeningAnswers {
    /// The answer to a yes/no question by id, if the id is known.
    pub fn answer(&self, id: &str) -> Option<bool> {
        Some(match id {
            "heart_condition" => self.heart_condition,
            "chest_pain" => self.chest_pain,
            "dizziness_or_fainting" => self.dizziness_or_fainting,
            "other_chronic_condition" => self.other_chronic_condition,
            "medication_for_chronic_condition" => self.medication_for_chronic_condition,
            "bone_or_joint_problem" => self.bone_or_joint_problem,
            "supervised_activity_only" => self.supervised_activity_only,
            "fall_last_12_months" => self.fall_last_12_months,
            "near_fall_last_12_months" => self.near_fall_last_12_months,
            "balance_problems" => self.balance_problems,
            "neurological_condition" => self.neurological_condition,
            "lower_limb_injury_or_surgery_6_months" => self.lower_limb_injury_or_surgery_6_months,
            "poor_vision" => self.poor_vision,
            "walking_aid" => self.walking_aid,
            "osteoporosis" => self.osteoporosis,
            "pregnant" => self.pregnant,
            "currently_active" => self.currently_active,
            "clinician_approved" => self.clinician_approved,
            _ => return None,
        })
    }

    /// Answers with every risk "no", for a given age and activity: a starting point for forms.
    pub fn all_clear(age: Age) -> Self {
        ScreeningAnswers {
            age,
            heart_condition: false,
            chest_pain: false,
            dizziness_or_fainting: false,
            other_chronic_condition: false,
            medication_for_chronic_condition: false,
            bone_or_joint_problem: false,
            supervised_activity_only: false,
            fall_last_12_months: false,
            near_fall_last_12_months: false,
            balance_problems: false,
            neurological_condition: false,
            lower_limb_injury_or_surgery_6_months: false,
            poor_vision: false,
            walking_aid: false,
            osteoporosis: false,
            pregnant: false,
            currently_active: true,
            clinician_approved: false,
        }
    }
}

/// One finding behind the clearance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The question (or `age`) that raised it.
    pub question: &'static str,
    /// Why it matters, for people.
    pub explanation: String,
    /// True when it alone would mean `see_clinician_first`.
    pub red_flag: bool,
}

/// The outcome of a screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Screening {
    /// The clearance.
    pub clearance: Clearance,
    /// The findings behind it (empty when cleared with no concerns).
    pub reasons: Vec<Reason>,
    /// Precautions to follow, sorted and without repeats.
    pub precautions: Vec<Precaution>,
    /// What to do next, for people.
    pub advice: String,
    /// Where the rules come from.
    pub sources: Vec<&'static Source>,
}

/// A rule: which answer raises it, whether it is a red flag, why, and what precautions follow.
struct Rule {
    question: &'static str,
    red_flag: bool,
    why: &'static str,
    precautions: &'static [Precaution],
}

const RULES: &[Rule] = &[
    Rule {
        question: "heart_condition",
        red_flag: true,
        why: "A heart condition or high blood pressure: the PAR-Q+ asks for follow-up or a professional's advice before more activity.",
        precautions: &[Precaution::ModerateIntensityOnly],
    },
    Rule {
        question: "chest_pain",
        red_flag: true,
        why: "Chest pain needs a doctor's assessment before exercise.",
        precautions: &[Precaution::ModerateIntensityOnly],
    },
    Rule {
        question: "dizziness_or_fainting",
        red_flag: true,
        why: "Losing balance from dizziness, or fainting, is a fall risk when you cannot see where you are going.",
        precautions: &[
            Precaution::HallwayBesideWall,
            Precaution::StartSupervised,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "other_chronic_condition",
        red_flag: true,
        why: "A long-term condition: the PAR-Q+ asks for follow-up questions or a professional's advice, which Retrostride does not replace.",
        precautions: &[],
    },
    Rule {
        question: "medication_for_chronic_condition",
        red_flag: true,
        why: "Medicine for a long-term condition: some affect heart rate, blood pressure or balance.",
        precautions: &[Precaution::ModerateIntensityOnly],
    },
    Rule {
        question: "bone_or_joint_problem",
        red_flag: false,
        why: "A bone, joint or soft-tissue problem: physiotherapists advise getting any knee pain looked at; start gently and stop if it hurts more.",
        precautions: &[Precaution::ShorterBlocks],
    },
    Rule {
        question: "supervised_activity_only",
        red_flag: true,
        why: "A doctor has said you should only be active under medical supervision.",
        precautions: &[Precaution::StartSupervised],
    },
    Rule {
        question: "fall_last_12_months",
        red_flag: true,
        why: "A fall in the last year: falls are the main risk of walking backward.",
        precautions: &[
            Precaution::StartSupervised,
            Precaution::HallwayBesideWall,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "near_fall_last_12_months",
        red_flag: false,
        why: "A near-fall in the last year: start where you can steady yourself.",
        precautions: &[
            Precaution::HallwayBesideWall,
            Precaution::ShorterBlocks,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "balance_problems",
        red_flag: true,
        why: "Balance or coordination problems: physiotherapists advise against backward walking without guidance.",
        precautions: &[
            Precaution::StartSupervised,
            Precaution::HallwayBesideWall,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "neurological_condition",
        red_flag: true,
        why: "A neurological condition: backward walking is used in rehabilitation, but under a clinician's guidance.",
        precautions: &[
            Precaution::StartSupervised,
            Precaution::HallwayBesideWall,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "lower_limb_injury_or_surgery_6_months",
        red_flag: true,
        why: "Recent injury or surgery of the leg: ask whoever treats it when backward walking is safe.",
        precautions: &[Precaution::ShorterBlocks, Precaution::NoTreadmillYet],
    },
    Rule {
        question: "poor_vision",
        red_flag: false,
        why: "Poor eyesight: choose a clear, well-lit, familiar space.",
        precautions: &[Precaution::HallwayBesideWall, Precaution::StartSupervised],
    },
    Rule {
        question: "walking_aid",
        red_flag: true,
        why: "You use a walking aid: walking backward without it needs a clinician's advice.",
        precautions: &[
            Precaution::StartSupervised,
            Precaution::HallwayBesideWall,
            Precaution::NoTreadmillYet,
        ],
    },
    Rule {
        question: "osteoporosis",
        red_flag: false,
        why: "Osteoporosis: a fall could break a bone, so avoid falling above all.",
        precautions: &[
            Precaution::HallwayBesideWall,
            Precaution::NoTreadmillYet,
            Precaution::ShorterBlocks,
        ],
    },
    Rule {
        question: "pregnant",
        red_flag: true,
        why: "Pregnancy: the PAR-Q+ advises talking to your health-care practitioner before becoming more active.",
        precautions: &[Precaution::HallwayBesideWall, Precaution::NoTreadmillYet],
    },
];

/// Screens a set of answers.
pub fn screen(answers: &ScreeningAnswers) -> Screening {
    let mut reasons = Vec::new();
    let mut precautions = Vec::new();
    for rule in RULES {
        if answers.answer(rule.question) == Some(true) {
            reasons.push(Reason {
                question: rule.question,
                explanation: rule.why.to_string(),
                red_flag: rule.red_flag,
            });
            precautions.extend_from_slice(rule.precautions);
        }
    }
    let age = answers.age.value();
    if age < 15 {
        reasons.push(Reason {
            question: "age",
            explanation: format!(
                "Age {}: the PAR-Q+ is for people aged 15 and over; a parent and a doctor should decide.",
                age
            ),
            red_flag: true,
        });
    } else if age >= 70 {
        if answers.currently_active {
            reasons.push(Reason {
                question: "age",
                explanation: format!(
                    "Age {}: balance reactions slow with age; build up with support nearby.",
                    age
                ),
                red_flag: false,
            });
            precautions.extend([Precaution::HallwayBesideWall, Precaution::StartSupervised]);
        } else {
            reasons.push(Reason {
                question: "age",
                explanation: format!(
                    "Age {} and not regularly active: the PAR-Q+ advises people over 69 who are not used to being active to check with a doctor.",
                    age
                ),
                red_flag: true,
            });
        }
    }
    if !answers.currently_active {
        reasons.push(Reason {
            question: "currently_active",
            explanation: "Not regularly active: ACSM advises starting at light to moderate effort and progressing gradually.".to_string(),
            red_flag: false,
        });
        precautions.push(Precaution::ModerateIntensityOnly);
    }

    let red_flags = reasons.iter().any(|r| r.red_flag);
    let clearance = if red_flags && !answers.clinician_approved {
        Clearance::SeeClinicianFirst
    } else if reasons.is_empty() {
        Clearance::Cleared
    } else {
        if red_flags {
            // A clinician has approved despite red flags: begin where help is at hand.
            precautions.extend([Precaution::StartSupervised, Precaution::NoTreadmillYet]);
        }
        Clearance::ClearedWithPrecautions
    };
    precautions.sort_unstable();
    precautions.dedup();
    let advice = match clearance {
        Clearance::Cleared => "You are cleared to start. Begin with short backward blocks and build up gradually; stop if you feel unsteady.".to_string(),
        Clearance::ClearedWithPrecautions if red_flags => "A clinician has approved backward walking for you: start with the precautions below, and go back to them if anything changes.".to_string(),
        Clearance::ClearedWithPrecautions => "You may start, following the precautions below. Stop if you feel unsteady or pain gets worse.".to_string(),
        Clearance::SeeClinicianFirst => "Please talk to a doctor or physiotherapist before you start backward walking. Take this summary with you; once they approve, answer 'yes' to the approval question and screen again.".to_string(),
    };
    Screening {
        clearance,
        reasons,
        precautions,
        advice,
        sources: vec![&PAR_Q_PLUS, &RIEBE_2015, &PRACTICE_ADVICE],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_clear_is_cleared_without_precautions() {
        let s = screen(&ScreeningAnswers::all_clear(Age::new(40).unwrap()));
        assert_eq!(s.clearance, Clearance::Cleared);
        assert!(s.reasons.is_empty() && s.precautions.is_empty());
    }

    #[test]
    fn every_red_flag_alone_means_see_clinician_first() {
        for rule in RULES.iter().filter(|r| r.red_flag) {
            let mut answers = ScreeningAnswers::all_clear(Age::new(40).unwrap());
            let mut json = serde_json::to_value(answers).unwrap();
            json[rule.question] = true.into();
            answers = serde_json::from_value(json).unwrap();
            let s = screen(&answers);
            assert_eq!(
                s.clearance,
                Clearance::SeeClinicianFirst,
                "{}",
                rule.question
            );
            assert_eq!(s.reasons[0].question, rule.question);
        }
    }

    #[test]
    fn every_question_has_an_answer_field() {
        let answers = ScreeningAnswers::all_clear(Age::new(40).unwrap());
        for q in QUESTIONS {
            assert!(answers.answer(q.id).is_some(), "{}", q.id);
        }
        for rule in RULES {
            assert!(
                QUESTIONS.iter().any(|q| q.id == rule.question),
                "{}",
                rule.question
            );
        }
    }

    #[test]
    fn knee_pain_gives_precautions_not_refusal() {
        let mut a = ScreeningAnswers::all_clear(Age::new(55).unwrap());
        a.bone_or_joint_problem = true;
        let s = screen(&a);
        assert_eq!(s.clearance, Clearance::ClearedWithPrecautions);
        assert_eq!(s.precautions, vec![Precaution::ShorterBlocks]);
    }

    #[test]
    fn clinician_approval_turns_red_flags_into_supervised_start() {
        let mut a = ScreeningAnswers::all_clear(Age::new(60).unwrap());
        a.neurological_condition = true;
        a.clinician_approved = true;
        let s = screen(&a);
        assert_eq!(s.clearance, Clearance::ClearedWithPrecautions);
        assert!(s.precautions.contains(&Precaution::StartSupervised));
        assert!(s.precautions.contains(&Precaution::NoTreadmillYet));
    }

    #[test]
    fn older_inactive_people_see_a_clinician_first() {
        let mut a = ScreeningAnswers::all_clear(Age::new(72).unwrap());
        a.currently_active = false;
        assert_eq!(screen(&a).clearance, Clearance::SeeClinicianFirst);
        a.currently_active = true;
        let s = screen(&a);
        assert_eq!(s.clearance, Clearance::ClearedWithPrecautions);
        assert!(s.precautions.contains(&Precaution::HallwayBesideWall));
    }

    #[test]
    fn inactive_adults_keep_to_moderate_effort() {
        let mut a = ScreeningAnswers::all_clear(Age::new(30).unwrap());
        a.currently_active = false;
        let s = screen(&a);
        assert_eq!(s.clearance, Clearance::ClearedWithPrecautions);
        assert_eq!(s.precautions, vec![Precaution::ModerateIntensityOnly]);
    }

    #[test]
    fn answers_file_rejects_unknown_and_missing_fields() {
        let mut json =
            serde_json::to_value(ScreeningAnswers::all_clear(Age::new(40).unwrap())).unwrap();
        json["chest_pains"] = true.into();
        let err = serde_json::from_value::<ScreeningAnswers>(json).unwrap_err();
        assert!(err.to_string().contains("chest_pains"));
        let err = serde_json::from_str::<ScreeningAnswers>(r#"{"age": 40}"#).unwrap_err();
        assert!(err.to_string().contains("missing field"));
    }
}
