//! Time as a plain number: milliseconds since the Unix epoch, given by the caller.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

/// A point in time in milliseconds since the Unix epoch (UTC).
///
/// The engine never reads a clock; every time is a `UnixMillis` handed in by the caller.
/// Arithmetic saturates, so hostile event times (`i64::MIN`, `i64::MAX`) cannot overflow.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Debug,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    /// Builds a time from whole Unix seconds (saturating).
    pub fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Milliseconds from `earlier` to `self` (negative when `earlier` is later), saturating.
    pub fn millis_since(self, earlier: UnixMillis) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// A `Duration` as whole milliseconds, clamped to `i64::MAX`.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Add<Duration> for UnixMillis {
    type Output = UnixMillis;
    fn add(self, rhs: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_add(millis(rhs)))
    }
}

impl Sub<Duration> for UnixMillis {
    type Output = UnixMillis;
    fn sub(self, rhs: Duration) -> UnixMillis {
        UnixMillis(self.0.saturating_sub(millis(rhs)))
    }
}

impl fmt::Display for UnixMillis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_overflowing() {
        assert_eq!(
            UnixMillis(i64::MAX) + Duration::from_secs(1),
            UnixMillis(i64::MAX)
        );
        assert_eq!(
            UnixMillis(i64::MIN) - Duration::from_secs(1),
            UnixMillis(i64::MIN)
        );
        assert_eq!(
            UnixMillis(i64::MAX).millis_since(UnixMillis(i64::MIN)),
            i64::MAX
        );
        assert_eq!(
            UnixMillis::from_secs(2) + Duration::from_millis(5),
            UnixMillis(2005)
        );
    }
}
