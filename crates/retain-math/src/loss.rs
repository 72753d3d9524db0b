//! Softmax cross-entropy with per-example weights and fused distillation, then backprop to `grad`.

use crate::dropout::Dropout;
use crate::forward::{forward_into, write_logits, MlpInput};
use crate::gemm;
use crate::mlp::Mlp;
use crate::softmax::{kl, log_softmax};
use crate::workspace::{ensure, Workspace};

/// Knowledge distillation: `weight · T² · KL(softmax(teacher/T) ‖ softmax(z/T))` per example.
#[derive(Clone, Copy, Debug)]
pub struct Distill<'a> {
    /// `batch × C` teacher logits.
    pub teacher_logits: &'a [f32],
    /// T > 0.
    pub temperature: f64,
    /// α ≥ 0.
    pub weight: f64,
    /// Per class, the group whose softmax its distillation term is computed in (−1: no term). The
    /// example's term is then the mean over the groups of their KLs, each group on its own softmax
    /// (the previous tasks' heads in task-IL, the old classes in class-IL); the batch's output mask
    /// does not apply to it. `None`: one group, the example's allowed classes.
    pub groups: Option<&'a [i32]>,
    /// Per example (`batch` long, finite, ≥ 0), a factor on its distillation term; 0 means no term at all
    /// and its teacher row is never read (dark experience replay: only replayed rows carry stored
    /// logits). `None`: 1 for every example.
    pub row_weights: Option<&'a [f32]>,
}

/// The distinct non-negative ids of `groups`, ascending.
fn group_ids(groups: &[i32]) -> Vec<i32> {
    let mut ids: Vec<i32> = groups.iter().copied().filter(|&g| g >= 0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Adds `k·(q − t)` to `dz` over the classes of one softmax group and returns KL(t ‖ q) there, with
/// `q = softmax(z/T)` and `t = softmax(teacher/T)` over that group.
#[allow(clippy::too_many_arguments)] // scratch rows are passed in to keep the hot loop allocation-free
fn distill_group(
    z: &[f32],
    teacher: &[f32],
    allowed: impl Fn(usize) -> bool + Copy,
    temperature: f64,
    k: f64,
    log_q: &mut [f64],
    log_t: &mut [f64],
    dz: &mut [f32],
) -> f64 {
    log_softmax(z, allowed, temperature, log_q);
    log_softmax(teacher, allowed, temperature, log_t);
    for c in 0..dz.len() {
        if allowed(c) {
            dz[c] += (k * (log_q[c].exp() - log_t[c].exp())) as f32;
        }
    }
    kl(log_t, log_q)
}

/// Everything `loss_grad` reads besides the network input.
#[derive(Clone, Copy, Debug, Default)]
pub struct LossTerms<'a> {
    /// Class per example, in range and allowed by the mask.
    pub targets: &'a [i32],
    /// Per-example weights (1 when absent); the batch loss divides by B, not Σw.
    pub weights: Option<&'a [f32]>,
    pub dropout: Option<Dropout>,
    pub distill: Option<Distill<'a>>,
}

/// Where `loss_grad` writes.
#[derive(Debug)]
pub struct LossOutputs<'a> {
    /// Overwritten with d(batch loss)/d(params).
    pub grad: &'a mut [f32],
    /// Unweighted cross-entropy per example.
    pub per_example_loss: Option<&'a mut [f32]>,
    /// Logits of this pass, masked classes `-inf`.
    pub logits: Option<&'a mut [f32]>,
}

