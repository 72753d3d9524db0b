//! Runtime CPU dispatch for the memory-bound elementwise loops: one portable body, compiled twice,
//! once with AVX2+FMA enabled (x86_64) and picked at run time, so binaries stay portable.

/// Defines `fn $name(args) -> ret` whose body is compiled for the baseline target and, on x86_64,
/// again with AVX2+FMA; the AVX2 copy runs when the CPU reports both features.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> $ret {
            #[inline(always)]
            fn portable($($arg: $ty),*) -> $ret $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) -> $ret {
                    portable($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: `avx2` only differs from `portable` by the enabled target features, and
                    // the CPU was just checked to support both of them.
                    return unsafe { avx2($($arg),*) };
                }
            }
            portable($($arg),*)
        }
    };
}

pub(crate) use multiversion;

/// Lanes of the partial sums: wide enough for two AVX2 registers, so the reduction vectorizes.
pub(crate) const LANES: usize = 16;

/// Elements summed in f32 lanes before the block total is added to the f64 accumulator.
pub(crate) const BLOCK: usize = 1024;

/// Adds up f32 lane partials into f64.
#[inline(always)]
pub(crate) fn lanes_total(lanes: &[f32; LANES]) -> f64 {
    lanes.iter().map(|&v| f64::from(v)).sum()
}

/// Elements below which an elementwise pass stays on the calling thread.
const PARALLEL_MIN_ELEMENTS: usize = 1 << 18;

/// How many groups of whole blocks an elementwise pass over `n` elements is split into (1: serial).
pub(crate) fn elementwise_parts(n: usize) -> usize {
    let threads = crate::gemm::threads();
    if threads <= 1 || n < PARALLEL_MIN_ELEMENTS {
        1
    } else {
        threads.min(n.div_ceil(BLOCK))
    }
}

/// Elements per group when `n` elements are split into `parts` groups of whole blocks.
pub(crate) fn group_len(n: usize, parts: usize) -> usize {
    n.div_ceil(BLOCK).div_ceil(parts) * BLOCK
}

/// The block totals added in order from 0, as the serial passes add them: a pass split over threads
/// (one total per block, see the callers) returns the same f64 bits as the serial one.
pub(crate) fn in_order_sum(totals: &[f64]) -> f64 {
    totals.iter().fold(0.0f64, |acc, &t| acc + t)
}
