//! The OIF error-code table: numeric codes, default texts and retry classes.

use std::fmt;

use crate::reply::{ErrorCode, Reply};

/// `(code, variant, text)` for every row of the OIF 1.8 table, in code order.
const TABLE: [(u32, ErrorCode, &str); 29] = [
    (1, ErrorCode::UnableToConnectToDb, "UNABLE TO CONNECT TO DB"),
    (2, ErrorCode::UnknownCommand, "UNKNOWN COMMAND"),
    (
        3,
        ErrorCode::UnsupportedInterfaceVersion,
        "UNSUPPORTED INTERFACE VERSION",
    ),
    (4, ErrorCode::NotLoggedIn, "NOT LOGGED IN"),
    (5, ErrorCode::GenericSqlError, "GENERIC SQL ERROR"),
    (6, ErrorCode::SyntaxError, "SYNTAX ERROR"),
    (7, ErrorCode::UnknownObject, "UNKNOWN OBJECT"),
    (8, ErrorCode::InternalError, "INTERNAL ERROR"),
    (
        9,
        ErrorCode::ConcurrentTransaction,
        "CONCURRENT TRANSACTION IS IN PROGRESS",
    ),
    (10, ErrorCode::UnknownAccessPoint, "UNKNOWN ACCESS POINT"),
    (11, ErrorCode::AuthenticationFailed, "AUTHENTICATION FAILED"),
    (12, ErrorCode::DelegationDisabled, "DELEGATION IS DISABLED"),
    (
        13,
        ErrorCode::DelegationNotActive,
        "DELEGATION IS NOT ACTIVE",
    ),
    (14, ErrorCode::NotSubscribed, "NOT SUBSCRIBED"),
    (15, ErrorCode::AlreadySubscribed, "ALREADY SUBSCRIBED"),
    (
        16,
        ErrorCode::KeyAlreadyInUse,
        "SPECIFIED KEY ALREADY IN USE",
    ),
    (
        17,
        ErrorCode::RuleDoesNotExist,
        "SPECIFIED RULE DOESN'T EXIST",
    ),
    (
        18,
        ErrorCode::KeyDoesNotExist,
        "SPECIFIED KEY DOESN'T EXIST",
    ),
    (19, ErrorCode::UnknownVideoChannel, "UNKNOWN VIDEO CHANNEL"),
    (20, ErrorCode::UnknownAlarmLine, "UNKNOWN ALARM LINE"),
    (
        21,
        ErrorCode::OifAccessDisabled,
        "OIF ACCESS IS DISABLED FOR THIS USER",
    ),
    (22, ErrorCode::VideoNotAvailable, "VIDEO IS NOT AVAILABLE"),
    (23, ErrorCode::StreamNotOpened, "STREAM IS NOT OPENED"),
    (24, ErrorCode::FaceRecognitionOff, "FACE RECOGNITION IS OFF"),
    (25, ErrorCode::AccessPolicyError, "ACCESS POLICY ERROR"),
    (26, ErrorCode::TimedOut, "TIMED OUT"),
    (27, ErrorCode::SocketBindFailed, "SOCKET BIND FAILED"),
    (28, ErrorCode::UnknownError, "UNKNOWN ERROR"),
    (29, ErrorCode::ExtmemError, "EXTMEM ERROR"),
];

impl ErrorCode {
    /// The variant for a numeric code; codes outside the table become [`ErrorCode::Other`].
    ///
    /// `from_code(n).code() == n` for every `n`, and a table code never maps to `Other`.
    pub fn from_code(code: u32) -> ErrorCode {
        match code {
            1..=29 => TABLE[(code - 1) as usize].1,
            other => ErrorCode::Other(other),
        }
    }

    /// The numeric code as written on the wire.
    pub fn code(self) -> u32 {
        match self {
            ErrorCode::UnableToConnectToDb => 1,
            ErrorCode::UnknownCommand => 2,
            ErrorCode::UnsupportedInterfaceVersion => 3,
            ErrorCode::NotLoggedIn => 4,
            ErrorCode::GenericSqlError => 5,
            ErrorCode::SyntaxError => 6,
            ErrorCode::UnknownObject => 7,
            ErrorCode::InternalError => 8,
            ErrorCode::ConcurrentTransaction => 9,
            ErrorCode::UnknownAccessPoint => 10,
            ErrorCode::AuthenticationFailed => 11,
            ErrorCode::DelegationDisabled => 12,
            ErrorCode::DelegationNotActive => 13,
            ErrorCode::NotSubscribed => 14,
            ErrorCode::AlreadySubscribed => 15,
            ErrorCode::KeyAlreadyInUse => 16,
            ErrorCode::RuleDoesNotExist => 17,
            ErrorCode::KeyDoesNotExist => 18,
            ErrorCode::UnknownVideoChannel => 19,
            ErrorCode::UnknownAlarmLine => 20,
            ErrorCode::OifAccessDisabled => 21,
            ErrorCode::VideoNotAvailable => 22,
            ErrorCode::StreamNotOpened => 23,
            ErrorCode::FaceRecognitionOff => 24,
            ErrorCode::AccessPolicyError => 25,
            ErrorCode::TimedOut => 26,
            ErrorCode::SocketBindFailed => 27,
            ErrorCode::UnknownError => 28,
            ErrorCode::ExtmemError => 29,
            ErrorCode::Other(n) => n,
        }
    }

