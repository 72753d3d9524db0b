//! Safe, bounds-checked wrappers over `matrixmultiply::sgemm` (runtime-dispatched AVX2/FMA/NEON kernels)
//! for the three products an MLP layer needs.
//!
//! With [`set_threads`] above 1, a large product is split by columns of C into disjoint blocks, one
//! `sgemm` call each on rayon's pool. Every element of C is still the same sequence of multiply-adds
//! over k, so the result is bit-identical to the single-threaded one.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Most threads a product is split over.
pub const MAX_THREADS: usize = 64;
/// Products with fewer multiply-adds than this stay on the calling thread (a split costs a few µs).
const PARALLEL_MIN_WORK: usize = 1 << 20;
/// Column blocks are multiples of this (a whole number of the widest f32 micro-kernel's columns).
const COLUMN_ALIGN: usize = 16;

/// 0 until first read: then `RETAIN_THREADS` (default 1) or the value given to [`set_threads`].
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Threads GEMMs may use: the last [`set_threads`], else the `RETAIN_THREADS` environment variable, else 1.
pub fn threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let from_env = std::env::var("RETAIN_THREADS")
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_THREADS);
            THREADS.store(from_env, Ordering::Relaxed);
            from_env
        }
        n => n,
    }
}

/// Let large GEMMs use up to `n` threads (clamped to 1..=[`MAX_THREADS`]); returns the value set.
/// Results do not depend on it. Beyond the machine's cores it only adds scheduling.
pub fn set_threads(n: usize) -> usize {
    let n = n.clamp(1, MAX_THREADS);
    THREADS.store(n, Ordering::Relaxed);
    n
}

/// A pointer that may cross to a pool thread: each thread writes a disjoint set of C's elements.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only used inside `sgemm` below, where every thread writes its own column block of C and the
// scope ends before the `&mut` borrow of C does.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

/// A strided read-only matrix view: element (i, j) is `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl View<'_> {
    /// Panics unless every element the view can address lies inside `data`.
    fn check(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "gemm operand out of bounds");
        }
    }
}

/// C (m × n, row-major, `c.len() >= m*n`) = alpha·A·B + beta·C, with A m × k and B k × n strided views.
fn sgemm(alpha: f32, a: View<'_>, b: View<'_>, beta: f32, c: &mut [f32], m: usize, n: usize) {
    assert_eq!(a.rows, m, "gemm: A rows");
    assert_eq!(b.cols, n, "gemm: B cols");
    assert_eq!(a.cols, b.rows, "gemm: inner dimension");
    assert!(c.len() >= m * n, "gemm: C too short");
    a.check();
    b.check();
    let k = a.cols;
    let parts = column_blocks(m, k, n, threads());
    let c_ptr = SendPtr(c.as_mut_ptr());
    // SAFETY: the asserts above prove every index sgemm forms (strides non-negative, last element in
    // bounds) lies inside its slice, and a column block [j0, j1) of B and C only narrows the column range;
    // C is a unique `&mut` borrow (it cannot overlap A or B) and the blocks write disjoint elements of it.
    let block = move |j0: usize, j1: usize| unsafe {
        let c_ptr = c_ptr;
        matrixmultiply::sgemm(
            m,
            k,
            j1 - j0,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr().add(j0 * b.cs),
            b.rs as isize,
            b.cs as isize,
            beta,
            c_ptr.0.add(j0),
            n as isize,
            1,
        );
    };
    if parts <= 1 {
        block(0, n);
    } else {
        let width = n.div_ceil(parts).div_ceil(COLUMN_ALIGN) * COLUMN_ALIGN;
        crate::fpenv::pool().scope(|s| {
            let mut j0 = width;
            while j0 < n {
                let j1 = (j0 + width).min(n);
                s.spawn(move |_| block(j0, j1));
                j0 = j1;
            }
            block(0, width.min(n));
        });
    }
}

/// How many column blocks an m × k × n product is split into with `threads` threads.
fn column_blocks(m: usize, k: usize, n: usize, threads: usize) -> usize {
    if threads <= 1 || m * k * n < PARALLEL_MIN_WORK {
        return 1;
    }
    threads.min(n / COLUMN_ALIGN).max(1)
}

