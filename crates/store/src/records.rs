//! What the store keeps, as typed records. Coach value types are used wherever they exist so a
//! record read back is valid by construction; documents the coach produced for display (a
//! screening's reasons, a plan's rules) are kept as JSON as they were shown.

use coach::energy::{Direction, Sport};
use coach::measure::{BodyMass, Grade, PainScore, Rpe, TravelSpeed};
use coach::plan::{DaysPerWeek, Level, PlannedSession, Setting, Units, Weeks};
use coach::protocol::Goal;
use coach::screening::{Clearance, ScreeningAnswers};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A row id. Ids are only ever looked up together with their owner's id.
pub type Id = i64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Someone walking for themselves.
    Person,
    /// A physical therapist or coach.
    Clinician,
    /// Runs the server.
    Admin,
}

impl Role {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Person => "person",
            Role::Clinician => "clinician",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Everything its account may do.
    #[default]
    Full,
    /// Only the clinician routes (`/api/v1/clinician/...`), reading and changing: for a
    /// clinic's own tools, which then cannot touch the clinician's own walking record.
    Clinician,
    /// Only reading the clinician routes: for reports and exports.
    ClinicianRead,
}

impl TokenScope {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Full => "full",
            TokenScope::Clinician => "clinician",
            TokenScope::ClinicianRead => "clinician_read",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token scope that is not one of `full`, `clinician`, `clinician_read`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token scope {0:?} is not known: expected full, clinician or clinician_read")]
pub struct UnknownTokenScope(pub String);

impl std::str::FromStr for TokenScope {
    type Err = UnknownTokenScope;

    fn from_str(s: &str) -> Result<Self, UnknownTokenScope> {
        match s {
            "full" => Ok(TokenScope::Full),
            "clinician" => Ok(TokenScope::Clinician),
            "clinician_read" => Ok(TokenScope::ClinicianRead),
            other => Err(UnknownTokenScope(other.to_string())),
        }
    }
}

/// A role name that is not one of `person`, `clinician`, `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("role {0:?} is not known: expected person, clinician or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        match s.trim().to_ascii_lowercase().as_str() {
            "person" => Ok(Role::Person),
            "clinician" => Ok(Role::Clinician),
            "admin" => Ok(Role::Admin),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

/// What a person tells about themselves.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// Units for display and input; everything is stored in SI units whatever they are.
    pub units: Units,
    /// The current body mass: the latest entry of the body-mass history ([`BodyMassEntry`]),
    /// read only (the history is changed with [`crate::Store::set_body_mass`]). Energy is not
    /// estimated without one.
    #[serde(rename = "body_mass_kg")]
    pub body_mass: Option<BodyMass>,
    /// Year of birth, for age-related norms.
    pub birth_year: Option<i16>,
}

/// One entry of a person's body-mass history: it holds from its date (the walker's local date)
/// until the next entry's. A session's energy uses the entry in force on the session's day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BodyMassEntry {
    /// The first day it holds.
    pub from: Date,
    /// The body mass, kg.
    #[serde(rename = "kg")]
    pub mass: BodyMass,
}

/// The entry of a history (oldest first) in force on a day, if any: the latest from that day or
/// before.
pub fn body_mass_on(history: &[BodyMassEntry], day: Date) -> Option<BodyMassEntry> {
    history.iter().rev().find(|e| e.from <= day).copied()
}

/// Sessions whose energy was estimated again after a change of body mass: those from `from`
/// until the next entry (`until`, not included), if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reestimated {
    /// The changed entry's date.
    pub from: Date,
    /// The next entry's date, when there is one.
    pub until: Option<Date>,
    /// How many sessions were estimated again.
    pub sessions: u32,
}

/// Gives one session its kcal and energy explanation from a body-mass history.
pub type Reestimate =
    dyn Fn(&LoggedSession, &[BodyMassEntry]) -> (Option<f64>, serde_json::Value) + Send + Sync;

