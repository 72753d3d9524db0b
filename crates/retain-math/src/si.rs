//! Synaptic Intelligence's per-step path integral: `ω −= g·(θ_after − θ_before)`.

use crate::dispatch::{elementwise_parts, group_len, multiversion};
use rayon::prelude::*;

multiversion! {
    /// `omega[i] -= grad[i] * (after[i] - before[i])` over the slices.
    fn path_step(omega: &mut [f32], grad: &[f32], before: &[f32], after: &[f32]) -> () {
        for (((o, g), b), a) in omega.iter_mut().zip(grad).zip(before).zip(after) {
            *o -= g * (a - b);
        }
    }
}

/// Adds one optimizer step's contribution to Synaptic Intelligence's path integral, in place:
/// `ωᵢ −= gᵢ·(θᵢ_after − θᵢ_before)`, with `g` the data gradient of that step.
///
/// Panics if the lengths differ. Elementwise, so splitting it over threads changes no bit.
pub fn si_accumulate(omega: &mut [f32], grad: &[f32], before: &[f32], after: &[f32]) {
    let _flush = crate::fpenv::FlushGuard::new();
    let n = omega.len();
    assert_eq!(grad.len(), n, "grad length");
    assert_eq!(before.len(), n, "before length");
    assert_eq!(after.len(), n, "after length");
    let parts = elementwise_parts(n);
    if parts <= 1 {
        return path_step(omega, grad, before, after);
    }
    let len = group_len(n, parts);
    crate::fpenv::pool().install(|| {
        omega
            .par_chunks_mut(len)
            .zip(grad.par_chunks(len))
            .zip(before.par_chunks(len))
            .zip(after.par_chunks(len))
            .for_each(|(((o, g), b), a)| path_step(o, g, b, a))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulates_minus_gradient_times_step() {
        let mut omega = vec![1.0f32, 0.0, -2.0];
        si_accumulate(
            &mut omega,
            &[2.0, -1.0, 0.5],
            &[0.0, 1.0, 3.0],
            &[0.5, 0.0, 1.0],
        );
        assert_eq!(
            omega,
            vec![1.0 - 2.0 * 0.5, -(-1.0 * -1.0), -2.0 - 0.5 * -2.0]
        );
    }
}
