//! The clinician's caseload (issue 15): every walker with a grant in force, with adherence over
//! the last 7 and 28 days, the latest session's pain, effort and near-falls, the last 3MBWT and
//! its band, and flags, the walkers who need attention first.
//!
//! The store reads the whole caseload in a fixed number of queries ([`store::Store::caseload`]);
//! adherence is computed here by the progress summary's own rule
//! ([`progress::dose_and_walked`]). Each walker listed is a read of their data: one line per
//! walker goes to their access log, all in one transaction, before the answer leaves.

use crate::AppState;
use crate::api::progress;
use crate::auth::Caller;
use crate::problem::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use coach::assessment::FallRisk;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use store::{AccessAction, AccessEntry, CaseloadWalker, Id, Role, SharedData};
use utoipa::ToSchema;

/// Days a near-fall keeps its flag.
pub(crate) const NEAR_FALL_DAYS: i64 = 14;
/// A rise of pain from before to after the last session that is flagged (0-10 scale): the
/// figure issue 15 sets, not one from the literature.
pub(crate) const PAIN_RISE: i16 = 2;
/// Planned sessions missed in the last 7 days that are flagged.
pub(crate) const MISSED_SESSIONS: usize = 2;
/// 28-day adherence below this share is flagged.
pub(crate) const LOW_ADHERENCE: f64 = 0.5;
/// What the access log says was read.
pub(crate) const WHAT: &str = "caseload summary (adherence, latest session, last 3MBWT)";

/// Why a walker may need attention. A list the alerts of issue 15 extend (an open alert will be
/// one more kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Flag {
    /// Alerts raised for the walker (a near-fall, a fall, a pain rise, missed sessions) that
    /// no clinician has acknowledged yet.
    OpenAlerts,
    /// A near-fall or a fall reported in the last 14 days.
    NearFall,
    /// 3MBWT in the high fall-risk band.
    HighFallRisk,
    /// Pain after the last session at least 2 points above pain before it.
    PainRise,
    /// At least 2 planned sessions of the last 7 days not logged.
    MissedSessions,
    /// Adherence over 28 days under 50%.
    LowAdherence,
    /// No active plan.
    NoPlan,
}

impl Flag {
    /// In words, for the page.
    pub(crate) fn in_words(self) -> &'static str {
        match self {
            Flag::OpenAlerts => "alerts not yet acknowledged",
            Flag::NearFall => "near-fall or fall in the last 14 days",
            Flag::HighFallRisk => "3MBWT in the high fall-risk band",
            Flag::PainRise => "pain rose by 2 or more in the last session",
            Flag::MissedSessions => "2 or more planned sessions missed this week",
            Flag::LowAdherence => "adherence under 50% over 28 days",
            Flag::NoPlan => "no plan",
        }
    }

    /// How much it weighs in the attention score: safety first.
    fn weight(self) -> u32 {
        match self {
            Flag::OpenAlerts => 200,
            Flag::NearFall | Flag::HighFallRisk => 100,
            Flag::PainRise => 50,
            Flag::MissedSessions | Flag::LowAdherence => 20,
            Flag::NoPlan => 10,
        }
    }
}

/// Adherence over a window of days: backward time walked against the planned dose due.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub(crate) struct WindowAdherence {
    /// Backward seconds due in the window (each session at its dose).
    pub(crate) backward_seconds_due: u64,
    /// Backward seconds walked in those sessions, each counted up to its dose.
    pub(crate) backward_seconds_walked: u64,
    /// walked / due, at most 1; null when nothing was due.
    pub(crate) share: Option<f64>,
}

/// The newest walking session.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub(crate) struct LatestView {
    /// Its local day.
    #[schema(value_type = String, format = Date)]
    pub(crate) date: Date,
    /// Borg RPE 6-20, null when not given.
    #[schema(minimum = 6, maximum = 20)]
    pub(crate) rpe: Option<u8>,
    /// Pain before, 0-10, null when not given.
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_before: Option<u8>,
    /// Pain after, 0-10, null when not given.
    #[schema(minimum = 0, maximum = 10)]
    pub(crate) pain_after: Option<u8>,
    /// Near-falls in it.
    pub(crate) near_falls: u8,
}