/// A new account.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    /// Lower-cased email address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// An account.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Id.
    pub id: Id,
    /// Lower-cased email address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Profile.
    pub profile: Profile,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// Who an API token speaks for, as one request needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenCaller {
    /// The token's owner.
    pub user: User,
    /// What the token may reach.
    pub scope: TokenScope,
    /// Counts the writes that can change the owner's progress summary (sessions, plans and
    /// their sessions, progression rules and pauses), bumped in the same transaction as each
    /// of them (triggers, migration 0013).
    pub summary_version: i64,
}

/// A browser session. Only the hash of the id in the cookie is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    /// SHA-256 of the cookie value, hex.
    pub id_hash: String,
    /// Owner.
    pub user_id: Id,
    /// The token that state-changing browser requests must echo.
    pub csrf_token: String,
    /// Start.
    pub created_at: Timestamp,
    /// End.
    pub expires_at: Timestamp,
}

/// A new personal API token, by hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    /// What the person calls it.
    pub name: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// What it may reach.
    pub scope: TokenScope,
}

/// A personal API token as listed (the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// Id.
    pub id: Id,
    /// Name.
    pub name: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// What it may reach (`full` for tokens made before scopes existed).
    #[serde(default)]
    pub scope: TokenScope,
}

/// A screening to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewScreening {
    /// When it was taken.
    pub taken_at: Timestamp,
    /// The answers.
    pub answers: ScreeningAnswers,
    /// The clearance the coach gave.
    pub clearance: Clearance,
    /// The coach's full result as shown (reasons, precautions, sources).
    pub result: serde_json::Value,
}

/// A stored screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screening {
    /// Id.
    pub id: Id,
    /// The screening.
    #[serde(flatten)]
    pub screening: NewScreening,
}

/// What a plan was made from and under: the columns every stored plan has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFields {
    /// Catalogue id of the protocol.
    pub protocol_id: String,
    /// Goal.
    pub goal: Goal,
    /// Setting after precautions.
    pub setting: Setting,
    /// Level.
    pub level: Level,
    /// First session's date.
    pub start: Date,
    /// Sessions a week.
    pub days_per_week: DaysPerWeek,
    /// Length.
    pub weeks: Weeks,
    /// Units.
    pub units: Units,
    /// Clearance it was made under.
    pub clearance: Clearance,
}

impl PlanFields {
    /// The fields of a plan the coach made.
    pub fn of(plan: &coach::plan::Plan) -> Self {
        PlanFields {
            protocol_id: plan.protocol.id.to_string(),
            goal: plan.goal,
            setting: plan.setting,
            level: plan.level,
            start: plan.start,
            days_per_week: plan.days_per_week,
            weeks: plan.weeks,
            units: plan.units,
            clearance: plan.clearance,
        }
    }
}

/// A plan to store: the request that made it and the sessions the coach planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPlan {
    /// Creation time.
    pub created_at: Timestamp,
    /// Who made it when not the person (a clinician's user id).
    pub author_id: Option<Id>,
    /// The screening it was made under.
    pub screening_id: Option<Id>,
    /// Protocol, goal, setting, schedule, clearance.
    #[serde(flatten)]
    pub fields: PlanFields,
    /// The rest of the coach's plan as shown (precautions, rules, adjustments, citation).
    pub details: serde_json::Value,
    /// The planned sessions, in order.
    pub sessions: Vec<PlannedSession>,
}

/// A stored plan, without its sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Id.
    pub id: Id,
    /// Whether it is the person's current plan (a new plan ends the previous one).
    pub active: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Who made it when not the person.
    pub author_id: Option<Id>,
    /// The screening it was made under.
    pub screening_id: Option<Id>,
    /// Protocol, goal, setting, schedule, clearance.
    #[serde(flatten)]
    pub fields: PlanFields,
    /// Precautions, rules, adjustments, citation.
    pub details: serde_json::Value,
}

/// A planned session with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSessionRecord {
    /// Id.
    pub id: Id,
    /// Its plan.
    pub plan_id: Id,
    /// The session.
    #[serde(flatten)]
    pub session: PlannedSession,
}

