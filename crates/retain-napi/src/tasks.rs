//! The `*Async` variants: arguments are checked on the JS thread, then the math runs on the libuv
//! thread pool over the caller's own buffers (zero copy). Contract (documented in the TS types): no
//! one reads or writes these arrays until the promise settles.

use napi::bindgen_prelude::{AsyncTask, Float32Array, Int32Array, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use retain_math::{Adam, Sgd};

use crate::calls;

/// Runs a computation on a libuv worker, turning a panic (a bug: the checks run first) into a rejected
/// promise instead of unwinding into C and aborting the process.
fn guarded<R>(f: impl FnOnce() -> R) -> napi::Result<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        napi::Error::from_reason("retain-napi: internal panic in a kernel (please report)")
    })
}

/// Runs `forward` off the event loop.
pub struct ForwardTask {
    plan: calls::ForwardPlan,
    params: Float32Array,
    x: Float32Array,
    mask: Option<Uint8Array>,
    logits: Float32Array,
}

impl Task for ForwardTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        let Self {
            plan,
            params,
            x,
            mask,
            logits,
        } = self;
        // SAFETY: the JS caller hands these arrays over until the promise settles (the documented
        // contract), and check_forward proved `logits` overlaps no input.
        let logits = unsafe { logits.as_mut() };
        guarded(|| calls::run_forward(plan, params, x, mask.as_deref(), logits))
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}

/// `forward` on the libuv thread pool.
#[napi(ts_return_type = "Promise<void>")]
#[allow(clippy::too_many_arguments)] // mirrors the sync call
pub fn forward_async(
    sizes: Vec<u32>,
    activation: String,
    params: Float32Array,
    x: Float32Array,
    batch: u32,
    logits: Float32Array,
    output_mask: Option<Uint8Array>,
    dropout_rate: Option<f64>,
    dropout_seed: Option<u32>,
) -> napi::Result<AsyncTask<ForwardTask>> {
    let plan = calls::check_forward(
        &sizes,
        &activation,
        &params,
        &x,
        batch,
        &logits,
        output_mask.as_deref(),
        dropout_rate,
        dropout_seed,
    )?;
    Ok(AsyncTask::new(ForwardTask {
        plan,
        params,
        x,
        mask: output_mask,
        logits,
    }))
}

/// Runs `lossGrad` off the event loop.
pub struct LossTask {
    plan: calls::LossPlan,
    params: Float32Array,
    x: Float32Array,
    targets: Int32Array,
    grad: Float32Array,
    per_example_loss: Option<Float32Array>,
    logits: Option<Float32Array>,
    weights: Option<Float32Array>,
    mask: Option<Uint8Array>,
    teacher: Option<Float32Array>,
    groups: Option<Int32Array>,
    row_weights: Option<Float32Array>,
}

impl Task for LossTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let Self {
            plan,
            params,
            x,
            targets,
            grad,
            per_example_loss,
            logits,
            weights,
            mask,
            teacher,
            groups,
            row_weights,
        } = self;
        // SAFETY: the caller hands the arrays over until the promise settles; check_loss proved the
        // outputs overlap neither the inputs nor each other.
        let outs = unsafe {
            calls::LossOuts {
                grad: grad.as_mut(),
                per_example_loss: per_example_loss.as_mut().map(|a| a.as_mut()),
                logits: logits.as_mut().map(|a| a.as_mut()),
            }
        };
        let arrays = calls::LossArrays {
            params,
            x,
            targets,
            weights: weights.as_deref(),
            mask: mask.as_deref(),
            teacher: teacher.as_deref(),
            groups: groups.as_deref(),
            row_weights: row_weights.as_deref(),
        };
        guarded(|| calls::run_loss(plan, arrays, outs))
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `lossGrad` on the libuv thread pool.
#[napi(ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)] // mirrors the sync call
pub fn loss_grad_async(
    sizes: Vec<u32>,
    activation: String,
    params: Float32Array,
    x: Float32Array,
    batch: u32,
    targets: Int32Array,
    grad: Float32Array,
    per_example_loss: Option<Float32Array>,
    logits: Option<Float32Array>,
    weights: Option<Float32Array>,
    output_mask: Option<Uint8Array>,
    dropout_rate: Option<f64>,
    dropout_seed: Option<u32>,
    teacher_logits: Option<Float32Array>,
    temperature: Option<f64>,
    distill_weight: Option<f64>,
    distill_groups: Option<Int32Array>,
    distill_row_weights: Option<Float32Array>,
) -> napi::Result<AsyncTask<LossTask>> {
    let arrays = calls::LossArrays {
        params: &params,
        x: &x,
        targets: &targets,
        weights: weights.as_deref(),
        mask: output_mask.as_deref(),
        teacher: teacher_logits.as_deref(),
        groups: distill_groups.as_deref(),
        row_weights: distill_row_weights.as_deref(),
    };
    let plan = calls::check_loss(
        &sizes,
        &activation,
        batch,
        &arrays,
        (&grad, per_example_loss.as_deref(), logits.as_deref()),
        dropout_rate,
        dropout_seed,
        temperature,
        distill_weight,
    )?;
    Ok(AsyncTask::new(LossTask {
        plan,
        params,
        x,
        targets,
        grad,
        per_example_loss,
        logits,
        weights,
        mask: output_mask,
        teacher: teacher_logits,
        groups: distill_groups,
        row_weights: distill_row_weights,
    }))
}

