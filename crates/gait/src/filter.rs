//! Streaming signal pieces: second-order Butterworth sections and a linear resampler.

use std::f64::consts::PI;

/// One second-order IIR section (direct form II transposed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
    z: [f64; 2],
}

impl Biquad {
    fn new(b: [f64; 3], a0: f64, a: [f64; 2]) -> Self {
        Biquad {
            b: [b[0] / a0, b[1] / a0, b[2] / a0],
            a: [a[0] / a0, a[1] / a0],
            z: [0.0; 2],
        }
    }

    /// Butterworth low-pass at `cutoff` Hz for `rate` Hz (bilinear transform, Q = 1/sqrt 2).
    pub(crate) fn low_pass(cutoff: f64, rate: f64) -> Self {
        let w = 2.0 * PI * cutoff / rate;
        let (sin, cos) = w.sin_cos();
        let alpha = sin / std::f64::consts::SQRT_2;
        Biquad::new(
            [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0],
            1.0 + alpha,
            [-2.0 * cos, 1.0 - alpha],
        )
    }

    /// Butterworth high-pass at `cutoff` Hz for `rate` Hz.
    pub(crate) fn high_pass(cutoff: f64, rate: f64) -> Self {
        let w = 2.0 * PI * cutoff / rate;
        let (sin, cos) = w.sin_cos();
        let alpha = sin / std::f64::consts::SQRT_2;
        Biquad::new(
            [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0],
            1.0 + alpha,
            [-2.0 * cos, 1.0 - alpha],
        )
    }

    /// Filters one sample.
    pub(crate) fn step(&mut self, x: f64) -> f64 {
        let y = self.b[0] * x + self.z[0];
        self.z[0] = self.b[1] * x - self.a[0] * y + self.z[1];
        self.z[1] = self.b[2] * x - self.a[1] * y;
        y
    }

    /// Starts the filter as if the signal had always been `x` (no start-up transient).
    pub(crate) fn settle(&mut self, x: f64) {
        for _ in 0..2000 {
            self.step(x);
        }
    }
}

/// Turns irregular samples (vectors of `N` channels: acceleration, and angular velocity when
/// there is some) into a regular stream at `rate` Hz by linear interpolation.
#[derive(Debug, Clone)]
pub(crate) struct Resampler<const N: usize> {
    period: f64,
    /// Time of the regular sample 0 of the current run, and the index of the next one.
    origin: f64,
    index: u64,
    last: Option<(f64, [f64; N])>,
    /// Gaps longer than this are not bridged: the stream restarts after them.
    max_gap: f64,
}

impl<const N: usize> Resampler<N> {
    pub(crate) fn new(rate: f64, max_gap: f64) -> Self {
        Resampler {
            period: 1.0 / rate,
            origin: 0.0,
            index: 0,
            last: None,
            max_gap,
        }
    }

    /// Feeds one sample; calls `out(t, value)` for each regular sample it completes. Returns
    /// true when a gap made the stream restart.
    pub(crate) fn push(&mut self, t: f64, v: [f64; N], mut out: impl FnMut(f64, [f64; N])) -> bool {
        // Regular times are origin + k * period, computed from k so that no error accumulates.
        const EPSILON: f64 = 1e-9;
        let restart = match self.last {
            None => true,
            Some((t0, _)) if t <= t0 => return false, // out of order or repeated: ignored
            Some((t0, _)) => t - t0 > self.max_gap,
        };
        if restart {
            self.origin = t;
            self.index = 1;
            out(t, v);
        } else if let Some((t0, v0)) = self.last {
            loop {
                let next = self.origin + self.index as f64 * self.period;
                if next > t + EPSILON {
                    break;
                }
                let w = (next - t0) / (t - t0);
                out(next, std::array::from_fn(|i| v0[i] + (v[i] - v0[i]) * w));
                self.index += 1;
            }
        }
        let gap = restart && self.last.is_some();
        self.last = Some((t, v));
        gap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain(mut f: Biquad, freq: f64, rate: f64) -> f64 {
        let n = (rate * 20.0) as usize;
        let mut peak: f64 = 0.0;
        for i in 0..n {
            let y = f.step((2.0 * PI * freq * i as f64 / rate).sin());
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn butterworth_is_minus_3_db_at_the_cutoff() {
        assert!((gain(Biquad::low_pass(3.0, 50.0), 3.0, 50.0) - 0.707).abs() < 0.02);
        assert!(gain(Biquad::low_pass(3.0, 50.0), 0.5, 50.0) > 0.99);
        assert!(gain(Biquad::low_pass(3.0, 50.0), 15.0, 50.0) < 0.05);
        assert!((gain(Biquad::high_pass(0.5, 50.0), 0.5, 50.0) - 0.707).abs() < 0.02);
        assert!(gain(Biquad::high_pass(0.5, 50.0), 0.05, 50.0) < 0.02);
    }

    #[test]
    fn resampling_interpolates_and_restarts_after_gaps() {
        let mut r = Resampler::new(10.0, 1.0);
        let mut got = Vec::new();
        for (t, v) in [(0.0, 0.0), (0.25, 2.5), (0.5, 5.0), (5.0, 1.0), (5.1, 2.0)] {
            r.push(t, [v, -v, 1.0], |t, v| got.push((t, v)));
        }
        let times: Vec<f64> = got
            .iter()
            .map(|(t, _)| (t * 100.0).round() / 100.0)
            .collect();
        assert_eq!(times, vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 5.0, 5.1]);
        assert!((got[3].1[0] - 3.0).abs() < 1e-9);
        assert!((got[3].1[1] + 3.0).abs() < 1e-9);
        assert!((got[3].1[2] - 1.0).abs() < 1e-9);
    }
}
