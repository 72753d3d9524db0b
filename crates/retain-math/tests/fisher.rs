//! Diagonal Fisher: the per-layer GEMM formulation against brute-force per-example loops.
#![allow(clippy::needless_range_loop)] // index loops mirror the formulas they check

mod common;

use common::{assert_close, Case};
use retain_math::{
    fisher_diag, forward, loss_grad, Activation, FisherKind, LossOutputs, LossTerms, MlpInput,
    Workspace,
};

fn input(case: &Case) -> MlpInput<'_> {
    MlpInput {
        params: &case.params,
        x: &case.x,
        batch: case.batch,
        mask: case.mask.as_deref(),
    }
}

/// Gradient of the cross-entropy of example `i` at class `target`, via lossGrad on a batch of one.
fn example_grad(case: &Case, i: usize, target: i32) -> Vec<f64> {
    let n0 = case.net.inputs();
    let c = case.net.classes();
    let mask = case.mask.as_ref().map(|m| &m[i * c..(i + 1) * c]);
    let one = MlpInput {
        params: &case.params,
        x: &case.x[i * n0..(i + 1) * n0],
        batch: 1,
        mask,
    };
    let mut grad = vec![0.0; case.net.param_count()];
    let terms = LossTerms {
        targets: &[target],
        ..Default::default()
    };
    loss_grad(
        &case.net,
        one,
        terms,
        LossOutputs {
            grad: &mut grad,
            per_example_loss: None,
            logits: None,
        },
        &mut Workspace::new(),
    );
    grad.iter().map(|&g| f64::from(g)).collect()
}

/// Softmax probabilities of every example under the mask.
fn all_probs(case: &Case) -> Vec<Vec<f64>> {
    let c = case.net.classes();
    let mut logits = vec![0.0; case.batch * c];
    forward(
        &case.net,
        input(case),
        None,
        &mut logits,
        &mut Workspace::new(),
    );
    logits
        .chunks_exact(c)
        .map(|z| {
            let m = z.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
            let e: Vec<f64> = z.iter().map(|&v| (f64::from(v) - m).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|v| v / s).collect()
        })
        .collect()
}

fn kernel(case: &Case, kind: FisherKind<'_>) -> Vec<f64> {
    let mut f = vec![0.0; case.net.param_count()];
    fisher_diag(&case.net, input(case), kind, &mut f, &mut Workspace::new());
    f.iter().map(|&v| f64::from(v)).collect()
}

fn brute_empirical(case: &Case) -> Vec<f64> {
    let mut acc = vec![0.0; case.net.param_count()];
    for i in 0..case.batch {
        for (a, g) in acc.iter_mut().zip(example_grad(case, i, case.targets[i])) {
            *a += g * g;
        }
    }
    acc
}

fn brute_expected(case: &Case) -> Vec<f64> {
    let mut acc = vec![0.0; case.net.param_count()];
    let probs = all_probs(case);
    for (i, p) in probs.iter().enumerate() {
        for c in 0..case.net.classes() {
            if !case.allowed(i, c) {
                continue;
            }
            for (a, g) in acc.iter_mut().zip(example_grad(case, i, c as i32)) {
                *a += p[c] * g * g;
            }
        }
    }
    acc
}

#[test]
fn empirical_fisher_equals_sum_of_squared_per_example_gradients() {
    let case = Case::new(&[5, 7, 6, 4], Activation::Relu, 9, 1);
    assert_close(
        "fisher",
        &kernel(
            &case,
            FisherKind::Empirical {
                targets: &case.targets,
            },
        ),
        &brute_empirical(&case),
        1e-5,
    );
}

#[test]
fn empirical_fisher_respects_the_output_mask() {
    let case = Case::new(&[4, 6, 5], Activation::Tanh, 8, 2).with_mask(20);
    assert_close(
        "fisher",
        &kernel(
            &case,
            FisherKind::Empirical {
                targets: &case.targets,
            },
        ),
        &brute_empirical(&case),
        1e-5,
    );
}