/// A stored plan with its sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPlan {
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanSummary,
    /// Its sessions, in order.
    pub sessions: Vec<PlannedSessionRecord>,
}

/// Where a logged session came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionSource {
    /// Typed in.
    #[default]
    Manual,
    /// The guided timer.
    Timer,
    /// An imported activity file.
    File,
    /// Motion sensor data.
    Sensor,
}

/// One stretch walked in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoggedBlock {
    /// Forward or backward.
    pub direction: Direction,
    /// Length, seconds.
    pub seconds: u32,
    /// Speed, m/s, when known (a walking speed in a walking session; any speed of travel in a
    /// run or a ride).
    #[serde(default, rename = "speed_mps", skip_serializing_if = "Option::is_none")]
    pub speed: Option<TravelSpeed>,
    /// Grade, percent, when known.
    #[serde(
        default,
        rename = "grade_percent",
        skip_serializing_if = "Option::is_none"
    )]
    pub grade: Option<Grade>,
}

/// A session as logged: what was done and how it felt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionEntry {
    /// Start.
    pub started_at: Timestamp,
    /// The walker's UTC offset at the start, seconds (for their local date).
    pub utc_offset_seconds: i32,
    /// Where.
    pub setting: Setting,
    /// Walking (the default, and all that was logged before files kept their sport), running,
    /// cycling or another sport. Only walking follows a plan.
    #[serde(default)]
    pub sport: Sport,
    /// The blocks, in order.
    pub blocks: Vec<LoggedBlock>,
    /// Backward seconds (sum of backward blocks).
    pub backward_seconds: u32,
    /// All seconds.
    pub total_seconds: u32,
    /// Effort, Borg 6-20.
    pub rpe: Option<Rpe>,
    /// Pain before, 0-10.
    pub pain_before: Option<PainScore>,
    /// Pain after, 0-10.
    pub pain_after: Option<PainScore>,
    /// Near-falls.
    pub near_falls: u8,
    /// Actual falls (the walker ended up on the ground), 0-20; absent in older exports.
    #[serde(default)]
    pub falls: u8,
    /// Whether the walker felt safe throughout.
    pub felt_safe: bool,
    /// Free text.
    pub notes: String,
    /// Origin.
    pub source: SessionSource,
    /// The plan it was logged against.
    pub plan_id: Option<Id>,
    /// Backward seconds that plan asked for.
    pub planned_backward_seconds: Option<u32>,
    /// Energy, kcal; None without a body mass.
    pub kcal: Option<f64>,
    /// The coach's energy explanation, or why there is none.
    pub energy: serde_json::Value,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedSession {
    /// Id.
    pub id: Id,
    /// When it was logged.
    pub created_at: Timestamp,
    /// The walker's local date at the start.
    pub local_date: Date,
    /// What was logged.
    #[serde(flatten)]
    pub entry: SessionEntry,
}

/// Where a page of sessions continues: the last item's start and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Start of the last item, ms since the epoch.
    pub started_ms: i64,
    /// Id of the last item.
    pub id: Id,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.started_ms, self.id)
    }
}

/// A cursor that is not one this server handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cursor {0:?} is not valid: pass the `next` value of the previous page unchanged")]
pub struct BadCursor(pub String);

