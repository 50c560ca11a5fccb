//! Person → ACS object, per identity mode.

use acs_proto::ObjectId;

use crate::config::IdentityMode;
use crate::sighting::PersonRef;

/// The ACS object for a person, or `None` (`unmapped_person`).
///
/// `Same`: the Watcher id when it is in 1..=u32::MAX (0 is never an object). `Table`: the
/// table row. `ExternalId`: `external_id` when it is 1–10 decimal digits (no sign, no spaces)
/// in 1..=u32::MAX — anything else is unmapped, so payload text never becomes an object id.
pub(crate) fn resolve(mode: &IdentityMode, person: &PersonRef) -> Option<ObjectId> {
    match mode {
        IdentityMode::Same => u32::try_from(person.id.0)
            .ok()
            .filter(|&v| v != 0)
            .map(ObjectId),
        IdentityMode::Table(t) => t.lookup(person.id).map(|m| m.object),
        IdentityMode::ExternalId => {
            let s = person.external_id.as_deref()?;
            if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u32>().ok().filter(|&v| v != 0).map(ObjectId)
        }
    }
}

/// The mode's name for messages.
pub(crate) fn mode_name(mode: &IdentityMode) -> &'static str {
    match mode {
        IdentityMode::Same => "same",
        IdentityMode::Table(_) => "table",
        IdentityMode::ExternalId => "external_id",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sighting::PersonId;
    use crate::table::MappingTable;

    fn person(id: u64, ext: Option<&str>) -> PersonRef {
        PersonRef {
            id: PersonId(id),
            external_id: ext.map(str::to_owned),
            ..PersonRef::default()
        }
    }

    #[test]
    fn same_mode_maps_ids_that_fit_an_object_id() {
        assert_eq!(
            resolve(&IdentityMode::Same, &person(7, None)),
            Some(ObjectId(7))
        );
        assert_eq!(resolve(&IdentityMode::Same, &person(0, None)), None);
        assert_eq!(resolve(&IdentityMode::Same, &person(1 << 32, None)), None);
    }

    #[test]
    fn external_id_mode_accepts_plain_decimal_numbers_only() {
        let m = IdentityMode::ExternalId;
        assert_eq!(resolve(&m, &person(1, Some("6"))), Some(ObjectId(6)));
        for bad in [
            "",
            "0",
            "+6",
            " 6",
            "6 IN",
            "4294967296",
            "0x10",
            "6\r\nALLOWPASS 1 7 IN",
        ] {
            assert_eq!(resolve(&m, &person(1, Some(bad))), None, "{bad:?}");
        }
        assert_eq!(resolve(&m, &person(1, None)), None);
    }

    #[test]
    fn table_mode_looks_the_person_up() {
        let t = MappingTable::parse_csv("135,6\n").expect("table");
        let m = IdentityMode::Table(t);
        assert_eq!(resolve(&m, &person(135, None)), Some(ObjectId(6)));
        assert_eq!(resolve(&m, &person(136, Some("6"))), None);
    }
}
