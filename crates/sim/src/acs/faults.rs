//! Fault knobs: how the simulator misbehaves on purpose, so clients can test their error paths.
//!
//! A [`Faults`] value is read by every connection before it answers a command, so a change made
//! through [`AcsSimHandle::set_faults`](super::AcsSimHandle::set_faults) applies from the next
//! command on, on every open connection. On the command line each knob is one `--fail KNOB`
//! (see [`Faults::apply_knob`] for the syntax).

use std::str::FromStr;
use std::time::Duration;

use acs_proto::ErrorCode;

pub use super::command_kind::CommandKind;

/// Which commands a per-command knob applies to.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum Selector {
    /// The knob is off.
    #[default]
    None,
    /// Every command.
    All,
    /// Only these kinds.
    Kinds(Vec<CommandKind>),
}

impl Selector {
    /// Whether the knob applies to a command of `kind`.
    pub fn matches(&self, kind: CommandKind) -> bool {
        match self {
            Selector::None => false,
            Selector::All => true,
            Selector::Kinds(kinds) => kinds.contains(&kind),
        }
    }

    /// Whether the knob applies to a line of this kind; a line that did not parse (`None`)
    /// is matched only by [`Selector::All`].
    pub fn matches_line(&self, kind: Option<CommandKind>) -> bool {
        match kind {
            Some(k) => self.matches(k),
            None => *self == Selector::All,
        }
    }

    fn add(&mut self, kind: Option<CommandKind>) {
        match (kind, &mut *self) {
            (None, _) => *self = Selector::All,
            (Some(_), Selector::All) => {}
            (Some(k), Selector::Kinds(kinds)) => {
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            (Some(k), Selector::None) => *self = Selector::Kinds(vec![k]),
        }
    }
}

/// The fault knobs. `Faults::default()` is a well-behaved server.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Faults {
    /// Wait this long before writing each reply of a command matched by `delay_on`.
    pub delay: Duration,
    /// Which commands `delay` applies to (`All` when set through [`Faults::with_delay`]).
    pub delay_on: Selector,
    /// Never answer these commands. They still take effect (an `ALLOWPASS` still grants a
    /// pass and produces its event): only the reply is lost, as when a link dies mid-command.
    pub silent: Selector,
    /// Close the connection right after answering this many commands on it.
    pub drop_after: Option<u32>,
    /// Answer these commands with an unparseable line instead of the reply.
    pub garbage: Selector,
    /// Answer every `LOGIN` with this error, whatever the credentials (`ERROR 11
    /// AUTHENTICATION FAILED` through [`Faults::with_reject_login`]; `ERROR 3` or `ERROR 21`
    /// let a client test its other authentication failures).
    pub reject_login: Option<ErrorCode>,
    /// Write replies and events one byte per write, flushing after each byte.
    pub byte_by_byte: bool,
    /// Hold replies while more complete commands are already buffered from the peer, then
    /// write them all (with any events queued meanwhile) in one write.
    pub coalesce: bool,
}

/// A `--fail` knob could not be understood.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FaultParseError {
    /// The knob name is not one of the known knobs.
    #[error("unknown fault knob {0:?} (known: delay=DUR[,KIND], silent=KIND, drop-after=N, garbage[=KIND], reject-login[=CODE], byte-by-byte, coalesce)")]
    UnknownKnob(String),
    /// The knob needs a value (`silent=ALLOWPASS`, `drop-after=3`, `delay=200ms`).
    #[error("fault knob {0:?} needs a value")]
    MissingValue(String),
    /// A command name was not an OIF command keyword.
    #[error("unknown command {0:?} in a fault knob")]
    UnknownCommand(String),
    /// A duration was not `<number><ms|s>`.
    #[error("invalid duration {0:?} (use e.g. 200ms or 2s)")]
    BadDuration(String),
    /// A count was not a non-negative integer.
    #[error("invalid count {0:?}")]
    BadCount(String),
    /// An OIF error code was not a non-negative integer.
    #[error("invalid OIF error code {0:?}")]
    BadErrorCode(String),
}

