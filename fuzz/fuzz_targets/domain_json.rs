//! An `Item` read from JSON (sync, import, export files) validates without panicking, writes
//! back, and reads back equal.
#![no_main]

use diplomatie_domain::Item;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(item) = serde_json::from_slice::<Item>(data) else {
        return;
    };
    let _ = item.validate();
    let json = match serde_json::to_vec(&item) {
        Ok(json) => json,
        Err(err) => panic!("an item that was read cannot be written back: {err}; {item:?}"),
    };
    match serde_json::from_slice::<Item>(&json) {
        Ok(again) => assert_eq!(again, item, "the item changed on a JSON round trip"),
        Err(err) => panic!(
            "an item written back cannot be read again: {err}; {}",
            String::from_utf8_lossy(&json)
        ),
    }
});
