//! Fuzz the identity table parser: whatever parses must survive `to_csv` → `parse_csv`
//! unchanged; anything else must be a list of line-numbered errors, never a panic.
#![no_main]

use identity_core::MappingTable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match MappingTable::parse_csv(text) {
        Ok(table) => {
            let again = MappingTable::parse_csv(&table.to_csv()).expect("to_csv output parses");
            assert_eq!(again.len(), table.len());
            for (person, mapping) in table.iter() {
                assert_eq!(again.lookup(person), Some(mapping));
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
