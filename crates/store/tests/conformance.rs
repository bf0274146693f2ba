//! One set of stories, run against both adapters: SQLite in a temporary file and a real
//! PostgreSQL server started for the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // Tests fail loudly by design.

#[path = "../../../testsupport/pg.rs"]
mod pg;

use coach::energy::Direction;
use coach::measure::{BodyMass, PainScore, Rpe};
use coach::plan::{DaysPerWeek, Level, PlanRequest, Setting, Units, Weeks};
use coach::protocol::Goal;
use coach::screening::{Clearance, ScreeningAnswers};
use jiff::{Timestamp, ToSpan};
use std::sync::Arc;
use store::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

async fn user(store: &Arc<dyn Store>, email: &str) -> User {
    store
        .create_user(&NewUser {
            email: email.into(),
            password_hash: "$argon2id$test".into(),
            role: Role::Person,
            created_at: at("2026-11-01T00:00:00Z"),
        })
        .await
        .unwrap()
}

fn entry(started: &str, backward: u32) -> SessionEntry {
    SessionEntry {
        started_at: at(started),
        utc_offset_seconds: 3600,
        setting: Setting::Ground,
        sport: Default::default(),
        blocks: vec![LoggedBlock {
            direction: Direction::Backward,
            seconds: backward,
            speed: None,
            grade: None,
        }],
        backward_seconds: backward,
        total_seconds: backward,
        rpe: Some(Rpe::new(12).unwrap()),
        pain_before: Some(PainScore::new(3).unwrap()),
        pain_after: Some(PainScore::new(2).unwrap()),
        near_falls: 0,
        falls: 0,
        felt_safe: true,
        notes: "ok".into(),
        source: SessionSource::Manual,
        plan_id: None,
        planned_backward_seconds: None,
        kcal: Some(35.0),
        energy: serde_json::json!({"kcal": 35.0}),
    }
}

fn new_plan(start: &str) -> NewPlan {
    let plan = coach::plan::build_plan(&PlanRequest {
        goal: Goal::Knee,
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
        clinician_assigned: false,
        schedule: coach::schedule::Schedule::default(),
    })
    .unwrap();
    NewPlan {
        created_at: at("2026-11-02T00:00:00Z"),
        author_id: None,
        screening_id: None,
        fields: PlanFields::of(&plan),
        details: serde_json::json!({"precautions": []}),
        sessions: plan.sessions,
    }
}

