//! Shared test fixtures: a seeded generator and a naive f64 reference MLP written straight from SPEC.md.
#![allow(dead_code)]

use retain_math::dropout;
use retain_math::{Activation, Dropout, Mlp};

/// xorshift64* — deterministic test data without a dependency.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [-1, 1).
    pub fn sym(&mut self) -> f32 {
        ((self.u64() >> 40) as f64 / (1u64 << 24) as f64 * 2.0 - 1.0) as f32
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.u64() % n as u64) as usize
    }
    pub fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.sym() * scale).collect()
    }
}

/// A loss problem with every optional term.
#[derive(Clone)]
pub struct Case {
    pub net: Mlp,
    pub params: Vec<f32>,
    pub x: Vec<f32>,
    pub batch: usize,
    pub targets: Vec<i32>,
    pub weights: Option<Vec<f32>>,
    pub mask: Option<Vec<u8>>,
    pub dropout: Option<Dropout>,
    /// (teacher logits, temperature, weight)
    pub distill: Option<(Vec<f32>, f64, f64)>,
    /// Distillation softmax group per class (−1: none); `None`: the allowed classes.
    pub groups: Option<Vec<i32>>,
    /// Distillation factor per example (0: no term, teacher row unread); `None`: all 1.
    pub row_weights: Option<Vec<f32>>,
}

impl Case {
    pub fn new(sizes: &[usize], act: Activation, batch: usize, seed: u64) -> Self {
        let net = Mlp::new(sizes, act).unwrap();
        let mut g = Gen::new(seed);
        let params = g.vec(net.param_count(), 0.7);
        let x = g.vec(batch * sizes[0], 1.0);
        let c = net.classes();
        let targets = (0..batch).map(|_| g.below(c) as i32).collect();
        Self {
            net,
            params,
            x,
            batch,
            targets,
            weights: None,
            mask: None,
            dropout: None,
            distill: None,
            groups: None,
            row_weights: None,
        }
    }

    /// Distillation computed per softmax group of classes (the batch mask no longer applies to it).
    pub fn with_groups(mut self, groups: &[i32]) -> Self {
        assert_eq!(groups.len(), self.net.classes());
        self.groups = Some(groups.to_vec());
        self
    }

    /// A mask allowing a random non-empty subset per row that always contains the target.
    pub fn with_mask(mut self, seed: u64) -> Self {
        let mut g = Gen::new(seed);
        let c = self.net.classes();
        let mut mask = vec![0u8; self.batch * c];
        for i in 0..self.batch {
            for j in 0..c {
                mask[i * c + j] = u8::from(g.below(3) != 0);
            }
            mask[i * c + self.targets[i] as usize] = 1;
        }
        self.mask = Some(mask);
        self
    }

    pub fn with_weights(mut self, seed: u64) -> Self {
        let mut g = Gen::new(seed);
        self.weights = Some((0..self.batch).map(|_| (g.sym() + 1.0) * 1.5).collect());
        self
    }

    pub fn with_distill(mut self, seed: u64, temperature: f64, weight: f64) -> Self {
        let mut g = Gen::new(seed);
        let teacher = g.vec(self.batch * self.net.classes(), 3.0);
        self.distill = Some((teacher, temperature, weight));
        self
    }

    /// Distillation row weights in [0, 2), every third one (from the first) exactly 0.
    pub fn with_row_weights(mut self, seed: u64) -> Self {
        let mut g = Gen::new(seed);
        let r = (0..self.batch).map(|i| if i % 3 == 0 { 0.0 } else { g.sym() + 1.0 });
        self.row_weights = Some(r.collect());
        self
    }

    pub fn allowed(&self, i: usize, c: usize) -> bool {
        self.mask
            .as_ref()
            .is_none_or(|m| m[i * self.net.classes() + c] != 0)
    }
}

/// Reference logits of example `i` in f64, dropout mask taken from `dropout::keep`.
pub fn ref_logits(case: &Case, params: &[f64], i: usize) -> Vec<f64> {
    let sizes = case.net.sizes();
    let mut a: Vec<f64> = case.x[i * sizes[0]..(i + 1) * sizes[0]]
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let mut off = 0;
    for l in 0..sizes.len() - 1 {
        let (nin, nout) = (sizes[l], sizes[l + 1]);
        let w = &params[off..off + nin * nout];
        let b = &params[off + nin * nout..off + nin * nout + nout];
        off += nin * nout + nout;
        let mut z: Vec<f64> = (0..nout)
            .map(|j| b[j] + (0..nin).map(|k| w[j * nin + k] * a[k]).sum::<f64>())
            .collect();
        if l + 2 < sizes.len() {
            for (j, v) in z.iter_mut().enumerate() {
                *v = match case.net.activation() {
                    Activation::Relu => v.max(0.0),
                    Activation::Tanh => v.tanh(),
                };
                if let Some(d) = case.dropout.filter(|d| d.rate > 0.0) {
                    let kept =
                        dropout::keep(d.seed, l as u32, i as u32, nout as u32, j as u32, d.rate);
                    *v = if kept { *v / (1.0 - d.rate) } else { 0.0 };
                }
            }
        }
        a = z;
    }
    a
}

