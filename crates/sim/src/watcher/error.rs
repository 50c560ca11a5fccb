//! Errors of the Watcher simulator.

/// What can go wrong when configuring or driving the Watcher simulator.
#[derive(Debug, thiserror::Error)]
pub enum WatcherSimError {
    /// The persons file is unreadable, not JSON of the expected shape, or inconsistent.
    #[error("persons file: {reason}")]
    PersonsFile {
        /// What is wrong, naming the key.
        reason: String,
    },
    /// A recognition named a person that is not in the world.
    #[error("unknown person {0}")]
    UnknownPerson(u64),
    /// A recognition named a camera (by id or name) that is not in the world.
    #[error("unknown camera {0:?}")]
    UnknownCamera(String),
    /// A person with this id already exists.
    #[error("person {0} already exists")]
    DuplicatePerson(u64),
    /// `max_subscriptions` subscriptions exist already.
    #[error("too many subscriptions (at most {0})")]
    TooManySubscriptions(usize),
    /// The listener could not report its address.
    #[error("listener: {0}")]
    Listener(#[from] std::io::Error),
}

/// Why one delivery (a POST to a `notify_url`) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The URL is not `http://host[:port][/path]`.
    #[error("invalid url: {0}")]
    InvalidUrl(String),
    /// `https://` targets are not supported by the simulator's plain client.
    #[error("unsupported scheme (only http:// is delivered)")]
    UnsupportedScheme,
    /// TCP connect failed.
    #[error("connect: {0}")]
    Connect(String),
    /// The HTTP exchange failed.
    #[error("http: {0}")]
    Http(String),
    /// No response head before the delivery deadline.
    #[error("timed out")]
    Timeout,
}
