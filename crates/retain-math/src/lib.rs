//! The math of retain: an MLP's forward pass, softmax cross-entropy with per-example weights and fused
//! distillation, backprop, the diagonal Fisher (empirical and expected) as per-layer GEMMs, the EWC
//! penalty, Synaptic Intelligence's path integral, and SGD/Adam, on plain slices. `SPEC.md` of `@retain/kernels` is the contract.
//!
//! GEMMs go through `matrixmultiply` (runtime CPU dispatch); the memory-bound elementwise loops are
//! compiled twice and dispatched on AVX2+FMA at run time. Nothing here is compiled for the build machine's own CPU only.

mod cpu;
mod dispatch;
pub mod dropout;
mod ewc;
mod fisher;
mod forward;
mod fpenv;
mod gemm;
mod loss;
mod mlp;
mod optim;
mod si;
mod softmax;
mod workspace;

pub use cpu::cpu_features;
pub use dropout::Dropout;
pub use ewc::ewc_penalty_grad;
pub use fisher::{fisher_diag, FisherKind};
pub use forward::{forward, MlpInput};
pub use fpenv::flushes_subnormals;
pub use gemm::{set_threads, threads, MAX_THREADS};
pub use loss::{loss_grad, Distill, LossOutputs, LossTerms};
pub use mlp::{Activation, Mlp, ShapeError};
pub use optim::{adam_step, sgd_step, Adam, Sgd};
pub use si::si_accumulate;
pub use workspace::Workspace;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