/// Reference log-softmax at temperature `t` over the allowed classes of row `i`.
pub fn ref_log_softmax(case: &Case, z: &[f64], i: usize, t: f64) -> Vec<f64> {
    let allowed: Vec<usize> = (0..z.len()).filter(|&c| case.allowed(i, c)).collect();
    ref_group_log_softmax(z, &allowed, t)
}

/// log softmax(z / t) over `members` (by class index; other entries are left at −∞).
fn ref_group_log_softmax(z: &[f64], members: &[usize], t: f64) -> Vec<f64> {
    let m = members
        .iter()
        .map(|&c| z[c] / t)
        .fold(f64::NEG_INFINITY, f64::max);
    let lse = members
        .iter()
        .map(|&c| (z[c] / t - m).exp())
        .sum::<f64>()
        .ln()
        + m;
    let mut out = vec![f64::NEG_INFINITY; z.len()];
    for &c in members {
        out[c] = z[c] / t - lse;
    }
    out
}

/// Reference batch loss `(1/B) Σ wᵢ (ℓᵢ + α T² KLᵢ)` and the per-example cross-entropies.
pub fn ref_loss(case: &Case, params: &[f64]) -> (f64, Vec<f64>) {
    let c = case.net.classes();
    let mut total = 0.0;
    let mut ces = Vec::new();
    for i in 0..case.batch {
        let z = ref_logits(case, params, i);
        let lp = ref_log_softmax(case, &z, i, 1.0);
        let ce = -lp[case.targets[i] as usize];
        ces.push(ce);
        let mut li = ce;
        let row = case.row_weights.as_ref().map_or(1.0, |r| f64::from(r[i]));
        if let Some((teacher, t, alpha)) = case.distill.as_ref().filter(|_| row != 0.0) {
            let alpha = alpha * row;
            let tz: Vec<f64> = teacher[i * c..(i + 1) * c]
                .iter()
                .map(|&v| f64::from(v))
                .collect();
            if let Some(groups) = &case.groups {
                let mut ids: Vec<i32> = groups.iter().copied().filter(|&g| g >= 0).collect();
                ids.sort_unstable();
                ids.dedup();
                for &g in &ids {
                    let members: Vec<usize> = (0..c).filter(|&k| groups[k] == g).collect();
                    let lt = ref_group_log_softmax(&tz, &members, *t);
                    let lq = ref_group_log_softmax(&z, &members, *t);
                    let kl: f64 = members.iter().map(|&k| lt[k].exp() * (lt[k] - lq[k])).sum();
                    li += alpha * t * t * kl / ids.len() as f64;
                }
            } else {
                let lt = ref_log_softmax(case, &tz, i, *t);
                let lq = ref_log_softmax(case, &z, i, *t);
                let kl: f64 = (0..c)
                    .filter(|&k| case.allowed(i, k))
                    .map(|k| lt[k].exp() * (lt[k] - lq[k]))
                    .sum();
                li += alpha * t * t * kl;
            }
        }
        total += case.weights.as_ref().map_or(1.0, |w| f64::from(w[i])) * li;
    }
    (total / case.batch as f64, ces)
}

/// Central finite differences of `f` at `p` (f64), step `h`.
pub fn fd_gradient(p: &[f64], h: f64, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let mut q = p.to_vec();
    (0..p.len())
        .map(|k| {
            q[k] = p[k] + h;
            let up = f(&q);
            q[k] = p[k] - h;
            let down = f(&q);
            q[k] = p[k];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// Asserts `|a − b| ≤ tol · max(1, |a|, |b|)` elementwise, naming the first bad index.
pub fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
        let scale = 1f64.max(x.abs()).max(y.abs());
        assert!((x - y).abs() <= tol * scale, "{what}[{k}]: {x} vs {y}");
    }
}

pub fn to_f64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}
