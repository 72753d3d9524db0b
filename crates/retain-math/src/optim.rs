//! SGD (momentum, Nesterov, weight decay) and Adam, with global-norm clipping, in place.
//!
//! Each update pass also sums g², so without clipping a step reads the gradient once.

use crate::dispatch::{
    elementwise_parts, group_len, in_order_sum, lanes_total, multiversion, BLOCK, LANES,
};
use rayon::prelude::*;

/// SGD hyper-parameters (PyTorch semantics).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    /// Global-norm clipping threshold; 0 disables.
    pub clip_norm: f64,
}

/// Adam hyper-parameters (PyTorch `Adam`, L2 weight decay added to the gradient).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    /// Global-norm clipping threshold; 0 disables.
    pub clip_norm: f64,
    /// 1-based step count for bias correction.
    pub step: u32,
}

multiversion! {
    /// Σ g² (f32 lanes per block, f64 across blocks).
    fn sum_sq(g: &[f32]) -> f64 {
        let mut total = 0.0f64;
        for block in g.chunks(BLOCK) {
            let mut lanes = [0.0f32; LANES];
            for v in block.chunks_exact(LANES) {
                for k in 0..LANES {
                    lanes[k] += v[k] * v[k];
                }
            }
            for &v in block.chunks_exact(LANES).remainder() {
                lanes[0] += v * v;
            }
            total += lanes_total(&lanes);
        }
        total
    }
}

/// The elementwise SGD update's constants, as f32.
#[derive(Clone, Copy)]
struct SgdK {
    coef: f32,
    wd: f32,
    lr: f32,
    mu: f32,
    nesterov: bool,
}

multiversion! {
    /// θ −= lr·g' (no momentum); returns Σ g².
    fn sgd_plain(params: &mut [f32], grad: &[f32], k: SgdK) -> f64 {
        let mut total = 0.0f64;
        for (p, g) in params.chunks_mut(BLOCK).zip(grad.chunks(BLOCK)) {
            let mut lanes = [0.0f32; LANES];
            let mut pc = p.chunks_exact_mut(LANES);
            let mut gc = g.chunks_exact(LANES);
            for (p, g) in (&mut pc).zip(&mut gc) {
                for i in 0..LANES {
                    lanes[i] += g[i] * g[i];
                    p[i] -= k.lr * (k.coef * g[i] + k.wd * p[i]);
                }
            }
            for (pv, &gv) in pc.into_remainder().iter_mut().zip(gc.remainder()) {
                lanes[0] += gv * gv;
                *pv -= k.lr * (k.coef * gv + k.wd * *pv);
            }
            total += lanes_total(&lanes);
        }
        total
    }
}

multiversion! {
    /// v = μv + g'; θ −= lr·(nesterov ? g' + μv : v); returns Σ g².
    fn sgd_momentum(params: &mut [f32], grad: &[f32], velocity: &mut [f32], k: SgdK) -> f64 {
        #[inline(always)]
        fn one(p: &mut f32, g: f32, v: &mut f32, k: &SgdK) {
            let gp = k.coef * g + k.wd * *p;
            *v = k.mu * *v + gp;
            let step = if k.nesterov { gp + k.mu * *v } else { *v };
            *p -= k.lr * step;
        }
        let mut total = 0.0f64;
        let blocks = params.chunks_mut(BLOCK).zip(grad.chunks(BLOCK)).zip(velocity.chunks_mut(BLOCK));
        for ((p, g), v) in blocks {
            let mut lanes = [0.0f32; LANES];
            let mut pc = p.chunks_exact_mut(LANES);
            let mut gc = g.chunks_exact(LANES);
            let mut vc = v.chunks_exact_mut(LANES);
            for ((p, g), v) in (&mut pc).zip(&mut gc).zip(&mut vc) {
                for i in 0..LANES {
                    lanes[i] += g[i] * g[i];
                    one(&mut p[i], g[i], &mut v[i], &k);
                }
            }
            let rest = pc.into_remainder().iter_mut().zip(gc.remainder()).zip(vc.into_remainder());
            for ((p, &g), v) in rest {
                lanes[0] += g * g;
                one(p, g, v, &k);
            }
            total += lanes_total(&lanes);
        }
        total
    }
}

/// The elementwise Adam update's constants, as f32.
#[derive(Clone, Copy)]
struct AdamK {
    coef: f32,
    wd: f32,
    b1: f32,
    b2: f32,
    /// lr / (1 − β1ᵗ)
    step_size: f32,
    /// 1 / (1 − β2ᵗ)
    inv_bc2: f32,
    eps: f32,
}

