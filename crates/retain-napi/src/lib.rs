//! N-API binding of retain-math: argument checks and conversion only.
//!
//! Sync functions borrow the caller's typed arrays for the duration of the call (zero copy). Each
//! `*Async` variant keeps references to the arrays and runs on the libuv thread pool; the caller must
//! not read or write those arrays until the promise settles.

mod calls;
mod checks;
mod tasks;

use napi_derive::napi;
use retain_math::{Adam, Sgd};

pub use tasks::*;

/// See Cargo.toml: keeps resident memory flat under millions of GEMM calls that each allocate a packing buffer.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A borrowed, written `Float32Array`. napi-derive 3 routes a bare `&mut [f32]` parameter through
/// `FromNapiMutRef` (not implemented for slices); behind an alias it takes the `FromNapiValue` impl
/// of `&mut [f32]`, the same zero-copy borrow `&[f32]` uses.
type F32Mut<'a> = &'a mut [f32];

/// The calling convention of this binding; bumped whenever a function gains or changes an argument, so
/// the TypeScript loader rejects a stale binary instead of calling it with arguments it would ignore.
/// 2: `lossGrad`/`lossGradAsync` take `distillGroups`. 3: `siAccumulate`.
/// 4: `lossGrad`/`lossGradAsync` take `distillRowWeights`.
pub const ABI: u32 = 4;

/// Facts about this binary.
#[napi(object)]
pub struct NativeInfo {
    /// retain-math's crate version.
    pub version: String,
    /// The binding's calling convention ([`ABI`]).
    pub abi: u32,
    /// SIMD features detected on this CPU at run time.
    pub cpu_features: Vec<String>,
}

/// Version and detected CPU features.
#[napi]
pub fn info() -> NativeInfo {
    NativeInfo {
        version: retain_math::VERSION.to_string(),
        abi: ABI,
        cpu_features: retain_math::cpu_features()
            .into_iter()
            .map(String::from)
            .collect(),
    }
}

/// Let large GEMMs use up to `n` threads (process-wide; clamped to 1..=64; results do not change).
/// Returns the value set. The default is the `RETAIN_THREADS` environment variable, else 1.
#[napi]
pub fn set_threads(n: u32) -> u32 {
    retain_math::set_threads(n as usize) as u32
}

/// Threads large GEMMs may use (see `setThreads`).
#[napi]
pub fn threads() -> u32 {
    retain_math::threads() as u32
}

/// MLP forward into `logits` (masked classes `-Infinity`).
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // a positional call keeps the hot path free of object lookups
pub fn forward(
    sizes: Vec<u32>,
    activation: String,
    params: &[f32],
    x: &[f32],
    batch: u32,
    #[napi(ts_arg_type = "Float32Array")] logits: F32Mut<'_>,
    output_mask: Option<&[u8]>,
    dropout_rate: Option<f64>,
    dropout_seed: Option<u32>,
) -> napi::Result<()> {
    let plan = calls::check_forward(
        &sizes,
        &activation,
        params,
        x,
        batch,
        logits,
        output_mask,
        dropout_rate,
        dropout_seed,
    )?;
    calls::run_forward(&plan, params, x, output_mask, logits);
    Ok(())
}

/// Forward + softmax cross-entropy (+ distillation) + backward into `grad`; returns the batch loss.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // a positional call keeps the hot path free of object lookups
pub fn loss_grad(
    sizes: Vec<u32>,
    activation: String,
    params: &[f32],
    x: &[f32],
    batch: u32,
    targets: &[i32],
    #[napi(ts_arg_type = "Float32Array")] grad: F32Mut<'_>,
    per_example_loss: Option<&mut [f32]>,
    logits: Option<&mut [f32]>,
    weights: Option<&[f32]>,
    output_mask: Option<&[u8]>,
    dropout_rate: Option<f64>,
    dropout_seed: Option<u32>,
    teacher_logits: Option<&[f32]>,
    temperature: Option<f64>,
    distill_weight: Option<f64>,
    distill_groups: Option<&[i32]>,
    distill_row_weights: Option<&[f32]>,
) -> napi::Result<f64> {
    let arrays = calls::LossArrays {
        params,
        x,
        targets,
        weights,
        mask: output_mask,
        teacher: teacher_logits,
        groups: distill_groups,
        row_weights: distill_row_weights,
    };
    let plan = calls::check_loss(
        &sizes,
        &activation,
        batch,
        &arrays,
        (grad, per_example_loss.as_deref(), logits.as_deref()),
        dropout_rate,
        dropout_seed,
        temperature,
        distill_weight,
    )?;
    Ok(calls::run_loss(
        &plan,
        arrays,
        calls::LossOuts {
            grad,
            per_example_loss,
            logits,
        },
    ))
}

