//! Every text parser of the coach on arbitrary input: no panic, and what parses is in range.
#![no_main]

use coach::measure::{ActivityDuration, Age, BodyMass, Grade, PainScore, Rpe, Speed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(s) = text.parse::<Speed>() {
        assert!(s.mps() >= Speed::MIN_MPS && s.mps() <= Speed::MAX_MPS);
    }
    if let Ok(m) = text.parse::<BodyMass>() {
        assert!((20.0..=350.0).contains(&m.kg()));
    }
    if let Ok(g) = text.parse::<Grade>() {
        assert!((0.0..=Grade::MAX_PERCENT).contains(&g.percent()));
    }
    if let Ok(d) = text.parse::<ActivityDuration>() {
        assert!((1..=ActivityDuration::MAX_SECONDS).contains(&d.seconds()));
    }
    let _ = text.parse::<PainScore>();
    let _ = text.parse::<Rpe>();
    let _ = text.parse::<Age>();
    let _ = text.parse::<coach::energy::Direction>();
    let _ = text.parse::<coach::plan::Setting>();
    let _ = text.parse::<coach::plan::Weeks>();
});
