//! Subnormal floats are flushed to zero inside the kernels (x86-64: MXCSR's FTZ and DAZ bits; aarch64: FPCR.FZ).
//!
//! On x86 every operation that reads or produces a subnormal float takes a microcode assist: an Adam pass whose
//! second moments have decayed into the subnormal range (weights that stop getting gradient, as the background
//! pixels of a permuted-MNIST task do) runs 15–20× slower, and a long training run slows down as it goes. So the
//! kernels' own threads (the pool below) flush for good, and the calling thread, which may be Node's (V8 needs
//! IEEE subnormals for JavaScript numbers), flushes only for the duration of a call ([`FlushGuard`]): its previous
//! mode is put back when the call returns or unwinds. Values below `f32::MIN_POSITIVE` (≈ 1.2e-38) read and
//! written by a kernel become 0; nothing else changes.

use std::sync::OnceLock;

#[cfg(target_arch = "x86_64")]
mod imp {
    /// MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6).
    const FLUSH: u32 = (1 << 15) | (1 << 6);

    pub(super) type Mode = u32;

    pub(super) fn get() -> Mode {
        let mut mode: u32 = 0;
        // SAFETY: stmxcsr writes the 32-bit MXCSR to the address of a live, aligned u32.
        unsafe {
            core::arch::asm!("stmxcsr [{}]", in(reg) &mut mode as *mut u32, options(nostack, preserves_flags));
        }
        mode
    }

    pub(super) fn set(mode: Mode) {
        // SAFETY: ldmxcsr reads a 32-bit value from the address of a live u32; `mode` is a value read by `get`
        // with at most the FTZ/DAZ bits added, so no reserved bit is set.
        unsafe {
            core::arch::asm!("ldmxcsr [{}]", in(reg) &mode as *const u32, options(nostack, preserves_flags, readonly));
        }
    }

    pub(super) fn flushing(mode: Mode) -> Mode {
        mode | FLUSH
    }

    pub(super) fn flushes(mode: Mode) -> bool {
        mode & FLUSH == FLUSH
    }
}

#[cfg(target_arch = "aarch64")]
mod imp {
    /// FPCR's flush-to-zero bit (covers inputs and outputs).
    const FZ: u64 = 1 << 24;

    pub(super) type Mode = u64;

    pub(super) fn get() -> Mode {
        let mode: u64;
        // SAFETY: reading FPCR has no side effect.
        unsafe {
            core::arch::asm!("mrs {}, fpcr", out(reg) mode, options(nomem, nostack, preserves_flags));
        }
        mode
    }

    pub(super) fn set(mode: Mode) {
        // SAFETY: `mode` is a value read by `get` with at most FZ added.
        unsafe {
            core::arch::asm!("msr fpcr, {}", in(reg) mode, options(nomem, nostack, preserves_flags));
        }
    }

    pub(super) fn flushing(mode: Mode) -> Mode {
        mode | FZ
    }

    pub(super) fn flushes(mode: Mode) -> bool {
        mode & FZ == FZ
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp {
    pub(super) type Mode = ();

    pub(super) fn get() -> Mode {}

    pub(super) fn set(_mode: Mode) {}

    pub(super) fn flushing(_mode: Mode) -> Mode {}

    pub(super) fn flushes(_mode: Mode) -> bool {
        false
    }
}

/// Flushing on for this thread until the guard is dropped, then the thread's previous mode again.
pub(crate) struct FlushGuard {
    saved: imp::Mode,
}

impl FlushGuard {
    pub(crate) fn new() -> Self {
        let saved = imp::get();
        imp::set(imp::flushing(saved));
        Self { saved }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        // Also clears the sticky exception flags the kernel raised; the caller's are as they were.
        imp::set(self.saved);
    }
}

/// Whether the calling thread flushes subnormal floats to zero now (false outside a kernel on a default thread).
pub fn flushes_subnormals() -> bool {
    imp::flushes(imp::get())
}

/// The pool the kernels split work over: its threads flush subnormals for their whole life.
pub(crate) fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("retain-math-{i}"))
            .start_handler(|_| imp::set(imp::flushing(imp::get())))
            .build()
            .expect("the kernels' thread pool could not start")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_flushes_and_puts_the_previous_mode_back() {
        let before = flushes_subnormals();
        {
            let _g = FlushGuard::new();
            assert!(
                flushes_subnormals()
                    || cfg!(not(any(target_arch = "x86_64", target_arch = "aarch64")))
            );
            let tiny = std::hint::black_box(1e-39f32) * std::hint::black_box(1.0f32);
            if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
                assert_eq!(tiny, 0.0);
            }
        }
        assert_eq!(flushes_subnormals(), before);
        let tiny = std::hint::black_box(1e-39f32) * std::hint::black_box(1.0f32);
        assert!(tiny > 0.0, "subnormals are back after the guard");
    }

    #[test]
    fn pool_threads_flush() {
        let on_pool = pool().install(flushes_subnormals);
        assert_eq!(
            on_pool,
            cfg!(any(target_arch = "x86_64", target_arch = "aarch64"))
        );
    }
}