impl Faults {
    /// A well-behaved server (same as `default()`).
    pub fn none() -> Self {
        Self::default()
    }

    /// Delays every reply by `delay`.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self.delay_on = Selector::All;
        self
    }

    /// Delays the replies to `kind` by `delay` (other commands are answered at once).
    pub fn with_delay_on(mut self, kind: CommandKind, delay: Duration) -> Self {
        self.delay = delay;
        self.delay_on.add(Some(kind));
        self
    }

    /// Never answers commands of `kind` (they still take effect).
    pub fn with_silent(mut self, kind: CommandKind) -> Self {
        self.silent.add(Some(kind));
        self
    }

    /// Closes each connection after answering `n` commands on it.
    pub fn with_drop_after(mut self, n: u32) -> Self {
        self.drop_after = Some(n);
        self
    }

    /// Answers every command with garbage.
    pub fn with_garbage(mut self) -> Self {
        self.garbage = Selector::All;
        self
    }

    /// Answers commands of `kind` with garbage.
    pub fn with_garbage_on(mut self, kind: CommandKind) -> Self {
        self.garbage.add(Some(kind));
        self
    }

    /// Rejects every login with `ERROR 11`.
    pub fn with_reject_login(self) -> Self {
        self.with_reject_login_code(ErrorCode::AuthenticationFailed)
    }

    /// Rejects every login with `code`.
    pub fn with_reject_login_code(mut self, code: ErrorCode) -> Self {
        self.reject_login = Some(code);
        self
    }

    /// Writes replies byte by byte.
    pub fn with_byte_by_byte(mut self) -> Self {
        self.byte_by_byte = true;
        self
    }

    /// Coalesces the replies to pipelined commands into one write.
    pub fn with_coalesce(mut self) -> Self {
        self.coalesce = true;
        self
    }

    /// The delay to apply before answering a line of `kind` (`None`: a line that did not
    /// parse); zero when none.
    pub fn delay_for(&self, kind: impl Into<Option<CommandKind>>) -> Duration {
        if self.delay_on.matches_line(kind.into()) {
            self.delay
        } else {
            Duration::ZERO
        }
    }

    /// Applies one knob in `--fail` syntax:
    /// `delay=200ms` (every reply) or `delay=200ms,ALLOWPASS`; `silent=ALLOWPASS`;
    /// `drop-after=3`; `garbage` or `garbage=GETAPLIST`; `reject-login` (ERROR 11) or `reject-login=21`;
    /// `byte-by-byte`;
    /// `coalesce`. Command names are case-insensitive; several can be given as `A+B`.
    pub fn apply_knob(&mut self, knob: &str) -> Result<(), FaultParseError> {
        let knob = knob.trim();
        let (name, value) = match knob.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.trim())),
            None => (knob, None),
        };
        let need = || value.ok_or_else(|| FaultParseError::MissingValue(name.into()));
        match name.to_ascii_lowercase().as_str() {
            "delay" => {
                let v = need()?;
                let (dur, kinds) = match v.split_once(',') {
                    Some((d, k)) => (d, Some(k)),
                    None => (v, None),
                };
                self.delay = parse_duration(dur)?;
                match kinds {
                    None => self.delay_on = Selector::All,
                    Some(k) => {
                        for kind in parse_kinds(k)? {
                            self.delay_on.add(Some(kind));
                        }
                    }
                }
            }
            "silent" => {
                for kind in parse_kinds(need()?)? {
                    self.silent.add(Some(kind));
                }
            }
            "drop-after" | "drop_after" => {
                let v = need()?;
                let n = v
                    .parse::<u32>()
                    .map_err(|_| FaultParseError::BadCount(v.into()))?;
                self.drop_after = Some(n);
            }
            "garbage" => match value {
                None => self.garbage = Selector::All,
                Some(v) => {
                    for kind in parse_kinds(v)? {
                        self.garbage.add(Some(kind));
                    }
                }
            },
            "reject-login" | "reject_login" => {
                let code = match value {
                    None => ErrorCode::AuthenticationFailed,
                    Some(v) => ErrorCode::from_code(
                        v.parse::<u32>()
                            .map_err(|_| FaultParseError::BadErrorCode(v.into()))?,
                    ),
                };
                self.reject_login = Some(code);
            }
            "byte-by-byte" | "byte_by_byte" => self.byte_by_byte = true,
            "coalesce" => self.coalesce = true,
            _ => return Err(FaultParseError::UnknownKnob(knob.into())),
        }
        Ok(())
    }
}

