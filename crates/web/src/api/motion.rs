//! Motion recorded by the phone during a guided session, labelled by the planned blocks: the
//! server analyses it with `gait` (steps and cadence per block, and the direction it detects,
//! calibrated on the forward warm-up, where the phone was worn allowing) and keeps the labelled
//! samples for export. The person may answer which way they walked each block; their answer
//! wins over the timer's label in the export, which says where each label came from. These
//! recordings are real backward-walking data with labels by construction.

use crate::AppState;
use crate::api::{parse_id, schema};
use crate::auth::Caller;
use crate::problem::{ApiError, ApiJson, FieldError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coach::energy::Direction;
use gait::{Options, Sample};
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use utoipa::ToSchema;

/// Most samples in one recording (a 3-hour session at 100 Hz).
const MAX_SAMPLES: usize = 1_080_000;
/// Most blocks.
const MAX_BLOCKS: usize = 500;

/// A block as the timer labelled it, in seconds of session time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelledBlock {
    /// Start, seconds on the samples' clock; before `end_s`.
    pub(crate) start_s: f64,
    /// End, seconds on the samples' clock.
    pub(crate) end_s: f64,
    /// As the timer labelled it: forward or backward.
    #[schema(schema_with = schema::direction)]
    pub(crate) direction: Direction,
}

/// A recording: samples `[t, ax, ay, az, gx, gy, gz]` (s of session time, m/s² with gravity,
/// deg/s; the rotation may be null when the phone has no gyroscope) and the blocks.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MotionBody {
    /// Rows of `[t, ax, ay, az, gx, gy, gz]`: seconds, m/s² and rad/s; the gyroscope's three
    /// may be null.
    #[schema(schema_with = schema::motion_samples)]
    pub(crate) samples: Vec<Vec<Option<f64>>>,
    /// The session's blocks on the samples' clock.
    #[schema(min_items = 1, max_items = 500)]
    pub(crate) blocks: Vec<LabelledBlock>,
    /// Where the phone was worn: lower-back, pocket, hand, bag, armband, wrist, foot or ankle.
    /// The direction is read only on the lower back, in a pocket, on the foot or the ankle; in
    /// the hand, on the arm or in a bag (or when not said) it is `unknown`.
    #[serde(default)]
    #[schema(schema_with = schema::placement_or_null)]
    pub(crate) placement: Option<String>,
}

/// The person's own answer for a block.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelBody {
    /// forward or backward.
    #[schema(schema_with = schema::direction)]
    pub(crate) direction: String,
}

/// What the analysis found in one block.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct BlockAnalysis {
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
    /// As the timer labelled it.
    #[schema(value_type = String)]
    pub(crate) labelled: Direction,
    pub(crate) steps: u32,
    /// Steps per minute over the block's walking, null without two steps.
    pub(crate) cadence_spm: Option<f64>,
    /// What the motion says (forward, backward or unknown), null when no walking was found.
    #[schema(value_type = Option<String>)]
    pub(crate) detected: Option<gait::Direction>,
    /// The probability that `detected` is right (for unknown, that of the likelier direction).
    pub(crate) confidence: Option<f64>,
    /// What the direction rests on: given (the forward warm-up), motion, or nothing.
    #[serde(default)]
    pub(crate) basis: Option<String>,
    /// The direction in words: "backward (sure)", "probably backward", "can't tell from this
    /// recording: was it backward?"; null when no walking was found.
    #[serde(default)]
    pub(crate) words: Option<String>,
    /// The person's own answer, when they gave one: it wins over `labelled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub(crate) said: Option<Direction>,
}

/// The analysis of a recording.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct MotionAnalysis {
    pub(crate) sample_count: u32,
    pub(crate) total_steps: u64,
    pub(crate) calibrated: bool,
    /// Where the phone was worn, when said.
    #[serde(default)]
    pub(crate) placement: Option<String>,
    /// What the direction rests on, or why it was not read, in words.
    #[serde(default)]
    pub(crate) direction_note: String,
    pub(crate) blocks: Vec<BlockAnalysis>,
}

/// The placements whose motion shows the direction of travel (gait reads it only there).
const READS_DIRECTION: [gait::Placement; 4] = [
    gait::Placement::LowerBack,
    gait::Placement::Pocket,
    gait::Placement::Foot,
    gait::Placement::Ankle,
];