    /// The table's text for this code (e.g. `"NOT LOGGED IN"` for 4).
    ///
    /// [`ErrorCode::Other`] has no text in the table: it returns `""` (even when the number
    /// happens to be a table code, which [`ErrorCode::from_code`] never produces).
    pub fn default_text(self) -> &'static str {
        match self {
            ErrorCode::Other(_) => "",
            known => TABLE[(known.code() - 1) as usize].2,
        }
    }

    /// A transient server-side condition: the same command may succeed later
    /// (1 DB, 5 SQL, 8 internal, 9 concurrent transaction, 26 timed out).
    pub fn is_retryable(self) -> bool {
        matches!(self.code(), 1 | 5 | 8 | 9 | 26)
    }

    /// The session is not (or no longer) logged in (4): log in again, then retry.
    pub fn needs_relogin(self) -> bool {
        matches!(self.code(), 4)
    }

    /// Login can never succeed with these credentials/version (3, 11, 21): do not retry hot.
    pub fn is_auth_failure(self) -> bool {
        matches!(self.code(), 3 | 11 | 21)
    }
}

impl From<u32> for ErrorCode {
    fn from(code: u32) -> Self {
        ErrorCode::from_code(code)
    }
}

impl fmt::Display for ErrorCode {
    /// `7 UNKNOWN OBJECT`, or just the number for codes outside the table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.default_text();
        if text.is_empty() {
            write!(f, "{}", self.code())
        } else {
            write!(f, "{} {}", self.code(), text)
        }
    }
}

impl Reply {
    /// `ERROR <code> <table text>`.
    pub fn error(code: ErrorCode) -> Reply {
        Reply::Error {
            code,
            text: code.default_text().to_owned(),
        }
    }

    /// The error code when this is an `ERROR` reply.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Reply::Error { code, .. } => Some(*code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_code_round_trips_and_is_not_other() {
        for n in 1..=29 {
            let c = ErrorCode::from_code(n);
            assert_eq!(c.code(), n);
            assert!(!matches!(c, ErrorCode::Other(_)));
            assert!(!c.default_text().is_empty());
        }
        assert_eq!(ErrorCode::from_code(0), ErrorCode::Other(0));
        assert_eq!(ErrorCode::from_code(30).code(), 30);
    }

    #[test]
    fn texts_match_the_reference_table() {
        assert_eq!(ErrorCode::NotLoggedIn.default_text(), "NOT LOGGED IN");
        assert_eq!(ErrorCode::from_code(7).default_text(), "UNKNOWN OBJECT");
        assert_eq!(
            ErrorCode::from_code(21).default_text(),
            "OIF ACCESS IS DISABLED FOR THIS USER"
        );
        assert_eq!(ErrorCode::ExtmemError.default_text(), "EXTMEM ERROR");
    }

    #[test]
    fn predicates_follow_the_reference_classes() {
        let retry: Vec<u32> = (0..40)
            .filter(|n| ErrorCode::from_code(*n).is_retryable())
            .collect();
        assert_eq!(retry, vec![1, 5, 8, 9, 26]);
        let relogin: Vec<u32> = (0..40)
            .filter(|n| ErrorCode::from_code(*n).needs_relogin())
            .collect();
        assert_eq!(relogin, vec![4]);
        let auth: Vec<u32> = (0..40)
            .filter(|n| ErrorCode::from_code(*n).is_auth_failure())
            .collect();
        assert_eq!(auth, vec![3, 11, 21]);
    }

    #[test]
    fn reply_error_carries_the_default_text() {
        assert_eq!(
            Reply::error(ErrorCode::UnknownObject),
            Reply::Error {
                code: ErrorCode::UnknownObject,
                text: "UNKNOWN OBJECT".to_owned()
            }
        );
    }
}
