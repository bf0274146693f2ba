//! Writes FIT workout files: a named workout of timed steps that a watch can run. Written by
//! hand because no maintained Rust crate encodes FIT (`fitparser` only decodes); the encoder
//! covers just the three messages a workout needs (`file_id`, `workout`, `workout_step`) and is
//! checked by reading its output back with `fitparser`.

use jiff::Timestamp;

/// How hard a step is, as FIT's `intensity` enum says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepIntensity {
    /// Warm-up.
    Warmup,
    /// The work of the session.
    Active,
    /// Easier walking between work steps.
    Recovery,
    /// Cool-down.
    Cooldown,
}

impl StepIntensity {
    fn code(self) -> u8 {
        match self {
            StepIntensity::Active => 0,
            StepIntensity::Warmup => 2,
            StepIntensity::Cooldown => 3,
            StepIntensity::Recovery => 4,
        }
    }
}

/// One timed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkoutStep {
    /// Shown on the watch (at most 31 bytes are kept).
    pub name: String,
    /// Length, seconds (at least 1).
    pub seconds: u32,
    /// Intensity.
    pub intensity: StepIntensity,
    /// A longer note (at most 63 bytes are kept).
    pub notes: String,
}

/// Why a workout cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkoutError {
    /// No steps.
    #[error("a workout needs at least one step")]
    NoSteps,
    /// More steps than FIT's message index allows.
    #[error("{0} steps: a FIT workout holds at most 65534")]
    TooManySteps(usize),
    /// A step of zero seconds.
    #[error("step {0} lasts 0 s: every step needs a length")]
    EmptyStep(usize),
}

const FIT_EPOCH_UNIX: i64 = 631_065_600;
const NAME_BYTES: usize = 32;
const NOTES_BYTES: usize = 64;
/// FIT profile version this encoder follows (21.32).
const PROFILE_VERSION: u16 = 2132;
/// `manufacturer` = development.
const MANUFACTURER_DEVELOPMENT: u16 = 255;
/// `sport` = walking.
const SPORT_WALKING: u8 = 11;

const CRC_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// FIT's CRC-16, as the FIT SDK defines it.
pub fn crc(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |mut crc, byte| {
        let mut tmp = CRC_TABLE[usize::from(crc & 0xF)];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ CRC_TABLE[usize::from(byte & 0xF)];
        tmp = CRC_TABLE[usize::from(crc & 0xF)];
        crc = (crc >> 4) & 0x0FFF;
        crc ^ tmp ^ CRC_TABLE[usize::from((byte >> 4) & 0xF)]
    })
}

/// Base types used here.
const ENUM: u8 = 0x00;
const UINT16: u8 = 0x84;
const UINT32: u8 = 0x86;
const STRING: u8 = 0x07;

fn define(out: &mut Vec<u8>, local: u8, global: u16, fields: &[(u8, u8, u8)]) {
    out.push(0x40 | local);
    out.push(0); // reserved
    out.push(0); // little-endian
    out.extend_from_slice(&global.to_le_bytes());
    out.push(fields.len() as u8);
    for (number, size, base) in fields {
        out.extend_from_slice(&[*number, *size, *base]);
    }
}

/// A string in a fixed-size, NUL-terminated field, cut at a character boundary.
fn fixed_string(out: &mut Vec<u8>, text: &str, size: usize) {
    let mut end = text.len().min(size - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&text.as_bytes()[..end]);
    out.extend(std::iter::repeat_n(0u8, size - end));
}