impl FromStr for Cursor {
    type Err = BadCursor;
    fn from_str(s: &str) -> Result<Self, BadCursor> {
        let bad = || BadCursor(s.to_string());
        let (ms, id) = s.split_once('.').ok_or_else(bad)?;
        Ok(Cursor {
            started_ms: ms.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// Which sessions to list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionQuery {
    /// Started at or after.
    pub from: Option<Timestamp>,
    /// Started before.
    pub to: Option<Timestamp>,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size.
    pub limit: u32,
}

/// A page of sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPage {
    /// Newest first.
    pub items: Vec<LoggedSession>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// What the coach needs from a session logged against a plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOutcome {
    /// Backward seconds planned.
    pub planned_backward_seconds: Option<u32>,
    /// Backward seconds done.
    pub backward_seconds: u32,
    /// Effort.
    pub rpe: Option<Rpe>,
    /// Pain before.
    pub pain_before: Option<PainScore>,
    /// Pain after.
    pub pain_after: Option<PainScore>,
    /// Near-falls.
    pub near_falls: u8,
    /// Felt safe.
    pub felt_safe: bool,
}

/// Totals of one local day's sessions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyTotals {
    /// The day.
    pub date: Date,
    /// Sessions.
    pub sessions: u32,
    /// Backward seconds.
    pub backward_seconds: u64,
    /// All seconds.
    pub total_seconds: u64,
    /// Sum of kcal over the sessions that have it.
    pub kcal: f64,
    /// Sessions with an RPE, and its sum.
    pub rpe_count: u32,
    /// See `rpe_count`.
    pub rpe_sum: u64,
    /// Sessions with both pain scores, and their sums.
    pub pain_count: u32,
    /// See `pain_count`.
    pub pain_before_sum: u64,
    /// See `pain_count`.
    pub pain_after_sum: u64,
}

/// Kinds of assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// 3-metre backward walk test, seconds.
    ThreeMbwt,
    /// Single-leg stance, seconds.
    SingleLegStance,
    /// Pain on the 0-10 scale before and after.
    PainChange,
}

/// An assessment to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAssessment {
    /// When it was taken.
    pub taken_at: Timestamp,
    /// Kind.
    pub kind: AssessmentKind,
    /// The headline value (seconds, or pain after).
    pub value: f64,
    /// What was entered.
    pub inputs: serde_json::Value,
    /// The coach's interpretation as shown.
    pub result: serde_json::Value,
}

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Id.
    pub id: Id,
    /// The assessment.
    #[serde(flatten)]
    pub assessment: NewAssessment,
}

/// Name of the export format, checked on import.
pub const EXPORT_FORMAT: &str = "retrostride-export";
/// Version of the export format: 2 added the body-mass history and each session's sport.
pub const EXPORT_VERSION: u32 = 2;
/// Versions an import reads: version 1 (no history: its profile's body mass holds from the
/// start, and every session was walking) and this one.
pub const EXPORT_VERSIONS_READ: [u32; 2] = [1, EXPORT_VERSION];

/// Everything one person owns, as one document that [`crate::Store::import`] takes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// Always [`EXPORT_VERSION`].
    pub version: u32,
    /// When it was made.
    pub exported_at: Timestamp,
    /// The account's email.
    pub email: String,
    /// Profile.
    pub profile: Profile,
    /// The body-mass history, oldest first (absent from version 1).
    #[serde(default)]
    pub body_masses: Vec<BodyMassEntry>,
    /// Screenings, oldest first.
    pub screenings: Vec<Screening>,
    /// Plans with sessions, oldest first.
    pub plans: Vec<StoredPlan>,
    /// Logged sessions, oldest first.
    pub sessions: Vec<LoggedSession>,
    /// Assessments, oldest first.
    pub assessments: Vec<Assessment>,
}

/// Motion recorded during a session, labelled by its blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMotion {
    /// The logged session it belongs to.
    pub session_id: Id,
    /// When it was stored.
    pub recorded_at: Timestamp,
    /// Samples: t (s from the start), acceleration x y z (m/s², gravity included), rotation x y z
    /// (deg/s), as little-endian f32, seven per sample.
    #[serde(skip)]
    pub samples: Vec<u8>,
    /// How many samples.
    pub sample_count: u32,
    /// The blocks as labelled (start, end, direction), JSON as the client sent it.
    pub blocks: serde_json::Value,
    /// What the gait analysis found per block, JSON.
    pub analysis: serde_json::Value,
    /// Where the phone was worn (a `gait` placement name such as `pocket`, checked by the web
    /// side), when the person said.
    #[serde(default)]
    pub placement: Option<String>,
}