/// Forward, loss, backward. Returns `(1/B)·Σ wᵢ·(ℓᵢ + α·rᵢ·T²·KLᵢ)` (rᵢ the distillation row weight) and
/// overwrites `out.grad`.
///
/// Panics if a length does not match or a target is out of range (the binding checks first).
pub fn loss_grad(
    net: &Mlp,
    input: MlpInput<'_>,
    terms: LossTerms<'_>,
    out: LossOutputs<'_>,
    ws: &mut Workspace,
) -> f64 {
    let _flush = crate::fpenv::FlushGuard::new();
    input.check(net);
    let (batch, classes) = (input.batch, net.classes());
    assert_eq!(terms.targets.len(), batch, "targets length");
    assert_eq!(out.grad.len(), net.param_count(), "grad length");
    if let Some(w) = terms.weights {
        assert_eq!(w.len(), batch, "weights length");
    }
    let mut ids = Vec::new();
    if let Some(d) = terms.distill {
        assert_eq!(
            d.teacher_logits.len(),
            batch * classes,
            "teacherLogits length"
        );
        if let Some(g) = d.groups {
            assert_eq!(g.len(), classes, "distill groups length");
            ids = group_ids(g);
        }
        if let Some(r) = d.row_weights {
            assert_eq!(r.len(), batch, "distill rowWeights length");
        }
    }
    let dropout = terms.dropout.filter(Dropout::is_active);
    forward_into(net, input.params, input.x, batch, 0, dropout, ws);
    if let Some(l) = out.logits {
        assert_eq!(l.len(), batch * classes, "logits length");
        write_logits(&ws.logits, input.mask, l);
    }
    let mut per_example = out.per_example_loss;
    if let Some(p) = per_example.as_deref() {
        assert_eq!(p.len(), batch, "perExampleLoss length");
    }

    ws.row.resize(3 * classes, 0.0);
    ensure(&mut ws.delta, batch * classes);
    let (log_p, rest) = ws.row.split_at_mut(classes);
    let (log_q, log_t) = rest.split_at_mut(classes);
    let inv_b = 1.0 / batch as f64;
    let mut total = 0.0;
    for i in 0..batch {
        let z = &ws.logits[i * classes..(i + 1) * classes];
        let allowed = |c: usize| input.allowed(classes, i, c);
        let y = usize::try_from(terms.targets[i]).expect("target is negative");
        assert!(
            y < classes && allowed(y),
            "target {i} is out of range or masked"
        );
        log_softmax(z, allowed, 1.0, log_p);
        let ce = -log_p[y];
        if let Some(p) = per_example.as_deref_mut() {
            p[i] = ce as f32;
        }
        let w = terms.weights.map_or(1.0, |w| f64::from(w[i]));
        let scale = w * inv_b;
        let dz = &mut ws.delta[i * classes..(i + 1) * classes];
        for c in 0..classes {
            let p = log_p[c].exp();
            dz[c] = (scale * (p - if c == y { 1.0 } else { 0.0 })) as f32;
        }
        let mut example_loss = ce;
        // A row weighted 0 skips the term outright, so whatever its teacher row holds (NaN included) never
        // reaches the loss or the gradient.
        let distill = terms
            .distill
            .map(|d| (d, d.row_weights.map_or(1.0, |r| f64::from(r[i]))))
            .filter(|&(_, r)| r != 0.0);
        if let Some((d, r)) = distill {
            let t = d.temperature;
            let alpha = d.weight * r;
            let teacher = &d.teacher_logits[i * classes..(i + 1) * classes];
            match d.groups {
                None => {
                    let k = scale * alpha * t;
                    let kl = distill_group(z, teacher, allowed, t, k, log_q, log_t, dz);
                    example_loss += alpha * t * t * kl;
                }
                Some(groups) => {
                    let share = 1.0 / ids.len().max(1) as f64;
                    let k = scale * alpha * t * share;
                    for &g in &ids {
                        let in_group = |c: usize| groups[c] == g;
                        let kl = distill_group(z, teacher, in_group, t, k, log_q, log_t, dz);
                        example_loss += alpha * t * t * share * kl;
                    }
                }
            }
        }
        total += w * example_loss;
    }
    backward(net, input, dropout.is_some(), batch, out.grad, ws);
    total * inv_b
}

/// Backprop of `ws.delta` (d loss / d logits, `rows × C`) to `grad` (overwritten).
fn backward(
    net: &Mlp,
    input: MlpInput<'_>,
    dropout: bool,
    rows: usize,
    grad: &mut [f32],
    ws: &mut Workspace,
) {
    let sizes = net.sizes();
    let max = net.max_width();
    ensure(&mut ws.delta, rows * max);
    ensure(&mut ws.delta_next, rows * max);
    for l in (0..net.layers()).rev() {
        let (nin, nout) = (sizes[l], sizes[l + 1]);
        let layer_in: &[f32] = if l == 0 {
            input.x
        } else {
            ws.layers[l - 1].output(dropout)
        };
        let delta = &ws.delta[..rows * nout];
        let (gw, gb) = net.layer_mut(grad, l);
        gemm::weight_grad(delta, layer_in, rows, nout, nin, 0.0, gw);
        gemm::column_sums(delta, rows, nout, false, gb);
        if l == 0 {
            break;
        }
        let (w, _) = net.layer(input.params, l);
        let next = &mut ws.delta_next[..rows * nin];
        gemm::input_grad(delta, w, rows, nout, nin, next);
        let buf = &ws.layers[l - 1];
        if dropout {
            for (d, &m) in next.iter_mut().zip(&buf.mask) {
                *d *= m;
            }
        }
        net.activation().backprop(&buf.h[..rows * nin], next);
        std::mem::swap(&mut ws.delta, &mut ws.delta_next);
    }
}
