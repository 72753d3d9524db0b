//! Each kernel as "check, then run": `check_*` validates on the JS thread and returns a plan; `run_*`
//! does the math on slices (on the JS thread for sync calls, on the libuv pool for async ones).

use std::cell::RefCell;

use napi::Result;
use retain_math::{
    adam_step, ewc_penalty_grad, fisher_diag, forward, loss_grad, sgd_step, Adam, Distill, Dropout,
    FisherKind, LossOutputs, LossTerms, Mlp, MlpInput, Sgd, Workspace,
};

use crate::checks::{self, disjoint, invalid, len, opt_len, span};

thread_local! {
    /// One workspace per thread (JS thread and each libuv worker), so steady-state calls allocate nothing.
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new());
}

fn with_workspace<R>(f: impl FnOnce(&mut Workspace) -> R) -> R {
    WORKSPACE.with(|ws| match ws.try_borrow_mut() {
        Ok(mut ws) => f(&mut ws),
        Err(_) => f(&mut Workspace::new()),
    })
}

/// The network of an MLP call.
pub struct MlpPlan {
    pub net: Mlp,
    pub batch: usize,
}

/// Checks the parts every MLP kernel shares.
pub fn check_mlp(
    sizes: &[u32],
    activation: &str,
    batch: u32,
    params: &[f32],
    x: &[f32],
    mask: Option<&[u8]>,
) -> Result<MlpPlan> {
    let net = checks::mlp(sizes, activation, batch)?;
    let batch = batch as usize;
    len("params", params.len(), net.param_count())?;
    len("x", x.len(), batch * net.inputs())?;
    opt_len("outputMask", mask, batch * net.classes())?;
    Ok(MlpPlan { net, batch })
}

fn input<'a>(
    plan: &MlpPlan,
    params: &'a [f32],
    x: &'a [f32],
    mask: Option<&'a [u8]>,
) -> MlpInput<'a> {
    MlpInput {
        params,
        x,
        batch: plan.batch,
        mask,
    }
}

// ---- forward ----

/// A checked forward call.
pub struct ForwardPlan {
    pub mlp: MlpPlan,
    pub dropout: Option<Dropout>,
}

#[allow(clippy::too_many_arguments)] // mirrors the positional JS call
pub fn check_forward(
    sizes: &[u32],
    activation: &str,
    params: &[f32],
    x: &[f32],
    batch: u32,
    logits: &[f32],
    mask: Option<&[u8]>,
    rate: Option<f64>,
    seed: Option<u32>,
) -> Result<ForwardPlan> {
    let mlp = check_mlp(sizes, activation, batch, params, x, mask)?;
    len("logits", logits.len(), mlp.batch * mlp.net.classes())?;
    disjoint(
        "logits",
        span(logits),
        &[
            ("params", Some(span(params))),
            ("x", Some(span(x))),
            ("outputMask", mask.map(span)),
        ],
    )?;
    Ok(ForwardPlan {
        mlp,
        dropout: checks::dropout(rate, seed)?,
    })
}

pub fn run_forward(
    plan: &ForwardPlan,
    params: &[f32],
    x: &[f32],
    mask: Option<&[u8]>,
    logits: &mut [f32],
) {
    with_workspace(|ws| {
        forward(
            &plan.mlp.net,
            input(&plan.mlp, params, x, mask),
            plan.dropout,
            logits,
            ws,
        )
    });
}

// ---- lossGrad ----

/// A checked lossGrad call.
pub struct LossPlan {
    pub mlp: MlpPlan,
    pub dropout: Option<Dropout>,
    /// (temperature, weight) when teacher logits are given.
    pub distill: Option<(f64, f64)>,
}

/// The arrays of a lossGrad call, borrowed.
pub struct LossArrays<'a> {
    pub params: &'a [f32],
    pub x: &'a [f32],
    pub targets: &'a [i32],
    pub weights: Option<&'a [f32]>,
    pub mask: Option<&'a [u8]>,
    pub teacher: Option<&'a [f32]>,
    /// Distillation softmax group per class (−1: none).
    pub groups: Option<&'a [i32]>,
    /// Distillation factor per example (0: no term, teacher row unread).
    pub row_weights: Option<&'a [f32]>,
}

/// The outputs of a lossGrad call, borrowed.
pub struct LossOuts<'a> {
    pub grad: &'a mut [f32],
    pub per_example_loss: Option<&'a mut [f32]>,
    pub logits: Option<&'a mut [f32]>,
}