/// The newest 3MBWT.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct ThreeMbwtView {
    /// When it was taken.
    #[schema(value_type = String, format = DateTime)]
    pub(crate) taken_at: jiff::Timestamp,
    /// The time, seconds.
    pub(crate) seconds: f64,
    /// Fall-risk band by the population's published cut-off.
    #[schema(schema_with = crate::api::schema::fall_risk)]
    pub(crate) risk: FallRisk,
}

/// One walker of the caseload.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct CaseloadEntry {
    /// The walker's account id, for `/api/v1/clinician/walkers/{id}/...`.
    pub(crate) id: Id,
    /// The walker's email.
    pub(crate) email: String,
    /// Adherence over the last 7 days (today included); null without a plan.
    pub(crate) adherence_7d: Option<WindowAdherence>,
    /// Adherence over the last 28 days; null without a plan.
    pub(crate) adherence_28d: Option<WindowAdherence>,
    /// The newest walking session, null when none is logged.
    pub(crate) latest_session: Option<LatestView>,
    /// Near-falls and falls in the last 14 days.
    pub(crate) near_falls_14d: u32,
    /// Planned sessions before today with no session logged against the plan (0 without a
    /// plan): what the missed-sessions gate counts.
    pub(crate) missed_sessions: u32,
    /// The newest 3MBWT, null when none was taken.
    pub(crate) three_mbwt: Option<ThreeMbwtView>,
    /// Why the walker may need attention, most serious first.
    pub(crate) flags: Vec<Flag>,
    /// The caseload's order: higher first (flags by weight), then lower 28-day adherence.
    pub(crate) attention: u32,
}

/// The adherence over the days from `from` to `today`, by the progress summary's rule.
fn window(walker: &CaseloadWalker, from: Date, today: Date) -> (WindowAdherence, usize) {
    let doses: Vec<u32> = walker.planned.iter().map(|p| p.backward_seconds).collect();
    let first = walker.planned.iter().filter(|p| p.date < from).count();
    let last = walker.planned.iter().filter(|p| p.date <= today).count();
    let (due, walked) =
        progress::dose_and_walked(&doses, first..last.max(walker.logged.len()), &walker.logged);
    // Planned sessions in the window with no logged session to answer them.
    let missed = last.saturating_sub(first.max(walker.logged.len().min(last)));
    (
        WindowAdherence {
            backward_seconds_due: due,
            backward_seconds_walked: walked,
            share: progress::share(due, walked),
        },
        missed,
    )
}

/// One walker's line, as of `today` (UTC).
pub(crate) fn entry(walker: &CaseloadWalker, today: Date) -> CaseloadEntry {
    let mut flags = Vec::new();
    let (week, month) = if walker.plan.is_some() {
        let (week, missed) = window(walker, today.saturating_sub(6.days()), today);
        let (month, _) = window(walker, today.saturating_sub(27.days()), today);
        if missed >= MISSED_SESSIONS {
            flags.push(Flag::MissedSessions);
        }
        if month.share.is_some_and(|s| s < LOW_ADHERENCE) {
            flags.push(Flag::LowAdherence);
        }
        (Some(week), Some(month))
    } else {
        flags.push(Flag::NoPlan);
        (None, None)
    };
    let latest = walker.latest.map(|s| LatestView {
        date: s.local_date,
        rpe: s.rpe.map(|r| r.value()),
        pain_before: s.pain_before.map(|p| p.value()),
        pain_after: s.pain_after.map(|p| p.value()),
        near_falls: s.near_falls,
    });
    if walker.recent_near_falls > 0 {
        flags.push(Flag::NearFall);
    }
    if let Some(LatestView {
        pain_before: Some(before),
        pain_after: Some(after),
        ..
    }) = latest
        && i16::from(after) - i16::from(before) >= PAIN_RISE
    {
        flags.push(Flag::PainRise);
    }
    let three_mbwt = walker.three_mbwt.as_ref().map(|a| ThreeMbwtView {
        taken_at: a.assessment.taken_at,
        seconds: a.assessment.value,
        // Read off the stored result: the band the walker was shown with the population's
        // cut-off; a result this version cannot read is not classified.
        risk: a
            .assessment
            .result
            .get("risk")
            .cloned()
            .and_then(|r| serde_json::from_value(r).ok())
            .unwrap_or(FallRisk::NotClassified),
    });
    if three_mbwt
        .as_ref()
        .is_some_and(|t| t.risk == FallRisk::High)
    {
        flags.push(Flag::HighFallRisk);
    }
    flags.sort();
    let attention = flags.iter().map(|f| f.weight()).sum();
    CaseloadEntry {
        id: walker.grant.walker_id,
        email: walker.grant.walker_email.clone(),
        adherence_7d: week,
        adherence_28d: month,
        latest_session: latest,
        near_falls_14d: walker.recent_near_falls,
        missed_sessions: u32::try_from(
            walker
                .planned
                .iter()
                .filter(|p| p.date < today)
                .count()
                .saturating_sub(walker.logged.len()),
        )
        .unwrap_or(u32::MAX),
        three_mbwt,
        flags,
        attention,
    }
}

