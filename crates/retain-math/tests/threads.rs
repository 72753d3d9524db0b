//! Splitting the elementwise passes over threads changes nothing: parameters, optimizer buffers,
//! gradients and the returned sums are bit-identical to the single-threaded pass.

use retain_math::{adam_step, ewc_penalty_grad, set_threads, sgd_step, si_accumulate, Adam, Sgd};

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

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every output of one Adam step (clipped and not), one SGD step with momentum, one plain SGD step and
/// one EWC penalty and one SI path-integral step, on `n` parameters with `threads` threads.
fn outputs(n: usize, threads: usize) -> (Vec<Vec<u32>>, Vec<u64>) {
    set_threads(threads);
    let grad = filled(n, 1);
    let mut vecs = Vec::new();
    let mut sums = Vec::new();
    for clip in [0.0, 1.0] {
        let (mut p, mut m, mut v) = (
            filled(n, 2),
            filled(n, 3),
            filled(n, 4).iter().map(|x| x.abs()).collect::<Vec<_>>(),
        );
        let cfg = Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 1e-4,
            clip_norm: clip,
            step: 3,
        };
        sums.push(adam_step(&mut p, &grad, &mut m, &mut v, &cfg).to_bits());
        vecs.extend([bits(&p), bits(&m), bits(&v)]);
    }
    let (mut p, mut vel) = (filled(n, 5), filled(n, 6));
    let sgd = Sgd {
        lr: 0.1,
        momentum: 0.9,
        weight_decay: 0.0,
        nesterov: true,
        clip_norm: 0.0,
    };
    sums.push(sgd_step(&mut p, &grad, Some(&mut vel), &sgd).to_bits());
    vecs.extend([bits(&p), bits(&vel)]);
    let mut p = filled(n, 7);
    sums.push(
        sgd_step(
            &mut p,
            &grad,
            None,
            &Sgd {
                momentum: 0.0,
                clip_norm: 2.0,
                ..sgd
            },
        )
        .to_bits(),
    );
    vecs.push(bits(&p));
    let (params, anchor) = (filled(n, 8), filled(n, 9));
    let fisher: Vec<f32> = filled(n, 10).iter().map(|x| x * x).collect();
    let mut g = grad.clone();
    sums.push(ewc_penalty_grad(&params, &anchor, &fisher, 250.0, &mut g).to_bits());
    vecs.push(bits(&g));
    let mut omega = filled(n, 11);
    si_accumulate(&mut omega, &grad, &params, &anchor);
    vecs.push(bits(&omega));
    set_threads(1);
    (vecs, sums)
}

#[test]
fn elementwise_passes_are_bit_identical_on_any_thread_count() {
    // Above the parallel threshold, with a ragged last block; and below it (serial either way).
    for n in [(1 << 19) + 37, 3 * 1024 * 97 + 5, 1000] {
        let one = outputs(n, 1);
        for threads in [2, 3, 8] {
            let many = outputs(n, threads);
            assert_eq!(one.1, many.1, "returned sums, n {n}, {threads} threads");
            for (i, (a, b)) in one.0.iter().zip(&many.0).enumerate() {
                assert!(a == b, "output {i}, n {n}, {threads} threads");
            }
        }
    }
}
