//! The engine's bounded memory: seen events, recent grants, unmapped persons, and their
//! serialisable snapshot.

pub(crate) mod cooldown;
pub(crate) mod dedup;
mod hash;
#[cfg(test)]
mod measure;
mod ring;
pub(crate) mod snapshot;
pub(crate) mod unmapped;

/// The table is at its hard capacity with live entries only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Full;

/// Current number of entries per table (for metrics and tests).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct StateLen {
    /// Remembered event keys.
    pub dedup: usize,
    /// Remembered grants (cooldowns).
    pub cooldown: usize,
    /// Unmapped persons listed.
    pub unmapped: usize,
}

impl StateLen {
    /// Sum of all tables.
    pub fn total(&self) -> usize {
        self.dedup + self.cooldown + self.unmapped
    }
}