/// The person's own answer for one block of a motion recording: which way they walked it. It
/// wins over the timer's label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MotionLabel {
    /// The logged session the recording belongs to.
    pub session_id: Id,
    /// The block's place among the recording's blocks, from 0.
    pub block: u32,
    /// Which way the person says they walked it.
    pub direction: Direction,
    /// When they said so.
    pub labelled_at: Timestamp,
}

/// A stored motion recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Motion {
    /// Id.
    pub id: Id,
    /// The recording.
    #[serde(flatten)]
    pub motion: NewMotion,
    /// The person's answers, by block.
    #[serde(default)]
    pub labels: Vec<MotionLabel>,
}

/// A clinician's invite to share, as stored: the code itself is never kept, only its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvite {
    /// SHA-256 of the code, hex.
    pub code_hash: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// After this it can no longer be accepted.
    pub expires_at: Timestamp,
}

/// An invite that can still be accepted, with the clinician who made it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenInvite {
    /// Id.
    pub id: Id,
    /// The clinician who made it.
    pub clinician_id: Id,
    /// Their email, which the walker is shown before accepting.
    pub clinician_email: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// After this it can no longer be accepted.
    pub expires_at: Timestamp,
}

/// Data a walker shares with a clinician under a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedData {
    /// Plans and their planned sessions.
    Plans,
    /// Logged sessions, with pain, RPE and near-falls.
    Sessions,
    /// Assessments (3MBWT, single-leg stance, pain change).
    Assessments,
    /// Motion analyses of sessions.
    MotionAnalyses,
}

/// What a clinician may change under a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicianChange {
    /// The plan and its progression rules.
    PlanAndProgression,
}

/// What a walker agreed to, kept with the grant exactly as it was shown, so that a later version
/// sharing more never widens a grant already given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantScope {
    /// What the clinician may read.
    pub reads: Vec<SharedData>,
    /// What the clinician may change.
    pub changes: Vec<ClinicianChange>,
}

impl GrantScope {
    /// What this version asks a walker to share: everything the issue names.
    pub fn standard() -> Self {
        GrantScope {
            reads: vec![
                SharedData::Plans,
                SharedData::Sessions,
                SharedData::Assessments,
                SharedData::MotionAnalyses,
            ],
            changes: vec![ClinicianChange::PlanAndProgression],
        }
    }

    /// Whether the grant lets the clinician read this.
    pub fn reads(&self, data: SharedData) -> bool {
        self.reads.contains(&data)
    }
}

/// A walker's consent to share with one clinician.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// Id.
    pub id: Id,
    /// The walker who shares.
    pub walker_id: Id,
    /// The walker's email.
    pub walker_email: String,
    /// The clinician shared with.
    pub clinician_id: Id,
    /// The clinician's email.
    pub clinician_email: String,
    /// When the walker accepted.
    pub granted_at: Timestamp,
    /// When the walker revoked it; `None` while it is in force.
    pub revoked_at: Option<Timestamp>,
    /// What was agreed.
    pub scope: GrantScope,
}

/// Whether a clinician read or changed something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    /// Read.
    Read,
    /// Changed.
    Change,
}

/// One line of a walker's access log: who, when, what, from which route.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessEntry {
    /// The clinician (`None` once their account is deleted; the email stays).
    pub clinician_id: Option<Id>,
    /// The clinician's email at the time.
    pub clinician_email: String,
    /// The walker whose data it was.
    pub walker_id: Id,
    /// When.
    pub at: Timestamp,
    /// Read or change.
    pub action: AccessAction,
    /// What, in words ("sessions", "plan 3").
    pub what: String,
    /// The method and route ("GET /api/v1/clinician/walkers/{id}/sessions").
    pub route: String,
}

/// Progression gates a clinician sets for a walker.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRules {
    /// The gates.
    pub gates: coach::gates::Gates,
    /// The clinician who set them.
    pub set_by: Id,
    /// Their email at the time.
    pub set_by_email: String,
    /// When.
    pub set_at: Timestamp,
    /// Why, in the clinician's words (the walker reads it).
    pub reason: String,
}

