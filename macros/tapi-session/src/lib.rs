//! Runtime guards (being built).