/// The caseload's order: more attention first, then lower 28-day adherence (none, no plan,
/// before any), then by email so that the order is stable.
pub(crate) fn sort(entries: &mut [CaseloadEntry]) {
    entries.sort_by(|a, b| {
        let share = |e: &CaseloadEntry| e.adherence_28d.and_then(|w| w.share).unwrap_or(-1.0);
        b.attention
            .cmp(&a.attention)
            .then(share(a).total_cmp(&share(b)))
            .then_with(|| a.email.cmp(&b.email))
    });
}

/// The caller's caseload, sorted, every walker's read logged (from `route`) before it is
/// returned; for the API and the Walkers page.
pub(crate) async fn read_caseload(
    state: &AppState,
    caller: &Caller,
    route: &str,
) -> Result<Vec<CaseloadEntry>, ApiError> {
    caller.require(&[Role::Clinician])?;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let walkers = state
        .store
        .caseload(
            caller.id(),
            today.saturating_sub((NEAR_FALL_DAYS - 1).days()),
        )
        .await?;
    // The summary reads sessions, plans and assessments: a grant that shares less is not
    // summarised here (the walker's own pages still follow its scope).
    let mut entries: Vec<CaseloadEntry> = walkers
        .iter()
        .filter(|w| {
            [
                SharedData::Sessions,
                SharedData::Plans,
                SharedData::Assessments,
            ]
            .into_iter()
            .all(|d| w.grant.scope.reads(d))
        })
        .map(|w| entry(w, today))
        .collect();
    let log: Vec<AccessEntry> = entries
        .iter()
        .map(|e| AccessEntry {
            clinician_id: Some(caller.id()),
            clinician_email: caller.user.email.clone(),
            walker_id: e.id,
            at: now,
            action: AccessAction::Read,
            what: WHAT.to_string(),
            route: route.to_string(),
        })
        .collect();
    state.store.log_accesses(&log).await?;
    // Open alerts (from the gates) come first of all: one small indexed read per walker.
    for e in &mut entries {
        if !state.store.alerts(e.id, true).await?.is_empty() {
            e.flags.insert(0, Flag::OpenAlerts);
            e.attention += Flag::OpenAlerts.weight();
        }
    }
    sort(&mut entries);
    Ok(entries)
}