fn parse_placement(raw: Option<&str>) -> Result<Option<gait::Placement>, ApiError> {
    raw.map(|raw| {
        raw.parse::<gait::Placement>().map_err(|_| {
            ApiError::field(
                "placement",
                format!(
                    "'{}' is not a placement; expected one of {}",
                    raw.chars().take(40).collect::<String>(),
                    gait::Placement::ALL.map(gait::Placement::as_str).join(", ")
                ),
            )
        })
    })
    .transpose()
}

fn parse_direction(raw: &str) -> Result<Direction, ApiError> {
    match raw {
        "forward" => Ok(Direction::Forward),
        "backward" => Ok(Direction::Backward),
        other => Err(ApiError::field(
            "direction",
            format!(
                "'{}' is not a direction; expected forward or backward",
                other.chars().take(40).collect::<String>()
            ),
        )),
    }
}

fn parse_samples(body: &MotionBody) -> Result<Vec<Sample>, ApiError> {
    if body.samples.len() > MAX_SAMPLES {
        return Err(ApiError::field(
            "samples",
            format!(
                "{} samples: at most {MAX_SAMPLES} are taken",
                body.samples.len()
            ),
        ));
    }
    let mut samples = Vec::with_capacity(body.samples.len());
    for (i, row) in body.samples.iter().enumerate() {
        let bad = || {
            ApiError::field(
                format!("samples[{i}]"),
                "expected [t, ax, ay, az, gx, gy, gz]: numbers (the last three may be null)",
            )
        };
        if row.len() != 7 {
            return Err(bad());
        }
        let value = |k: usize| row[k].filter(|v| v.is_finite());
        let (Some(t), Some(ax), Some(ay), Some(az)) = (value(0), value(1), value(2), value(3))
        else {
            return Err(bad());
        };
        let gyr = match (value(4), value(5), value(6)) {
            (Some(x), Some(y), Some(z)) => Some([x, y, z]),
            _ => None,
        };
        samples.push(Sample {
            t,
            acc: [ax, ay, az],
            gyr,
        });
    }
    Ok(samples)
}

