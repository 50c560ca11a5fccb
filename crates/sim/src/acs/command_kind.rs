//! The kind of a command without its arguments: what per-command fault knobs select on.

use std::fmt;

use acs_proto::Command;

/// The kind of a command, without its arguments: what the per-command knobs select on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum CommandKind {
    /// `LOGIN`
    Login,
    /// `ALLOWPASS`
    AllowPass,
    /// `GETAPLIST`
    GetApList,
    /// `GETAPINFO`
    GetApInfo,
    /// `GETZONEINFO`
    GetZoneInfo,
    /// `GETOBJECTINFO`
    GetObjectInfo,
    /// `GETLOCATION2`
    GetLocation2,
    /// `GETHISTORY`
    GetHistory,
    /// `SETAPMODE`
    SetApMode,
    /// `SUBSCRIBE` (any flavour)
    Subscribe,
    /// `UNSUBSCRIBE`
    Unsubscribe,
    /// `QUIT`
    Quit,
    /// `EXIT`
    Exit,
}

impl CommandKind {
    /// Every kind, in protocol-table order.
    pub const ALL: [CommandKind; 13] = [
        CommandKind::Login,
        CommandKind::AllowPass,
        CommandKind::GetApList,
        CommandKind::GetApInfo,
        CommandKind::GetZoneInfo,
        CommandKind::GetObjectInfo,
        CommandKind::GetLocation2,
        CommandKind::GetHistory,
        CommandKind::SetApMode,
        CommandKind::Subscribe,
        CommandKind::Unsubscribe,
        CommandKind::Quit,
        CommandKind::Exit,
    ];

    /// The kind of a parsed command.
    pub fn of(command: &Command) -> Self {
        match command {
            Command::Login { .. } => CommandKind::Login,
            Command::AllowPass { .. } => CommandKind::AllowPass,
            Command::GetApList => CommandKind::GetApList,
            Command::GetApInfo { .. } => CommandKind::GetApInfo,
            Command::GetZoneInfo => CommandKind::GetZoneInfo,
            Command::GetObjectInfo(_) => CommandKind::GetObjectInfo,
            Command::GetLocation2 { .. } => CommandKind::GetLocation2,
            Command::GetHistory { .. } => CommandKind::GetHistory,
            Command::SetApMode { .. } => CommandKind::SetApMode,
            Command::Subscribe(_) => CommandKind::Subscribe,
            Command::Unsubscribe => CommandKind::Unsubscribe,
            Command::Quit => CommandKind::Quit,
            Command::Exit => CommandKind::Exit,
        }
    }

    /// The wire keyword (`ALLOWPASS`, …).
    pub fn keyword(self) -> &'static str {
        match self {
            CommandKind::Login => "LOGIN",
            CommandKind::AllowPass => "ALLOWPASS",
            CommandKind::GetApList => "GETAPLIST",
            CommandKind::GetApInfo => "GETAPINFO",
            CommandKind::GetZoneInfo => "GETZONEINFO",
            CommandKind::GetObjectInfo => "GETOBJECTINFO",
            CommandKind::GetLocation2 => "GETLOCATION2",
            CommandKind::GetHistory => "GETHISTORY",
            CommandKind::SetApMode => "SETAPMODE",
            CommandKind::Subscribe => "SUBSCRIBE",
            CommandKind::Unsubscribe => "UNSUBSCRIBE",
            CommandKind::Quit => "QUIT",
            CommandKind::Exit => "EXIT",
        }
    }

    /// The kind named by a keyword, case-insensitively.
    pub fn from_keyword(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.keyword().eq_ignore_ascii_case(word))
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}
