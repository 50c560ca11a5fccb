//! Wall-clock helpers: OIF timestamps and RFC 3339 log times from a `SystemTime`.
//!
//! The simulator writes OIF timestamps in UTC (the protocol says "server local time" without a
//! zone; a simulator with a fixed zone keeps tests reproducible across machines).

use std::time::{SystemTime, UNIX_EPOCH};

use acs_proto::Timestamp;

/// Splits seconds since the Unix epoch into civil UTC fields.
fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

fn since_epoch(at: SystemTime) -> std::time::Duration {
    at.duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// The OIF timestamp (UTC, whole seconds) of `at`. Times outside years 1970–9999 clamp to
/// the nearest representable one.
pub fn timestamp(at: SystemTime) -> Timestamp {
    let (y, mo, d, h, mi, s) = civil(since_epoch(at).as_secs());
    let y = y.clamp(1970, 9999) as u16;
    Timestamp::new(y, mo as u8, d as u8, h as u8, mi as u8, s as u8)
        .or_else(|_| Timestamp::new(9999, 12, 31, 23, 59, 59))
        .unwrap_or_else(|_| unreachable_timestamp())
}

/// A fixed, valid timestamp; only reached if the calendar arithmetic above were wrong.
fn unreachable_timestamp() -> Timestamp {
    match Timestamp::new(1970, 1, 1, 0, 0, 0) {
        Ok(t) => t,
        Err(_) => unreachable!("1970-01-01 00:00:00 is a valid timestamp"),
    }
}

/// `at` as RFC 3339 UTC with milliseconds, e.g. `2026-12-04T16:02:23.123Z`.
pub fn rfc3339(at: SystemTime) -> String {
    let d = since_epoch(at);
    let (y, mo, day, h, mi, s) = civil(d.as_secs());
    format!(
        "{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_known_instant_converts_to_its_calendar_fields() {
        // 2025-01-27 11:23:08 UTC
        let at = UNIX_EPOCH + Duration::from_secs(1_737_976_988);
        assert_eq!(timestamp(at).to_string(), "2025-01-27 11:23:08");
        assert_eq!(
            rfc3339(at + Duration::from_millis(7)),
            "2025-01-27T11:23:08.007Z"
        );
    }

    #[test]
    fn leap_day_and_epoch_convert_correctly() {
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29 00:00:00
        assert_eq!(timestamp(leap).to_string(), "2000-02-29 00:00:00");
        assert_eq!(timestamp(UNIX_EPOCH).to_string(), "1970-01-01 00:00:00");
    }
}
