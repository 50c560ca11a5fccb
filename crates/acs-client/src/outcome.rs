//! The outcome of `ALLOWPASS`.

use acs_proto::ErrorCode;

/// How one `ALLOWPASS` ended. Each variant says whether the command reached the ACS.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PassOutcome {
    /// The ACS answered `OK`: one pass granted.
    Granted,
    /// The ACS answered `ERROR n` (after `ERROR 4`, a re-login and one retry when the
    /// deadline allowed; the code is then that of the retry).
    Denied {
        /// The code.
        code: ErrorCode,
        /// The text the ACS sent.
        text: String,
    },
    /// The command was written but no reply came before the deadline or `reply_timeout`
    /// (or the link broke, or the reply was unintelligible): whether a pass was granted is
    /// unknown. It was not, and will not be, re-sent.
    Timeout,
    /// No logged-in link before the deadline: the command was never written.
    Unavailable,
}

impl PassOutcome {
    /// The journal outcome string: `granted`, `denied_by_acs`, `acs_timeout`,
    /// `acs_unavailable`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PassOutcome::Granted => "granted",
            PassOutcome::Denied { .. } => "denied_by_acs",
            PassOutcome::Timeout => "acs_timeout",
            PassOutcome::Unavailable => "acs_unavailable",
        }
    }

    /// Whether `ALLOWPASS` was written to the ACS.
    pub fn was_sent(&self) -> bool {
        !matches!(self, PassOutcome::Unavailable)
    }

    /// The ACS error code, for `Denied`.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            PassOutcome::Denied { code, .. } => Some(*code),
            _ => None,
        }
    }
}
