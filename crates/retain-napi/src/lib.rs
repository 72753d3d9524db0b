//! N-API binding of retain-math (filled in by the kernels work).
