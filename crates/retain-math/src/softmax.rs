//! Row-wise softmax, cross-entropy and distillation over the allowed classes, in f64.

/// Writes `log softmax(z / temperature)` of the allowed classes into `out` (`-inf` for masked ones)
/// and returns nothing else; every row has at least one allowed class (the caller guarantees it).
pub(crate) fn log_softmax(
    z: &[f32],
    allowed: impl Fn(usize) -> bool,
    temperature: f64,
    out: &mut [f64],
) {
    let mut max = f64::NEG_INFINITY;
    for (c, &v) in z.iter().enumerate() {
        if allowed(c) {
            max = max.max(f64::from(v) / temperature);
        }
    }
    let mut sum = 0.0;
    for (c, &v) in z.iter().enumerate() {
        if allowed(c) {
            let s = f64::from(v) / temperature - max;
            out[c] = s;
            // exp(-inf) = 0 keeps a -inf teacher logit harmless.
            sum += s.exp();
        } else {
            out[c] = f64::NEG_INFINITY;
        }
    }
    let log_sum = sum.ln();
    for o in out.iter_mut() {
        *o -= log_sum;
    }
}

/// KL(t ‖ q) = Σ t (log t − log q) over classes with t > 0, given both log-probability rows.
pub(crate) fn kl(log_t: &[f64], log_q: &[f64]) -> f64 {
    log_t
        .iter()
        .zip(log_q)
        .filter(|(lt, _)| lt.is_finite())
        .map(|(&lt, &lq)| lt.exp() * (lt - lq))
        .sum()
}
