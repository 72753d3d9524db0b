//! Subnormal floats are flushed to zero inside every kernel, on the calling thread and on the pool's threads
//! alike (so thread counts still agree bit for bit), and the caller's floating-point mode is left as it was.

use retain_math::{
    adam_step, ewc_penalty_grad, flushes_subnormals, set_threads, si_accumulate, Adam,
};

const FLUSHING_ARCH: bool = cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));

/// One Adam step from moments that decay into the subnormal range (zero gradient), then an EWC penalty with a
/// subnormal Fisher and an SI step with subnormal gradients, on `n` parameters with `threads` threads.
fn run(n: usize, threads: usize) -> Vec<Vec<u32>> {
    set_threads(threads);
    let cfg = Adam {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        clip_norm: 0.0,
        step: 3,
    };
    let mut p: Vec<f32> = (0..n).map(|i| (i % 7) as f32 * 0.1).collect();
    let grad = vec![0.0f32; n];
    // 0.9 × 1.176e-38 and 0.999 × 1.176e-38 are subnormal results (below 1.1755e-38); 1e-39 is a subnormal input.
    let mut m: Vec<f32> = (0..n)
        .map(|i| if i % 2 == 0 { 1.176e-38 } else { 1e-39 })
        .collect();
    let mut v = m.clone();
    adam_step(&mut p, &grad, &mut m, &mut v, &cfg);
    let fisher = vec![1e-39f32; n];
    let anchor = vec![0.0f32; n];
    let mut g2 = vec![0.0f32; n];
    let penalty = ewc_penalty_grad(&p, &anchor, &fisher, 1.0, &mut g2);
    let mut omega = vec![0.0f32; n];
    let tiny = vec![1e-39f32; n];
    si_accumulate(&mut omega, &tiny, &anchor, &p);
    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<u32>>();
    vec![
        bits(&p),
        bits(&m),
        bits(&v),
        bits(&g2),
        bits(&omega),
        vec![(penalty as f32).to_bits()],
    ]
}

#[test]
fn kernels_flush_subnormals_on_every_thread_and_restore_the_callers_mode() {
    assert!(
        !flushes_subnormals(),
        "a test thread starts with IEEE subnormals"
    );
    // 2^19 elements: above the size at which the elementwise passes split over threads.
    let n = 1 << 19;
    let one = run(n, 1);
    let two = run(n, 2);
    assert_eq!(one, two, "one and two threads agree bit for bit");
    if FLUSHING_ARCH {
        for (name, out) in ["m", "v", "ewc grad", "omega"]
            .iter()
            .zip([&one[1], &one[2], &one[3], &one[4]])
        {
            assert!(
                out.iter().all(|&b| b == 0),
                "{name}: subnormals flushed to zero"
            );
        }
        assert_eq!(one[5][0], 0, "the penalty of a subnormal Fisher is 0");
    }
    assert!(!flushes_subnormals(), "the caller's mode is back");
    let tiny = std::hint::black_box(1e-39f32) * std::hint::black_box(1.0f32);
    assert!(
        tiny > 0.0,
        "plain arithmetic on the calling thread keeps subnormals"
    );
}
