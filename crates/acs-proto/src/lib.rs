//! acs-proto — sans-IO codec for the Sigur OIF 1.8 text protocol (the access-control
//! server's integration interface).
//!
//! It turns typed messages into bytes and bytes into typed messages, and nothing else: no
//! sockets, no tasks, no clock. Both directions are covered, so the same crate serves the
//! client (`acs-client`) and the ACS simulator.
//!
//! The encoder is the security boundary: free text is always quoted with `#NN` escapes, ids are
//! numbers, and the one bare token (protocol version) is validated on construction, so no value
//! of any field can make the encoder emit CR, LF, NUL or an unescaped quote — one message is
//! always exactly one line. [`ParseError`] never echoes input bytes, and the server codec
//! redacts malformed `LOGIN` lines, so passwords do not reach logs.
//!
//! # Layout
//! - [`types`], [`command`], [`reply`], [`event`]: the message types (ids are newtypes,
//!   passwords are [`Secret`]); [`ErrorCode`] has the full OIF error table with
//!   [`ErrorCode::is_retryable`], [`ErrorCode::needs_relogin`], [`ErrorCode::is_auth_failure`].
//! - [`parse`]: nom parsers over one framed line — [`parse::parse_command`] (server side) and
//!   [`parse::parse_server_line`] (client side: a [`ServerLine`] reply or event).
//! - [`encode`]: `encode_*(&msg, &mut BytesMut)` appends one `\r\n`-terminated line.
//! - [`codec`]: tokio-util [`ClientCodec`] and [`ServerCodec`], thin adapters over the two
//!   above with line framing (CRLF or LF), a line-length bound and malformed lines as items.
//!
//! # Example
//! ```no_run
//! use acs_proto::{ClientCodec, ClientInbound, Command, ProtocolVersion, Secret};
//! use bytes::BytesMut;
//! use tokio_util::codec::{Decoder, Encoder};
//!
//! let mut codec = ClientCodec::new();
//! let mut out = BytesMut::new();
//! let login = Command::Login {
//!     version: ProtocolVersion::v1_8(),
//!     user: "admin".to_owned(),
//!     password: Secret::new("secret"),
//! };
//! codec.encode(&login, &mut out)?;
//! assert_eq!(&out[..], b"LOGIN 1.8 \"admin\" \"secret\"\r\n");
//! // … write `out` to the socket, read the answer into `input` …
//! let mut input = BytesMut::from(&b"OK\r\nERROR 4 NOT LOGGED IN\n"[..]);
//! while let Some(item) = codec.decode(&mut input)? {
//!     match item {
//!         ClientInbound::Reply(reply) => println!("reply: {reply:?}"),
//!         ClientInbound::Event(event) => println!("event: {event:?}"),
//!         ClientInbound::Malformed { line, error } => eprintln!("bad line {line:?}: {error}"),
//!         ClientInbound::Overlong { len } => eprintln!("dropped a {len}-byte line"),
//!     }
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod codec;
pub mod command;
pub mod encode;
mod error_code;
pub mod event;
mod impls;
pub mod parse;
pub mod reply;
pub mod types;

pub use codec::{ClientCodec, ClientInbound, ServerCodec, ServerInbound};
pub use command::{ApMode, ApTargets, Command, ObjectQuery, SubscribeKind};
pub use encode::{encode_command, encode_event, encode_reply, encode_server_line};
pub use event::{CeDirection, CeEvent, ClassicEvent, ClassicKind, DenyReason, Event, KeyRef};
pub use impls::EmptyTargets;
pub use parse::{parse_command, parse_server_line, ParseError, ServerLine};
pub use reply::{
    ApInfo, ApState, DoorState, ErrorCode, Location, ObjectInfo, ObjectKind, Reply, Zone,
};
pub use types::{
    AccessPointId, Direction, InvalidTimestamp, InvalidVersion, ObjectId, ObjectRef,
    ProtocolVersion, Secret, Timestamp, ZoneId,
};
