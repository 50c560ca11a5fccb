//! Typed OIF values: ids, directions, timestamps, quoted text and secrets.
//!
//! Every type here can only hold a value the encoder can write safely: numeric ids are
//! numbers, free text is always quoted and `#NN`-escaped on the wire, and the few bare tokens
//! (protocol version) are validated when they are built.

use std::fmt;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<u32> for $name {
            fn from(v: u32) -> Self {
                Self(v)
            }
        }
    };
}

id_newtype!(
    /// An access point (door, turnstile) id in the ACS.
    AccessPointId
);
id_newtype!(
    /// An object (employee, guest, badge, car) id in the ACS.
    ObjectId
);
id_newtype!(
    /// A zone id in the ACS.
    ZoneId
);

/// Who is asked to pass: a known object, or nobody in particular (`ANONYMOUS`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ObjectRef {
    /// A known object id.
    Id(ObjectId),
    /// `ANONYMOUS`: a pass not tied to an object.
    Anonymous,
}

/// Pass direction as written in commands and classic events (`IN`, `OUT`, `UNKNOWN`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Direction {
    /// `IN`
    In,
    /// `OUT`
    Out,
    /// `UNKNOWN`
    Unknown,
}

impl Direction {
    /// The wire keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "IN",
            Direction::Out => "OUT",
            Direction::Unknown => "UNKNOWN",
        }
    }
}

/// A server timestamp `"YYYY-MM-DD hh:mm:ss"` (server local time; the zone is not stated).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// A timestamp field was out of range.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("invalid timestamp {year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")]
pub struct InvalidTimestamp {
    /// Year as given.
    pub year: u16,
    /// Month as given.
    pub month: u8,
    /// Day as given.
    pub day: u8,
    /// Hour as given.
    pub hour: u8,
    /// Minute as given.
    pub minute: u8,
    /// Second as given.
    pub second: u8,
}

impl Timestamp {
    /// Builds a timestamp; fields must be in calendar range (year 1..=9999, seconds ≤ 60).
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, InvalidTimestamp> {
        let ok = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour < 24
            && minute < 60
            && second <= 60;
        if ok {
            Ok(Self {
                year,
                month,
                day,
                hour,
                minute,
                second,
            })
        } else {
            Err(InvalidTimestamp {
                year,
                month,
                day,
                hour,
                minute,
                second,
            })
        }
    }

    /// Year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of month, 1–31.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour, 0–23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, 0–59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, 0–60.
    pub fn second(&self) -> u8 {
        self.second
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The protocol version token of `LOGIN` (`1.8`): digits and dots only, 1–16 bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ProtocolVersion(String);

/// A protocol version token had characters other than digits and dots.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("invalid protocol version token (digits and dots only, 1-16 bytes)")]
pub struct InvalidVersion;

impl ProtocolVersion {
    /// OIF 1.8, the version facegate speaks.
    pub fn v1_8() -> Self {
        Self("1.8".to_owned())
    }

    /// Validates a version token.
    pub fn new(s: &str) -> Result<Self, InvalidVersion> {
        let ok =
            !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidVersion)
        }
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ProtocolVersion {
    fn default() -> Self {
        Self::v1_8()
    }
}

/// A password: its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The value, for the one place that must write it (the encoder) and for comparisons.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with `other` in time that depends only on the lengths.
    pub fn ct_eq(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
        for i in 0..a.len().max(b.len()) {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            diff |= x ^ y;
        }
        diff == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}
