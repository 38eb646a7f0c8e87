//! The process-wide table of TAPI 2 handles that sessions have seen.
//!
//! It is global, not per session, because a handle acquired in one session
//! may be released in a nested one or on another thread, and TAPI's own
//! cascades (a closed line takes its calls with it) cross sessions too.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::Location;
use std::sync::{LazyLock, Mutex};

use tapi_model::ResourceKind;

use crate::session::OnLeak;

pub(crate) type SessionId = u64;

/// A TAPI 2 resource: a handle of some kind, or for a request-recipient
/// registration the line app and the mode (`app << 32 | mode`), since TAPI
/// keys registrations by both (reference §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub kind: ResourceKind,
    pub value: u64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Held {
    pub session: SessionId,
    pub parent: Option<Key>,
    pub acquired_by: &'static str,
    pub seq: u64,
}

/// A resource a live session released: using it again is stopped until it
/// is acquired again (TAPI reuses handle values) or the session ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Released {
    seq: u64,
    pub session: SessionId,
    pub by: &'static str,
    /// Released with its parent (a call of a closed line): releasing it
    /// again is a use after release, not a double release (spec §2).
    pub implicit: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct SessionMeta {
    pub name: &'static str,
    pub location: &'static Location<'static>,
    pub policy: OnLeak,
}

/// How many released resources are remembered: the oldest are forgotten
/// first (TAPI hands their values out again soon anyway), so a session that
/// runs for the life of a service does not grow without bound.
const RELEASED_REMEMBERED: usize = 4096;

/// Keys are a kind and a handle: a multiplicative hash is enough, and the
/// guard's cost per call is mostly these lookups.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type KeyMap<V> = HashMap<Key, V, BuildHasherDefault<KeyHasher>>;

#[derive(Default)]
pub(crate) struct Registry {
    held: KeyMap<Held>,
    released: KeyMap<Released>,
    /// Release order, to forget the oldest: `(key, seq of that release)`.
    released_order: VecDeque<(Key, u64)>,
    sessions: HashMap<SessionId, SessionMeta>,
    next_session: SessionId,
    seq: u64,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Default::default);

/// Runs `f` on the registry. Never held across a call into TAPI or user
/// code; a panic inside cannot leave it inconsistent, so poisoning is
/// ignored.
pub(crate) fn with<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    f(&mut REGISTRY.lock().unwrap_or_else(|e| e.into_inner()))
}

impl Registry {
    pub fn open_session(&mut self, meta: SessionMeta) -> SessionId {
        self.next_session += 1;
        self.sessions.insert(self.next_session, meta);
        self.next_session
    }

    /// Ends a session. What it released stays blocked in `heir` (the
    /// session it was nested in, if that one is still running).
    pub fn close_session(&mut self, id: SessionId, heir: Option<SessionId>) {
        self.sessions.remove(&id);
        let heir = heir.filter(|h| self.sessions.contains_key(h));
        match heir {
            Some(h) => self
                .released
                .values_mut()
                .filter(|r| r.session == id)
                .for_each(|r| r.session = h),
            None => self.released.retain(|_, r| r.session != id),
        }
    }

    pub fn meta(&self, id: SessionId) -> Option<SessionMeta> {
        self.sessions.get(&id).copied()
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn acquire(&mut self, session: SessionId, key: Key, parent: Option<Key>, by: &'static str) {
        let seq = self.next_seq();
        self.released.remove(&key);
        self.held.insert(
            key,
            Held {
                session,
                parent,
                acquired_by: by,
                seq,
            },
        );
    }

    pub fn is_held(&self, key: &Key) -> bool {
        self.held.contains_key(key)
    }

    pub fn parent_of(&self, key: &Key) -> Option<Key> {
        self.held.get(key).and_then(|h| h.parent)
    }

    pub fn released(&self, key: &Key) -> Option<Released> {
        self.released.get(key).copied()
    }

    /// Releases `key` and, as TAPI does, everything that belongs to it:
    /// `lineClose` deletes the line's calls, `lineShutdown` closes the app's
    /// lines and cancels its registrations (reference §1.2).
    pub fn release(&mut self, session: SessionId, key: Key, by: &'static str) {
        let mut pending = vec![key];
        while let Some(k) = pending.pop() {
            self.held.remove(&k);
            let implicit = k != key;
            self.seq += 1;
            let seq = self.seq;
            self.released.insert(
                k,
                Released {
                    seq,
                    session,
                    by,
                    implicit,
                },
            );
            self.released_order.push_back((k, seq));
            while self.released_order.len() > RELEASED_REMEMBERED {
                if let Some((old, old_seq)) = self.released_order.pop_front()
                    && self.released.get(&old).is_some_and(|r| r.seq == old_seq)
                {
                    self.released.remove(&old);
                }
            }
            pending.extend(
                self.held
                    .iter()
                    .filter(|(_, h)| h.parent == Some(k))
                    .map(|(c, _)| *c),
            );
        }
    }

    /// What `session` still holds.
    pub fn held_by(&self, session: SessionId) -> Vec<(Key, Held)> {
        self.held
            .iter()
            .filter(|(_, h)| h.session == session)
            .map(|(k, h)| (*k, *h))
            .collect()
    }
}
