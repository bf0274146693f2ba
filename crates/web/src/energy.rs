//! Energy of a logged session: the coach's estimate per block, summed, with the body mass in
//! force on the session's day (each entry of the history holds from its date until the next).
//! Without one the answer is no figure and the reason, never a guessed weight; a sport the
//! product does not estimate says so too.

use coach::energy::{Direction, Edition, EnergyBasis, Sport, Surface, Terrain, Walk};
use coach::measure::{ActivityDuration, BodyMass, Grade, Speed};
use coach::plan::Setting;
use jiff::civil::Date;
use serde_json::{Value, json};
use store::{BodyMassEntry, LoggedBlock, body_mass_on};

/// Speed assumed for a backward block logged without one: the speed of Compendium code 17320
/// ("walking, backwards, 3.5 mph"), so that the figure is that code's MET as published.
pub const ASSUMED_BACKWARD_MPH: f64 = 3.5;
/// Speed assumed for a forward block logged without one: a moderate 3.0 mph (code 17190's band).
pub const ASSUMED_FORWARD_MPH: f64 = 3.0;

/// Why a session of another sport has no kcal.
pub const OTHER_SPORT_REASON: &str = "No energy estimate for this sport: Retrostride estimates walking, running and cycling from the Compendium of Physical Activities, and another sport's figure depends on what exactly was done, which it does not know.";

/// Total kcal (None without a body mass in force, or for another sport) and the explanation
/// stored with the session, for a session on `day` under a body-mass history.
pub fn session_energy(
    setting: Setting,
    sport: Sport,
    blocks: &[LoggedBlock],
    day: Date,
    history: &[BodyMassEntry],
) -> (Option<f64>, Value) {
    if sport == Sport::Other {
        return no_estimate(OTHER_SPORT_REASON.to_string());
    }
    match body_mass_on(history, day) {
        Some(entry) => energy_with_mass(setting, sport, blocks, entry.mass, Some(entry.from)),
        None => no_estimate(no_mass_reason(day, history.first().map(|e| e.from))),
    }
}

/// Why a session on `day` has no body mass in force: none at all, or none that early.
pub fn no_mass_reason(day: Date, earliest: Option<Date>) -> String {
    match earliest {
        None => "No body mass in your profile: energy is not estimated rather than guessed. Add your body mass in Settings, from this session's day or earlier, and every session it applies to is estimated again.".to_string(),
        Some(first) => format!(
            "No body mass was in force on {day}: your earliest is from {first}. Add your body mass from {day} or earlier in Settings, and every session it applies to is estimated again."
        ),
    }
}

fn no_estimate(reason: String) -> (Option<f64>, Value) {
    (None, json!({ "kcal": null, "reason": reason }))
}