/// Encodes a walking workout.
pub fn encode(
    name: &str,
    steps: &[WorkoutStep],
    created: Timestamp,
) -> Result<Vec<u8>, WorkoutError> {
    if steps.is_empty() {
        return Err(WorkoutError::NoSteps);
    }
    if steps.len() > 65_534 {
        return Err(WorkoutError::TooManySteps(steps.len()));
    }
    if let Some(i) = steps.iter().position(|s| s.seconds == 0) {
        return Err(WorkoutError::EmptyStep(i + 1));
    }
    let mut data = Vec::new();
    // file_id: type workout (5), manufacturer, product, time_created.
    define(
        &mut data,
        0,
        0,
        &[(0, 1, ENUM), (1, 2, UINT16), (2, 2, UINT16), (4, 4, UINT32)],
    );
    data.push(0);
    data.push(5);
    data.extend_from_slice(&MANUFACTURER_DEVELOPMENT.to_le_bytes());
    data.extend_from_slice(&0u16.to_le_bytes());
    let since_epoch = (created.as_second() - FIT_EPOCH_UNIX).clamp(0, i64::from(u32::MAX)) as u32;
    data.extend_from_slice(&since_epoch.to_le_bytes());
    // workout: sport, num_valid_steps, wkt_name.
    define(
        &mut data,
        1,
        26,
        &[(4, 1, ENUM), (6, 2, UINT16), (8, NAME_BYTES as u8, STRING)],
    );
    data.push(1);
    data.push(SPORT_WALKING);
    data.extend_from_slice(&(steps.len() as u16).to_le_bytes());
    fixed_string(&mut data, name, NAME_BYTES);
    // workout_step: message_index, wkt_step_name, duration_type (time), duration_value (ms),
    // target_type (open), target_value, intensity, notes.
    define(
        &mut data,
        2,
        27,
        &[
            (254, 2, UINT16),
            (0, NAME_BYTES as u8, STRING),
            (1, 1, ENUM),
            (2, 4, UINT32),
            (3, 1, ENUM),
            (4, 4, UINT32),
            (7, 1, ENUM),
            (8, NOTES_BYTES as u8, STRING),
        ],
    );
    for (i, step) in steps.iter().enumerate() {
        data.push(2);
        data.extend_from_slice(&(i as u16).to_le_bytes());
        fixed_string(&mut data, &step.name, NAME_BYTES);
        data.push(0); // duration_type: time
        data.extend_from_slice(&step.seconds.saturating_mul(1000).to_le_bytes());
        data.push(2); // target_type: open
        data.extend_from_slice(&0u32.to_le_bytes());
        data.push(step.intensity.code());
        fixed_string(&mut data, &step.notes, NOTES_BYTES);
    }
    let mut file = Vec::with_capacity(data.len() + 16);
    file.push(14);
    file.push(0x20); // protocol 2.0
    file.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
    file.extend_from_slice(&(data.len() as u32).to_le_bytes());
    file.extend_from_slice(b".FIT");
    let header_crc = crc(&file);
    file.extend_from_slice(&header_crc.to_le_bytes());
    file.extend_from_slice(&data);
    let file_crc = crc(&file);
    file.extend_from_slice(&file_crc.to_le_bytes());
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fitparser::Value;
    use fitparser::profile::MesgNum;

    fn steps() -> Vec<WorkoutStep> {
        vec![
            WorkoutStep {
                name: "Warm-up forward".into(),
                seconds: 300,
                intensity: StepIntensity::Warmup,
                notes: "Walk forward".into(),
            },
            WorkoutStep {
                name: "Backward".into(),
                seconds: 120,
                intensity: StepIntensity::Active,
                notes: "Walk backward: toes first".into(),
            },
            WorkoutStep {
                name: "Ééé recovery, a name far longer than thirty-one bytes".into(),
                seconds: 60,
                intensity: StepIntensity::Recovery,
                notes: String::new(),
            },
        ]
    }

    #[test]
    fn a_workout_reads_back_with_fitparser_crc_and_all() {
        let bytes = encode(
            "Session 1",
            &steps(),
            "2026-12-01T07:00:00Z".parse().unwrap(),
        )
        .unwrap();
        let messages = fitparser::from_bytes(&bytes).expect("fitparser checks both CRCs");
        let file_id = messages
            .iter()
            .find(|m| m.kind() == MesgNum::FileId)
            .unwrap();
        let kind = file_id
            .fields()
            .iter()
            .find(|f| f.name() == "type")
            .unwrap();
        assert_eq!(kind.value(), &Value::String("workout".into()));
        let workout = messages
            .iter()
            .find(|m| m.kind() == MesgNum::Workout)
            .unwrap();
        let name = workout
            .fields()
            .iter()
            .find(|f| f.name() == "wkt_name")
            .unwrap();
        assert_eq!(name.value(), &Value::String("Session 1".into()));
        let read: Vec<_> = messages
            .iter()
            .filter(|m| m.kind() == MesgNum::WorkoutStep)
            .collect();
        assert_eq!(read.len(), 3);
        let field = |m: &fitparser::FitDataRecord, n: &str| {
            m.fields()
                .iter()
                .find(|f| f.name() == n)
                .unwrap()
                .value()
                .clone()
        };
        assert_eq!(
            field(read[1], "wkt_step_name"),
            Value::String("Backward".into())
        );
        assert_eq!(field(read[1], "intensity"), Value::String("active".into()));
        assert_eq!(field(read[0], "intensity"), Value::String("warmup".into()));
        // Durations are stored in ms with a scale of 1000: seconds come back.
        let duration = field(read[1], "duration_time");
        assert!(
            matches!(duration, Value::Float64(v) if (v - 120.0).abs() < 1e-9),
            "{duration:?}"
        );
        // The long name is cut at a character boundary, within 31 bytes.
        let Value::String(long) = field(read[2], "wkt_step_name") else {
            panic!("no name")
        };
        assert!(long.len() <= 31 && long.starts_with("Ééé"));
    }

    #[test]
    fn bad_workouts_are_refused() {
        let t: Timestamp = "2026-12-01T07:00:00Z".parse().unwrap();
        assert_eq!(encode("x", &[], t), Err(WorkoutError::NoSteps));
        let mut s = steps();
        s[1].seconds = 0;
        assert_eq!(encode("x", &s, t), Err(WorkoutError::EmptyStep(2)));
    }

    #[test]
    fn crc_matches_the_fit_sdk_example() {
        // The FIT SDK's check value for "123456789" with this CRC-16 (ARC) is 0xBB3D.
        assert_eq!(crc(b"123456789"), 0xBB3D);
    }
}
