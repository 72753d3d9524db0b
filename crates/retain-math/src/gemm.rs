//! Safe, bounds-checked wrappers over `matrixmultiply::sgemm` (runtime-dispatched AVX2/FMA/NEON kernels)
//! for the three products an MLP layer needs.

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
    // SAFETY: the asserts above prove every index sgemm forms (strides non-negative, last element in
    // bounds) lies inside its slice; C is a unique `&mut` borrow, so it cannot overlap A or B.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
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
