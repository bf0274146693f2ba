//! The screening answers file on arbitrary bytes: no panic, and a parsed file always screens.
#![no_main]

use coach::screening::{ScreeningAnswers, screen};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(answers) = serde_json::from_slice::<ScreeningAnswers>(bytes) {
        let s = screen(&answers);
        assert!(!s.advice.is_empty());
    }
});
