//! Energy of a logged session: the coach's estimate per block, summed. Without a body mass the
//! answer is no figure and the reason, never a guessed weight.

use coach::energy::{Direction, Edition, EnergyBasis, Surface, Walk};
use coach::measure::{ActivityDuration, BodyMass, Grade, Speed};
use coach::plan::Setting;
use serde_json::{Value, json};
use store::LoggedBlock;

/// Speed assumed for a backward block logged without one: the speed of Compendium code 17320
/// ("walking, backwards, 3.5 mph"), so that the figure is that code's MET as published.
pub const ASSUMED_BACKWARD_MPH: f64 = 3.5;
/// Speed assumed for a forward block logged without one: a moderate 3.0 mph (code 17190's band).
pub const ASSUMED_FORWARD_MPH: f64 = 3.0;

/// Total kcal (None without body mass) and the explanation stored with the session.
pub fn session_energy(
    setting: Setting,
    blocks: &[LoggedBlock],
    mass: Option<BodyMass>,
) -> (Option<f64>, Value) {
    let Some(mass) = mass else {
        return (
            None,
            json!({
                "kcal": null,
                "reason": "No body mass in your profile: energy is not estimated rather than guessed. Add your body mass to the profile and edit or re-log the session.",
            }),
        );
    };
    let surface = match setting {
        Setting::Treadmill => Surface::Treadmill,
        _ => Surface::Ground,
    };
    let edition = Edition::default();
    let mut total = 0.0;
    let mut explained = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut assumed = false;
    for block in blocks {
        let Ok(duration) = ActivityDuration::from_seconds(block.seconds) else {
            continue;
        };
        let speed = block.speed.or_else(|| {
            assumed = true;
            let mph = match block.direction {
                Direction::Backward => ASSUMED_BACKWARD_MPH,
                Direction::Forward => ASSUMED_FORWARD_MPH,
            };
            Speed::from_mph(mph).ok()
        });
        let Some(speed) = speed else { continue };
        let walk = Walk {
            direction: block.direction,
            speed,
            grade: block.grade.unwrap_or(Grade::LEVEL),
            surface,
        };
        let estimate = coach::energy::estimate(&walk, duration, mass, edition, EnergyBasis::Gross);
        total += estimate.kcal;
        for note in &estimate.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        explained.push(json!({
            "direction": block.direction,
            "seconds": block.seconds,
            "speed_mps": speed.mps(),
            "met": estimate.met,
            "kcal": estimate.kcal,
            "basis": estimate.met_basis,
        }));
    }
    if assumed {
        notes.push(format!(
            "Blocks without a speed were taken as {ASSUMED_BACKWARD_MPH} mph backward (the speed of Compendium code 17320) and {ASSUMED_FORWARD_MPH} mph forward; give speed_mps for a closer figure."
        ));
    }
    (
        Some(total),
        json!({
            "kcal": total,
            "edition": edition,
            "basis": "gross",
            "body_mass_kg": mass.kg(),
            "blocks": explained,
            "notes": notes,
            "source": edition.source(),
        }),
    )
}