#[allow(clippy::too_many_arguments)] // mirrors the positional JS call
pub fn check_loss(
    sizes: &[u32],
    activation: &str,
    batch: u32,
    a: &LossArrays<'_>,
    outs: (&[f32], Option<&[f32]>, Option<&[f32]>),
    rate: Option<f64>,
    seed: Option<u32>,
    temperature: Option<f64>,
    distill_weight: Option<f64>,
) -> Result<LossPlan> {
    let mlp = check_mlp(sizes, activation, batch, a.params, a.x, a.mask)?;
    let (b, c) = (mlp.batch, mlp.net.classes());
    len("targets", a.targets.len(), b)?;
    checks::targets(a.targets, c, a.mask)?;
    opt_len("weights", a.weights, b)?;
    opt_len("teacherLogits", a.teacher, b * c)?;
    opt_len("distill.classGroups", a.groups, c)?;
    if let Some(g) = a.groups {
        if let Some((k, v)) = g.iter().enumerate().find(|(_, &v)| v < -1 || v >= c as i32) {
            return Err(invalid(
                &format!("distill.classGroups[{k}]"),
                format!("{v} must be -1 (no term) or a group id in [0, {c})"),
            ));
        }
    }
    opt_len("distill.rowWeights", a.row_weights, b)?;
    if let Some(r) = a.row_weights {
        if let Some((k, v)) = r
            .iter()
            .enumerate()
            .find(|(_, &v)| !(v >= 0.0 && v.is_finite()))
        {
            return Err(invalid(
                &format!("distill.rowWeights[{k}]"),
                format!("{v} must be finite and >= 0"),
            ));
        }
    }
    let (grad, per, logits) = outs;
    len("grad", grad.len(), mlp.net.param_count())?;
    opt_len("perExampleLoss", per, b)?;
    opt_len("logits", logits, b * c)?;
    let inputs = [
        ("params", Some(span(a.params))),
        ("x", Some(span(a.x))),
        ("targets", Some(span(a.targets))),
        ("weights", a.weights.map(span)),
        ("outputMask", a.mask.map(span)),
        ("teacherLogits", a.teacher.map(span)),
        ("distill.classGroups", a.groups.map(span)),
        ("distill.rowWeights", a.row_weights.map(span)),
    ];
    let out_spans = [
        ("grad", Some(span(grad))),
        ("perExampleLoss", per.map(span)),
        ("logits", logits.map(span)),
    ];
    for (k, (field, s)) in out_spans.iter().enumerate() {
        if let Some(s) = *s {
            disjoint(field, s, &inputs)?;
            disjoint(field, s, &out_spans[k + 1..])?;
        }
    }
    let distill = match a.teacher {
        None => None,
        Some(_) => {
            let t = temperature.unwrap_or(1.0);
            let w = distill_weight.unwrap_or(1.0);
            if !(t > 0.0 && t.is_finite()) {
                return Err(invalid("distill.temperature", format!("{t} must be > 0")));
            }
            if !(w >= 0.0 && w.is_finite()) {
                return Err(invalid("distill.weight", format!("{w} must be >= 0")));
            }
            Some((t, w))
        }
    };
    Ok(LossPlan {
        mlp,
        dropout: checks::dropout(rate, seed)?,
        distill,
    })
}

pub fn run_loss(plan: &LossPlan, a: LossArrays<'_>, o: LossOuts<'_>) -> f64 {
    let terms = LossTerms {
        targets: a.targets,
        weights: a.weights,
        dropout: plan.dropout,
        distill: plan
            .distill
            .zip(a.teacher)
            .map(|((temperature, weight), teacher_logits)| Distill {
                teacher_logits,
                temperature,
                weight,
                groups: a.groups,
                row_weights: a.row_weights,
            }),
    };
    let outputs = LossOutputs {
        grad: o.grad,
        per_example_loss: o.per_example_loss,
        logits: o.logits,
    };
    with_workspace(|ws| {
        loss_grad(
            &plan.mlp.net,
            input(&plan.mlp, a.params, a.x, a.mask),
            terms,
            outputs,
            ws,
        )
    })
}

// ---- fisherDiag ----

/// A checked fisherDiag call.
pub struct FisherPlan {
    pub mlp: MlpPlan,
    pub expected: bool,
}

#[allow(clippy::too_many_arguments)] // mirrors the positional JS call
pub fn check_fisher(
    sizes: &[u32],
    activation: &str,
    params: &[f32],
    x: &[f32],
    batch: u32,
    kind: &str,
    targets: Option<&[i32]>,
    mask: Option<&[u8]>,
    fisher: &[f32],
) -> Result<FisherPlan> {
    let mlp = check_mlp(sizes, activation, batch, params, x, mask)?;
    let expected = match kind {
        "expected" => true,
        "empirical" => {
            let t =
                targets.ok_or_else(|| invalid("targets", "required for the empirical Fisher"))?;
            len("targets", t.len(), mlp.batch)?;
            checks::targets(t, mlp.net.classes(), mask)?;
            false
        }
        other => {
            return Err(invalid(
                "kind",
                format!("'{other}' is not 'empirical' or 'expected'"),
            ))
        }
    };
    len("fisher", fisher.len(), mlp.net.param_count())?;
    let others = [
        ("params", Some(span(params))),
        ("x", Some(span(x))),
        ("targets", targets.map(span)),
        ("outputMask", mask.map(span)),
    ];
    disjoint("fisher", span(fisher), &others)?;
    Ok(FisherPlan { mlp, expected })
}

