//! Human byte sizes in the configuration: `"64KiB"`, `"1MiB"`, `"512B"`, `"10KB"`.

/// Parses a size: an integer followed by `B`, `KB`/`MB`/`GB` (powers of 1000) or
/// `KiB`/`MiB`/`GiB` (powers of 1024). Units are case-sensitive except that `kB` is accepted;
/// a bare number is refused because its unit would be a guess.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(format!(
            "{text:?} is not a size; write e.g. \"64KiB\", \"1MiB\" or \"512B\""
        ));
    }
    let (num, unit) = s.split_at(digits);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{text:?}: the number {num} is too large"))?;
    let factor: u64 = match unit.trim() {
        "B" => 1,
        "KB" | "kB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "" => {
            return Err(format!(
                "{text:?} has no unit; write e.g. \"{num}B\" or \"{num}KiB\" (units: B, KB, KiB, MB, MiB, GB, GiB)"
            ))
        }
        other => {
            return Err(format!(
                "{text:?}: unknown unit {other:?} (units: B, KB, KiB, MB, MiB, GB, GiB)"
            ))
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_decimal_units_are_understood() {
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("64KiB"), Ok(65_536));
        assert_eq!(parse_size("10KB"), Ok(10_000));
        assert_eq!(parse_size("1MiB"), Ok(1_048_576));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("64 KiB"), Ok(65_536));
    }

    #[test]
    fn a_bare_number_or_unknown_unit_is_refused_with_a_hint() {
        assert!(parse_size("1024").unwrap_err().contains("no unit"));
        assert!(parse_size("1kib").unwrap_err().contains("unknown unit"));
        assert!(parse_size("KiB").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn overflow_is_an_error() {
        assert!(parse_size("99999999999999999999GiB").is_err());
        assert!(parse_size("18446744073GiB").is_err());
    }
}