/// Total kcal and the explanation for a session estimated with a given body mass (`from`: the
/// day that entry of the history holds from, when it comes from one).
pub fn energy_with_mass(
    setting: Setting,
    sport: Sport,
    blocks: &[LoggedBlock],
    mass: BodyMass,
    from: Option<Date>,
) -> (Option<f64>, Value) {
    if sport == Sport::Other {
        return no_estimate(OTHER_SPORT_REASON.to_string());
    }
    let surface = match setting {
        Setting::Treadmill => Surface::Treadmill,
        _ => Surface::Ground,
    };
    let terrain = match setting {
        Setting::Treadmill => Terrain::Indoors,
        _ => Terrain::Outdoors,
    };
    let edition = Edition::default();
    let mut total = 0.0;
    let mut explained = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut references = Vec::new();
    let mut assumed = false;
    for block in blocks {
        let Ok(duration) = ActivityDuration::from_seconds(block.seconds) else {
            continue;
        };
        let estimate = if sport == Sport::Walking {
            let speed = block.speed.and_then(|s| s.walking()).or_else(|| {
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
            coach::energy::estimate(&walk, duration, mass, edition, EnergyBasis::Gross)
        } else {
            let Some(estimate) = coach::energy::estimate_sport(
                sport,
                block.direction,
                block.speed,
                terrain,
                duration,
                mass,
                EnergyBasis::Gross,
            ) else {
                continue;
            };
            estimate
        };
        total += estimate.kcal;
        for note in &estimate.notes {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        for source in &estimate.references {
            if !references.contains(source) {
                references.push(*source);
            }
        }
        explained.push(json!({
            "direction": block.direction,
            "seconds": block.seconds,
            "speed_mps": match sport {
                Sport::Walking => block.speed.and_then(|s| s.walking()).map(Speed::mps)
                    .or_else(|| Speed::from_mph(match block.direction {
                        Direction::Backward => ASSUMED_BACKWARD_MPH,
                        Direction::Forward => ASSUMED_FORWARD_MPH,
                    }).ok().map(Speed::mps)),
                _ => block.speed.map(f64::from),
            },
            "met": estimate.met,
            "kcal": estimate.kcal,
            "basis": estimate.met_basis,
            "source": estimate.source,
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
            "sport": sport,
            "edition": if sport == Sport::Walking { edition } else { Edition::Y2024 },
            "basis": "gross",
            "body_mass_kg": mass.kg(),
            "body_mass_from": from,
            "blocks": explained,
            "notes": notes,
            "source": edition.source(),
            "references": references,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use coach::measure::TravelSpeed;

    fn block(direction: Direction, seconds: u32, mps: Option<f64>) -> LoggedBlock {
        LoggedBlock {
            direction,
            seconds,
            speed: mps.map(|v| TravelSpeed::from_mps(v).unwrap()),
            grade: None,
        }
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_ride_is_not_a_three_mph_walk() {
        let history = [BodyMassEntry {
            from: day("2026-11-01"),
            mass: BodyMass::from_kg(70.0).unwrap(),
        }];
        // 30 minutes at 6 m/s (13.4 mph): cycling code 01030, 8.0 METs.
        let ride = [block(Direction::Forward, 1800, Some(6.0))];
        let (kcal, energy) = session_energy(
            Setting::Ground,
            Sport::Cycling,
            &ride,
            day("2026-11-02"),
            &history,
        );
        assert!((kcal.unwrap() - 8.0 * 70.0 * 0.5).abs() < 1e-9, "{kcal:?}");
        assert!(
            energy["blocks"][0]["source"]
                .as_str()
                .unwrap()
                .contains("01030")
        );
        // The same file as a walk would have been a 3 mph walk.
        let (walk, _) = session_energy(
            Setting::Ground,
            Sport::Walking,
            &ride,
            day("2026-11-02"),
            &history,
        );
        assert!((walk.unwrap() - 3.8 * 70.0 * 0.5).abs() < 1e-9, "{walk:?}");
    }

    #[test]
    fn the_body_mass_in_force_on_the_day_is_used_and_its_absence_explained() {
        let history = [
            BodyMassEntry {
                from: day("2026-11-01"),
                mass: BodyMass::from_kg(80.0).unwrap(),
            },
            BodyMassEntry {
                from: day("2026-11-10"),
                mass: BodyMass::from_kg(70.0).unwrap(),
            },
        ];
        let walk = [block(Direction::Backward, 600, None)];
        let kcal =
            |d: &str| session_energy(Setting::Ground, Sport::Walking, &walk, day(d), &history);
        let (before, why) = kcal("2026-10-31");
        assert_eq!(before, None);
        assert!(
            why["reason"]
                .as_str()
                .unwrap()
                .contains("earliest is from 2026-11-01")
        );
        assert!((kcal("2026-11-09").0.unwrap() - 6.0 * 80.0 / 6.0).abs() < 1e-9);
        assert!((kcal("2026-11-10").0.unwrap() - 6.0 * 70.0 / 6.0).abs() < 1e-9);
        assert_eq!(kcal("2026-11-10").1["body_mass_from"], "2026-11-10");
        let (none, why) = session_energy(
            Setting::Ground,
            Sport::Walking,
            &walk,
            day("2026-11-10"),
            &[],
        );
        assert_eq!(none, None);
        assert!(
            why["reason"]
                .as_str()
                .unwrap()
                .starts_with("No body mass in your profile")
        );
        let (other, why) = session_energy(
            Setting::Ground,
            Sport::Other,
            &walk,
            day("2026-11-10"),
            &history,
        );
        assert_eq!(other, None);
        assert!(why["reason"].as_str().unwrap().contains("this sport"));
    }
}
