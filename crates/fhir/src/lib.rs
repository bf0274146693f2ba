//! Retrostride's FHIR R4 export: one job, turning a walker's stored record into a FHIR R4
//! (4.0.1) `Bundle` of type `collection`, as JSON, for a health record or a clinician's system.
//!
//! The bundle holds a `Patient` (the walker), a `CarePlan` per plan (its protocol and citation in
//! an extension and `instantiatesUri`), an `Observation` per logged session (exercise activity
//! with its duration, backward minutes, effort and near-falls as components; pain before and
//! after as their own `Observation`s with LOINC 72514-3), per 3MBWT, single-leg stance and pain
//! change, a `QuestionnaireResponse` per screening (and the `Questionnaire` it answers), a
//! `Consent` per grant, an `AuditEvent` per line of the access log, the clinicians involved as
//! `Practitioner`s and Retrostride itself as the `Device` that recorded the audit events.
//!
//! Every resource's `fullUrl` is `urn:uuid:` + an id derived from what the record is (its kind,
//! the walker and its row id, see [`ids`]), so exporting again gives the same ids, and every
//! reference points at a `fullUrl` inside the bundle. Codes Retrostride defines itself are in
//! one code system, [`CODE_SYSTEM`]; LOINC, UCUM and HL7 codes are used only where their meaning
//! is the one stated (the tests pin each).
//!
//! What goes in is decided by the caller ([`Record`]): the web side puts in the walker's whole
//! record for the walker, and for a clinician only what their grant shares, their own grant and
//! their own lines of the access log.

mod ids;
mod resources;

pub use ids::stable_uuid;

use store::{AccessEntry, Assessment, Grant, Id, LoggedSession, Screening, StoredPlan};

/// Retrostride's own code system: codes for what LOINC has no code for (backward minutes, Borg
/// effort, near-falls, the 3MBWT, single-leg stance, fall risk, the data a grant shares). The
/// `.example` domain is reserved: the URL names the system and is not meant to resolve.
pub const CODE_SYSTEM: &str = "https://retrostride.example/fhir/CodeSystem/retrostride";
/// Where Retrostride's extensions are named (`{EXTENSION_BASE}/protocol`).
pub const EXTENSION_BASE: &str = "https://retrostride.example/fhir/StructureDefinition";
/// The screening's `Questionnaire` canonical URL.
pub const SCREENING_QUESTIONNAIRE: &str =
    "https://retrostride.example/fhir/Questionnaire/screening";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";
/// UCUM, for every quantity's unit.
pub const UCUM: &str = "http://unitsofmeasure.org";

/// A clinician named in the record: a plan's author, a grant's or an access log line's
/// clinician. Their account id is `None` once the account is deleted (the email stays).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clinician {
    /// Account id, while the account exists.
    pub id: Option<Id>,
    /// Email, as the walker was shown it.
    pub email: String,
}

/// What goes into one export: the caller chooses (see the crate doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The walker's account id (the ids of every resource derive from it).
    pub walker_id: Id,
    /// The walker's email, when the reader may see it.
    pub email: Option<String>,
    /// Year of birth, when known: `Patient.birthDate` at year precision.
    pub birth_year: Option<i16>,
    /// When the export was made (`Bundle.timestamp`; a plan past its end by then is completed).
    pub exported_at: jiff::Timestamp,
    /// Screenings.
    pub screenings: Vec<Screening>,
    /// Plans with their planned sessions.
    pub plans: Vec<StoredPlan>,
    /// Logged sessions.
    pub sessions: Vec<LoggedSession>,
    /// Assessments.
    pub assessments: Vec<Assessment>,
    /// Grants, in force and revoked.
    pub grants: Vec<Grant>,
    /// Lines of the access log.
    pub access_log: Vec<AccessEntry>,
    /// Clinicians who authored plans, by account id (for their email); an author not listed is
    /// still named as a `Practitioner`, without contact.
    pub plan_authors: Vec<Clinician>,
}

/// Why a record could not be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirError {
    /// A plan's end date is past the calendar's range.
    #[error("plan {plan}'s end date is out of the calendar's range")]
    PlanEnd {
        /// The plan's id.
        plan: Id,
    },
}

/// The record as a FHIR R4 `Bundle` of type `collection`.
pub fn bundle(record: &Record) -> Result<serde_json::Value, FhirError> {
    resources::Builder::new(record).bundle()
}
