//! Totals and averages from the records, preferring what the device itself recorded.

use crate::{Record, Summary};

/// Mean Earth radius, metres (IUGG), for the haversine distance.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Below this speed a stretch counts as standing still when the device gives no timer time.
const MOVING_MPS: f64 = 0.2;
/// Altitude changes smaller than this are noise, not climbing.
const ASCENT_HYSTERESIS_M: f64 = 1.0;

/// Great-circle distance between two (latitude, longitude) points in degrees.
pub(crate) fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Length of a run of records from their positions.
pub(crate) fn position_length(records: &[Record]) -> f64 {
    let points: Vec<(f64, f64)> = records
        .iter()
        .filter_map(|r| Some((r.latitude?, r.longitude?)))
        .collect();
    points.windows(2).map(|w| haversine_m(w[0], w[1])).sum()
}

/// What the device said about the whole activity, where it did.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DeviceTotals {
    pub(crate) elapsed_seconds: Option<f64>,
    pub(crate) timer_seconds: Option<f64>,
    pub(crate) distance_m: Option<f64>,
    pub(crate) ascent_m: Option<f64>,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The summary: device totals first, then what the records show.
pub(crate) fn summarize(
    records: &[Record],
    totals: DeviceTotals,
    positions_m: Option<f64>,
) -> Summary {
    let offsets: Vec<f64> = records.iter().filter_map(|r| r.offset_seconds).collect();
    let span = match (offsets.first(), offsets.last()) {
        (Some(a), Some(b)) if b >= a => Some(b - a),
        _ => None,
    };
    let last_distance = records
        .iter()
        .filter_map(|r| r.distance_m)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    let distance_m = totals
        .distance_m
        .or(last_distance)
        .or(positions_m.filter(|d| *d > 0.0));
    let moving_seconds = totals.timer_seconds.or_else(|| moving_time(records));
    let ascent_m = totals.ascent_m.or_else(|| ascent(records));
    let average_speed_mps = match (distance_m, moving_seconds) {
        (Some(d), Some(t)) if t > 0.0 => Some(d / t),
        _ => None,
    };
    Summary {
        elapsed_seconds: totals.elapsed_seconds.or(span),
        moving_seconds,
        distance_m,
        ascent_m,
        average_speed_mps,
        average_heart_rate: mean(
            records
                .iter()
                .filter_map(|r| r.heart_rate)
                .filter(|h| *h > 0)
                .map(f64::from),
        ),
        average_cadence: mean(
            records
                .iter()
                .filter_map(|r| r.cadence)
                .filter(|c| *c > 0)
                .map(f64::from),
        ),
    }
}

/// Seconds between consecutive records in which the walker covered ground.
fn moving_time(records: &[Record]) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for w in records.windows(2) {
        let (Some(t0), Some(t1)) = (w[0].offset_seconds, w[1].offset_seconds) else {
            continue;
        };
        let dt = t1 - t0;
        if dt <= 0.0 {
            continue;
        }
        let dd = match (w[0].distance_m, w[1].distance_m) {
            (Some(a), Some(b)) => Some(b - a),
            _ => match (w[0].latitude, w[0].longitude, w[1].latitude, w[1].longitude) {
                (Some(a), Some(b), Some(c), Some(d)) => Some(haversine_m((a, b), (c, d))),
                _ => None,
            },
        };
        let speed = w[1].speed_mps.or(dd.map(|d| d / dt));
        if let Some(speed) = speed {
            any = true;
            if speed >= MOVING_MPS {
                total += dt;
            }
        }
    }
    any.then_some(total)
}

/// Climbing, ignoring wobbles smaller than the hysteresis.
fn ascent(records: &[Record]) -> Option<f64> {
    let mut altitudes = records.iter().filter_map(|r| r.altitude_m);
    let mut reference = altitudes.next()?;
    let mut total = 0.0;
    for a in altitudes {
        if a - reference >= ASCENT_HYSTERESIS_M {
            total += a - reference;
            reference = a;
        } else if reference - a >= ASCENT_HYSTERESIS_M {
            reference = a;
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: f64, lat: f64, lon: f64) -> Record {
        Record {
            offset_seconds: Some(t),
            latitude: Some(lat),
            longitude: Some(lon),
            ..Record::default()
        }
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = haversine_m((0.0, 0.0), (1.0, 0.0));
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
    }

    #[test]
    fn device_totals_win_and_positions_fill_in() {
        let records = [
            at(0.0, 46.0, 14.0),
            at(10.0, 46.0001, 14.0),
            at(20.0, 46.0001, 14.0),
        ];
        let s = summarize(
            &records,
            DeviceTotals::default(),
            Some(position_length(&records)),
        );
        assert!((s.distance_m.unwrap() - 11.1).abs() < 0.2);
        assert_eq!(s.elapsed_seconds, Some(20.0));
        assert_eq!(
            s.moving_seconds,
            Some(10.0),
            "standing still does not count"
        );
        let s = summarize(
            &records,
            DeviceTotals {
                distance_m: Some(12.0),
                timer_seconds: Some(15.0),
                ..DeviceTotals::default()
            },
            None,
        );
        assert_eq!(s.distance_m, Some(12.0));
        assert_eq!(s.average_speed_mps, Some(0.8));
    }

    #[test]
    fn ascent_ignores_noise() {
        let records: Vec<Record> = [100.0, 100.4, 99.8, 101.0, 103.0, 102.5, 104.0]
            .iter()
            .map(|a| Record {
                altitude_m: Some(*a),
                ..Record::default()
            })
            .collect();
        assert_eq!(ascent(&records), Some(4.0));
    }
}