/// Progression gates as kept: the newest are in force, older ones are the history.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRules {
    /// Id.
    pub id: Id,
    /// The gates.
    pub gates: coach::gates::Gates,
    /// The clinician who set them (`None` once their account is deleted; the email stays).
    pub set_by: Option<Id>,
    /// Their email at the time.
    pub set_by_email: String,
    /// When.
    pub set_at: Timestamp,
    /// Why.
    pub reason: String,
}

/// An alert to raise for a walker's clinicians.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    /// The walker.
    pub walker_id: Id,
    /// What kind.
    pub kind: coach::gates::AlertKind,
    /// The session that raised it, if one did.
    pub session_id: Option<Id>,
    /// In words.
    pub words: String,
    /// When.
    pub raised_at: Timestamp,
}

/// Who acknowledged an alert, or resumed progression: kept, never deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Acknowledgement {
    /// The clinician or walker (`None` once their account is deleted; the email stays).
    pub by: Option<Id>,
    /// Their email at the time.
    pub by_email: String,
    /// When.
    pub at: Timestamp,
    /// Their note.
    pub note: String,
}

/// An alert as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Id.
    pub id: Id,
    /// The walker.
    pub walker_id: Id,
    /// What kind.
    pub kind: coach::gates::AlertKind,
    /// The session that raised it, if one did (and still exists).
    pub session_id: Option<Id>,
    /// In words.
    pub words: String,
    /// When.
    pub raised_at: Timestamp,
    /// The acknowledgement, once given.
    pub acknowledged: Option<Acknowledgement>,
}

/// Progression paused for a walker.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPause {
    /// The walker.
    pub walker_id: Id,
    /// When.
    pub paused_at: Timestamp,
    /// The walker's local day of the session that paused it.
    pub local_date: Date,
    /// Why.
    pub why: coach::gates::PauseCause,
    /// The session that paused it.
    pub session_id: Option<Id>,
}

/// A pause as kept, with its resumption once given.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressionPause {
    /// Id.
    pub id: Id,
    /// What paused.
    pub pause: NewPause,
    /// Who resumed it, when and why.
    pub resumed: Option<Acknowledgement>,
}

/// A clinician's saved plan template, as given: a name and the prescription's parameters
/// (JSON, as the API checked them).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTemplate {
    /// A name the clinician chose.
    pub name: String,
    /// The prescription's parameters.
    pub parameters: serde_json::Value,
    /// When it was made or last changed.
    pub at: Timestamp,
}

/// A clinician's saved plan template.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTemplate {
    /// Id.
    pub id: Id,
    /// The clinician it belongs to.
    pub clinician_id: Id,
    /// Its name.
    pub name: String,
    /// The prescription's parameters.
    pub parameters: serde_json::Value,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// How a clinician changed a walker's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanChangeKind {
    /// A new plan was set.
    Assigned,
    /// The plan being followed was adjusted from a day on.
    Adjusted,
}

/// A change to a walker's plan, to record: who, when, what and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlanChange {
    /// The walker whose plan it is.
    pub walker_id: Id,
    /// The clinician who changed it.
    pub changed_by: Id,
    /// When.
    pub changed_at: Timestamp,
    /// Assigned or adjusted.
    pub kind: PlanChangeKind,
    /// What changed, in words.
    pub summary: String,
    /// What changed, field by field (JSON).
    pub changes: serde_json::Value,
    /// Why, in the clinician's words (never empty).
    pub reason: String,
}

/// A recorded change to a walker's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChange {
    /// Id.
    pub id: Id,
    /// The walker.
    pub walker_id: Id,
    /// The plan (`None` once the walker deleted it).
    pub plan_id: Option<Id>,
    /// The clinician who changed it.
    pub changed_by: Id,
    /// Their email.
    pub changed_by_email: String,
    /// When.
    pub changed_at: Timestamp,
    /// Assigned or adjusted.
    pub kind: PlanChangeKind,
    /// What changed, in words.
    pub summary: String,
    /// What changed, field by field.
    pub changes: serde_json::Value,
    /// Why.
    pub reason: String,
}

