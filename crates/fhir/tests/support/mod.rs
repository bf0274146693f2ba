//! A rich record for the export's tests: two screenings, a plan of the walker's own (replaced)
//! and a clinician-prescribed one (active), sessions with and without pain and effort, a 3MBWT,
//! a single-leg stance and a pain change, a grant in force and a revoked one, and an access log
//! with reads, a change and a line from a deleted clinician account.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // Test data fails loudly.

use coach::assessment::{Eyes, Population, single_leg_stance, three_mbwt};
use coach::energy::Direction;
use coach::measure::{Age, PainScore, Rpe};
use coach::plan::{DaysPerWeek, Level, PlanRequest, Setting, Units, Weeks};
use coach::protocol::Goal;
use coach::screening::{Clearance, ScreeningAnswers, screen};
use fhir::{Clinician, Record};
use jiff::Timestamp;
use store::*;

pub const WALKER: Id = 7;
pub const CLINICIAN: Id = 11;
pub const FORMER_CLINICIAN: Id = 12;

pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn plan(id: Id, start: &str, active: bool, author: Option<Id>, goal: Goal) -> StoredPlan {
    let plan = coach::plan::build_plan(&PlanRequest {
        goal,
        clearance: Clearance::Cleared,
        precautions: vec![],
        setting: Setting::Ground,
        level: Level::New,
        days_per_week: DaysPerWeek::new(3).unwrap(),
        weeks: Weeks::new(4).unwrap(),
        start: start.parse().unwrap(),
        forward_speed: None,
        protocol: None,
        units: Units::Metric,
        clinician_assigned: author.is_some(),
        schedule: coach::schedule::Schedule::default(),
    })
    .unwrap();
    StoredPlan {
        plan: PlanSummary {
            id,
            active,
            created_at: at("2026-11-02T08:00:00Z"),
            author_id: author,
            screening_id: Some(1),
            fields: PlanFields::of(&plan),
            details: serde_json::json!({"precautions": []}),
        },
        sessions: plan
            .sessions
            .into_iter()
            .enumerate()
            .map(|(i, session)| PlannedSessionRecord {
                id: id * 100 + i as Id,
                plan_id: id,
                session,
            })
            .collect(),
    }
}

fn session(id: Id, started: &str, offset: i32, pain: bool, plan: Option<Id>) -> LoggedSession {
    let started_at = at(started);
    LoggedSession {
        id,
        created_at: started_at,
        local_date: "2026-11-03".parse().unwrap(),
        entry: SessionEntry {
            started_at,
            utc_offset_seconds: offset,
            setting: Setting::Ground,
            sport: Default::default(),
            blocks: vec![
                LoggedBlock {
                    direction: Direction::Forward,
                    seconds: 300,
                    speed: None,
                    grade: None,
                },
                LoggedBlock {
                    direction: Direction::Backward,
                    seconds: 250,
                    speed: None,
                    grade: None,
                },
            ],
            backward_seconds: 250,
            total_seconds: 550,
            rpe: pain.then(|| Rpe::new(13).unwrap()),
            pain_before: pain.then(|| PainScore::new(4).unwrap()),
            pain_after: pain.then(|| PainScore::new(2).unwrap()),
            near_falls: if pain { 0 } else { 1 },
            falls: 0,
            felt_safe: pain,
            notes: if pain {
                "knee fine".into()
            } else {
                String::new()
            },
            source: SessionSource::Timer,
            plan_id: plan,
            planned_backward_seconds: plan.map(|_| 240),
            kcal: None,
            energy: serde_json::json!({"reason": "no body mass"}),
        },
    }
}

fn screening(id: Id, taken: &str, fall: bool) -> Screening {
    let mut answers = ScreeningAnswers::all_clear(Age::new(67).unwrap());
    answers.fall_last_12_months = fall;
    let result = screen(&answers);
    Screening {
        id,
        screening: NewScreening {
            taken_at: at(taken),
            answers,
            clearance: result.clearance,
            result: serde_json::to_value(&result).unwrap(),
        },
    }
}