impl FromStr for Faults {
    type Err = FaultParseError;

    /// Parses one or more knobs separated by whitespace or `;`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for knob in s.split(|c: char| c.is_whitespace() || c == ';') {
            if !knob.is_empty() {
                faults.apply_knob(knob)?;
            }
        }
        Ok(faults)
    }
}

fn parse_kinds(s: &str) -> Result<Vec<CommandKind>, FaultParseError> {
    s.split(['+', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            CommandKind::from_keyword(w).ok_or_else(|| FaultParseError::UnknownCommand(w.into()))
        })
        .collect()
}

/// Parses `250ms`, `2s`, `1.5s` or a bare number of milliseconds.
pub fn parse_duration(s: &str) -> Result<Duration, FaultParseError> {
    let bad = || FaultParseError::BadDuration(s.into());
    let s = s.trim();
    let (num, scale_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (s, 1.0)
    };
    let value: f64 = num.trim().parse().map_err(|_| bad())?;
    let ms = value * scale_ms;
    if !ms.is_finite() || !(0.0..=86_400_000.0).contains(&ms) {
        return Err(bad());
    }
    Ok(Duration::from_micros((ms * 1000.0).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_parse_into_the_matching_fields() {
        let f: Faults = "delay=200ms silent=allowpass drop-after=3 garbage=GETAPLIST reject-login byte-by-byte coalesce"
            .parse()
            .expect("valid knobs");
        assert_eq!(f.delay_for(CommandKind::Login), Duration::from_millis(200));
        assert!(f.silent.matches(CommandKind::AllowPass));
        assert!(!f.silent.matches(CommandKind::Login));
        assert_eq!(f.drop_after, Some(3));
        assert!(f.garbage.matches(CommandKind::GetApList));
        assert_eq!(f.reject_login, Some(ErrorCode::AuthenticationFailed));
        assert!(f.byte_by_byte && f.coalesce);
        let f: Faults = "reject-login=21".parse().expect("valid");
        assert_eq!(f.reject_login, Some(ErrorCode::OifAccessDisabled));
    }

    #[test]
    fn a_delay_can_be_limited_to_some_commands() {
        let f: Faults = "delay=1.5s,ALLOWPASS+GETAPINFO".parse().expect("valid");
        assert_eq!(
            f.delay_for(CommandKind::AllowPass),
            Duration::from_millis(1500)
        );
        assert_eq!(
            f.delay_for(CommandKind::GetApInfo),
            Duration::from_millis(1500)
        );
        assert_eq!(f.delay_for(CommandKind::Login), Duration::ZERO);
    }

    #[test]
    fn bad_knobs_are_named_errors() {
        assert!(matches!(
            "explode".parse::<Faults>(),
            Err(FaultParseError::UnknownKnob(_))
        ));
        assert!(matches!(
            "silent".parse::<Faults>(),
            Err(FaultParseError::MissingValue(_))
        ));
        assert!(matches!(
            "silent=FLY".parse::<Faults>(),
            Err(FaultParseError::UnknownCommand(_))
        ));
        assert!(matches!(
            "delay=soon".parse::<Faults>(),
            Err(FaultParseError::BadDuration(_))
        ));
        assert!(matches!(
            "drop-after=-1".parse::<Faults>(),
            Err(FaultParseError::BadCount(_))
        ));
    }

    #[test]
    fn builder_methods_match_the_knob_syntax() {
        let built = Faults::none()
            .with_silent(CommandKind::AllowPass)
            .with_drop_after(2)
            .with_delay(Duration::from_millis(5));
        let parsed: Faults = "silent=ALLOWPASS drop-after=2 delay=5ms"
            .parse()
            .expect("valid");
        assert_eq!(built, parsed);
    }
}
