//! MLP forward pass: hidden layers `act(a·Wᵀ + b)` with optional inverted dropout, a linear output layer.

use crate::dropout::Dropout;
use crate::gemm;
use crate::mlp::Mlp;
use crate::workspace::{ensure, LayerBuf, Workspace};

/// Runs the network on `rows` rows of `x` (starting at example `first_row`, which only matters for
/// the dropout mask), leaving hidden activations in `ws.layers` and logits in `ws.logits`.
pub(crate) fn forward_into(
    net: &Mlp,
    params: &[f32],
    x: &[f32],
    rows: usize,
    first_row: usize,
    dropout: Option<Dropout>,
    ws: &mut Workspace,
) {
    let sizes = net.sizes();
    let hidden = net.layers() - 1;
    let dropout = dropout.filter(Dropout::is_active);
    ws.layers.resize_with(hidden, LayerBuf::default);
    for k in 0..net.layers() {
        let (nin, nout) = (sizes[k], sizes[k + 1]);
        let (w, b) = net.layer(params, k);
        let (done, rest) = ws.layers.split_at_mut(k);
        let input: &[f32] = if k == 0 {
            &x[..rows * nin]
        } else {
            done[k - 1].output(dropout.is_some())
        };
        if k == hidden {
            ensure(&mut ws.logits, rows * nout);
            gemm::linear_forward(input, rows, nin, w, b, &mut ws.logits);
            break;
        }
        let buf = &mut rest[0];
        ensure(&mut buf.h, rows * nout);
        gemm::linear_forward(input, rows, nin, w, b, &mut buf.h);
        net.activation().apply(&mut buf.h[..rows * nout]);
        if let Some(d) = dropout {
            ensure(&mut buf.a, rows * nout);
            ensure(&mut buf.mask, rows * nout);
            d.fill_mask(k as u32, first_row, rows, nout, &mut buf.mask);
            for ((a, &h), &m) in buf.a[..rows * nout].iter_mut().zip(&buf.h).zip(&buf.mask) {
                *a = h * m;
            }
        }
    }
}

/// Copies `rows × C` logits into `out`, writing `-inf` where `mask` (if any) disallows the class.
pub(crate) fn write_logits(logits: &[f32], mask: Option<&[u8]>, out: &mut [f32]) {
    let n = out.len();
    out.copy_from_slice(&logits[..n]);
    if let Some(mask) = mask {
        for (o, &m) in out.iter_mut().zip(mask) {
            if m == 0 {
                *o = f32::NEG_INFINITY;
            }
        }
    }
}

/// The network's inputs for one call: parameters, a batch of rows, and the optional output mask.
#[derive(Clone, Copy, Debug)]
pub struct MlpInput<'a> {
    /// Flat parameters, `net.param_count()` long.
    pub params: &'a [f32],
    /// `batch × inputs`, row-major.
    pub x: &'a [f32],
    /// Number of rows in `x`.
    pub batch: usize,
    /// `batch × classes`, nonzero = class allowed.
    pub mask: Option<&'a [u8]>,
}

impl MlpInput<'_> {
    /// Panics unless the lengths match `net`.
    pub(crate) fn check(&self, net: &Mlp) {
        assert_eq!(self.params.len(), net.param_count(), "params length");
        assert_eq!(self.x.len(), self.batch * net.inputs(), "x length");
        if let Some(m) = self.mask {
            assert_eq!(m.len(), self.batch * net.classes(), "outputMask length");
        }
    }

    /// Whether class `c` of row `i` counts.
    #[inline]
    pub(crate) fn allowed(&self, classes: usize, i: usize, c: usize) -> bool {
        self.mask.is_none_or(|m| m[i * classes + c] != 0)
    }
}

/// Forward pass into `logits` (`batch × C`), masked classes written as `-inf`.
///
/// Panics if a slice's length does not match the shapes (the binding checks lengths first).
pub fn forward(
    net: &Mlp,
    input: MlpInput<'_>,
    dropout: Option<Dropout>,
    logits: &mut [f32],
    ws: &mut Workspace,
) {
    let _flush = crate::fpenv::FlushGuard::new();
    input.check(net);
    assert_eq!(logits.len(), input.batch * net.classes(), "logits length");
    forward_into(net, input.params, input.x, input.batch, 0, dropout, ws);
    write_logits(&ws.logits, input.mask, logits);
}
