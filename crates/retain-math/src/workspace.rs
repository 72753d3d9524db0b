//! Scratch buffers reused across calls, so a training step allocates nothing once warmed up.

/// Buffers of one hidden layer for the rows in flight.
#[derive(Default, Debug)]
pub(crate) struct LayerBuf {
    /// `act(z)`, before dropout.
    pub h: Vec<f32>,
    /// `h ∘ mask` (only filled when dropout is active).
    pub a: Vec<f32>,
    /// Dropout multipliers: `1/(1-rate)` or 0.
    pub mask: Vec<f32>,
}

impl LayerBuf {
    /// What the next layer reads: the dropped-out activations if dropout ran, else `h`.
    pub fn output(&self, dropout: bool) -> &[f32] {
        if dropout {
            &self.a
        } else {
            &self.h
        }
    }
}

/// Reusable scratch memory for the MLP kernels. Keep one per thread and pass it to every call.
#[derive(Default, Debug)]
pub struct Workspace {
    pub(crate) layers: Vec<LayerBuf>,
    pub(crate) logits: Vec<f32>,
    pub(crate) delta: Vec<f32>,
    pub(crate) delta_next: Vec<f32>,
    pub(crate) sq_delta: Vec<f32>,
    pub(crate) sq_input: Vec<f32>,
    pub(crate) row: Vec<f64>,
}

impl Workspace {
    /// An empty workspace; buffers grow on first use and are kept.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Grows `v` to at least `n` elements (never shrinks, so capacity is reused).
pub(crate) fn ensure(v: &mut Vec<f32>, n: usize) {
    if v.len() < n {
        v.resize(n, 0.0);
    }
}
