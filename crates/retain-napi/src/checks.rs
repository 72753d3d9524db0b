//! Argument checks at the binding edge: a malformed call becomes a JS `Error`, never a Rust panic
//! (which would abort the process). The TS wrapper validates first; this is the last line of defence.

use napi::{Error, Result, Status};
use retain_math::{Activation, Dropout, Mlp};

/// `InvalidArg` error naming the field.
pub fn invalid(field: &str, message: impl std::fmt::Display) -> Error {
    Error::new(Status::InvalidArg, format!("{field}: {message}"))
}

/// The MLP described by `sizes` and `activation`, with `batch ≥ 1`.
pub fn mlp(sizes: &[u32], activation: &str, batch: u32) -> Result<Mlp> {
    let act = Activation::parse(activation)
        .ok_or_else(|| invalid("activation", "must be 'relu' or 'tanh'"))?;
    if batch < 1 {
        return Err(invalid("batch", "must be >= 1"));
    }
    let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
    Mlp::new(&sizes, act).map_err(|e| invalid("sizes", e))
}

/// `field` must have exactly `expected` elements.
pub fn len(field: &str, actual: usize, expected: usize) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("expected length {expected}, got {actual}"),
        ))
    }
}

/// Like [`len`] for an optional array.
pub fn opt_len<T>(field: &str, array: Option<&[T]>, expected: usize) -> Result<()> {
    array.map_or(Ok(()), |a| len(field, a.len(), expected))
}

/// Every target is a class index allowed by the mask.
pub fn targets(targets: &[i32], classes: usize, mask: Option<&[u8]>) -> Result<()> {
    for (i, &t) in targets.iter().enumerate() {
        let ok = usize::try_from(t)
            .is_ok_and(|c| c < classes && mask.is_none_or(|m| m[i * classes + c] != 0));
        if !ok {
            return Err(invalid(
                &format!("targets[{i}]"),
                format!("{t} is not an allowed class"),
            ));
        }
    }
    Ok(())
}

/// Dropout from its optional rate and seed (absent or rate 0 means none).
pub fn dropout(rate: Option<f64>, seed: Option<u32>) -> Result<Option<Dropout>> {
    match rate {
        None => Ok(None),
        Some(r) if (0.0..1.0).contains(&r) => Ok(Some(Dropout {
            rate: r,
            seed: seed.unwrap_or(0),
        })),
        Some(r) => Err(invalid("dropout.rate", format!("{r} is not in [0, 1)"))),
    }
}

/// The byte range of a slice, for overlap checks.
pub fn span<T>(s: &[T]) -> (usize, usize) {
    let start = s.as_ptr() as usize;
    (start, start + std::mem::size_of_val(s))
}

/// Output `out` must not share memory with any of `others` (aliasing a `&mut` is undefined behaviour).
pub fn disjoint(
    out_field: &str,
    out: (usize, usize),
    others: &[(&str, Option<(usize, usize)>)],
) -> Result<()> {
    for (field, other) in others {
        if let Some((s, e)) = *other {
            if out.0 < e && s < out.1 && out.0 < out.1 && s < e {
                return Err(invalid(
                    out_field,
                    format!("shares memory with {field}; pass distinct buffers"),
                ));
            }
        }
    }
    Ok(())
}