#[test]
fn linear_model_empirical_fisher_has_the_closed_form() {
    let case = Case::new(&[3, 4], Activation::Relu, 5, 3);
    let f = kernel(
        &case,
        FisherKind::Empirical {
            targets: &case.targets,
        },
    );
    let mut want = vec![0.0; 16];
    for (i, p) in all_probs(&case).iter().enumerate() {
        for j in 0..4 {
            let d = p[j]
                - if j as i32 == case.targets[i] {
                    1.0
                } else {
                    0.0
                };
            for k in 0..3 {
                let x = f64::from(case.x[i * 3 + k]);
                want[j * 3 + k] += d * d * x * x;
            }
            want[12 + j] += d * d;
        }
    }
    assert_close("fisher", &f, &want, 1e-6);
}

#[test]
fn expected_fisher_equals_probability_weighted_per_class_empirical_fishers() {
    let case = Case::new(&[4, 6, 5, 3], Activation::Relu, 6, 4);
    let expected = kernel(&case, FisherKind::Expected);
    assert_close(
        "expected vs brute force",
        &expected,
        &brute_expected(&case),
        1e-5,
    );
    // Σ_c of the empirical Fisher of a one-example batch labelled c, weighted by p_c.
    let mut weighted = vec![0.0; case.net.param_count()];
    for (i, p) in all_probs(&case).iter().enumerate() {
        let one = Case {
            x: case.x[i * 4..(i + 1) * 4].to_vec(),
            batch: 1,
            targets: vec![0],
            ..case.clone()
        };
        for c in 0..3 {
            let f = kernel(
                &one,
                FisherKind::Empirical {
                    targets: &[c as i32],
                },
            );
            for (w, v) in weighted.iter_mut().zip(f) {
                *w += p[c] * v;
            }
        }
    }
    assert_close("expected vs weighted empirical", &expected, &weighted, 1e-5);
}

#[test]
fn expected_fisher_with_mask_and_tanh_matches_brute_force() {
    let case = Case::new(&[3, 5, 5, 6], Activation::Tanh, 7, 5).with_mask(50);
    assert_close(
        "fisher",
        &kernel(&case, FisherKind::Expected),
        &brute_expected(&case),
        1e-5,
    );
}

#[test]
fn batches_larger_than_one_chunk_match_brute_force() {
    // 4,100 rows exceed the 4,096-row chunk (empirical); expected with 4 classes chunks every 1,024 examples.
    let case = Case::new(&[3, 4, 4], Activation::Relu, 4100, 6).with_mask(60);
    assert_close(
        "empirical",
        &kernel(
            &case,
            FisherKind::Empirical {
                targets: &case.targets,
            },
        ),
        &brute_empirical(&case),
        1e-4,
    );
    assert_close(
        "expected",
        &kernel(&case, FisherKind::Expected),
        &brute_expected(&case),
        1e-4,
    );
}

#[test]
fn fisher_is_added_into_the_accumulator() {
    let case = Case::new(&[4, 5, 3], Activation::Relu, 4, 7);
    let fresh = kernel(&case, FisherKind::Expected);
    let mut acc: Vec<f32> = (0..case.net.param_count())
        .map(|k| k as f32 * 0.5)
        .collect();
    fisher_diag(
        &case.net,
        input(&case),
        FisherKind::Expected,
        &mut acc,
        &mut Workspace::new(),
    );
    let want: Vec<f64> = fresh
        .iter()
        .enumerate()
        .map(|(k, v)| k as f64 * 0.5 + v)
        .collect();
    assert_close(
        "accumulated",
        &acc.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
        &want,
        1e-6,
    );
}

#[test]
fn linear_model_expected_fisher_is_p_times_one_minus_p_times_x_squared() {
    let case = Case::new(&[3, 4], Activation::Tanh, 6, 8);
    let f = kernel(&case, FisherKind::Expected);
    let mut want = vec![0.0; 16];
    for (i, p) in all_probs(&case).iter().enumerate() {
        for j in 0..4 {
            let v = p[j] * (1.0 - p[j]);
            for k in 0..3 {
                let x = f64::from(case.x[i * 3 + k]);
                want[j * 3 + k] += v * x * x;
            }
            want[12 + j] += v;
        }
    }
    assert_close("fisher", &f, &want, 1e-6);
}
