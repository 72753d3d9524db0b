//! Diagonal Fisher as a sum of squared per-example gradients, one GEMM per layer over the batch:
//! `F[W_l] += (δ∘δ)ᵀ·(a_l∘a_l)`, `F[b_l] += Σ δ²` (BackPACK's "sum_grad_squared").

use crate::forward::{forward_into, MlpInput};
use crate::gemm;
use crate::mlp::Mlp;
use crate::softmax::log_softmax;
use crate::workspace::{ensure, Workspace};

/// Which Fisher to accumulate.
#[derive(Clone, Copy, Debug)]
pub enum FisherKind<'a> {
    /// Squared gradients of the cross-entropy at these targets (data labels or labels drawn from the model).
    Empirical { targets: &'a [i32] },
    /// The exact expectation over classes under the model's own softmax.
    Expected,
}

/// Delta rows processed at once: bounds memory (the expected Fisher has C rows per example) while keeping
/// the GEMMs' shared dimension large enough (≥ a few hundred) to run near peak.
const CHUNK_ROWS: usize = 4096;

/// ADDS the diagonal Fisher's sum over the batch into `fisher` (no dropout).
///
/// Panics if a length does not match or a target is out of range (the binding checks first).
pub fn fisher_diag(
    net: &Mlp,
    input: MlpInput<'_>,
    kind: FisherKind<'_>,
    fisher: &mut [f32],
    ws: &mut Workspace,
) {
    let _flush = crate::fpenv::FlushGuard::new();
    input.check(net);
    assert_eq!(fisher.len(), net.param_count(), "fisher length");
    if let FisherKind::Empirical { targets } = kind {
        assert_eq!(targets.len(), input.batch, "targets length");
    }
    let classes = net.classes();
    let virtual_per_example = match kind {
        FisherKind::Empirical { .. } => 1,
        FisherKind::Expected => classes,
    };
    let chunk = (CHUNK_ROWS / virtual_per_example).max(1);
    let n0 = net.inputs();
    let mut start = 0;
    while start < input.batch {
        let rows = chunk.min(input.batch - start);
        let x = &input.x[start * n0..(start + rows) * n0];
        forward_into(net, input.params, x, rows, start, None, ws);
        output_deltas(net, input, kind, start, rows, ws);
        accumulate(net, input.params, x, rows, virtual_per_example, fisher, ws);
        start += rows;
    }
}

/// Widest layer output (deltas never reach the input layer).
fn delta_width(net: &Mlp) -> usize {
    net.sizes()[1..].iter().copied().max().unwrap_or(0)
}

/// Fills `ws.delta` with the output-layer deltas: `p − e_y` per example (empirical) or, per example
/// and class c, `sqrt(p_c)·(p − e_c)` (expected).
fn output_deltas(
    net: &Mlp,
    input: MlpInput<'_>,
    kind: FisherKind<'_>,
    start: usize,
    rows: usize,
    ws: &mut Workspace,
) {
    let classes = net.classes();
    let per = match kind {
        FisherKind::Empirical { .. } => 1,
        FisherKind::Expected => classes,
    };
    ensure(&mut ws.delta, rows * per * delta_width(net));
    ws.row.resize(2 * classes, 0.0);
    let (log_p, p) = ws.row.split_at_mut(classes);
    for r in 0..rows {
        let i = start + r;
        let allowed = |c: usize| input.allowed(classes, i, c);
        log_softmax(
            &ws.logits[r * classes..(r + 1) * classes],
            allowed,
            1.0,
            log_p,
        );
        for (pc, lp) in p.iter_mut().zip(log_p.iter()) {
            *pc = lp.exp();
        }
        match kind {
            FisherKind::Empirical { targets } => {
                let y = usize::try_from(targets[i]).expect("target is negative");
                assert!(
                    y < classes && allowed(y),
                    "target {i} is out of range or masked"
                );
                let d = &mut ws.delta[r * classes..(r + 1) * classes];
                for c in 0..classes {
                    d[c] = (p[c] - if c == y { 1.0 } else { 0.0 }) as f32;
                }
            }
            FisherKind::Expected => {
                let block = &mut ws.delta[r * classes * classes..(r + 1) * classes * classes];
                for (c, d) in block.chunks_exact_mut(classes).enumerate() {
                    let s = p[c].sqrt();
                    for j in 0..classes {
                        d[j] = (s * (p[j] - if j == c { 1.0 } else { 0.0 })) as f32;
                    }
                }
            }
        }
    }
}

/// Backprops the `rows × per` virtual delta rows through the layers, adding each layer's squared
/// gradient sums into `fisher`.
fn accumulate(
    net: &Mlp,
    params: &[f32],
    x: &[f32],
    rows: usize,
    per: usize,
    fisher: &mut [f32],
    ws: &mut Workspace,
) {
    let sizes = net.sizes();
    let vrows = rows * per;
    ensure(&mut ws.delta_next, vrows * delta_width(net));
    for l in (0..net.layers()).rev() {
        let (nin, nout) = (sizes[l], sizes[l + 1]);
        let delta = &ws.delta[..vrows * nout];
        // S[r][j] = Σ over the example's virtual rows of δ², so the weight GEMM runs over `rows`, not `vrows`.
        ensure(&mut ws.sq_delta, rows * nout);
        let sq = &mut ws.sq_delta[..rows * nout];
        sq.fill(0.0);
        for (s, block) in sq
            .chunks_exact_mut(nout)
            .zip(delta.chunks_exact(per * nout))
        {
            for d in block.chunks_exact(nout) {
                for (sv, &dv) in s.iter_mut().zip(d) {
                    *sv += dv * dv;
                }
            }
        }
        let layer_in: &[f32] = if l == 0 { x } else { &ws.layers[l - 1].h };
        ensure(&mut ws.sq_input, rows * nin);
        let sq_in = &mut ws.sq_input[..rows * nin];
        for (s, &a) in sq_in.iter_mut().zip(layer_in) {
            *s = a * a;
        }
        let (fw, fb) = net.layer_mut(fisher, l);
        gemm::weight_grad(sq, sq_in, rows, nout, nin, 1.0, fw);
        gemm::column_sums(sq, rows, nout, true, fb);
        if l == 0 {
            break;
        }
        let (w, _) = net.layer(params, l);
        let next = &mut ws.delta_next[..vrows * nin];
        gemm::input_grad(delta, w, vrows, nout, nin, next);
        let h = &ws.layers[l - 1].h;
        for (r, block) in next.chunks_exact_mut(per * nin).enumerate() {
            let hr = &h[r * nin..(r + 1) * nin];
            for d in block.chunks_exact_mut(nin) {
                net.activation().backprop(hr, d);
            }
        }
        std::mem::swap(&mut ws.delta, &mut ws.delta_next);
    }
}