multiversion! {
    /// The Adam update; returns Σ g².
    fn adam_pass(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], k: AdamK) -> f64 {
        #[inline(always)]
        fn one(p: &mut f32, g: f32, m: &mut f32, v: &mut f32, k: &AdamK) {
            let gp = k.coef * g + k.wd * *p;
            *m = k.b1 * *m + (1.0 - k.b1) * gp;
            *v = k.b2 * *v + (1.0 - k.b2) * gp * gp;
            *p -= k.step_size * *m / ((*v * k.inv_bc2).sqrt() + k.eps);
        }
        let mut total = 0.0f64;
        let blocks = params
            .chunks_mut(BLOCK)
            .zip(grad.chunks(BLOCK))
            .zip(m.chunks_mut(BLOCK))
            .zip(v.chunks_mut(BLOCK));
        for (((p, g), m), v) in blocks {
            let mut lanes = [0.0f32; LANES];
            let mut pc = p.chunks_exact_mut(LANES);
            let mut gc = g.chunks_exact(LANES);
            let mut mc = m.chunks_exact_mut(LANES);
            let mut vc = v.chunks_exact_mut(LANES);
            for (((p, g), m), v) in (&mut pc).zip(&mut gc).zip(&mut mc).zip(&mut vc) {
                for i in 0..LANES {
                    lanes[i] += g[i] * g[i];
                    one(&mut p[i], g[i], &mut m[i], &mut v[i], &k);
                }
            }
            let rest = pc
                .into_remainder()
                .iter_mut()
                .zip(gc.remainder())
                .zip(mc.into_remainder())
                .zip(vc.into_remainder());
            for (((p, &g), m), v) in rest {
                lanes[0] += g * g;
                one(p, g, m, v, &k);
            }
            total += lanes_total(&lanes);
        }
        total
    }
}

// The `*_par` wrappers: serial below `elementwise_parts`' threshold; above it, groups of whole blocks run
// on rayon's pool with the pass called once per block, and the block totals are added in order, so the
// parameters, buffers and returned sums are bit-identical to the serial pass.

fn sum_sq_par(g: &[f32]) -> f64 {
    let parts = elementwise_parts(g.len());
    if parts <= 1 {
        return sum_sq(g);
    }
    let len = group_len(g.len(), parts);
    let mut totals = vec![0.0f64; g.len().div_ceil(BLOCK)];
    let jobs: Vec<_> = g.chunks(len).zip(totals.chunks_mut(len / BLOCK)).collect();
    crate::fpenv::pool().install(|| {
        jobs.into_par_iter().for_each(|(g, t)| {
            for (g, t) in g.chunks(BLOCK).zip(t) {
                *t = sum_sq(g);
            }
        });
    });
    in_order_sum(&totals)
}

fn sgd_plain_par(params: &mut [f32], grad: &[f32], k: SgdK) -> f64 {
    let n = params.len();
    let parts = elementwise_parts(n);
    if parts <= 1 {
        return sgd_plain(params, grad, k);
    }
    let len = group_len(n, parts);
    let mut totals = vec![0.0f64; n.div_ceil(BLOCK)];
    let jobs: Vec<_> = params
        .chunks_mut(len)
        .zip(grad.chunks(len))
        .zip(totals.chunks_mut(len / BLOCK))
        .collect();
    crate::fpenv::pool().install(|| {
        jobs.into_par_iter().for_each(|((p, g), t)| {
            for ((p, g), t) in p.chunks_mut(BLOCK).zip(g.chunks(BLOCK)).zip(t) {
                *t = sgd_plain(p, g, k);
            }
        });
    });
    in_order_sum(&totals)
}

fn sgd_momentum_par(params: &mut [f32], grad: &[f32], velocity: &mut [f32], k: SgdK) -> f64 {
    let n = params.len();
    let parts = elementwise_parts(n);
    if parts <= 1 {
        return sgd_momentum(params, grad, velocity, k);
    }
    let len = group_len(n, parts);
    let mut totals = vec![0.0f64; n.div_ceil(BLOCK)];
    let jobs: Vec<_> = params
        .chunks_mut(len)
        .zip(grad.chunks(len))
        .zip(velocity.chunks_mut(len))
        .zip(totals.chunks_mut(len / BLOCK))
        .collect();
    crate::fpenv::pool().install(|| {
        jobs.into_par_iter().for_each(|(((p, g), v), t)| {
            for (((p, g), v), t) in p
                .chunks_mut(BLOCK)
                .zip(g.chunks(BLOCK))
                .zip(v.chunks_mut(BLOCK))
                .zip(t)
            {
                *t = sgd_momentum(p, g, v, k);
            }
        });
    });
    in_order_sum(&totals)
}

