//! The attribute (being built).