pub fn run_fisher(
    plan: &FisherPlan,
    params: &[f32],
    x: &[f32],
    targets: Option<&[i32]>,
    mask: Option<&[u8]>,
    fisher: &mut [f32],
) {
    let kind = match (plan.expected, targets) {
        (false, Some(targets)) => FisherKind::Empirical { targets },
        _ => FisherKind::Expected,
    };
    with_workspace(|ws| {
        fisher_diag(
            &plan.mlp.net,
            input(&plan.mlp, params, x, mask),
            kind,
            fisher,
            ws,
        )
    });
}

// ---- EWC ----

pub fn check_ewc(
    params: &[f32],
    anchor: &[f32],
    fisher: &[f32],
    lambda: f64,
    grad: &[f32],
) -> Result<()> {
    let n = params.len();
    len("anchor", anchor.len(), n)?;
    len("fisher", fisher.len(), n)?;
    len("grad", grad.len(), n)?;
    if !(lambda >= 0.0 && lambda.is_finite()) {
        return Err(invalid(
            "lambda",
            format!("{lambda} must be finite and >= 0"),
        ));
    }
    let others = [
        ("params", Some(span(params))),
        ("anchor", Some(span(anchor))),
        ("fisher", Some(span(fisher))),
    ];
    disjoint("grad", span(grad), &others)
}

pub fn run_ewc(
    params: &[f32],
    anchor: &[f32],
    fisher: &[f32],
    lambda: f64,
    grad: &mut [f32],
) -> f64 {
    ewc_penalty_grad(params, anchor, fisher, lambda, grad)
}

// ---- Synaptic Intelligence ----

pub fn check_si(omega: &[f32], grad: &[f32], before: &[f32], after: &[f32]) -> Result<()> {
    let n = omega.len();
    len("grad", grad.len(), n)?;
    len("before", before.len(), n)?;
    len("after", after.len(), n)?;
    let others = [
        ("grad", Some(span(grad))),
        ("before", Some(span(before))),
        ("after", Some(span(after))),
    ];
    disjoint("omega", span(omega), &others)
}

// ---- optimizers ----

fn check_hyper(lr: f64, weight_decay: f64, clip_norm: f64) -> Result<()> {
    if !(lr > 0.0 && lr.is_finite()) {
        return Err(invalid("lr", format!("{lr} must be > 0")));
    }
    if !(weight_decay >= 0.0 && weight_decay.is_finite()) {
        return Err(invalid(
            "weightDecay",
            format!("{weight_decay} must be finite and >= 0"),
        ));
    }
    if !(clip_norm >= 0.0 && clip_norm.is_finite()) {
        return Err(invalid(
            "clipNorm",
            format!("{clip_norm} must be finite and >= 0"),
        ));
    }
    Ok(())
}

pub fn check_sgd(params: &[f32], grad: &[f32], velocity: Option<&[f32]>, cfg: &Sgd) -> Result<()> {
    check_hyper(cfg.lr, cfg.weight_decay, cfg.clip_norm)?;
    if !(0.0..1.0).contains(&cfg.momentum) {
        return Err(invalid(
            "momentum",
            format!("{} is not in [0, 1)", cfg.momentum),
        ));
    }
    len("grad", grad.len(), params.len())?;
    if cfg.momentum > 0.0 && velocity.is_none() {
        return Err(invalid("velocity", "required when momentum > 0"));
    }
    opt_len("velocity", velocity, params.len())?;
    disjoint(
        "params",
        span(params),
        &[("grad", Some(span(grad))), ("velocity", velocity.map(span))],
    )?;
    if let Some(v) = velocity {
        disjoint("velocity", span(v), &[("grad", Some(span(grad)))])?;
    }
    Ok(())
}

pub fn run_sgd(params: &mut [f32], grad: &[f32], velocity: Option<&mut [f32]>, cfg: &Sgd) -> f64 {
    sgd_step(params, grad, velocity, cfg)
}

pub fn check_adam(params: &[f32], grad: &[f32], m: &[f32], v: &[f32], cfg: &Adam) -> Result<()> {
    check_hyper(cfg.lr, cfg.weight_decay, cfg.clip_norm)?;
    for (field, b) in [("beta1", cfg.beta1), ("beta2", cfg.beta2)] {
        if !(0.0..1.0).contains(&b) {
            return Err(invalid(field, format!("{b} is not in [0, 1)")));
        }
    }
    if !(cfg.eps > 0.0 && cfg.eps.is_finite()) {
        return Err(invalid("eps", format!("{} must be > 0", cfg.eps)));
    }
    if cfg.step < 1 {
        return Err(invalid("step", "must be >= 1"));
    }
    let n = params.len();
    len("grad", grad.len(), n)?;
    len("m", m.len(), n)?;
    len("v", v.len(), n)?;
    let (p, g, ms, vs) = (span(params), span(grad), span(m), span(v));
    disjoint(
        "params",
        p,
        &[("grad", Some(g)), ("m", Some(ms)), ("v", Some(vs))],
    )?;
    disjoint("m", ms, &[("grad", Some(g)), ("v", Some(vs))])?;
    disjoint("v", vs, &[("grad", Some(g))])
}

pub fn run_adam(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], cfg: &Adam) -> f64 {
    adam_step(params, grad, m, v, cfg)
}
