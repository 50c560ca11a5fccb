//! Small conveniences on the message types: code mappings and checked constructors.

use crate::command::{ApMode, ApTargets, Command};
use crate::event::CeDirection;
use crate::types::{AccessPointId, Direction};

impl CeDirection {
    /// The variant for a wire code (0 none, 1 OUT, 2 IN, 3 UNKNOWN, others kept).
    pub fn from_code(code: u32) -> CeDirection {
        match code {
            0 => CeDirection::None,
            1 => CeDirection::Out,
            2 => CeDirection::In,
            3 => CeDirection::Unknown,
            other => CeDirection::Other(other),
        }
    }

    /// The wire code.
    pub fn code(self) -> u32 {
        match self {
            CeDirection::None => 0,
            CeDirection::Out => 1,
            CeDirection::In => 2,
            CeDirection::Unknown => 3,
            CeDirection::Other(n) => n,
        }
    }

    /// The command/classic-event direction this code stands for, if any.
    pub fn direction(self) -> Option<Direction> {
        match self {
            CeDirection::Out => Some(Direction::Out),
            CeDirection::In => Some(Direction::In),
            CeDirection::Unknown => Some(Direction::Unknown),
            CeDirection::None | CeDirection::Other(_) => None,
        }
    }
}

impl From<Direction> for CeDirection {
    fn from(d: Direction) -> Self {
        match d {
            Direction::In => CeDirection::In,
            Direction::Out => CeDirection::Out,
            Direction::Unknown => CeDirection::Unknown,
        }
    }
}

/// `SETAPMODE` needs at least one access point (or `ALL`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("SETAPMODE needs at least one access point")]
pub struct EmptyTargets;

impl ApTargets {
    /// A list of access points; `Err` when it is empty (use [`ApTargets::All`] for all).
    ///
    /// Prefer this to building [`ApTargets::List`] directly: an empty list cannot mean
    /// "all" — the encoder writes it with no targets, which the server rejects.
    pub fn list(ids: impl IntoIterator<Item = AccessPointId>) -> Result<ApTargets, EmptyTargets> {
        let ids: Vec<_> = ids.into_iter().collect();
        if ids.is_empty() {
            Err(EmptyTargets)
        } else {
            Ok(ApTargets::List(ids))
        }
    }
}

impl Command {
    /// `SETAPMODE` for a non-empty list of access points.
    pub fn set_ap_mode(
        mode: ApMode,
        aps: impl IntoIterator<Item = AccessPointId>,
    ) -> Result<Command, EmptyTargets> {
        Ok(Command::SetApMode {
            mode,
            targets: ApTargets::list(aps)?,
        })
    }

    /// The command keyword (`"ALLOWPASS"`, `"LOGIN"`, …), for logs and metrics.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Login { .. } => "LOGIN",
            Command::AllowPass { .. } => "ALLOWPASS",
            Command::GetApList => "GETAPLIST",
            Command::GetApInfo { .. } => "GETAPINFO",
            Command::GetZoneInfo => "GETZONEINFO",
            Command::GetObjectInfo(_) => "GETOBJECTINFO",
            Command::GetLocation2 { .. } => "GETLOCATION2",
            Command::GetHistory { .. } => "GETHISTORY",
            Command::SetApMode { .. } => "SETAPMODE",
            Command::Subscribe(_) => "SUBSCRIBE",
            Command::Unsubscribe => "UNSUBSCRIBE",
            Command::Quit => "QUIT",
            Command::Exit => "EXIT",
        }
    }
}

impl std::fmt::Display for Command {
    /// The wire line without its terminator, with the `LOGIN` password replaced by
    /// `<redacted>`: safe for logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = bytes::BytesMut::new();
        match self {
            Command::Login { version, user, .. } => crate::encode::encode_command(
                &Command::Login {
                    version: version.clone(),
                    user: user.clone(),
                    password: crate::types::Secret::new("<redacted>"),
                },
                &mut buf,
            ),
            other => crate::encode::encode_command(other, &mut buf),
        }
        let line = buf.strip_suffix(b"\r\n").unwrap_or(&buf);
        f.write_str(&String::from_utf8_lossy(line))
    }
}