/// What a clinician's note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteTarget {
    /// One of the walker's plans.
    Plan(Id),
    /// One of the walker's logged sessions.
    Session(Id),
}

/// A clinician's note to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNote {
    /// The walker it is for.
    pub walker_id: Id,
    /// The clinician who writes it.
    pub clinician_id: Id,
    /// What it is about (must be the walker's).
    pub target: NoteTarget,
    /// The text, 1 to 1000 characters.
    pub body: String,
    /// When.
    pub at: Timestamp,
}

/// A clinician's note on a walker's plan or session, shown to the walker.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicianNote {
    /// Id.
    pub id: Id,
    /// The walker.
    pub walker_id: Id,
    /// The clinician who wrote it.
    pub clinician_id: Id,
    /// Their email.
    pub clinician_email: String,
    /// What it is about.
    pub target: NoteTarget,
    /// The text.
    pub body: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it was last edited.
    pub updated_at: Timestamp,
}

/// An adjustment of a plan someone follows: the sessions kept, the new ones after them, the
/// plan's new fields and details, and the change that says who and why.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanAdjustment {
    /// Sessions numbered up to this stay as they are.
    pub keep: u32,
    /// The plan's fields (its start stays).
    pub fields: PlanFields,
    /// The plan's details.
    pub details: serde_json::Value,
    /// The sessions after the kept ones, numbered from `keep + 1`.
    pub sessions: Vec<PlannedSession>,
    /// The change to record.
    pub change: NewPlanChange,
}

/// A planned session's date and backward dose, all adherence needs of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedDose {
    /// The day it is planned for.
    pub date: Date,
    /// Backward seconds planned.
    pub backward_seconds: u32,
}

/// The newest walking session of a walker, as the caseload shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatestSession {
    /// Its local day.
    pub local_date: Date,
    /// Effort.
    pub rpe: Option<Rpe>,
    /// Pain before.
    pub pain_before: Option<PainScore>,
    /// Pain after.
    pub pain_after: Option<PainScore>,
    /// Near-falls.
    pub near_falls: u8,
}

/// One walker of a clinician's caseload: what [`crate::Store::caseload`] reads for them in a
/// fixed number of queries for the whole caseload (the web side computes adherence and flags).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadWalker {
    /// The grant in force.
    pub grant: Grant,
    /// The walker's active plan, if any.
    pub plan: Option<Id>,
    /// The active plan's sessions in order (empty without a plan).
    pub planned: Vec<PlannedDose>,
    /// The sessions logged against the active plan, oldest first.
    pub logged: Vec<PlanOutcome>,
    /// The newest walking session.
    pub latest: Option<LatestSession>,
    /// Near-falls and falls reported in sessions from the `recent_from` day on.
    pub recent_near_falls: u32,
    /// The newest 3MBWT.
    pub three_mbwt: Option<Assessment>,
}

/// Pain before and after one session, for the outcome trends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PainPoint {
    /// The session.
    pub session_id: Id,
    /// Its local day.
    pub local_date: Date,
    /// Pain before.
    pub pain_before: Option<PainScore>,
    /// Pain after.
    pub pain_after: Option<PainScore>,
}

/// The stored analysis of one session's motion recording, for the outcome trends.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPoint {
    /// The session.
    pub session_id: Id,
    /// Its local day.
    pub local_date: Date,
    /// The analysis as stored (its shape is the web side's).
    pub analysis: serde_json::Value,
}

/// What the outcome trends read of sessions, oldest first: the newest `limit` sessions with a
/// pain score, and the newest `limit` motion analyses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendRows {
    /// Sessions with pain before or after given.
    pub pains: Vec<PainPoint>,
    /// Sessions with a motion recording.
    pub analyses: Vec<AnalysisPoint>,
}