fn check_blocks(blocks: &[LabelledBlock]) -> Result<(), ApiError> {
    if blocks.is_empty() || blocks.len() > MAX_BLOCKS {
        return Err(ApiError::field(
            "blocks",
            format!("expected 1 to {MAX_BLOCKS} blocks, got {}", blocks.len()),
        ));
    }
    let errors: Vec<FieldError> = blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| !(b.start_s.is_finite() && b.end_s.is_finite() && b.start_s < b.end_s))
        .map(|(i, _)| FieldError {
            field: format!("blocks[{i}]"),
            message: "start_s must be a number before end_s".into(),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// Steps, cadence and detected direction per labelled block. Each block is analysed on its own
/// (a walker turns without stopping, so one bout can span blocks), after the forward warm-up
/// (the first block, when it is forward) so that the direction is calibrated for this phone.
/// The direction is read only where the phone was worn allows it ([`READS_DIRECTION`]).
pub(crate) fn analyse(
    samples: &[Sample],
    blocks: &[LabelledBlock],
    placement: Option<gait::Placement>,
) -> MotionAnalysis {
    // One pass over the recording (the work is linear in samples and blocks): the warm-up
    // (the first block, when it is forward) is the stretch the rest is read against, and each
    // block is read on its own windows. gait counts times from the first sample it takes.
    let origin = samples.first().map_or(0.0, |s| s.t);
    let warm_up = blocks.first().filter(|b| b.direction == Direction::Forward);
    let mut analyzer = gait::Analyzer::new(Options {
        placement,
        forward_segment: warm_up.map(|b| (b.start_s - origin, b.end_s - origin)),
        keep_contacts: false,
    });
    for s in samples {
        analyzer.push(s);
    }
    let spans: Vec<(f64, f64)> = blocks
        .iter()
        .map(|b| (b.start_s - origin, b.end_s - origin))
        .collect();
    let (analysis, readings) = analyzer.finish_with_spans(&spans);
    let calibrated = analysis.calibrated;
    let per_block: Vec<BlockAnalysis> = blocks
        .iter()
        .zip(&readings)
        .map(|(b, read)| BlockAnalysis {
            start_s: b.start_s,
            end_s: b.end_s,
            labelled: b.direction,
            steps: read.steps,
            cadence_spm: read.cadence_spm.map(|c| (c * 10.0).round() / 10.0),
            detected: read.direction,
            confidence: read.confidence.map(|c| (c * 100.0).round() / 100.0),
            basis: read
                .direction
                .and_then(|_| match serde_json::to_value(read.basis) {
                    Ok(serde_json::Value::String(s)) => Some(s),
                    _ => None,
                }),
            words: read.direction_words().map(str::to_string),
            said: None,
        })
        .collect();
    // gait's own note for a missing forward stretch names the command line's flag: say it in
    // the timer's terms here.
    let direction_note =
        if warm_up.is_none() && placement.is_some_and(|p| READS_DIRECTION.contains(&p)) {
            "Direction not read: this session did not start with a block walked forward, which the \
         motion is compared with."
                .to_string()
        } else {
            analysis.direction_note
        };
    MotionAnalysis {
        sample_count: samples.len() as u32,
        total_steps: per_block.iter().map(|b| u64::from(b.steps)).sum(),
        calibrated,
        placement: placement.map(|p| p.as_str().to_string()),
        direction_note,
        blocks: per_block,
    }
}

fn to_bytes(samples: &[Sample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 28);
    for s in samples {
        let g = s.gyr.unwrap_or([f64::NAN; 3]);
        for v in [s.t, s.acc[0], s.acc[1], s.acc[2], g[0], g[1], g[2]] {
            out.extend_from_slice(&(v as f32).to_le_bytes());
        }
    }
    out
}

/// Stores and analyses the motion recorded during a session (a second upload replaces it).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/motion", request_body = MotionBody,
    responses((status = 201, body = MotionAnalysis), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_motion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MotionBody>,
) -> Result<(StatusCode, Json<MotionAnalysis>), ApiError> {
    let session_id = parse_id(&id, "session")?;
    let placement = parse_placement(body.placement.as_deref())?;
    let samples = parse_samples(&body)?;
    check_blocks(&body.blocks)?;
    let blocks = body.blocks;
    let (analysis, samples) = tokio::task::spawn_blocking(move || {
        let analysis = analyse(&samples, &blocks, placement);
        (analysis, (to_bytes(&samples), samples.len(), blocks))
    })
    .await
    .map_err(ApiError::internal)?;
    let (bytes, count, blocks) = samples;
    let stored = state
        .store
        .put_motion(
            caller.id(),
            &store::NewMotion {
                session_id,
                recorded_at: jiff::Timestamp::now(),
                samples: bytes,
                sample_count: count as u32,
                blocks: serde_json::to_value(&blocks).map_err(ApiError::internal)?,
                analysis: serde_json::to_value(&analysis).map_err(ApiError::internal)?,
                placement: placement.map(|p| p.as_str().to_string()),
            },
        )
        .await?;
    match stored {
        Some(stored) => Ok((
            StatusCode::CREATED,
            Json(with_answers(analysis, &stored.labels)),
        )),
        None => Err(ApiError::not_found("session")),
    }
}

/// The analysis with the person's answers beside the blocks they answered for.
fn with_answers(mut analysis: MotionAnalysis, labels: &[store::MotionLabel]) -> MotionAnalysis {
    for label in labels {
        if let Some(block) = usize::try_from(label.block)
            .ok()
            .and_then(|i| analysis.blocks.get_mut(i))
        {
            block.said = Some(label.direction);
        }
    }
    analysis
}

/// A stored recording's analysis with the person's answers; `None` when the stored analysis
/// cannot be read as one.
pub(crate) fn stored_analysis(motion: &store::Motion) -> Option<MotionAnalysis> {
    serde_json::from_value(motion.motion.analysis.clone())
        .ok()
        .map(|a| with_answers(a, &motion.labels))
}

/// The person says which way they walked one block of the recording (`index` from 0, as in the
/// analysis's `blocks`). Their answer wins over the timer's label in the export.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/motion/blocks/{index}/label", request_body = LabelBody,
    params(("id" = i64, Path, description = "The session"), ("index" = u32, Path, description = "The block's place in the analysis's `blocks`, from 0")),
    responses((status = 200, description = "The block with the answer (`said`)", body = BlockAnalysis), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn put_label(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, index)): Path<(String, String)>,
    ApiJson(body): ApiJson<LabelBody>,
) -> Result<Json<BlockAnalysis>, ApiError> {
    let session_id = parse_id(&id, "session")?;
    let direction = parse_direction(&body.direction)?;
    let motion = state
        .store
        .motion(caller.id(), session_id)
        .await?
        .ok_or_else(|| ApiError::not_found("motion recording"))?;
    let analysis = stored_analysis(&motion)
        .ok_or_else(|| ApiError::internal("a stored motion analysis does not read back"))?;
    let block: u32 = index
        .parse()
        .ok()
        .filter(|i| (*i as usize) < analysis.blocks.len())
        .ok_or_else(|| ApiError::not_found("block in this recording"))?;
    let stored = state
        .store
        .set_motion_label(
            caller.id(),
            &store::MotionLabel {
                session_id,
                block,
                direction,
                labelled_at: jiff::Timestamp::now(),
            },
        )
        .await?;
    if !stored {
        return Err(ApiError::not_found("motion recording"));
    }
    let mut answered = analysis
        .blocks
        .into_iter()
        .nth(block as usize)
        .ok_or_else(|| ApiError::not_found("block in this recording"))?;
    answered.said = Some(direction);
    Ok(Json(answered))
}

/// The analysis of a session's motion.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/motion", responses((status = 200, body = MotionAnalysis), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn get_motion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let session_id = parse_id(&id, "session")?;
    motion_analysis(&state, caller.id(), session_id).await
}