fn grant(id: Id, clinician: Id, email: &str, revoked: Option<&str>) -> Grant {
    Grant {
        id,
        walker_id: WALKER,
        walker_email: "walker@example.org".into(),
        clinician_id: clinician,
        clinician_email: email.into(),
        granted_at: at("2026-11-04T09:00:00Z"),
        revoked_at: revoked.map(at),
        scope: GrantScope::standard(),
    }
}

fn access(
    clinician: Option<Id>,
    email: &str,
    when: &str,
    action: AccessAction,
    what: &str,
) -> AccessEntry {
    AccessEntry {
        clinician_id: clinician,
        clinician_email: email.into(),
        walker_id: WALKER,
        at: at(when),
        action,
        what: what.into(),
        route: "GET /api/v1/clinician/walkers/{id}/sessions".into(),
    }
}

pub fn rich_record() -> Record {
    let three = three_mbwt(4.8, Population::OlderAdults, None).unwrap();
    let stance = single_leg_stance(12.0, Age::new(67).unwrap(), Eyes::Open, None).unwrap();
    Record {
        walker_id: WALKER,
        email: Some("walker@example.org".into()),
        birth_year: Some(1959),
        exported_at: at("2026-11-20T12:00:00Z"),
        screenings: vec![
            screening(1, "2026-11-01T10:00:00Z", false),
            screening(2, "2026-11-10T10:00:00Z", true),
        ],
        plans: vec![
            plan(1, "2026-11-02", false, None, Goal::Knee),
            plan(2, "2026-11-16", true, Some(CLINICIAN), Goal::Balance),
        ],
        sessions: vec![
            session(1, "2026-11-03T07:30:00Z", 3600, true, Some(1)),
            session(2, "2026-11-05T18:15:00Z", -5 * 3600, false, Some(1)),
            session(3, "2026-11-17T06:00:00Z", 19800, true, Some(2)),
            session(4, "2026-11-18T06:00:00Z", 0, false, None),
        ],
        assessments: vec![
            Assessment {
                id: 1,
                assessment: NewAssessment {
                    taken_at: at("2026-11-03T08:00:00Z"),
                    kind: AssessmentKind::ThreeMbwt,
                    value: 4.8,
                    inputs: serde_json::json!({"seconds": 4.8, "population": "older_adults"}),
                    result: serde_json::to_value(&three).unwrap(),
                },
            },
            Assessment {
                id: 2,
                assessment: NewAssessment {
                    taken_at: at("2026-11-03T08:05:00Z"),
                    kind: AssessmentKind::SingleLegStance,
                    value: 12.0,
                    inputs: serde_json::json!({"seconds": 12.0, "eyes": "open", "age": 67}),
                    result: serde_json::to_value(&stance).unwrap(),
                },
            },
            Assessment {
                id: 3,
                assessment: NewAssessment {
                    taken_at: at("2026-11-03T08:10:00Z"),
                    kind: AssessmentKind::PainChange,
                    value: 2.0,
                    inputs: serde_json::json!({"before": 5, "after": 2}),
                    result: serde_json::json!({"change": "improved"}),
                },
            },
        ],
        grants: vec![
            grant(
                1,
                FORMER_CLINICIAN,
                "old.physio@example.org",
                Some("2026-11-08T12:00:00Z"),
            ),
            grant(2, CLINICIAN, "physio@example.org", None),
        ],
        access_log: vec![
            access(
                Some(CLINICIAN),
                "physio@example.org",
                "2026-11-17T10:00:00Z",
                AccessAction::Read,
                "sessions",
            ),
            access(
                Some(CLINICIAN),
                "physio@example.org",
                "2026-11-17T10:00:00Z",
                AccessAction::Read,
                "sessions",
            ),
            access(
                Some(CLINICIAN),
                "physio@example.org",
                "2026-11-17T10:05:00Z",
                AccessAction::Change,
                "plan 2",
            ),
            access(
                None,
                "gone@example.org",
                "2026-11-05T10:00:00Z",
                AccessAction::Read,
                "plans",
            ),
        ],
        plan_authors: vec![Clinician {
            id: Some(CLINICIAN),
            email: "physio@example.org".into(),
        }],
    }
}