/// Adds the diagonal Fisher's sum over the batch into `fisher`.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // a positional call keeps the hot path free of object lookups
pub fn fisher_diag(
    sizes: Vec<u32>,
    activation: String,
    params: &[f32],
    x: &[f32],
    batch: u32,
    kind: String,
    targets: Option<&[i32]>,
    output_mask: Option<&[u8]>,
    #[napi(ts_arg_type = "Float32Array")] fisher: F32Mut<'_>,
) -> napi::Result<()> {
    let plan = calls::check_fisher(
        &sizes,
        &activation,
        params,
        x,
        batch,
        &kind,
        targets,
        output_mask,
        fisher,
    )?;
    calls::run_fisher(&plan, params, x, targets, output_mask, fisher);
    Ok(())
}

/// Returns Σ ½λF(θ−θ*)² and adds λF(θ−θ*) into `grad`.
#[napi(catch_unwind)]
pub fn ewc_penalty_grad(
    params: &[f32],
    anchor: &[f32],
    fisher: &[f32],
    lambda: f64,
    #[napi(ts_arg_type = "Float32Array")] grad: F32Mut<'_>,
) -> napi::Result<f64> {
    calls::check_ewc(params, anchor, fisher, lambda, grad)?;
    Ok(calls::run_ewc(params, anchor, fisher, lambda, grad))
}

/// Synaptic Intelligence's path integral in place: `omega -= grad * (after - before)`.
#[napi(catch_unwind)]
pub fn si_accumulate(
    #[napi(ts_arg_type = "Float32Array")] omega: F32Mut<'_>,
    grad: &[f32],
    before: &[f32],
    after: &[f32],
) -> napi::Result<()> {
    calls::check_si(omega, grad, before, after)?;
    retain_math::si_accumulate(omega, grad, before, after);
    Ok(())
}

/// One SGD step in place; returns the gradient norm before clipping.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // a positional call keeps the hot path free of object lookups
pub fn sgd_step(
    #[napi(ts_arg_type = "Float32Array")] params: F32Mut<'_>,
    grad: &[f32],
    velocity: Option<&mut [f32]>,
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    nesterov: bool,
    clip_norm: f64,
) -> napi::Result<f64> {
    let cfg = Sgd {
        lr,
        momentum,
        weight_decay,
        nesterov,
        clip_norm,
    };
    calls::check_sgd(params, grad, velocity.as_deref(), &cfg)?;
    Ok(calls::run_sgd(params, grad, velocity, &cfg))
}

/// One Adam step in place; returns the gradient norm before clipping.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)] // a positional call keeps the hot path free of object lookups
pub fn adam_step(
    #[napi(ts_arg_type = "Float32Array")] params: F32Mut<'_>,
    grad: &[f32],
    #[napi(ts_arg_type = "Float32Array")] m: F32Mut<'_>,
    #[napi(ts_arg_type = "Float32Array")] v: F32Mut<'_>,
    step: u32,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    clip_norm: f64,
) -> napi::Result<f64> {
    let cfg = Adam {
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        clip_norm,
        step,
    };
    calls::check_adam(params, grad, m, v, &cfg)?;
    Ok(calls::run_adam(params, grad, m, v, &cfg))
}
