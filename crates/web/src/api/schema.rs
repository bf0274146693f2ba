//! Schema pieces the derive cannot say by itself. String enums are read off serde's own names
//! for each variant, so the OpenAPI document names exactly what the server accepts (it once
//! said `older_adults` where the server wants `older-adults`).

use coach::assessment::{Eyes, Population, Sex};
use coach::energy::{Direction, Sport};
use coach::plan::{Level, Setting, Units};
use coach::protocol::Goal;
use serde::Serialize;
use store::{AccessAction, ClinicianChange, PlanChangeKind, Role, SessionSource, SharedData};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{Object, RefOr, Schema};

/// A string that is one of `variants` as serde writes them (or null, when `nullable`).
fn string_enum<T: Serialize>(variants: &[T], nullable: bool) -> Object {
    let mut names: Vec<serde_json::Value> = variants
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect();
    let kind = if nullable {
        names.push(serde_json::Value::Null);
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some(names))
        .build()
}

/// `true`, and only that: a confirmation the caller must give.
pub(crate) fn only_true() -> RefOr<Schema> {
    schema(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Boolean))
            .enum_values(Some([serde_json::Value::Bool(true)]))
            .build(),
    )
}

fn schema(object: Object) -> RefOr<Schema> {
    RefOr::T(Schema::Object(object))
}

pub(crate) fn goal() -> RefOr<Schema> {
    schema(string_enum(&Goal::ALL, false))
}

pub(crate) fn setting() -> RefOr<Schema> {
    schema(string_enum(
        &[Setting::Ground, Setting::Hallway, Setting::Treadmill],
        false,
    ))
}

pub(crate) fn level() -> RefOr<Schema> {
    schema(string_enum(&[Level::New, Level::SomeExperience], false))
}

pub(crate) fn units() -> RefOr<Schema> {
    schema(string_enum(&[Units::Metric, Units::Imperial], false))
}

pub(crate) fn direction() -> RefOr<Schema> {
    schema(string_enum(
        &[Direction::Forward, Direction::Backward],
        false,
    ))
}

pub(crate) fn sport_or_null() -> RefOr<Schema> {
    schema(string_enum(&Sport::ALL, true))
}

pub(crate) fn population() -> RefOr<Schema> {
    schema(string_enum(&Population::ALL, false))
}

pub(crate) fn eyes() -> RefOr<Schema> {
    schema(string_enum(&[Eyes::Open, Eyes::Closed], false))
}

pub(crate) fn sex_or_null() -> RefOr<Schema> {
    schema(string_enum(&[Sex::Female, Sex::Male], true))
}

pub(crate) fn role() -> RefOr<Schema> {
    schema(string_enum(
        &[Role::Person, Role::Clinician, Role::Admin],
        false,
    ))
}

pub(crate) fn token_scope() -> RefOr<Schema> {
    schema(string_enum(
        &[
            store::TokenScope::Full,
            store::TokenScope::Clinician,
            store::TokenScope::ClinicianRead,
        ],
        false,
    ))
}

pub(crate) fn session_source() -> RefOr<Schema> {
    schema(string_enum(
        &[
            SessionSource::Manual,
            SessionSource::Timer,
            SessionSource::File,
            SessionSource::Sensor,
        ],
        false,
    ))
}

pub(crate) fn placement_or_null() -> RefOr<Schema> {
    schema(string_enum(
        &gait::Placement::ALL.map(gait::Placement::as_str),
        true,
    ))
}

pub(crate) fn protocol_or_null() -> RefOr<Schema> {
    let ids: Vec<&str> = coach::protocol::PROTOCOLS.iter().map(|p| p.id).collect();
    schema(string_enum(&ids, true))
}

/// Motion rows: `[t, ax, ay, az, gx, gy, gz]`, finite numbers, the gyroscope's three nullable;
/// at most 1,080,000 rows (three hours at 100 Hz).
pub(crate) fn motion_samples() -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    let number = || ObjectBuilder::new().schema_type(Type::Number).build();
    let number_or_null = || {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Number, Type::Null]))
            .build()
    };
    let row = ArrayBuilder::new()
        .prefix_items([
            number(),
            number(),
            number(),
            number(),
            number_or_null(),
            number_or_null(),
            number_or_null(),
        ])
        .min_items(Some(7))
        .max_items(Some(7))
        .build();
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Array(row)))
            .max_items(Some(1_080_000))
            .build(),
    ))
}