/// `out (rows × nout) = a (rows × nin) · Wᵀ + bias`, W being `nout × nin` row-major.
pub fn linear_forward(
    a: &[f32],
    rows: usize,
    nin: usize,
    w: &[f32],
    bias: &[f32],
    out: &mut [f32],
) {
    let nout = bias.len();
    for row in out[..rows * nout].chunks_exact_mut(nout) {
        row.copy_from_slice(bias);
    }
    let av = View {
        data: a,
        rows,
        cols: nin,
        rs: nin,
        cs: 1,
    };
    let wt = View {
        data: w,
        rows: nin,
        cols: nout,
        rs: 1,
        cs: nin,
    };
    sgemm(1.0, av, wt, 1.0, out, rows, nout);
}

/// `gw (nout × nin) = beta·gw + dzᵀ (nout × rows) · a (rows × nin)`: the weight gradient summed over rows.
pub fn weight_grad(
    dz: &[f32],
    a: &[f32],
    rows: usize,
    nout: usize,
    nin: usize,
    beta: f32,
    gw: &mut [f32],
) {
    let dzt = View {
        data: dz,
        rows: nout,
        cols: rows,
        rs: 1,
        cs: nout,
    };
    let av = View {
        data: a,
        rows,
        cols: nin,
        rs: nin,
        cs: 1,
    };
    sgemm(1.0, dzt, av, beta, gw, nout, nin);
}

/// `da (rows × nin) = dz (rows × nout) · W (nout × nin)`: the gradient w.r.t. the layer's input.
pub fn input_grad(dz: &[f32], w: &[f32], rows: usize, nout: usize, nin: usize, da: &mut [f32]) {
    let dzv = View {
        data: dz,
        rows,
        cols: nout,
        rs: nout,
        cs: 1,
    };
    let wv = View {
        data: w,
        rows: nout,
        cols: nin,
        rs: nin,
        cs: 1,
    };
    sgemm(1.0, dzv, wv, 0.0, da, rows, nin);
}

/// `sums[j] (+)= Σ_rows m[r][j]`, the bias gradient; overwrites unless `accumulate`.
pub fn column_sums(m: &[f32], rows: usize, cols: usize, accumulate: bool, sums: &mut [f32]) {
    if !accumulate {
        sums.fill(0.0);
    }
    for row in m[..rows * cols].chunks_exact(cols) {
        for (s, v) in sums.iter_mut().zip(row) {
            *s += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(len: usize, seed: u32) -> Vec<f32> {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x as f32 / u32::MAX as f32) - 0.5
            })
            .collect()
    }

    #[test]
    fn column_blocks_only_split_large_products() {
        assert_eq!(column_blocks(128, 1024, 1000, 1), 1);
        assert_eq!(column_blocks(128, 1024, 1000, 2), 2);
        assert_eq!(column_blocks(1, 784, 10, 2), 1);
        assert_eq!(column_blocks(128, 1000, 10, 4), 1);
        assert_eq!(column_blocks(4096, 4096, 20, 8), 1);
    }

    #[test]
    fn threaded_products_are_bit_identical_to_single_threaded() {
        // Sizes where the last block is ragged (1000 = 2·496 + 8 with 3 threads) and the split is uneven.
        for &(rows, nin, nout, threads) in &[
            (128, 1024, 1000, 2),
            (128, 1000, 1000, 3),
            (200, 1000, 37, 2),
            (64, 2048, 1003, 4),
        ] {
            let a = filled(rows * nin, 1);
            let w = filled(nout * nin, 2);
            let bias = filled(nout, 3);
            let dz = filled(rows * nout, 4);
            let run = |t: usize| {
                set_threads(t);
                let mut out = vec![0.0f32; rows * nout];
                linear_forward(&a, rows, nin, &w, &bias, &mut out);
                let mut gw = filled(nout * nin, 5);
                weight_grad(&dz, &a, rows, nout, nin, 0.5, &mut gw);
                let mut da = vec![0.0f32; rows * nin];
                input_grad(&dz, &w, rows, nout, nin, &mut da);
                (out, gw, da)
            };
            let one = run(1);
            let many = run(threads);
            set_threads(1);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&one.0),
                bits(&many.0),
                "forward {rows}x{nin}x{nout} on {threads}"
            );
            assert_eq!(
                bits(&one.1),
                bits(&many.1),
                "weight grad {rows}x{nin}x{nout} on {threads}"
            );
            assert_eq!(
                bits(&one.2),
                bits(&many.2),
                "input grad {rows}x{nin}x{nout} on {threads}"
            );
        }
    }
}
