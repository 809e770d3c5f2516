//! `parse_eml` takes bytes from outside (an imported .eml file): any input may be refused with
//! an `EmlError`, none may panic.
#![no_main]

use diplomatie_client::eml::{EmlLimits, parse_eml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_eml(data, &EmlLimits::default());
});