/// Runs `fisherDiag` off the event loop.
pub struct FisherTask {
    plan: calls::FisherPlan,
    params: Float32Array,
    x: Float32Array,
    targets: Option<Int32Array>,
    mask: Option<Uint8Array>,
    fisher: Float32Array,
}

impl Task for FisherTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        let Self {
            plan,
            params,
            x,
            targets,
            mask,
            fisher,
        } = self;
        // SAFETY: the caller hands the arrays over until the promise settles; check_fisher proved
        // `fisher` overlaps no input.
        let fisher = unsafe { fisher.as_mut() };
        guarded(|| calls::run_fisher(plan, params, x, targets.as_deref(), mask.as_deref(), fisher))
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}

/// `fisherDiag` on the libuv thread pool.
#[napi(ts_return_type = "Promise<void>")]
#[allow(clippy::too_many_arguments)] // mirrors the sync call
pub fn fisher_diag_async(
    sizes: Vec<u32>,
    activation: String,
    params: Float32Array,
    x: Float32Array,
    batch: u32,
    kind: String,
    targets: Option<Int32Array>,
    output_mask: Option<Uint8Array>,
    fisher: Float32Array,
) -> napi::Result<AsyncTask<FisherTask>> {
    let plan = calls::check_fisher(
        &sizes,
        &activation,
        &params,
        &x,
        batch,
        &kind,
        targets.as_deref(),
        output_mask.as_deref(),
        &fisher,
    )?;
    Ok(AsyncTask::new(FisherTask {
        plan,
        params,
        x,
        targets,
        mask: output_mask,
        fisher,
    }))
}

/// Runs `ewcPenaltyGrad` off the event loop.
pub struct EwcTask {
    params: Float32Array,
    anchor: Float32Array,
    fisher: Float32Array,
    lambda: f64,
    grad: Float32Array,
}

impl Task for EwcTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let Self {
            params,
            anchor,
            fisher,
            lambda,
            grad,
        } = self;
        // SAFETY: the caller hands the arrays over until the promise settles; check_ewc proved `grad`
        // overlaps no input.
        let grad = unsafe { grad.as_mut() };
        guarded(|| calls::run_ewc(params, anchor, fisher, *lambda, grad))
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `ewcPenaltyGrad` on the libuv thread pool.
#[napi(ts_return_type = "Promise<number>")]
pub fn ewc_penalty_grad_async(
    params: Float32Array,
    anchor: Float32Array,
    fisher: Float32Array,
    lambda: f64,
    grad: Float32Array,
) -> napi::Result<AsyncTask<EwcTask>> {
    calls::check_ewc(&params, &anchor, &fisher, lambda, &grad)?;
    Ok(AsyncTask::new(EwcTask {
        params,
        anchor,
        fisher,
        lambda,
        grad,
    }))
}

/// Runs `sgdStep` off the event loop.
pub struct SgdTask {
    params: Float32Array,
    grad: Float32Array,
    velocity: Option<Float32Array>,
    cfg: Sgd,
}

impl Task for SgdTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let Self {
            params,
            grad,
            velocity,
            cfg,
        } = self;
        // SAFETY: the caller hands the arrays over until the promise settles; check_sgd proved the
        // written arrays overlap nothing else.
        let (params, velocity) =
            unsafe { (params.as_mut(), velocity.as_mut().map(|v| v.as_mut())) };
        guarded(|| calls::run_sgd(params, grad, velocity, cfg))
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `sgdStep` on the libuv thread pool.
#[napi(ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)] // mirrors the sync call
pub fn sgd_step_async(
    params: Float32Array,
    grad: Float32Array,
    velocity: Option<Float32Array>,
    lr: f64,
    momentum: f64,
    weight_decay: f64,
    nesterov: bool,
    clip_norm: f64,
) -> napi::Result<AsyncTask<SgdTask>> {
    let cfg = Sgd {
        lr,
        momentum,
        weight_decay,
        nesterov,
        clip_norm,
    };
    calls::check_sgd(&params, &grad, velocity.as_deref(), &cfg)?;
    Ok(AsyncTask::new(SgdTask {
        params,
        grad,
        velocity,
        cfg,
    }))
}

/// Runs `adamStep` off the event loop.
pub struct AdamTask {
    params: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    cfg: Adam,
}

impl Task for AdamTask {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let Self {
            params,
            grad,
            m,
            v,
            cfg,
        } = self;
        // SAFETY: the caller hands the arrays over until the promise settles; check_adam proved the
        // written arrays overlap nothing else.
        let (params, m, v) = unsafe { (params.as_mut(), m.as_mut(), v.as_mut()) };
        guarded(|| calls::run_adam(params, grad, m, v, cfg))
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// `adamStep` on the libuv thread pool.
#[napi(ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)] // mirrors the sync call
pub fn adam_step_async(
    params: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    step: u32,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    clip_norm: f64,
) -> napi::Result<AsyncTask<AdamTask>> {
    let cfg = Adam {
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        clip_norm,
        step,
    };
    calls::check_adam(&params, &grad, &m, &v, &cfg)?;
    Ok(AsyncTask::new(AdamTask {
        params,
        grad,
        m,
        v,
        cfg,
    }))
}