/// The analysis of one person's session's motion: theirs, and a clinician's under a grant.
pub(crate) async fn motion_analysis(
    state: &AppState,
    owner: store::Id,
    session_id: store::Id,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .store
        .motion(owner, session_id)
        .await?
        .map(|m| {
            // An analysis stored in an older shape goes out as it was stored.
            Json(
                stored_analysis(&m)
                    .and_then(|a| serde_json::to_value(a).ok())
                    .unwrap_or(m.motion.analysis),
            )
        })
        .ok_or_else(|| ApiError::not_found("motion recording"))
}

/// The labelled samples as CSV (`time_s, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z, block,
/// direction, label_source`), which `retrostride analyze` reads back. `direction` is the
/// person's answer for the block when they gave one (`label_source` `person`), else the timer's
/// plan (`timer`).
#[utoipa::path(get, path = "/api/v1/sessions/{id}/motion/export", responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 404, body = Problem)), security(("bearer" = [])))]
pub(crate) async fn export_motion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let session_id = parse_id(&id, "session")?;
    let motion = state
        .store
        .motion(caller.id(), session_id)
        .await?
        .ok_or_else(|| ApiError::not_found("motion recording"))?;
    let mut blocks: Vec<LabelledBlock> =
        serde_json::from_value(motion.motion.blocks).map_err(ApiError::internal)?;
    let mut source = vec!["timer"; blocks.len()];
    for label in &motion.labels {
        if let Some(i) = usize::try_from(label.block)
            .ok()
            .filter(|i| *i < blocks.len())
        {
            blocks[i].direction = label.direction;
            source[i] = "person";
        }
    }
    let rows: Vec<[f32; 7]> = motion
        .motion
        .samples
        .chunks_exact(28)
        .map(|chunk| {
            let mut v = [0f32; 7];
            for (k, b) in chunk.chunks_exact(4).enumerate() {
                v[k] = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
            v
        })
        .collect();
    // Phones without a gyroscope send none: leave the columns out rather than empty.
    let has_gyro = rows.iter().any(|v| !v[4].is_nan());
    let mut csv = String::from(if has_gyro {
        "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z,block,direction,label_source\n"
    } else {
        "time_s,acc_x,acc_y,acc_z,block,direction,label_source\n"
    });
    for v in &rows {
        let t = f64::from(v[0]);
        let block = blocks.iter().position(|b| t >= b.start_s && t < b.end_s);
        let _ = write!(csv, "{:.3},{:.4},{:.4},{:.4},", v[0], v[1], v[2], v[3]);
        if has_gyro {
            let g = |x: f32| if x.is_nan() { 0.0 } else { x };
            let _ = write!(csv, "{:.3},{:.3},{:.3},", g(v[4]), g(v[5]), g(v[6]));
        }
        let _ = writeln!(
            csv,
            "{},{},{}",
            block.map_or(String::new(), |b| (b + 1).to_string()),
            block.map_or(String::new(), |b| blocks[b].direction.to_string()),
            block.map_or("", |b| source[b])
        );
    }
    let mut response = csv.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!(
            "attachment; filename=\"retrostride-motion-session-{session_id}.csv\""
        ))
        .map_err(ApiError::internal)?,
    );
    Ok(response)
}