fn adam_pass_par(params: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32], k: AdamK) -> f64 {
    let n = params.len();
    let parts = elementwise_parts(n);
    if parts <= 1 {
        return adam_pass(params, grad, m, v, k);
    }
    let len = group_len(n, parts);
    let mut totals = vec![0.0f64; n.div_ceil(BLOCK)];
    let jobs: Vec<_> = params
        .chunks_mut(len)
        .zip(grad.chunks(len))
        .zip(m.chunks_mut(len))
        .zip(v.chunks_mut(len))
        .zip(totals.chunks_mut(len / BLOCK))
        .collect();
    crate::fpenv::pool().install(|| {
        jobs.into_par_iter().for_each(|((((p, g), m), v), t)| {
            let blocks = p
                .chunks_mut(BLOCK)
                .zip(g.chunks(BLOCK))
                .zip(m.chunks_mut(BLOCK))
                .zip(v.chunks_mut(BLOCK));
            for ((((p, g), m), v), t) in blocks.zip(t) {
                *t = adam_pass(p, g, m, v, k);
            }
        });
    });
    in_order_sum(&totals)
}

/// `clipNorm > 0 ? min(1, clipNorm / (norm + 1e-6)) : 1`.
fn clip_coef(norm: f64, clip_norm: f64) -> f64 {
    if clip_norm > 0.0 {
        (clip_norm / (norm + 1e-6)).min(1.0)
    } else {
        1.0
    }
}

/// Runs `pass(coef)` (which returns Σ g²) with the clip coefficient; returns the norm before clipping.
fn with_clipping(grad: &[f32], clip_norm: f64, pass: impl FnOnce(f32) -> f64) -> f64 {
    if clip_norm > 0.0 {
        let norm = sum_sq_par(grad).sqrt();
        pass(clip_coef(norm, clip_norm) as f32);
        norm
    } else {
        pass(1.0).sqrt()
    }
}

/// One SGD step in place. Returns the global gradient norm before clipping.
///
/// Panics if lengths differ or momentum > 0 without a velocity buffer.
pub fn sgd_step(params: &mut [f32], grad: &[f32], velocity: Option<&mut [f32]>, cfg: &Sgd) -> f64 {
    let _flush = crate::fpenv::FlushGuard::new();
    assert_eq!(grad.len(), params.len(), "grad length");
    let k = SgdK {
        coef: 1.0,
        wd: cfg.weight_decay as f32,
        lr: cfg.lr as f32,
        mu: cfg.momentum as f32,
        nesterov: cfg.nesterov,
    };
    if cfg.momentum > 0.0 {
        let velocity = velocity.expect("velocity is required when momentum > 0");
        assert_eq!(velocity.len(), params.len(), "velocity length");
        with_clipping(grad, cfg.clip_norm, |coef| {
            sgd_momentum_par(params, grad, velocity, SgdK { coef, ..k })
        })
    } else {
        with_clipping(grad, cfg.clip_norm, |coef| {
            sgd_plain_par(params, grad, SgdK { coef, ..k })
        })
    }
}

/// One Adam step in place (bias-corrected). Returns the global gradient norm before clipping.
///
/// Panics if lengths differ or `step` is 0.
pub fn adam_step(
    params: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    cfg: &Adam,
) -> f64 {
    let _flush = crate::fpenv::FlushGuard::new();
    let n = params.len();
    assert_eq!(grad.len(), n, "grad length");
    assert_eq!(m.len(), n, "m length");
    assert_eq!(v.len(), n, "v length");
    assert!(cfg.step >= 1, "step must be >= 1");
    let t = f64::from(cfg.step);
    let k = AdamK {
        coef: 1.0,
        wd: cfg.weight_decay as f32,
        b1: cfg.beta1 as f32,
        b2: cfg.beta2 as f32,
        step_size: (cfg.lr / (1.0 - cfg.beta1.powf(t))) as f32,
        inv_bc2: (1.0 / (1.0 - cfg.beta2.powf(t))) as f32,
        eps: cfg.eps as f32,
    };
    with_clipping(grad, cfg.clip_norm, |coef| {
        adam_pass_par(params, grad, m, v, AdamK { coef, ..k })
    })
}
