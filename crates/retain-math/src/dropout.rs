//! The counter-based dropout mask of SPEC.md, bit-exact with the TypeScript backend.
//!
//! A mask bit is a pure function of (seed, layer, example, unit), so forward and backward (and both
//! backends) agree without storing or transporting the mask.

/// The "lowbias32" integer finalizer (Chris Wellons' hash-prospector), on wrapping u32 arithmetic.
#[inline(always)]
pub fn lowbias32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^= x >> 16;
    x
}

/// The per-layer key: `lowbias32(seed ^ lowbias32((layer + 1) * 0x9e3779b9))`.
#[inline]
pub fn layer_key(seed: u32, layer: u32) -> u32 {
    lowbias32(seed ^ lowbias32(layer.wrapping_add(1).wrapping_mul(0x9e37_79b9)))
}

/// The 32 random bits of unit `unit` of example `example` in hidden layer `layer` (`width` units wide).
#[inline(always)]
pub fn bits(key: u32, example: u32, width: u32, unit: u32) -> u32 {
    lowbias32(key ^ example.wrapping_mul(width).wrapping_add(unit))
}

/// Whether the unit is kept: its 24-bit uniform `(bits >> 8) / 2^24` is at least `rate` (compared in f64).
#[inline(always)]
pub fn keep_from_bits(bits: u32, rate: f64) -> bool {
    f64::from(bits >> 8) / 16_777_216.0 >= rate
}

/// Whether unit `unit` of example `example` of hidden layer `layer` (0 = first hidden layer) is kept.
pub fn keep(seed: u32, layer: u32, example: u32, width: u32, unit: u32, rate: f64) -> bool {
    keep_from_bits(bits(layer_key(seed, layer), example, width, unit), rate)
}

/// Inverted-dropout options: drop probability in [0, 1) and the 32-bit seed of the mask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    pub rate: f64,
    pub seed: u32,
}

impl Dropout {
    /// Whether this dropout changes anything (rate 0 is the identity).
    pub fn is_active(&self) -> bool {
        self.rate > 0.0
    }

    /// Fills `mask` (`rows × width`, rows starting at example `first_row`) with `1/(1-rate)` where the
    /// unit is kept and 0 where it is dropped.
    pub fn fill_mask(
        &self,
        layer: u32,
        first_row: usize,
        rows: usize,
        width: usize,
        mask: &mut [f32],
    ) {
        let key = layer_key(self.seed, layer);
        let scale = (1.0 / (1.0 - self.rate)) as f32;
        for (r, row) in mask[..rows * width].chunks_exact_mut(width).enumerate() {
            let example = (first_row + r) as u32;
            for (j, m) in row.iter_mut().enumerate() {
                let b = bits(key, example, width as u32, j as u32);
                *m = if keep_from_bits(b, self.rate) {
                    scale
                } else {
                    0.0
                };
            }
        }
    }
}
