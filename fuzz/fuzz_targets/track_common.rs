//! The check every activity-format target makes: `tracks` on arbitrary bytes under a file name
//! with the target's extension, no panic, and what it returns is consistent.

pub fn check(name: &str, bytes: &[u8]) {
    for result in tracks::read(name, bytes) {
        match result.outcome {
            Ok(activity) => {
                // Every figure the summary gives is a real number.
                let s = &activity.summary;
                for v in [s.elapsed_seconds, s.moving_seconds, s.distance_m, s.average_speed_mps]
                    .into_iter()
                    .flatten()
                {
                    assert!(!v.is_nan(), "NaN in the summary");
                }
            }
            Err(damaged) => assert!(!damaged.error.to_string().is_empty()),
        }
    }
}
