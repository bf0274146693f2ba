//! Strides of a foot- or ankle-worn sensor: stance phases from the sensor at rest, and each
//! stride's displacement by strapdown integration between two zero-velocity updates.
//!
//! Why this gives the direction: the foot is a rigid body that stands still on the ground once
//! per stride. At each stance the sensor's attitude relative to gravity is known (it measures
//! only gravity then), so the swing that follows can be integrated in a frame levelled at that
//! stance and fixed to the foot: turning about the vertical only moves the frame with the foot.
//! The horizontal displacement in that frame points along the toes when walking forward and
//! towards the heel when walking backward, whatever the person's heading. Integration drift is
//! bounded by resetting the velocity at each stance (the next stance must be at rest, so the
//! velocity found there is error and is removed linearly over the swing).

use crate::G;

/// Degrees to radians.
const RAD: f64 = std::f64::consts::PI / 180.0;
/// Consecutive still samples (at 50 Hz) before a stance is believed: 80 ms. The foot's flat
/// phase lasts 0.2-0.6 s at walking speeds, so this keeps it while passing over brief slow
/// moments of the swing.
const MIN_STANCE_SAMPLES: u32 = 4;
/// A swing shorter than this is a wobble within one stance, not a stride.
const MIN_SWING_S: f64 = 0.2;
/// A swing longer than this is not a walking stride (the foot moved without stepping).
const MAX_SWING_S: f64 = 2.5;
/// Horizontal stride lengths outside this range are integration failures, not strides, m.
const STRIDE_LENGTH_M: (f64, f64) = (0.15, 3.0);

/// One stride of the instrumented foot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stride {
    /// The initial contact that ends it (the start of the next stance).
    pub(crate) contact_t: f64,
    /// Horizontal displacement over the swing, in the frame levelled at the stance before it
    /// (axes: the sensor's own, tilted to the horizontal), metres.
    pub(crate) displacement: [f64; 2],
}

/// When the sensor counts as still: a foot at rest on the ground turns by a few degrees a
/// second (motion capture of a flat foot reads about 24 deg/s, a real gyroscope less), while a
/// swing turns by hundreds; the shank above the ankle keeps turning slowly through stance as it
/// passes over the foot, so its bound is looser. The acceleration must also be close to gravity.
fn still_bounds(ankle: bool) -> (f64, f64) {
    if ankle { (100.0, 2.5) } else { (60.0, 2.0) }
}

type Matrix = [[f64; 3]; 3];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn apply(a: &Matrix, v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|i| a[i][0] * v[0] + a[i][1] * v[1] + a[i][2] * v[2])
}

/// Rotation by `angle` (radians) about the unit `axis` (Rodrigues' formula).
fn rotation(axis: [f64; 3], angle: f64) -> Matrix {
    let (s, c) = angle.sin_cos();
    let [x, y, z] = axis;
    let t = 1.0 - c;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

/// A rotation that turns the measured specific force `f` (pointing up at rest) to the
/// vertical while keeping the sensor's own heading: the smallest one, from the sensor's +z, or
/// for a sensor mounted with z down (`upside_down`, decided once per recording), the smallest
/// one after half a turn about x. The smallest rotation is unstable only when the force is
/// nearly opposite to the axis it starts from, which the choice of axis keeps away.
fn levelling(f: [f64; 3], upside_down: bool) -> Matrix {
    if upside_down {
        let flip = [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]];
        return mul(&smallest_levelling(apply(&flip, f)), &flip);
    }
    smallest_levelling(f)
}

/// The smallest rotation that turns `f` to +z.
fn smallest_levelling(f: [f64; 3]) -> Matrix {
    let norm = (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt().max(1e-9);
    let u = f.map(|v| v / norm);
    // axis = u x z
    let axis = [u[1], -u[0], 0.0];
    let s = (axis[0] * axis[0] + axis[1] * axis[1]).sqrt();
    if s < 1e-9 {
        return if u[2] > 0.0 {
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        } else {
            // Upside down: half a turn about x.
            [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]]
        };
    }
    rotation([axis[0] / s, axis[1] / s, 0.0], s.atan2(u[2]))
}

#[derive(Debug, Clone)]
enum Phase {
    /// At rest: the sum of the specific force over the stance, for its attitude.
    Stance { force: [f64; 3], samples: u32 },
    /// Moving since `since`, with the attitude, velocity and position integrated from the
    /// stance before (levelled frame), and how many still samples have just been seen.
    Swing {
        since: f64,
        attitude: Matrix,
        gravity: f64,
        velocity: [f64; 3],
        position: [f64; 3],
        still: u32,
    },
    /// Moving, with no stance seen yet to start from.
    Lost { still: u32, force: [f64; 3] },
}

