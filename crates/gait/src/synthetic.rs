//! A synthetic day of lower-back motion at 100 Hz, for benchmarks and tests: rest with sensor
//! noise, and walking bouts (1 to 10 minutes, about three hours in all) spread through the day,
//! each with its own cadence. Deterministic (a fixed-seed generator), generated on the fly so
//! that a day costs no memory.

use crate::{G, Sample};

/// A small deterministic generator (SplitMix64), to need no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Walking bouts of the day: (start s, length s, cadence steps/min).
pub fn bouts(seconds: f64) -> Vec<(f64, f64, f64)> {
    let mut rng = SplitMix(7);
    let mut out = Vec::new();
    let mut t = 600.0;
    while t < seconds - 700.0 {
        let length = 60.0 + rng.next() * 540.0;
        let cadence = 95.0 + rng.next() * 30.0;
        out.push((t, length, cadence));
        t += length + 300.0 + rng.next() * 600.0;
    }
    out
}

/// `seconds` of samples at 100 Hz.
pub fn day(seconds: f64) -> impl Iterator<Item = Sample> {
    let plan = bouts(seconds);
    let mut rng = SplitMix(11);
    let n = (seconds * 100.0) as u64;
    let mut bout = 0usize;
    (0..n).map(move |i| {
        let t = i as f64 / 100.0;
        while bout < plan.len() && t > plan[bout].0 + plan[bout].1 {
            bout += 1;
        }
        let noise = (rng.next() - 0.5) * 0.1;
        let (vertical, forward, pitch) = match plan.get(bout) {
            Some(&(start, _, cadence)) if t >= start => {
                let phase = (t - start) * cadence / 60.0;
                let step = phase.fract();
                // An impact shortly after each contact, then a smooth swing.
                let impact = if step < 0.12 {
                    (step / 0.12 * std::f64::consts::PI).sin()
                } else {
                    0.0
                };
                let sway = (2.0 * std::f64::consts::PI * phase).sin();
                (
                    2.5 * impact + 1.2 * sway,
                    0.8 * (2.0 * std::f64::consts::PI * phase + 0.6).sin(),
                    20.0 * sway,
                )
            }
            _ => (0.0, 0.0, 0.0),
        };
        Sample {
            t,
            acc: [G + vertical + noise, 0.3 + noise, forward + noise],
            gyr: Some([noise, pitch + noise, noise]),
        }
    })
}

/// Writes `seconds` of [`day`] as CSV (`sample, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z`; m/s²,
/// deg/s, x vertical: the lower-back frame mobgap expects), as `bench/gait.sh` and the CSV
/// benchmark read it.
pub fn write_csv(seconds: f64, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out, "sample,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z")?;
    for (i, s) in day(seconds).enumerate() {
        let g = s.gyr.unwrap_or_default();
        writeln!(
            out,
            "{i},{:.5},{:.5},{:.5},{:.4},{:.4},{:.4}",
            s.acc[0], s.acc[1], s.acc[2], g[0], g[1], g[2]
        )?;
    }
    Ok(())
}
