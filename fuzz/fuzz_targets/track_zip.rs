//! The zip reader of `tracks` on arbitrary bytes (see `track_common.rs`).
#![no_main]

#[path = "track_common.rs"]
mod track_common;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| track_common::check("fuzzed.zip", bytes));
