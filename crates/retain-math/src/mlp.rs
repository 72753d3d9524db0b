//! The MLP's shape and its flat parameter layout (`fc{l}.weight` out × in, then `fc{l}.bias`).

use std::fmt;

/// Hidden-layer activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Tanh,
}

impl Activation {
    /// Parses `"relu"` or `"tanh"`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "relu" => Some(Self::Relu),
            "tanh" => Some(Self::Tanh),
            _ => None,
        }
    }

    /// Applies the activation in place.
    pub(crate) fn apply(self, z: &mut [f32]) {
        match self {
            Self::Relu => z.iter_mut().for_each(|v| *v = v.max(0.0)),
            Self::Tanh => z.iter_mut().for_each(|v| *v = v.tanh()),
        }
    }

    /// `delta *= act'(z)` given the activation's output `h = act(z)` (ReLU' at 0 is 0).
    pub(crate) fn backprop(self, h: &[f32], delta: &mut [f32]) {
        match self {
            Self::Relu => {
                for (d, &hv) in delta.iter_mut().zip(h) {
                    *d = if hv > 0.0 { *d } else { 0.0 };
                }
            }
            Self::Tanh => {
                for (d, &hv) in delta.iter_mut().zip(h) {
                    *d *= 1.0 - hv * hv;
                }
            }
        }
    }
}

/// Why an MLP shape was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShapeError {}

/// An MLP `sizes = [input, hidden..., output]` with precomputed parameter offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
    sizes: Vec<usize>,
    activation: Activation,
    /// `offsets[l]` is where `fc{l}.weight` starts; `offsets[layers]` is the parameter count.
    offsets: Vec<usize>,
}

impl Mlp {
    /// Checks `sizes` (at least two entries, all ≥ 1) and computes the layout.
    pub fn new(sizes: &[usize], activation: Activation) -> Result<Self, ShapeError> {
        if sizes.len() < 2 {
            return Err(ShapeError("sizes: needs at least [input, output]".into()));
        }
        if let Some(i) = sizes.iter().position(|&s| s == 0) {
            return Err(ShapeError(format!(
                "sizes[{i}]: must be a positive integer"
            )));
        }
        let mut offsets = Vec::with_capacity(sizes.len());
        let mut at = 0usize;
        offsets.push(0);
        for w in sizes.windows(2) {
            let n = w[0]
                .checked_add(1)
                .and_then(|nin| nin.checked_mul(w[1]))
                .and_then(|n| n.checked_add(at))
                .ok_or_else(|| ShapeError("sizes: parameter count overflows".into()))?;
            at = n;
            offsets.push(at);
        }
        Ok(Self {
            sizes: sizes.to_vec(),
            activation,
            offsets,
        })
    }

    /// `[input, hidden..., output]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The hidden activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Number of linear layers L (`sizes.len() - 1`).
    pub fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// Input width `n0`.
    pub fn inputs(&self) -> usize {
        self.sizes[0]
    }

    /// Number of classes C.
    pub fn classes(&self) -> usize {
        self.sizes[self.sizes.len() - 1]
    }

    /// Total parameter count.
    pub fn param_count(&self) -> usize {
        self.offsets[self.layers()]
    }

    /// Widest layer (input, hidden or output).
    pub(crate) fn max_width(&self) -> usize {
        self.sizes.iter().copied().max().unwrap_or(0)
    }

    /// `(W_l, b_l)` inside `params`.
    pub(crate) fn layer<'p>(&self, params: &'p [f32], l: usize) -> (&'p [f32], &'p [f32]) {
        let (nin, nout) = (self.sizes[l], self.sizes[l + 1]);
        let w0 = self.offsets[l];
        let b0 = w0 + nin * nout;
        (&params[w0..b0], &params[b0..b0 + nout])
    }

    /// `(W_l, b_l)` inside a gradient-shaped buffer, mutably.
    pub(crate) fn layer_mut<'p>(
        &self,
        g: &'p mut [f32],
        l: usize,
    ) -> (&'p mut [f32], &'p mut [f32]) {
        let (nin, nout) = (self.sizes[l], self.sizes[l + 1]);
        let w0 = self.offsets[l];
        let b0 = w0 + nin * nout;
        let (w, b) = g[w0..b0 + nout].split_at_mut(nin * nout);
        (w, b)
    }
}