async fn accounts(store: &Arc<dyn Store>) {
    let ann = user(store, "Ann@Example.org").await;
    assert_eq!(ann.email, "ann@example.org");
    assert_eq!(ann.role, Role::Person);
    let again = store
        .create_user(&NewUser {
            email: "ANN@example.org".into(),
            password_hash: "x".into(),
            role: Role::Person,
            created_at: Timestamp::now(),
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store
            .user_by_email("ann@EXAMPLE.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        ann.id
    );
    let profile = Profile {
        units: Units::Imperial,
        body_mass: None,
        birth_year: Some(1960),
    };
    let updated = store
        .update_profile(ann.id, Units::Imperial, Some(1960))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.profile, profile);
    store.set_role(ann.id, Role::Clinician).await.unwrap();
    assert_eq!(
        store.user(ann.id).await.unwrap().unwrap().role,
        Role::Clinician
    );
    store.set_password_hash(ann.id, "new").await.unwrap();
    assert_eq!(
        store.user(ann.id).await.unwrap().unwrap().password_hash,
        "new"
    );
    assert!(store.users().await.unwrap().iter().any(|u| u.id == ann.id));
}

async fn credentials(store: &Arc<dyn Store>) {
    let bo = user(store, "bo@example.org").await;
    let now = at("2026-11-22T12:00:00Z");
    for (hash, end) in [
        ("s1", "2026-12-01T00:00:00Z"),
        ("s2", "2026-11-22T11:00:00Z"),
        ("s3", "2026-12-01T00:00:00Z"),
    ] {
        store
            .create_web_session(&WebSession {
                id_hash: hash.into(),
                user_id: bo.id,
                csrf_token: format!("csrf-{hash}"),
                created_at: at("2026-11-20T00:00:00Z"),
                expires_at: at(end),
            })
            .await
            .unwrap();
    }
    let (session, who) = store.web_session("s1", now).await.unwrap().unwrap();
    assert_eq!((session.csrf_token.as_str(), who.id), ("csrf-s1", bo.id));
    assert!(
        store.web_session("s2", now).await.unwrap().is_none(),
        "expired"
    );
    store
        .delete_other_web_sessions(bo.id, Some("s1"))
        .await
        .unwrap();
    assert!(store.web_session("s3", now).await.unwrap().is_none());
    assert!(store.web_session("s1", now).await.unwrap().is_some());
    store.delete_web_session("s1").await.unwrap();
    assert!(store.web_session("s1", now).await.unwrap().is_none());

    let token = store
        .create_token(
            bo.id,
            &NewToken {
                name: "phone".into(),
                token_hash: "h1".into(),
                created_at: now,
                scope: TokenScope::Full,
            },
        )
        .await
        .unwrap();
    let (owner, scope) = store.user_by_token("h1").await.unwrap().unwrap();
    assert_eq!((owner.id, scope), (bo.id, TokenScope::Full));
    let reports = store
        .create_token(
            bo.id,
            &NewToken {
                name: "clinic reports".into(),
                token_hash: "h2".into(),
                created_at: now,
                scope: TokenScope::ClinicianRead,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.user_by_token("h2").await.unwrap().unwrap().1,
        TokenScope::ClinicianRead,
        "the scope is kept"
    );
    assert_eq!(
        store.tokens(bo.id).await.unwrap(),
        vec![token.clone(), reports.clone()]
    );
    assert!(store.delete_token(bo.id, reports.id).await.unwrap());
    let other = user(store, "cy@example.org").await;
    assert!(
        !store.delete_token(other.id, token.id).await.unwrap(),
        "not theirs"
    );
    assert!(store.delete_token(bo.id, token.id).await.unwrap());
    assert!(store.user_by_token("h1").await.unwrap().is_none());
}

async fn screenings_and_plans(store: &Arc<dyn Store>) {
    let di = user(store, "di@example.org").await;
    let other = user(store, "ed@example.org").await;
    let answers = ScreeningAnswers::all_clear(coach::measure::Age::new(60).unwrap());
    for (i, clearance) in [Clearance::SeeClinicianFirst, Clearance::Cleared]
        .into_iter()
        .enumerate()
    {
        store
            .add_screening(
                di.id,
                &NewScreening {
                    taken_at: at("2026-11-01T00:00:00Z") + (i as i64).hours(),
                    answers,
                    clearance,
                    result: serde_json::json!({"clearance": clearance}),
                },
            )
            .await
            .unwrap();
    }
    let latest = store.latest_screening(di.id).await.unwrap().unwrap();
    assert_eq!(latest.screening.clearance, Clearance::Cleared);
    assert_eq!(store.screenings(di.id).await.unwrap().len(), 2);
    assert!(
        store
            .screening(other.id, latest.id)
            .await
            .unwrap()
            .is_none()
    );

    let first = store
        .add_plan(di.id, &new_plan("2026-11-02"))
        .await
        .unwrap();
    assert!(first.plan.active);
    assert_eq!(first.sessions.len(), 12);
    assert_eq!(
        first.sessions[0].session,
        new_plan("2026-11-02").sessions[0]
    );
    let second = store
        .add_plan(di.id, &new_plan("2026-11-09"))
        .await
        .unwrap();
    let plans = store.plans(di.id).await.unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(
        plans.iter().filter(|p| p.active).count(),
        1,
        "a new plan ends the old one"
    );
    assert_eq!(
        store.active_plan(di.id).await.unwrap().unwrap().plan.id,
        second.plan.id
    );
    assert!(store.plan(other.id, first.plan.id).await.unwrap().is_none());
    let planned_id = second.sessions[0].id;
    assert!(
        store
            .planned_session(di.id, planned_id)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .planned_session(other.id, planned_id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.delete_plan(other.id, first.plan.id).await.unwrap());
    assert!(store.delete_plan(di.id, first.plan.id).await.unwrap());
    assert_eq!(store.plans(di.id).await.unwrap().len(), 1);
}

async fn sessions(store: &Arc<dyn Store>) {
    let fay = user(store, "fay@example.org").await;
    let other = user(store, "gus@example.org").await;
    let plan = store
        .add_plan(fay.id, &new_plan("2026-11-02"))
        .await
        .unwrap();
    // Two sessions share a start time: paging must still visit each exactly once.
    let starts = [
        "2026-11-02T07:00:00Z",
        "2026-11-03T07:00:00Z",
        "2026-11-03T07:00:00Z",
        "2026-11-05T23:30:00Z",
        "2026-11-10T07:00:00Z",
    ];
    let mut ids = Vec::new();
    for (i, s) in starts.iter().enumerate() {
        let mut e = entry(s, 300 + 60 * i as u32);
        e.plan_id = Some(plan.plan.id);
        e.planned_backward_seconds = Some(300);
        ids.push(store.add_session(fay.id, &e).await.unwrap().id);
    }
    let late = store.session(fay.id, ids[3]).await.unwrap().unwrap();
    assert_eq!(
        late.local_date.to_string(),
        "2026-11-06",
        "local date uses the walker's offset"
    );
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .sessions(
                fay.id,
                &SessionQuery {
                    from: None,
                    to: None,
                    after,
                    limit: 2,
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|s| s.id));
        match page.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    // Reversed ids already put the equal starts newest id first, as the store orders them.
    assert_eq!(seen, expected);
    let ranged = store
        .sessions(
            fay.id,
            &SessionQuery {
                from: Some(at("2026-11-03T00:00:00Z")),
                to: Some(at("2026-11-06T00:00:00Z")),
                after: None,
                limit: 50,
            },
        )
        .await
        .unwrap();
    assert_eq!(ranged.items.len(), 3);
    assert!(ranged.next.is_none());

    let days = store
        .daily_totals(
            fay.id,
            "2026-11-01".parse().unwrap(),
            "2026-11-30".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(days.len(), 4);
    assert_eq!(days[1].sessions, 2);
    assert_eq!(days[1].backward_seconds, 360 + 420);
    assert_eq!(days[1].rpe_sum, 24);
    assert!((days[1].kcal - 70.0).abs() < 1e-9);
    assert_eq!(
        store
            .plan_outcomes(fay.id, plan.plan.id)
            .await
            .unwrap()
            .len(),
        5
    );

    let mut changed = entry("2026-11-02T08:00:00Z", 900);
    changed.notes = "edited".into();
    let updated = store
        .update_session(fay.id, ids[0], &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.entry.notes.as_str(), updated.entry.backward_seconds),
        ("edited", 900)
    );
    assert!(
        store
            .update_session(other.id, ids[0], &changed)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.session(other.id, ids[0]).await.unwrap().is_none());
    assert!(!store.delete_session(other.id, ids[0]).await.unwrap());
    assert!(store.delete_session(fay.id, ids[0]).await.unwrap());
    assert!(store.session(fay.id, ids[0]).await.unwrap().is_none());
}

async fn sessions_logged_once_per_client_key(store: &Arc<dyn Store>) {
    let ivy = user(store, "ivy@example.org").await;
    let jon = user(store, "jon@example.org").await;
    let e = entry("2026-11-12T07:00:00Z", 300);
    let (first, created) = store.add_session_once(ivy.id, "k-1", &e).await.unwrap();
    assert!(created);
    // A retry with the same key finds the same session, even with a changed body.
    let retry = entry("2026-11-12T08:00:00Z", 999);
    let (again, created) = store.add_session_once(ivy.id, "k-1", &retry).await.unwrap();
    assert!(!created);
    assert_eq!(again, first);
    // Keys belong to their owner: another person's identical key logs their own session.
    let (theirs, created) = store.add_session_once(jon.id, "k-1", &e).await.unwrap();
    assert!(created && theirs.id != first.id);
    // Concurrent retries of one key make one session between them.
    let tries = (0..6).map(|_| {
        let store = Arc::clone(store);
        let e = e.clone();
        let id = ivy.id;
        tokio::spawn(async move { store.add_session_once(id, "k-2", &e).await.unwrap() })
    });
    let mut made = Vec::new();
    for t in tries {
        made.push(t.await.unwrap());
    }
    assert_eq!(made.iter().filter(|(_, created)| *created).count(), 1);
    assert!(made.windows(2).all(|w| w[0].0.id == w[1].0.id));
    // Motion recorded during a session: stored with its bytes, only for the owner, replaced on
    // a second upload, and gone with its session.
    let motion = |session_id| store::NewMotion {
        session_id,
        recorded_at: "2026-11-12T08:00:00Z".parse().unwrap(),
        samples: vec![1, 2, 3, 4, 0, 255],
        sample_count: 0,
        blocks: serde_json::json!([{"start_s": 0, "end_s": 60, "direction": "forward"}]),
        analysis: serde_json::json!({"total_steps": 0}),
        placement: Some("pocket".into()),
    };
    assert!(
        store
            .put_motion(jon.id, &motion(first.id))
            .await
            .unwrap()
            .is_none()
    );
    let stored = store
        .put_motion(ivy.id, &motion(first.id))
        .await
        .unwrap()
        .unwrap();
    let mut second = motion(first.id);
    second.samples = vec![9; 28];
    second.sample_count = 1;
    store.put_motion(ivy.id, &second).await.unwrap().unwrap();
    let read = store.motion(ivy.id, first.id).await.unwrap().unwrap();
    assert_eq!(
        read.motion.samples,
        vec![9; 28],
        "the second upload replaced the first"
    );
    assert_ne!(read.id, stored.id);
    assert_eq!(read.motion.placement.as_deref(), Some("pocket"));
    assert!(read.labels.is_empty());
    assert!(store.motion(jon.id, first.id).await.unwrap().is_none());
    // The person's answer for a block: only theirs, only with a recording, one per block.
    let label = |block, direction| store::MotionLabel {
        session_id: first.id,
        block,
        direction,
        labelled_at: "2026-11-12T09:00:00Z".parse().unwrap(),
    };
    assert!(
        !store
            .set_motion_label(jon.id, &label(1, Direction::Backward))
            .await
            .unwrap(),
        "another person's session"
    );
    assert!(
        !store
            .set_motion_label(
                ivy.id,
                &store::MotionLabel {
                    session_id: made[0].0.id,
                    ..label(0, Direction::Forward)
                }
            )
            .await
            .unwrap(),
        "a session without a recording"
    );
    for (block, direction) in [
        (1, Direction::Forward),
        (0, Direction::Forward),
        (1, Direction::Backward),
    ] {
        assert!(
            store
                .set_motion_label(ivy.id, &label(block, direction))
                .await
                .unwrap()
        );
    }
    let read = store.motion(ivy.id, first.id).await.unwrap().unwrap();
    assert_eq!(
        read.labels,
        vec![label(0, Direction::Forward), label(1, Direction::Backward)],
        "one answer per block, the latest, in block order"
    );
    // A repeated upload keeps the answers; without a placement it stores none.
    let mut third = motion(first.id);
    third.placement = None;
    let replaced = store.put_motion(ivy.id, &third).await.unwrap().unwrap();
    assert_eq!(replaced.labels.len(), 2);
    let read = store.motion(ivy.id, first.id).await.unwrap().unwrap();
    assert_eq!(read.labels.len(), 2);
    assert_eq!(read.motion.placement, None);
    // Deleting the session frees its key.
    assert!(store.delete_session(ivy.id, first.id).await.unwrap());
    assert!(store.motion(ivy.id, first.id).await.unwrap().is_none());
    let (_, created) = store.add_session_once(ivy.id, "k-1", &e).await.unwrap();
    assert!(created);
}

async fn assessments_export_and_deletion(store: &Arc<dyn Store>) {
    let hal = user(store, "hal@example.org").await;
    store
        .update_profile(hal.id, Units::Metric, Some(1950))
        .await
        .unwrap();
    store
        .set_body_mass(
            hal.id,
            "2026-10-01".parse().unwrap(),
            Some(BodyMass::from_kg(80.0).unwrap()),
            &|s, _| (s.entry.kcal, s.entry.energy.clone()),
        )
        .await
        .unwrap();
    store
        .add_screening(
            hal.id,
            &NewScreening {
                taken_at: at("2026-11-01T00:00:00Z"),
                answers: ScreeningAnswers::all_clear(coach::measure::Age::new(70).unwrap()),
                clearance: Clearance::Cleared,
                result: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
    let plan = store
        .add_plan(hal.id, &new_plan("2026-11-02"))
        .await
        .unwrap();
    let mut e = entry("2026-11-02T07:00:00Z", 300);
    e.plan_id = Some(plan.plan.id);
    store.add_session(hal.id, &e).await.unwrap();
    let a = store
        .add_assessment(
            hal.id,
            &NewAssessment {
                taken_at: at("2026-11-03T00:00:00Z"),
                kind: AssessmentKind::ThreeMbwt,
                value: 4.2,
                inputs: serde_json::json!({"seconds": 4.2}),
                result: serde_json::json!({"risk": "low"}),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.assessment(hal.id, a.id).await.unwrap().unwrap(), a);
    let other = user(store, "ida@example.org").await;
    assert!(store.assessment(other.id, a.id).await.unwrap().is_none());

    // Round trip: export, import into an empty account, export again: the same data.
    let exported = store.export(hal.id).await.unwrap().unwrap();
    let text = serde_json::to_string(&exported).unwrap();
    let parsed: Export = serde_json::from_str(&text).unwrap();
    store.import(other.id, &parsed).await.unwrap();
    let again = store.export(other.id).await.unwrap().unwrap();
    assert_eq!(again.profile, exported.profile);
    assert_eq!(again.body_masses, exported.body_masses);
    assert_eq!(again.profile.body_mass.map(BodyMass::kg), Some(80.0));
    assert_eq!(again.screenings.len(), 1);
    assert_eq!(
        again.plans[0].sessions.len(),
        exported.plans[0].sessions.len()
    );
    assert_eq!(
        again.sessions[0].entry.plan_id,
        Some(again.plans[0].plan.id),
        "plan links are remapped"
    );
    assert_eq!(
        again
            .sessions
            .iter()
            .map(|s| &s.entry.blocks)
            .collect::<Vec<_>>(),
        exported
            .sessions
            .iter()
            .map(|s| &s.entry.blocks)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        again.assessments[0].assessment,
        exported.assessments[0].assessment
    );
    assert!(matches!(
        store.import(other.id, &parsed).await,
        Err(StoreError::NotEmpty)
    ));

    // Deleting the account deletes everything it owned.
    assert!(store.delete_user(hal.id).await.unwrap());
    assert!(store.export(hal.id).await.unwrap().is_none());
    assert!(store.assessment(hal.id, a.id).await.unwrap().is_none());
    assert!(store.plan(hal.id, plan.plan.id).await.unwrap().is_none());
    assert!(store.screenings(hal.id).await.unwrap().is_empty());
}

/// Many writers at once (issue 13): none fails, and what holds one at a time holds together.
async fn concurrent_writes(store: &Arc<dyn Store>) {
    let kim = user(store, "kim@example.org").await;
    store
        .add_session(kim.id, &entry("2026-11-12T07:00:00Z", 60))
        .await
        .unwrap();
    let document = store.export(kim.id).await.unwrap().unwrap();
    let lee = user(store, "lee@example.org").await;
    let writers = (0..32).map(|i| {
        let store = Arc::clone(store);
        let (e, plan, document) = (
            entry("2026-11-13T07:00:00Z", 60),
            new_plan("2026-11-16"),
            document.clone(),
        );
        tokio::spawn(async move {
            match i % 4 {
                0 => store.add_plan(kim.id, &plan).await.map(|_| ()),
                1 => store
                    .add_session_once(kim.id, &format!("key-{}", i % 8), &e)
                    .await
                    .map(|_| ()),
                2 => store.add_session(kim.id, &e).await.map(|_| ()),
                _ => match store.import(lee.id, &document).await {
                    Err(StoreError::NotEmpty) => Ok(()),
                    other => other,
                },
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.unwrap().unwrap();
    }
    let plans = store.plans(kim.id).await.unwrap();
    assert_eq!(plans.len(), 8);
    assert_eq!(
        plans.iter().filter(|p| p.active).count(),
        1,
        "one active plan"
    );
    let all = SessionQuery {
        from: None,
        to: None,
        after: None,
        limit: 200,
    };
    // The first session, two keys once each, and eight unkeyed ones.
    assert_eq!(
        store.sessions(kim.id, &all).await.unwrap().items.len(),
        1 + 2 + 8
    );
    // Eight imports into one empty account: one of them took it.
    assert_eq!(
        store.sessions(lee.id, &all).await.unwrap().items.len(),
        1,
        "imported once"
    );
    // Uploads of one session's motion at once: each replaces the last, none fails.
    let session = store.sessions(lee.id, &all).await.unwrap().items[0].id;
    let uploads = (0..8).map(|i| {
        let store = Arc::clone(store);
        tokio::spawn(async move {
            let motion = store::NewMotion {
                session_id: session,
                recorded_at: "2026-11-12T08:00:00Z".parse().unwrap(),
                samples: vec![i],
                sample_count: 1,
                blocks: serde_json::json!([]),
                analysis: serde_json::json!({}),
                placement: None,
            };
            store.put_motion(lee.id, &motion).await.unwrap().unwrap()
        })
    });
    let mut stored = Vec::new();
    for u in uploads.collect::<Vec<_>>() {
        stored.push(u.await.unwrap().id);
    }
    let kept = store.motion(lee.id, session).await.unwrap().unwrap();
    assert!(stored.contains(&kept.id));
}

/// A calendar feed is found by its secret's hash, replaced by a new one, revoked, and gone with
/// its owner.
async fn calendar_feeds(store: &Arc<dyn Store>) {
    let di = user(store, "fy@example.org").await;
    let ed = user(store, "gu@example.org").await;
    assert!(store.calendar_feed(di.id).await.unwrap().is_none());
    let first = at("2026-11-22T12:00:00Z");
    store
        .set_calendar_feed(di.id, "feed1", first)
        .await
        .unwrap();
    assert_eq!(store.calendar_feed(di.id).await.unwrap(), Some(first));
    assert_eq!(
        store
            .user_by_calendar_feed("feed1")
            .await
            .unwrap()
            .unwrap()
            .id,
        di.id
    );
    let later = at("2026-11-23T12:00:00Z");
    store
        .set_calendar_feed(di.id, "feed2", later)
        .await
        .unwrap();
    assert!(
        store
            .user_by_calendar_feed("feed1")
            .await
            .unwrap()
            .is_none(),
        "replaced"
    );
    assert_eq!(store.calendar_feed(di.id).await.unwrap(), Some(later));
    assert!(
        store
            .set_calendar_feed(ed.id, "feed2", later)
            .await
            .is_err(),
        "a secret is one person's"
    );
    assert!(!store.delete_calendar_feed(ed.id).await.unwrap());
    assert!(store.delete_calendar_feed(di.id).await.unwrap());
    assert!(
        store
            .user_by_calendar_feed("feed2")
            .await
            .unwrap()
            .is_none()
    );
    store
        .set_calendar_feed(ed.id, "feed3", later)
        .await
        .unwrap();
    assert!(store.delete_user(ed.id).await.unwrap());
    assert!(
        store
            .user_by_calendar_feed("feed3")
            .await
            .unwrap()
            .is_none()
    );
}

/// A plan's sessions move to new dates with its details, for its owner only.
async fn plans_rescheduled(store: &Arc<dyn Store>) {
    let hy = user(store, "hy@example.org").await;
    let iz = user(store, "iz@example.org").await;
    let plan = store
        .add_plan(hy.id, &new_plan("2026-11-16"))
        .await
        .unwrap();
    let id = plan.plan.id;
    let details =
        serde_json::json!({"precautions": [], "schedule": {"days": ["tue"], "time": "07:30"}});
    let moved: Vec<(u32, jiff::civil::Date)> = vec![
        (2, "2026-11-24".parse().unwrap()),
        (3, "2026-12-01".parse().unwrap()),
    ];
    assert!(
        !store
            .reschedule_plan(iz.id, id, &details, &moved)
            .await
            .unwrap(),
        "not theirs"
    );
    assert!(
        store
            .reschedule_plan(hy.id, id, &details, &moved)
            .await
            .unwrap()
    );
    let again = store.plan(hy.id, id).await.unwrap().unwrap();
    assert_eq!(again.plan.details, details);
    let dates: Vec<String> = again.sessions[..4]
        .iter()
        .map(|s| s.session.date.to_string())
        .collect();
    assert_eq!(
        dates,
        ["2026-11-16", "2026-11-24", "2026-12-01", "2026-11-23"]
    );
    assert_eq!(
        again.sessions[1].session.backward_seconds,
        plan.sessions[1].session.backward_seconds
    );
}

/// Body mass is a dated history: the profile shows the latest, and a change re-estimates exactly
/// the sessions it applies to (from its day until the next entry), in one go.
async fn body_mass_history(store: &Arc<dyn Store>) {
    let mo = user(store, "mo@example.org").await;
    let day = |d: &str| -> jiff::civil::Date { d.parse().unwrap() };
    assert_eq!(store.first_session_day(mo.id).await.unwrap(), None);
    for started in [
        "2026-11-02T07:00:00Z",
        "2026-11-09T07:00:00Z",
        "2026-11-16T07:00:00Z",
    ] {
        let mut e = entry(started, 300);
        e.kcal = None;
        e.energy = serde_json::json!({"reason": "no body mass"});
        store.add_session(mo.id, &e).await.unwrap();
    }
    assert_eq!(
        store.first_session_day(mo.id).await.unwrap(),
        Some(day("2026-11-02"))
    );
    // The estimate names the mass in force, so that the test sees which one each session got.
    let estimate =
        |s: &LoggedSession, history: &[BodyMassEntry]| match body_mass_on(history, s.local_date) {
            Some(e) => (
                Some(e.mass.kg()),
                serde_json::json!({"body_mass_kg": e.mass.kg()}),
            ),
            None => (None, serde_json::json!({"reason": "none in force"})),
        };
    let kg = |k: f64| Some(BodyMass::from_kg(k).unwrap());
    let done = store
        .set_body_mass(mo.id, day("2026-11-09"), kg(80.0), &estimate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (done.sessions, done.until),
        (2, None),
        "the 9th and the 16th"
    );
    let done = store
        .set_body_mass(mo.id, day("2026-11-16"), kg(78.0), &estimate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((done.sessions, done.until), (1, None));
    // An earlier entry applies until the next one only.
    let done = store
        .set_body_mass(mo.id, day("2026-11-01"), kg(82.0), &estimate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((done.sessions, done.until), (1, Some(day("2026-11-09"))));
    let kcal = |store: Arc<dyn Store>| async move {
        let mut all = store
            .sessions(
                mo.id,
                &SessionQuery {
                    from: None,
                    to: None,
                    after: None,
                    limit: 10,
                },
            )
            .await
            .unwrap()
            .items;
        all.reverse();
        all.iter().map(|s| s.entry.kcal).collect::<Vec<_>>()
    };
    assert_eq!(
        kcal(store.clone()).await,
        vec![Some(82.0), Some(80.0), Some(78.0)]
    );
    assert_eq!(
        store.user(mo.id).await.unwrap().unwrap().profile.body_mass,
        kg(78.0),
        "the latest"
    );
    // A correction of the same day replaces it; removing it hands its sessions to the one before.
    store
        .set_body_mass(mo.id, day("2026-11-09"), kg(81.0), &estimate)
        .await
        .unwrap();
    assert_eq!(
        kcal(store.clone()).await,
        vec![Some(82.0), Some(81.0), Some(78.0)]
    );
    let done = store
        .set_body_mass(mo.id, day("2026-11-09"), None, &estimate)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.sessions, 1);
    assert_eq!(
        kcal(store.clone()).await,
        vec![Some(82.0), Some(82.0), Some(78.0)]
    );
    assert!(
        store
            .set_body_mass(mo.id, day("2026-11-09"), None, &estimate)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .body_masses(mo.id)
            .await
            .unwrap()
            .iter()
            .map(|e| e.from.to_string())
            .collect::<Vec<_>>(),
        vec!["2026-11-01", "2026-11-16"]
    );
    // Another person's history is theirs alone.
    let other = user(store, "nel@example.org").await;
    assert!(store.body_masses(other.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .user(other.id)
            .await
            .unwrap()
            .unwrap()
            .profile
            .body_mass,
        None
    );
}

/// A clinician's invite is accepted once, before it expires, never by its maker; the grant is the
/// walker's to revoke; the access log is the walker's to read; all go with the accounts.
async fn sharing_with_clinicians(store: &Arc<dyn Store>) {
    let cy = user(store, "cy-clinician@example.org").await;
    store.set_role(cy.id, Role::Clinician).await.unwrap();
    let wa = user(store, "wa-walker@example.org").await;
    let xo = user(store, "xo-walker@example.org").await;
    let made = at("2026-11-20T09:00:00Z");
    let expires = at("2026-11-27T09:00:00Z");
    let invite = |hash: &str| NewInvite {
        code_hash: hash.into(),
        created_at: made,
        expires_at: expires,
    };
    store.create_invite(cy.id, &invite("code1")).await.unwrap();
    assert!(
        store.create_invite(cy.id, &invite("code1")).await.is_err(),
        "a code is unique"
    );
    assert_eq!(store.open_invite_count(cy.id, made).await.unwrap(), 1);
    assert_eq!(
        store.open_invite_count(cy.id, expires).await.unwrap(),
        0,
        "expired"
    );
    assert_eq!(store.open_invite_count(wa.id, made).await.unwrap(), 0);
    let open = store.open_invite("code1", made).await.unwrap().unwrap();
    assert_eq!(open.clinician_id, cy.id);
    assert_eq!(open.clinician_email, "cy-clinician@example.org");
    assert!(
        store.open_invite("code1", expires).await.unwrap().is_none(),
        "expired"
    );
    assert!(store.open_invite("nope", made).await.unwrap().is_none());

    let scope = GrantScope::standard();
    let now = at("2026-11-21T10:00:00Z");
    assert!(
        store
            .accept_invite(cy.id, "code1", &scope, now)
            .await
            .unwrap()
            .is_none(),
        "nobody shares with themselves"
    );
    assert!(
        store
            .accept_invite(wa.id, "code1", &scope, expires)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let grant = store
        .accept_invite(wa.id, "code1", &scope, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((grant.walker_id, grant.clinician_id), (wa.id, cy.id));
    assert_eq!(grant.walker_email, "wa-walker@example.org");
    assert_eq!(grant.granted_at, now);
    assert_eq!(grant.revoked_at, None);
    assert_eq!(grant.scope, scope);
    assert!(
        store
            .accept_invite(xo.id, "code1", &scope, now)
            .await
            .unwrap()
            .is_none(),
        "used once"
    );
    assert!(store.open_invite("code1", now).await.unwrap().is_none());
    assert_eq!(
        store.open_invite_count(cy.id, now).await.unwrap(),
        0,
        "used"
    );

    // A second invite accepted by the same walker keeps the grant in force.
    store.create_invite(cy.id, &invite("code2")).await.unwrap();
    let again = store
        .accept_invite(wa.id, "code2", &scope, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, grant.id);
    store.create_invite(cy.id, &invite("code3")).await.unwrap();
    assert!(store.decline_invite(xo.id, "code3", now).await.unwrap());
    assert!(
        store
            .accept_invite(xo.id, "code3", &scope, now)
            .await
            .unwrap()
            .is_none(),
        "declined"
    );

    assert_eq!(
        store.active_grant(cy.id, wa.id).await.unwrap().unwrap().id,
        grant.id
    );
    assert!(store.active_grant(cy.id, xo.id).await.unwrap().is_none());
    assert!(
        store.active_grant(wa.id, cy.id).await.unwrap().is_none(),
        "not the other way round"
    );
    let walkers = store.clinician_grants(cy.id).await.unwrap();
    assert_eq!(walkers.len(), 1);
    assert_eq!(walkers[0].walker_id, wa.id);
    assert!(store.grants(xo.id).await.unwrap().is_empty());

    let entry = AccessEntry {
        clinician_id: Some(cy.id),
        clinician_email: cy.email.clone(),
        walker_id: wa.id,
        at: at("2026-11-21T11:00:00Z"),
        action: AccessAction::Read,
        what: "sessions".into(),
        route: "GET /api/v1/clinician/walkers/{id}/sessions".into(),
    };
    store.log_access(&entry).await.unwrap();
    let change = AccessEntry {
        at: at("2026-11-21T11:05:00Z"),
        action: AccessAction::Change,
        what: "plan 1".into(),
        ..entry.clone()
    };
    store.log_access(&change).await.unwrap();
    assert_eq!(
        store.access_log(wa.id, 10).await.unwrap(),
        vec![change.clone(), entry.clone()]
    );
    assert_eq!(
        store.access_log(wa.id, 1).await.unwrap(),
        vec![change.clone()]
    );
    assert!(
        store.access_log(xo.id, 10).await.unwrap().is_empty(),
        "one walker's log"
    );

    assert!(
        !store.revoke_grant(xo.id, grant.id, now).await.unwrap(),
        "not theirs"
    );
    let revoked = at("2026-11-22T08:00:00Z");
    assert!(store.revoke_grant(wa.id, grant.id, revoked).await.unwrap());
    assert!(
        store.active_grant(cy.id, wa.id).await.unwrap().is_none(),
        "at once"
    );
    assert!(store.clinician_grants(cy.id).await.unwrap().is_empty());
    assert!(store.revoke_grant(wa.id, grant.id, expires).await.unwrap());
    let listed = store.grants(wa.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].revoked_at,
        Some(revoked),
        "the first revocation's time stays"
    );

    // Sharing again after a revocation is a new grant.
    store.create_invite(cy.id, &invite("code4")).await.unwrap();
    let renewed = store
        .accept_invite(wa.id, "code4", &scope, revoked)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(renewed.id, grant.id);
    assert_eq!(store.grants(wa.id).await.unwrap().len(), 2);

    // The log outlives the clinician's account and says who it was; the walker's goes with them.
    assert!(store.delete_user(cy.id).await.unwrap());
    let log = store.access_log(wa.id, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].clinician_id, None);
    assert_eq!(log[0].clinician_email, "cy-clinician@example.org");
    assert!(store.grants(wa.id).await.unwrap().is_empty());
    assert!(store.delete_user(wa.id).await.unwrap());
    assert!(store.access_log(wa.id, 10).await.unwrap().is_empty());
}

/// Gates keep their history, alerts keep their first acknowledgement, one pause is in force at a
/// time, falls are kept with the session, and all of it goes with the walker's account.
async fn gates_alerts_and_pauses(store: &Arc<dyn Store>) {
    use coach::gates::{AlertKind, Gates, NearFallAction, PauseCause};
    let cy = user(store, "gates-clinician@example.org").await;
    let wa = user(store, "gates-walker@example.org").await;
    let xo = user(store, "gates-other@example.org").await;
    assert!(store.rules(wa.id).await.unwrap().is_none(), "built-in");

    let mut fell = entry("2026-11-20T08:00:00+01:00", 300);
    fell.near_falls = 1;
    fell.falls = 2;
    let session = store.add_session(wa.id, &fell).await.unwrap();
    assert_eq!(session.entry.falls, 2);
    assert_eq!(
        store
            .session(wa.id, session.id)
            .await
            .unwrap()
            .unwrap()
            .entry
            .falls,
        2
    );

    let first = store
        .set_rules(
            wa.id,
            &NewRules {
                gates: Gates::default(),
                set_by: cy.id,
                set_by_email: cy.email.clone(),
                set_at: at("2026-11-21T09:00:00Z"),
                reason: "first visit".into(),
            },
        )
        .await
        .unwrap();
    let mut settings = *Gates::default().settings();
    settings.near_fall = NearFallAction::PauseAndAlert;
    let stricter = Gates::try_from(settings).unwrap();
    store
        .set_rules(
            wa.id,
            &NewRules {
                gates: stricter,
                set_by: cy.id,
                set_by_email: cy.email.clone(),
                set_at: at("2026-11-22T09:00:00Z"),
                reason: "after the near-fall".into(),
            },
        )
        .await
        .unwrap();
    let now = store.rules(wa.id).await.unwrap().unwrap();
    assert_eq!(now.gates, stricter);
    assert_eq!(now.reason, "after the near-fall");
    assert_eq!(now.set_by, Some(cy.id));
    let history = store.rules_history(wa.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1], first);
    assert!(
        store.rules(xo.id).await.unwrap().is_none(),
        "only the walker's own"
    );

    let alert = store
        .raise_alert(&NewAlert {
            walker_id: wa.id,
            kind: AlertKind::Fall,
            session_id: Some(session.id),
            words: "Reported 2 falls".into(),
            raised_at: at("2026-11-20T08:40:00Z"),
        })
        .await
        .unwrap();
    assert_eq!(alert.acknowledged, None);
    assert_eq!(
        store.alerts(wa.id, true).await.unwrap(),
        vec![alert.clone()]
    );
    assert!(store.alerts(xo.id, false).await.unwrap().is_empty());
    let ack = Acknowledgement {
        by: Some(cy.id),
        by_email: cy.email.clone(),
        at: at("2026-11-21T10:00:00Z"),
        note: "called her: bruised, fine".into(),
    };
    assert!(
        store
            .acknowledge_alert(xo.id, alert.id, &ack)
            .await
            .unwrap()
            .is_none(),
        "not another walker's"
    );
    let acked = store
        .acknowledge_alert(wa.id, alert.id, &ack)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acked.acknowledged.as_ref(), Some(&ack));
    let mut later = ack.clone();
    later.at = at("2026-11-22T10:00:00Z");
    later.note = "again".into();
    let again = store
        .acknowledge_alert(wa.id, alert.id, &later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.acknowledged.as_ref(),
        Some(&ack),
        "the first acknowledgement stays"
    );
    assert!(store.alerts(wa.id, true).await.unwrap().is_empty());
    assert_eq!(store.alerts(wa.id, false).await.unwrap().len(), 1, "kept");

    assert!(store.progression_pause(wa.id).await.unwrap().is_none());
    let pause = NewPause {
        walker_id: wa.id,
        paused_at: at("2026-11-20T08:40:00Z"),
        local_date: jiff::civil::date(2026, 11, 20),
        why: PauseCause::Fall,
        session_id: Some(session.id),
    };
    let paused = store.pause_progression(&pause).await.unwrap();
    assert_eq!(paused.pause, pause);
    let mut second = pause.clone();
    second.why = PauseCause::NearFall;
    assert_eq!(
        store.pause_progression(&second).await.unwrap().id,
        paused.id,
        "one pause in force"
    );
    assert!(
        store
            .resume_progression(xo.id, &ack)
            .await
            .unwrap()
            .is_none()
    );
    let resumed = store
        .resume_progression(wa.id, &ack)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.resumed.as_ref(), Some(&ack));
    assert!(store.progression_pause(wa.id).await.unwrap().is_none());
    assert!(
        store
            .resume_progression(wa.id, &ack)
            .await
            .unwrap()
            .is_none()
    );
    assert_ne!(
        store.pause_progression(&second).await.unwrap().id,
        paused.id
    );

    // The clinician's account going keeps who set and acknowledged; the walker's takes it all.
    assert!(store.delete_user(cy.id).await.unwrap());
    let kept = store.rules(wa.id).await.unwrap().unwrap();
    assert_eq!(
        (kept.set_by, kept.set_by_email.as_str()),
        (None, "gates-clinician@example.org")
    );
    let alerts = store.alerts(wa.id, false).await.unwrap();
    assert_eq!(alerts[0].acknowledged.as_ref().map(|a| a.by), Some(None));
    assert!(store.delete_user(wa.id).await.unwrap());
    assert!(store.rules_history(wa.id).await.unwrap().is_empty());
    assert!(store.alerts(wa.id, false).await.unwrap().is_empty());
    assert!(store.progression_pause(wa.id).await.unwrap().is_none());
}

fn change(walker: Id, by: Id, kind: PlanChangeKind, reason: &str) -> NewPlanChange {
    NewPlanChange {
        walker_id: walker,
        changed_by: by,
        changed_at: at("2026-11-10T09:00:00Z"),
        kind,
        summary: "set a plan".into(),
        changes: serde_json::json!({"weekdays": "mon,wed,fri"}),
        reason: reason.into(),
    }
}

async fn prescribing(store: &Arc<dyn Store>) {
    let pw = user(store, "pw-walker@example.org").await;
    let pc = user(store, "pc-clinician@example.org").await;
    let other = user(store, "po-clinician@example.org").await;
    store.set_role(pc.id, Role::Clinician).await.unwrap();

    // Templates are the clinician's own.
    let made = store
        .create_template(
            pc.id,
            &NewTemplate {
                name: "Knee, gentle".into(),
                parameters: serde_json::json!({"protocol": "knee-oa-10min"}),
                at: at("2026-11-05T00:00:00Z"),
            },
        )
        .await
        .unwrap();
    assert_eq!(made.created_at, made.updated_at);
    assert_eq!(store.templates(pc.id).await.unwrap(), vec![made.clone()]);
    assert!(store.template(other.id, made.id).await.unwrap().is_none());
    let renamed = NewTemplate {
        name: "Knee, gentler".into(),
        parameters: serde_json::json!({"protocol": "knee-oa-10min", "start_minutes": 3}),
        at: at("2026-11-06T00:00:00Z"),
    };
    assert!(
        store
            .update_template(other.id, made.id, &renamed)
            .await
            .unwrap()
            .is_none()
    );
    let updated = store
        .update_template(pc.id, made.id, &renamed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.name, "Knee, gentler");
    assert_eq!(updated.created_at, made.created_at);
    assert_eq!(updated.updated_at, at("2026-11-06T00:00:00Z"));
    assert!(!store.delete_template(other.id, made.id).await.unwrap());

    // Assigning stores the plan and the change in one go; the plan becomes the active one.
    let mut plan = new_plan("2026-11-09");
    plan.author_id = Some(pc.id);
    let (stored, assigned) = store
        .assign_plan(
            pw.id,
            &plan,
            &change(pw.id, pc.id, PlanChangeKind::Assigned, "knee pain"),
        )
        .await
        .unwrap();
    assert_eq!(stored.plan.author_id, Some(pc.id));
    assert!(stored.plan.active);
    assert_eq!(assigned.plan_id, Some(stored.plan.id));
    assert_eq!(assigned.changed_by_email, "pc-clinician@example.org");
    assert_eq!(assigned.reason, "knee pain");

    // Adjusting keeps the sessions up to `keep` and replaces the rest.
    let before = stored.sessions.clone();
    let mut later: Vec<coach::plan::PlannedSession> =
        before[2..].iter().map(|s| s.session.clone()).collect();
    for s in &mut later {
        s.backward_seconds = 120;
    }
    let mut details = stored.plan.details.clone();
    details["rescheduled"] = 1.into();
    let adjusted = store
        .adjust_plan(
            pw.id,
            stored.plan.id,
            &PlanAdjustment {
                keep: 2,
                fields: stored.plan.fields.clone(),
                details: details.clone(),
                sessions: later.clone(),
                change: change(pw.id, pc.id, PlanChangeKind::Adjusted, "flare-up"),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(adjusted.kind, PlanChangeKind::Adjusted);
    let after = store.plan(pw.id, stored.plan.id).await.unwrap().unwrap();
    assert_eq!(after.sessions.len(), before.len());
    assert_eq!(after.sessions[..2], before[..2]);
    assert!(
        after.sessions[2..]
            .iter()
            .all(|s| s.session.backward_seconds == 120)
    );
    assert_eq!(after.plan.details["rescheduled"], 1);
    assert!(
        store
            .adjust_plan(
                other.id,
                stored.plan.id,
                &PlanAdjustment {
                    keep: 2,
                    fields: stored.plan.fields.clone(),
                    details: details.clone(),
                    sessions: later.clone(),
                    change: change(pw.id, pc.id, PlanChangeKind::Adjusted, "x")
                },
            )
            .await
            .unwrap()
            .is_none(),
        "only the walker's own plan"
    );
    let changes = store.plan_changes(pw.id).await.unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].reason, "flare-up", "newest first");

    // Notes go on the walker's own plan or session only.
    let session = store
        .add_session(pw.id, &entry("2026-11-09T08:00:00Z", 300))
        .await
        .unwrap();
    let on_plan = store
        .add_note(&NewNote {
            walker_id: pw.id,
            clinician_id: pc.id,
            target: NoteTarget::Plan(stored.plan.id),
            body: "Keep a wall in reach.".into(),
            at: at("2026-11-10T10:00:00Z"),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on_plan.clinician_email, "pc-clinician@example.org");
    let on_session = store
        .add_note(&NewNote {
            walker_id: pw.id,
            clinician_id: pc.id,
            target: NoteTarget::Session(session.id),
            body: "Well done.".into(),
            at: at("2026-11-10T11:00:00Z"),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on_session.target, NoteTarget::Session(session.id));
    let others_session = store
        .add_session(other.id, &entry("2026-11-09T08:00:00Z", 300))
        .await
        .unwrap();
    assert!(
        store
            .add_note(&NewNote {
                walker_id: pw.id,
                clinician_id: pc.id,
                target: NoteTarget::Session(others_session.id),
                body: "not theirs".into(),
                at: at("2026-11-10T11:00:00Z"),
            })
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.notes(pw.id).await.unwrap().len(), 2);
    assert!(
        store
            .update_note(
                other.id,
                pw.id,
                on_plan.id,
                "edited",
                at("2026-11-11T00:00:00Z")
            )
            .await
            .unwrap()
            .is_none(),
        "only the author edits"
    );
    let edited = store
        .update_note(
            pc.id,
            pw.id,
            on_plan.id,
            "edited",
            at("2026-11-11T00:00:00Z"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(edited.body, "edited");
    assert!(
        !store
            .delete_note(other.id, pw.id, on_session.id)
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_note(pc.id, pw.id, on_session.id)
            .await
            .unwrap()
    );
    assert_eq!(store.notes(pw.id).await.unwrap().len(), 1);

    // Everything goes with the clinician's account, and with the walker's.
    assert!(store.delete_user(pc.id).await.unwrap());
    assert!(store.templates(pc.id).await.unwrap().is_empty());
    assert!(store.plan_changes(pw.id).await.unwrap().is_empty());
    assert!(store.notes(pw.id).await.unwrap().is_empty());
    let pd = user(store, "pd-clinician@example.org").await;
    store
        .assign_plan(
            pw.id,
            &new_plan("2026-11-16"),
            &change(pw.id, pd.id, PlanChangeKind::Assigned, "again"),
        )
        .await
        .unwrap();
    assert!(store.delete_user(pw.id).await.unwrap());
    assert!(store.plan_changes(pw.id).await.unwrap().is_empty());
    assert!(store.delete_user(other.id).await.unwrap());
    assert!(store.delete_user(pd.id).await.unwrap());
}

/// The caseload's reads: only walkers with a grant in force, each with their active plan's
/// sessions, what was logged against it, the newest walking session, recent near-falls and the
/// newest 3MBWT; the batched access-log write; and the trends' pain and motion rows.
async fn caseload_reads(store: &Arc<dyn Store>) {
    let cy = user(store, "cl-clinician@example.org").await;
    store.set_role(cy.id, Role::Clinician).await.unwrap();
    let made = at("2026-11-20T09:00:00Z");
    let share = |walker: Id, code: &'static str| {
        let store = Arc::clone(store);
        async move {
            store
                .create_invite(
                    cy.id,
                    &NewInvite {
                        code_hash: code.into(),
                        created_at: made,
                        expires_at: at("2026-11-27T09:00:00Z"),
                    },
                )
                .await
                .unwrap();
            store
                .accept_invite(walker, code, &GrantScope::standard(), made)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let pam = user(store, "cl-pam@example.org").await;
    let quin = user(store, "cl-quin@example.org").await;
    let rex = user(store, "cl-rex@example.org").await;
    let sol = user(store, "cl-sol@example.org").await;
    assert!(
        store
            .caseload(cy.id, "2026-11-01".parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // Pam: a plan, two sessions against it (the second with a near-fall), an older plan-less
    // session, a run (not walking), and two 3MBWTs.
    let plan = store
        .add_plan(pam.id, &new_plan("2026-11-02"))
        .await
        .unwrap();
    let mut old = entry("2026-10-01T08:00:00Z", 100);
    old.near_falls = 3;
    store.add_session(pam.id, &old).await.unwrap();
    let mut first = entry("2026-11-02T08:00:00Z", 300);
    first.plan_id = Some(plan.plan.id);
    first.planned_backward_seconds = Some(300);
    store.add_session(pam.id, &first).await.unwrap();
    let mut second = entry("2026-11-04T08:00:00Z", 200);
    second.plan_id = Some(plan.plan.id);
    second.near_falls = 1;
    second.pain_after = Some(PainScore::new(6).unwrap());
    let second = store.add_session(pam.id, &second).await.unwrap();
    let mut run = entry("2026-11-05T08:00:00Z", 0);
    run.sport = coach::energy::Sport::Running;
    store.add_session(pam.id, &run).await.unwrap();
    for (taken, seconds) in [("2026-11-03T08:00:00Z", 6.0), ("2026-11-10T08:00:00Z", 4.0)] {
        store
            .add_assessment(
                pam.id,
                &NewAssessment {
                    taken_at: at(taken),
                    kind: AssessmentKind::ThreeMbwt,
                    value: seconds,
                    inputs: serde_json::json!({}),
                    result: serde_json::json!({"risk": "intermediate"}),
                },
            )
            .await
            .unwrap();
    }
    store
        .put_motion(
            pam.id,
            &NewMotion {
                session_id: second.id,
                recorded_at: at("2026-11-04T09:00:00Z"),
                samples: vec![],
                sample_count: 0,
                blocks: serde_json::json!([]),
                analysis: serde_json::json!({"total_steps": 42}),
                placement: None,
            },
        )
        .await
        .unwrap();
    share(pam.id, "cl-code-pam").await;
    // Quin shares and has nothing; Rex shared and revoked; Sol never shared.
    share(quin.id, "cl-code-quin").await;
    let rex_grant = share(rex.id, "cl-code-rex").await;
    store
        .add_session(rex.id, &entry("2026-11-04T08:00:00Z", 60))
        .await
        .unwrap();
    store
        .add_session(sol.id, &entry("2026-11-04T08:00:00Z", 60))
        .await
        .unwrap();
    assert!(
        store
            .revoke_grant(rex.id, rex_grant.id, made)
            .await
            .unwrap()
    );

    let caseload = store
        .caseload(cy.id, "2026-11-03".parse().unwrap())
        .await
        .unwrap();
    let who: Vec<&str> = caseload
        .iter()
        .map(|w| w.grant.walker_email.as_str())
        .collect();
    assert_eq!(who, ["cl-pam@example.org", "cl-quin@example.org"]);
    let p = &caseload[0];
    assert_eq!(p.plan, Some(plan.plan.id));
    assert_eq!(p.planned.len(), plan.sessions.len());
    assert_eq!(p.planned[0].date, plan.sessions[0].session.date);
    assert_eq!(
        p.planned[0].backward_seconds,
        plan.sessions[0].session.backward_seconds
    );
    let walked: Vec<(Option<u32>, u32)> = p
        .logged
        .iter()
        .map(|o| (o.planned_backward_seconds, o.backward_seconds))
        .collect();
    assert_eq!(
        walked,
        [(Some(300), 300), (None, 200)],
        "oldest first, this plan only"
    );
    let latest = p.latest.unwrap();
    assert_eq!(
        latest.local_date,
        "2026-11-04".parse().unwrap(),
        "the run is not a walk"
    );
    assert_eq!(
        (latest.near_falls, latest.pain_after.map(|p| p.value())),
        (1, Some(6))
    );
    assert_eq!(p.recent_near_falls, 1, "October's are not recent");
    assert_eq!(
        p.three_mbwt.as_ref().unwrap().assessment.value,
        4.0,
        "the newest"
    );
    let q = &caseload[1];
    assert_eq!(
        (
            q.plan,
            q.planned.len(),
            q.logged.len(),
            q.latest,
            q.recent_near_falls,
            q.three_mbwt.is_none()
        ),
        (None, 0, 0, None, 0, true)
    );

    // The batch is written whole.
    let line = |walker: Id| AccessEntry {
        clinician_id: Some(cy.id),
        clinician_email: "cl-clinician@example.org".into(),
        walker_id: walker,
        at: made,
        action: AccessAction::Read,
        what: "caseload summary".into(),
        route: "GET /walkers".into(),
    };
    store
        .log_accesses(&[line(pam.id), line(quin.id)])
        .await
        .unwrap();
    store.log_accesses(&[]).await.unwrap();
    for w in [pam.id, quin.id] {
        let log = store.access_log(w, 5).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].what, "caseload summary");
    }
    assert!(
        store
            .log_accesses(&[line(pam.id), line(9_999_999)])
            .await
            .is_err(),
        "an unknown walker fails the batch"
    );
    assert_eq!(
        store.access_log(pam.id, 5).await.unwrap().len(),
        1,
        "and writes none of it"
    );

    // Trend rows: sessions with pain (oldest first, the newest `limit`), and motion analyses.
    let rows = store.trend_rows(pam.id, 3).await.unwrap();
    let days: Vec<String> = rows
        .pains
        .iter()
        .map(|p| p.local_date.to_string())
        .collect();
    assert_eq!(days, ["2026-11-02", "2026-11-04", "2026-11-05"]);
    assert_eq!(rows.analyses.len(), 1);
    assert_eq!(rows.analyses[0].session_id, second.id);
    assert_eq!(rows.analyses[0].analysis["total_steps"], 42);
    assert_eq!(store.trend_rows(sol.id, 3).await.unwrap().analyses.len(), 0);
}

/// The summary version: every write that can change a walker's progress summary bumps theirs
/// (read with their token in the same query, or alone), and only theirs; other writes leave
/// it; concurrent writers each bump it once, none is lost.
async fn summary_versions(store: &Arc<dyn Store>) {
    let vi = user(store, "summary-walker@example.org").await;
    let wu = user(store, "summary-other@example.org").await;
    store
        .create_token(
            vi.id,
            &NewToken {
                name: "phone".into(),
                token_hash: "summary-token".into(),
                created_at: at("2026-11-20T08:00:00Z"),
                scope: TokenScope::Full,
            },
        )
        .await
        .unwrap();
    let version = || async {
        let by_token = store.token_caller("summary-token").await.unwrap().unwrap();
        assert_eq!(by_token.user.id, vi.id);
        assert_eq!(by_token.scope, TokenScope::Full);
        let alone = store.summary_version(vi.id).await.unwrap().unwrap();
        assert_eq!(by_token.summary_version, alone, "one version, however read");
        alone
    };
    let other = store.summary_version(wu.id).await.unwrap().unwrap();
    assert!(store.summary_version(-1).await.unwrap().is_none());
    let mut seen = version().await;
    assert_eq!(seen, 0, "nothing written yet");
    let mut bumped = |now: i64, what: &str| {
        assert!(
            now > seen,
            "{what} must bump the summary version ({seen} -> {now})"
        );
        seen = now;
    };

    let logged = store
        .add_session(vi.id, &entry("2026-11-20T07:00:00Z", 300))
        .await
        .unwrap();
    bumped(version().await, "logging a session");
    store
        .update_session(vi.id, logged.id, &entry("2026-11-20T07:00:00Z", 360))
        .await
        .unwrap()
        .unwrap();
    bumped(version().await, "editing a session");
    store
        .set_body_mass(
            vi.id,
            "2026-11-01".parse().unwrap(),
            Some(BodyMass::from_kg(70.0).unwrap()),
            &|s, _| (Some(40.0), s.entry.energy.clone()),
        )
        .await
        .unwrap();
    bumped(version().await, "a body mass that estimates sessions again");
    assert!(store.delete_session(vi.id, logged.id).await.unwrap());
    bumped(version().await, "deleting a session");
    let plan = store
        .add_plan(vi.id, &new_plan("2026-11-23"))
        .await
        .unwrap();
    bumped(version().await, "a new plan");
    let moved = [(1, "2026-11-24".parse().unwrap())];
    assert!(
        store
            .reschedule_plan(
                vi.id,
                plan.plan.id,
                &serde_json::json!({"rescheduled": 1}),
                &moved
            )
            .await
            .unwrap()
    );
    bumped(version().await, "moving a plan's sessions");
    store
        .set_rules(
            vi.id,
            &NewRules {
                gates: coach::gates::Gates::default(),
                set_by: wu.id,
                set_by_email: wu.email.clone(),
                set_at: at("2026-11-21T09:00:00Z"),
                reason: "check".into(),
            },
        )
        .await
        .unwrap();
    bumped(version().await, "new progression rules");
    store
        .pause_progression(&NewPause {
            walker_id: vi.id,
            paused_at: at("2026-11-21T10:00:00Z"),
            local_date: "2026-11-21".parse().unwrap(),
            why: coach::gates::PauseCause::Fall,
            session_id: None,
        })
        .await
        .unwrap();
    bumped(version().await, "a pause");
    store
        .resume_progression(
            vi.id,
            &Acknowledgement {
                by: Some(wu.id),
                by_email: wu.email.clone(),
                at: at("2026-11-22T10:00:00Z"),
                note: "fine".into(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    bumped(version().await, "resuming");
    assert!(store.delete_plan(vi.id, plan.plan.id).await.unwrap());
    bumped(version().await, "deleting a plan");

    // Writes the summary does not read leave it.
    store
        .create_web_session(&WebSession {
            id_hash: "summary-session".into(),
            user_id: vi.id,
            csrf_token: "csrf".into(),
            created_at: at("2026-11-22T12:00:00Z"),
            expires_at: at("2026-12-22T12:00:00Z"),
        })
        .await
        .unwrap();
    assert_eq!(version().await, seen, "a sign-in is not progress");
    assert_eq!(
        store.summary_version(wu.id).await.unwrap().unwrap(),
        other,
        "another walker's version is theirs alone"
    );

    // Concurrent writers: each bumps once and none is lost.
    let writers = (0..32).map(|i| {
        let store = Arc::clone(store);
        let e = entry("2026-11-25T07:00:00Z", 60);
        tokio::spawn(async move {
            if i % 2 == 0 {
                store.add_session(vi.id, &e).await.map(|_| ())
            } else {
                store
                    .add_session_once(vi.id, &format!("summary-key-{i}"), &e)
                    .await
                    .map(|_| ())
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.unwrap().unwrap();
    }
    assert_eq!(version().await, seen + 32);
}

async fn all_stories(store: Arc<dyn Store>) {
    caseload_reads(&store).await;
    prescribing(&store).await;
    gates_alerts_and_pauses(&store).await;
    sharing_with_clinicians(&store).await;
    body_mass_history(&store).await;
    accounts(&store).await;
    credentials(&store).await;
    calendar_feeds(&store).await;
    plans_rescheduled(&store).await;
    screenings_and_plans(&store).await;
    sessions(&store).await;
    sessions_logged_once_per_client_key(&store).await;
    assessments_export_and_deletion(&store).await;
    concurrent_writes(&store).await;
    summary_versions(&store).await;
}

#[tokio::test]
async fn sqlite_passes_the_stories() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/folder/test.db").display()
    );
    let store = store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    all_stories(store).await;
    // Opening again runs no migration twice and keeps the data.
    let reopened = store::connect(&url).await.unwrap();
    assert!(
        reopened
            .user_by_email("ann@example.org")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn postgres_passes_the_stories() {
    let server = pg::Postgres::start();
    let url = server.database("conformance");
    let store = store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    all_stories(store).await;
    let reopened = store::connect(&url).await.unwrap();
    assert!(
        reopened
            .user_by_email("ann@example.org")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn urls_other_than_sqlite_and_postgres_are_refused() {
    let err = store::connect("mysql://x").await.err().unwrap();
    assert!(
        err.to_string()
            .contains("expected sqlite://PATH or postgres://"),
        "{err}"
    );
}

#[tokio::test]
async fn sqlite_backup_is_a_working_copy() {
    let dir = tempfile::tempdir().unwrap();
    let live = store::sqlite::SqliteStore::open(&dir.path().join("live.db"))
        .await
        .unwrap();
    let live_dyn: Arc<dyn Store> = Arc::new(live.clone());
    user(&live_dyn, "kim@example.org").await;
    let copy = dir.path().join("copy.db");
    live.backup_to(&copy).await.unwrap();
    let restored = store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert!(
        restored
            .user_by_email("kim@example.org")
            .await
            .unwrap()
            .is_some()
    );
}
