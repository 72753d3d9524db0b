//! EWC penalty and gradient in one pass: `Σ ½λF(θ−θ*)²`, `grad += λF(θ−θ*)`.

use crate::dispatch::{
    elementwise_parts, group_len, in_order_sum, lanes_total, multiversion, BLOCK, LANES,
};
use rayon::prelude::*;

multiversion! {
    /// Σ F·d² over the arrays while adding `lambda·F·d` into `grad` (d = θ − θ*).
    fn weighted_sq_and_grad(params: &[f32], anchor: &[f32], fisher: &[f32], lambda: f32, grad: &mut [f32]) -> f64 {
        let mut total = 0.0f64;
        let blocks = params
            .chunks(BLOCK)
            .zip(anchor.chunks(BLOCK))
            .zip(fisher.chunks(BLOCK))
            .zip(grad.chunks_mut(BLOCK));
        for (((p, a), f), g) in blocks {
            let mut lanes = [0.0f32; LANES];
            let vecs = p
                .chunks_exact(LANES)
                .zip(a.chunks_exact(LANES))
                .zip(f.chunks_exact(LANES))
                .zip(g.chunks_exact_mut(LANES));
            for (((p, a), f), g) in vecs {
                for k in 0..LANES {
                    let d = p[k] - a[k];
                    let fd = f[k] * d;
                    lanes[k] += fd * d;
                    g[k] += lambda * fd;
                }
            }
            let tail = p.len() - p.len() % LANES;
            for k in tail..p.len() {
                let d = p[k] - a[k];
                let fd = f[k] * d;
                lanes[0] += fd * d;
                g[k] += lambda * fd;
            }
            total += lanes_total(&lanes);
        }
        total
    }
}

/// Returns the EWC penalty `Σ ½·λ·Fᵢ·(θᵢ − θ*ᵢ)²` and adds `λ·Fᵢ·(θᵢ − θ*ᵢ)` into `grad`, in one pass.
///
/// Panics if the lengths differ. Partial sums are f32 over 64 terms per lane, then f64.
pub fn ewc_penalty_grad(
    params: &[f32],
    anchor: &[f32],
    fisher: &[f32],
    lambda: f64,
    grad: &mut [f32],
) -> f64 {
    let _flush = crate::fpenv::FlushGuard::new();
    let n = params.len();
    assert_eq!(anchor.len(), n, "anchor length");
    assert_eq!(fisher.len(), n, "fisher length");
    assert_eq!(grad.len(), n, "grad length");
    let l = lambda as f32;
    let parts = elementwise_parts(n);
    if parts <= 1 {
        return 0.5 * lambda * weighted_sq_and_grad(params, anchor, fisher, l, grad);
    }
    // Groups of whole blocks on rayon's pool, one pass call per block, totals added in order: the same
    // bits as the serial pass (see optim.rs).
    let len = group_len(n, parts);
    let mut totals = vec![0.0f64; n.div_ceil(BLOCK)];
    let jobs: Vec<_> = params
        .chunks(len)
        .zip(anchor.chunks(len))
        .zip(fisher.chunks(len))
        .zip(grad.chunks_mut(len))
        .zip(totals.chunks_mut(len / BLOCK))
        .collect();
    crate::fpenv::pool().install(|| {
        jobs.into_par_iter().for_each(|((((p, a), f), g), t)| {
            let blocks = p
                .chunks(BLOCK)
                .zip(a.chunks(BLOCK))
                .zip(f.chunks(BLOCK))
                .zip(g.chunks_mut(BLOCK));
            for ((((p, a), f), g), t) in blocks.zip(t) {
                *t = weighted_sq_and_grad(p, a, f, l, g);
            }
        });
    });
    0.5 * lambda * in_order_sum(&totals)
}
