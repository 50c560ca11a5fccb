//! Human durations in the configuration and on the command line: `"250ms"`, `"10s"`, `"5m"`,
//! `"1h"`, `"90d"`, and combinations such as `"1m30s"`.

use std::time::Duration;

/// Parses a human duration: one or more `<integer><unit>` parts with the units `ms`, `s`, `m`,
/// `h`, `d` (largest first is not required; parts add up). A bare number is refused because its
/// unit would be a guess.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(
            "empty duration; write e.g. \"10s\", \"250ms\", \"5m\", \"1h\" or \"90d\"".into(),
        );
    }
    let mut total_ms: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!(
                "{text:?} is not a duration; write e.g. \"10s\", \"250ms\", \"1m30s\""
            ));
        }
        let (num, after) = rest.split_at(digits);
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, next) = after.split_at(unit_len);
        let n: u128 = num
            .parse()
            .map_err(|_| format!("{text:?}: the number {num} is too large"))?;
        let factor: u128 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "" => {
                return Err(format!(
                    "{text:?} has no unit; write e.g. \"{num}s\" or \"{num}ms\" (units: ms, s, m, h, d)"
                ))
            }
            other => {
                return Err(format!(
                    "{text:?}: unknown unit {other:?} (units: ms, s, m, h, d)"
                ))
            }
        };
        total_ms = total_ms
            .checked_add(n.saturating_mul(factor))
            .filter(|v| *v <= u128::from(u64::MAX))
            .ok_or_else(|| format!("{text:?} is too large"))?;
        rest = next.trim_start();
    }
    let ms = u64::try_from(total_ms).map_err(|_| format!("{text:?} is too large"))?;
    Ok(Duration::from_millis(ms))
}

/// Formats a duration in the same notation [`parse_duration`] accepts (`"1m30s"`, `"250ms"`).
pub fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [
        ("d", 86_400_000u128),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_is_understood() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("90d"), Ok(Duration::from_secs(90 * 86_400)));
    }

    #[test]
    fn combined_parts_add_up() {
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h 5m"), Ok(Duration::from_secs(3900)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn a_bare_number_or_unknown_unit_is_refused_with_a_hint() {
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("10w").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("-5s").is_err());
    }

    #[test]
    fn an_absurdly_large_value_is_an_error_not_an_overflow() {
        assert!(parse_duration("99999999999999999999999999999999999999999d").is_err());
        assert!(parse_duration("18446744073709551615d").is_err());
    }

    #[test]
    fn formatting_round_trips() {
        for s in ["250ms", "10s", "1m30s", "90d", "1h5m"] {
            assert_eq!(format_duration(parse_duration(s).unwrap()), s);
        }
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }
}
