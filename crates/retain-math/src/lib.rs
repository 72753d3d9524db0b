//! The math of retain (filled in by the kernels work).