/// Streams 50 Hz samples with a gyroscope and gives a [`Stride`] at each initial contact.
#[derive(Debug, Clone)]
pub(crate) struct StrideTracker {
    phase: Phase,
    /// Whether the sensor's z points down at rest, decided at the first stance and kept, so
    /// that every stride is levelled the same way.
    upside_down: Option<bool>,
    gyro_bound: f64,
    acc_bound: f64,
    dt: f64,
}

impl StrideTracker {
    pub(crate) fn new(ankle: bool, rate_hz: f64) -> Self {
        let (gyro_bound, acc_bound) = still_bounds(ankle);
        StrideTracker {
            upside_down: None,
            phase: Phase::Lost {
                still: 0,
                force: [0.0; 3],
            },
            gyro_bound,
            acc_bound,
            dt: 1.0 / rate_hz,
        }
    }

    /// After a gap in the input: forget the swing in progress.
    pub(crate) fn restart(&mut self) {
        self.phase = Phase::Lost {
            still: 0,
            force: [0.0; 3],
        };
    }

    /// Feeds one sample (acceleration in m/s² with gravity, angular velocity in deg/s, both in
    /// the sensor's frame); gives the stride that a new initial contact completes, if any (and
    /// `Err(contact time)` for a contact whose stride could not be measured).
    pub(crate) fn push(
        &mut self,
        t: f64,
        acc: [f64; 3],
        gyr: [f64; 3],
    ) -> Option<Result<Stride, f64>> {
        let turning = (gyr[0] * gyr[0] + gyr[1] * gyr[1] + gyr[2] * gyr[2]).sqrt();
        let magnitude = (acc[0] * acc[0] + acc[1] * acc[1] + acc[2] * acc[2]).sqrt();
        let still = turning < self.gyro_bound && (magnitude - G).abs() < self.acc_bound;
        let dt = self.dt;
        match &mut self.phase {
            Phase::Stance { force, samples } => {
                if still {
                    for (f, a) in force.iter_mut().zip(acc) {
                        *f += a;
                    }
                    *samples += 1;
                    return None;
                }
                let n = f64::from((*samples).max(1));
                let mean = force.map(|f| f / n);
                let gravity = (mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]).sqrt();
                let upside_down = *self
                    .upside_down
                    .get_or_insert(mean[2] < -0.5 * gravity.max(1e-9));
                self.phase = Phase::Swing {
                    since: t,
                    attitude: levelling(mean, upside_down),
                    gravity,
                    velocity: [0.0; 3],
                    position: [0.0; 3],
                    still: 0,
                };
                self.integrate(acc, gyr);
                None
            }
            Phase::Lost {
                still: count,
                force,
            } => {
                if still {
                    *count += 1;
                    for (f, a) in force.iter_mut().zip(acc) {
                        *f += a;
                    }
                    if *count >= MIN_STANCE_SAMPLES {
                        self.phase = Phase::Stance {
                            force: *force,
                            samples: *count,
                        };
                    }
                } else {
                    *count = 0;
                    *force = [0.0; 3];
                }
                None
            }
            Phase::Swing { still: count, .. } => {
                if still {
                    *count += 1;
                } else {
                    *count = 0;
                }
                let count = *count;
                self.integrate(acc, gyr);
                if count < MIN_STANCE_SAMPLES {
                    if let Phase::Swing { since, .. } = self.phase
                        && t - since > MAX_SWING_S
                    {
                        self.restart();
                    }
                    return None;
                }
                // A stance began MIN_STANCE_SAMPLES - 1 samples ago: that is the contact.
                let contact = t - f64::from(MIN_STANCE_SAMPLES - 1) * dt;
                let Phase::Swing {
                    since,
                    velocity,
                    position,
                    ..
                } = self.phase
                else {
                    return None;
                };
                self.phase = Phase::Stance {
                    force: acc,
                    samples: 1,
                };
                let swing = contact - since;
                if swing < MIN_SWING_S {
                    // A wobble within the stance: the stance goes on.
                    return None;
                }
                // The foot is at rest again, so the velocity left is drift; assuming it grew
                // linearly over the swing, it added half of itself times the swing's length.
                let elapsed = t - since;
                let displacement = [
                    position[0] - velocity[0] * elapsed / 2.0,
                    position[1] - velocity[1] * elapsed / 2.0,
                ];
                let length = displacement[0].hypot(displacement[1]);
                Some(
                    if (STRIDE_LENGTH_M.0..=STRIDE_LENGTH_M.1).contains(&length) {
                        Ok(Stride {
                            contact_t: contact,
                            displacement,
                        })
                    } else {
                        Err(contact)
                    },
                )
            }
        }
    }

    fn integrate(&mut self, acc: [f64; 3], gyr: [f64; 3]) {
        let dt = self.dt;
        if let Phase::Swing {
            attitude,
            gravity,
            velocity,
            position,
            ..
        } = &mut self.phase
        {
            let w = gyr.map(|g| g * RAD);
            let rate = (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]).sqrt();
            if rate > 1e-12 {
                *attitude = mul(attitude, &rotation(w.map(|v| v / rate), rate * dt));
            }
            let mut a = apply(attitude, acc);
            a[2] -= *gravity;
            for k in 0..3 {
                let before = velocity[k];
                velocity[k] += a[k] * dt;
                position[k] += (before + velocity[k]) / 2.0 * dt;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A foot that rests, then swings `length` m along the sensor's axis `axis` in 0.5 s with a
    /// smooth (cosine) velocity profile, then rests again; repeated.
    fn strides(length: f64, axis: usize, count: usize) -> Vec<(f64, [f64; 3], [f64; 3])> {
        let rate = 50.0;
        let (stance, swing) = (0.6, 0.5);
        let mut out = Vec::new();
        let mut t = 0.0;
        for _ in 0..count {
            for _ in 0..(stance * rate) as usize {
                out.push((t, [0.0, 0.0, G], [1.0, -2.0, 0.5]));
                t += 1.0 / rate;
            }
            for i in 0..(swing * rate) as usize {
                let phase = i as f64 / (swing * rate);
                // Velocity v(s) = L/T (1 - cos 2 pi s): acceleration its derivative.
                let a = length / swing * 2.0 * std::f64::consts::PI / swing
                    * (2.0 * std::f64::consts::PI * phase).sin();
                let mut acc = [0.0, 0.0, G];
                acc[axis] += a;
                out.push((t, acc, [0.0; 3]));
                t += 1.0 / rate;
            }
        }
        out
    }

    #[test]
    fn each_swing_between_stances_is_a_stride_along_its_axis() {
        let mut tracker = StrideTracker::new(false, 50.0);
        let found: Vec<_> = strides(1.2, 0, 6)
            .into_iter()
            .filter_map(|(t, a, g)| tracker.push(t, a, g))
            .collect();
        assert_eq!(found.len(), 5, "{found:?}");
        for s in &found {
            let s = s.as_ref().unwrap();
            assert!((s.displacement[0] - 1.2).abs() < 0.1, "{s:?}");
            assert!(s.displacement[1].abs() < 0.05, "{s:?}");
        }
        // Walking the other way along the same foot: the displacement points back.
        let mut tracker = StrideTracker::new(false, 50.0);
        let back: Vec<_> = strides(-0.8, 0, 4)
            .into_iter()
            .filter_map(|(t, a, g)| tracker.push(t, a, g))
            .collect();
        assert!(
            back.iter()
                .all(|s| s.as_ref().unwrap().displacement[0] < -0.6)
        );
    }

    #[test]
    fn levelling_turns_the_force_upright() {
        for (f, upside_down) in [
            ([0.0, 0.0, G], false),
            ([3.0, -2.0, 9.0], false),
            ([0.0, 0.0, -G], false),
            ([G, 0.0, 0.0], false),
            ([0.3, 0.2, -9.7], true),
            ([0.0, 0.0, -G], true),
        ] {
            let up = apply(&levelling(f, upside_down), f);
            let n = (f[0] * f[0] + f[1] * f[1] + f[2] * f[2]).sqrt();
            assert!((up[2] - n).abs() < 1e-9 && up[0].abs() < 1e-9 && up[1].abs() < 1e-9);
        }
        // Upside down, the heading no longer jumps with the direction of a small tilt: the
        // sensor's x stays close to the same horizontal direction.
        let headings: Vec<f64> = [0.0_f64, 30.0, 60.0, 90.0]
            .iter()
            .map(|deg| {
                let tilt = 3.0_f64.to_radians();
                let (s, c) = deg.to_radians().sin_cos();
                let f = [G * tilt.sin() * c, G * tilt.sin() * s, -G * tilt.cos()];
                let x = apply(&levelling(f, true), [1.0, 0.0, 0.0]);
                x[1].atan2(x[0]).to_degrees()
            })
            .collect();
        assert!(headings.iter().all(|h| h.abs() < 5.0), "{headings:?}");
    }
}