/// The caller's caseload (clinicians only): every walker with a grant in force, those who need
/// attention first. Each walker listed is written to their access log.
#[utoipa::path(get, path = "/api/v1/clinician/caseload", responses((status = 200, body = [CaseloadEntry]), (status = 403, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn caseload(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CaseloadEntry>>, ApiError> {
    read_caseload(&state, &caller, "GET /api/v1/clinician/caseload")
        .await
        .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::{GrantScope, PlanOutcome, PlannedDose};

    fn walker(planned: &[(&str, u32)], logged: &[u32]) -> CaseloadWalker {
        CaseloadWalker {
            grant: store::Grant {
                id: 1,
                walker_id: 2,
                walker_email: "w@example.org".into(),
                clinician_id: 3,
                clinician_email: "c@example.org".into(),
                granted_at: jiff::Timestamp::UNIX_EPOCH,
                revoked_at: None,
                scope: GrantScope::standard(),
            },
            plan: Some(9),
            planned: planned
                .iter()
                .map(|(d, s)| PlannedDose {
                    date: d.parse().unwrap(),
                    backward_seconds: *s,
                })
                .collect(),
            logged: logged
                .iter()
                .map(|s| PlanOutcome {
                    planned_backward_seconds: None,
                    backward_seconds: *s,
                    rpe: None,
                    pain_before: None,
                    pain_after: None,
                    near_falls: 0,
                    felt_safe: true,
                })
                .collect(),
            latest: None,
            recent_near_falls: 0,
            three_mbwt: None,
        }
    }

    #[test]
    fn windows_count_the_sessions_due_in_them_at_their_dose() {
        let today: Date = "2026-12-03".parse().unwrap();
        // Two sessions long ago (both walked), two this week (one walked, half of it).
        let w = walker(
            &[
                ("2026-10-01", 300),
                ("2026-10-03", 300),
                ("2026-12-01", 600),
                ("2026-12-02", 600),
                ("2026-12-10", 600),
            ],
            &[300, 300, 300],
        );
        let e = entry(&w, today);
        let week = e.adherence_7d.unwrap();
        assert_eq!(
            (week.backward_seconds_due, week.backward_seconds_walked),
            (1200, 300)
        );
        assert_eq!(week.share, Some(0.25));
        assert_eq!(e.flags, [Flag::LowAdherence]);
    }

    #[test]
    fn two_missed_sessions_this_week_are_flagged_and_no_plan_is_a_flag() {
        let today: Date = "2026-12-03".parse().unwrap();
        let w = walker(&[("2026-12-01", 600), ("2026-12-02", 600)], &[]);
        let e = entry(&w, today);
        assert_eq!(e.flags, [Flag::MissedSessions, Flag::LowAdherence]);
        let mut none = walker(&[], &[]);
        none.plan = None;
        let e = entry(&none, today);
        assert_eq!(
            (e.flags.as_slice(), e.adherence_7d),
            ([Flag::NoPlan].as_slice(), None)
        );
    }

    proptest::proptest! {
        /// Whatever was planned and logged: a window never counts more walked than due, its
        /// share stays within 0-1, the 7-day window never holds more than the 28-day one, and
        /// the order puts no walker above one with more attention.
        #[test]
        fn windows_stay_within_their_dose_and_the_order_follows_attention(
            plan in proptest::collection::vec((0i64..60, 0u32..1200), 0..40),
            logged in proptest::collection::vec(0u32..2400, 0..40),
            near_falls in 0u32..3,
        ) {
            let today: Date = "2026-12-03".parse().unwrap();
            let mut dates: Vec<(String, u32)> = plan
                .iter()
                .map(|(back, s)| (today.saturating_sub(back.days()).to_string(), *s))
                .collect();
            dates.sort();
            let planned: Vec<(&str, u32)> = dates.iter().map(|(d, s)| (d.as_str(), *s)).collect();
            let mut w = walker(&planned, &logged);
            w.recent_near_falls = near_falls;
            let e = entry(&w, today);
            let (week, month) = (e.adherence_7d.unwrap(), e.adherence_28d.unwrap());
            for window in [week, month] {
                proptest::prop_assert!(window.backward_seconds_walked <= window.backward_seconds_due);
                proptest::prop_assert!(window.share.is_none_or(|s| (0.0..=1.0).contains(&s)));
            }
            proptest::prop_assert!(week.backward_seconds_due <= month.backward_seconds_due);
            proptest::prop_assert_eq!(e.flags.contains(&Flag::NearFall), near_falls > 0);
            let mut calm = walker(&[], &[]);
            calm.grant.walker_email = "calm@example.org".into();
            let mut entries = vec![entry(&calm, today), e];
            sort(&mut entries);
            proptest::prop_assert!(entries[0].attention >= entries[1].attention);
        }
    }

    #[test]
    fn flagged_walkers_come_first_then_the_least_adherent() {
        let today: Date = "2026-12-03".parse().unwrap();
        let mut near = walker(&[("2026-12-01", 600)], &[600]);
        near.recent_near_falls = 1;
        near.grant.walker_email = "z@example.org".into();
        let mut half = walker(&[("2026-12-01", 600)], &[300]);
        half.grant.walker_email = "b@example.org".into();
        let mut full = walker(&[("2026-12-01", 600)], &[600]);
        full.grant.walker_email = "a@example.org".into();
        let mut entries: Vec<_> = [&full, &half, &near].map(|w| entry(w, today)).into();
        sort(&mut entries);
        let order: Vec<&str> = entries.iter().map(|e| e.email.as_str()).collect();
        assert_eq!(order, ["z@example.org", "b@example.org", "a@example.org"]);
        assert_eq!(entries[0].flags, [Flag::NearFall]);
    }
}