/// The screening's answers: the age and every yes/no question of the coach's list, all required
/// (an unanswered question is not taken as "no").
pub(crate) fn screening_answers() -> RefOr<Schema> {
    let boolean = || ObjectBuilder::new().schema_type(Type::Boolean).build();
    let mut answers = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Age in whole years (1-120) and a true/false answer to each question of the screening",
        ))
        .property(
            "age",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(120)),
        )
        .required("age")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    for question in coach::screening::QUESTIONS {
        answers = answers
            .property(question.id, boolean())
            .required(question.id);
    }
    schema(answers.build())
}

/// A Retrostride export, as `GET /api/v1/export` writes it and `POST /api/v1/import` reads it:
/// the envelope and its lists (each record is checked under the API's own rules on import).
pub(crate) fn export_document() -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    let object = || ObjectBuilder::new().schema_type(Type::Object).build();
    let list = |what: &str| {
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Object(object())))
            .description(Some(format!("{what}, oldest first")))
            .build()
    };
    let document = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "format",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([store::EXPORT_FORMAT])),
        )
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .enum_values(Some(store::EXPORT_VERSIONS_READ)),
        )
        .property(
            "exported_at",
            ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime),
            )),
        )
        .property("email", ObjectBuilder::new().schema_type(Type::String))
        .property("profile", object())
        .property(
            "body_masses",
            list("The body-mass history (absent from version 1)"),
        )
        .property("screenings", list("Screenings"))
        .property("plans", list("Plans with their planned sessions"))
        .property("sessions", list("Logged sessions"))
        .property("assessments", list("Assessments"))
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ));
    let required = [
        "format",
        "version",
        "exported_at",
        "email",
        "profile",
        "screenings",
        "plans",
        "sessions",
        "assessments",
    ];
    schema(
        required
            .into_iter()
            .fold(document, |d, field| d.required(field))
            .build(),
    )
}

/// Training weekdays: a non-empty list of `mon`...`sun` (full names are read too), or null.
pub(crate) fn weekdays_or_null() -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
            .items(schema(string_enum(&coach::schedule::WEEKDAY_NAMES, false)))
            .min_items(Some(1))
            .build(),
    ))
}

fn list_of(items: Object) -> RefOr<Schema> {
    RefOr::T(Schema::Array(
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(RefOr::T(Schema::Object(items)))
            .build(),
    ))
}

pub(crate) fn shared_data_list() -> RefOr<Schema> {
    list_of(string_enum(
        &[
            SharedData::Plans,
            SharedData::Sessions,
            SharedData::Assessments,
            SharedData::MotionAnalyses,
        ],
        false,
    ))
}

pub(crate) fn clinician_change_list() -> RefOr<Schema> {
    list_of(string_enum(&[ClinicianChange::PlanAndProgression], false))
}

pub(crate) fn access_action() -> RefOr<Schema> {
    schema(string_enum(
        &[AccessAction::Read, AccessAction::Change],
        false,
    ))
}

/// A catalogue protocol id.
pub(crate) fn protocol() -> RefOr<Schema> {
    let ids: Vec<&str> = coach::protocol::PROTOCOLS.iter().map(|p| p.id).collect();
    schema(string_enum(&ids, false))
}

/// Training weekdays: 1 to 7 of `mon`...`sun` (full names are read too).
pub(crate) fn weekdays() -> RefOr<Schema> {
    use utoipa::openapi::schema::ArrayBuilder;
    RefOr::T(Schema::Array(
        ArrayBuilder::new()
            .items(schema(string_enum(&coach::schedule::WEEKDAY_NAMES, false)))
            .min_items(Some(1))
            .max_items(Some(7))
            .build(),
    ))
}

pub(crate) fn plan_change_kind() -> RefOr<Schema> {
    schema(string_enum(
        &[PlanChangeKind::Assigned, PlanChangeKind::Adjusted],
        false,
    ))
}

/// A 3MBWT fall-risk band (`coach::assessment::FallRisk`).
pub(crate) fn fall_risk() -> RefOr<Schema> {
    use coach::assessment::FallRisk;
    schema(string_enum(
        &[
            FallRisk::Low,
            FallRisk::Intermediate,
            FallRisk::High,
            FallRisk::NotClassified,
        ],
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(schema: RefOr<Schema>) -> Vec<serde_json::Value> {
        match schema {
            RefOr::T(Schema::Object(o)) => o.enum_values.unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn enums_name_what_serde_reads() {
        let populations = names(population());
        assert!(populations.contains(&serde_json::json!("older-adults")));
        for name in populations {
            let parsed: Result<Population, _> = serde_json::from_value(name.clone());
            assert!(parsed.is_ok(), "{name} does not parse back");
        }
        assert_eq!(names(sex_or_null()).last(), Some(&serde_json::Value::Null));
        assert_eq!(names(level())[1], serde_json::json!("some_experience"));
    }
}
