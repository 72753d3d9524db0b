//! lossGrad against a naive f64 reference of SPEC.md and central finite differences of it.

mod common;

use common::{assert_close, fd_gradient, ref_log_softmax, ref_logits, ref_loss, to_f64, Case};
use retain_math::{
    forward, loss_grad, Activation, Distill, Dropout, LossOutputs, LossTerms, MlpInput, Workspace,
};

/// Runs the kernel on `case`: (loss, grad, per-example loss, logits).
fn run(case: &Case) -> (f64, Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut grad = vec![f32::NAN; case.net.param_count()];
    let mut per = vec![0.0; case.batch];
    let mut logits = vec![0.0; case.batch * case.net.classes()];
    let input = MlpInput {
        params: &case.params,
        x: &case.x,
        batch: case.batch,
        mask: case.mask.as_deref(),
    };
    let terms = LossTerms {
        targets: &case.targets,
        weights: case.weights.as_deref(),
        dropout: case.dropout,
        distill: case
            .distill
            .as_ref()
            .map(|(t, temperature, weight)| Distill {
                teacher_logits: t,
                temperature: *temperature,
                weight: *weight,
                groups: case.groups.as_deref(),
                row_weights: case.row_weights.as_deref(),
            }),
    };
    let out = LossOutputs {
        grad: &mut grad,
        per_example_loss: Some(&mut per),
        logits: Some(&mut logits),
    };
    let loss = loss_grad(&case.net, input, terms, out, &mut Workspace::new());
    (loss, grad, per, logits)
}

/// Checks loss, per-example losses and the gradient against the reference and its finite differences.
fn check(case: &Case) {
    let (loss, grad, per, _) = run(case);
    let p = to_f64(&case.params);
    let (ref_total, ref_per) = ref_loss(case, &p);
    assert_close("loss", &[loss], &[ref_total], 1e-5);
    assert_close("perExampleLoss", &to_f64(&per), &ref_per, 1e-5);
    let fd = fd_gradient(&p, 1e-5, |q| ref_loss(case, q).0);
    assert_close("grad", &to_f64(&grad), &fd, 2e-5);
}

#[test]
fn linear_model_gradient_matches_finite_differences() {
    check(&Case::new(&[4, 3], Activation::Relu, 5, 1));
}

#[test]
fn relu_deep_net_gradient_matches_finite_differences() {
    check(&Case::new(&[5, 7, 6, 4], Activation::Relu, 6, 2));
}

#[test]
fn tanh_deep_net_gradient_matches_finite_differences() {
    check(&Case::new(&[3, 8, 8, 8, 5], Activation::Tanh, 4, 3));
}

#[test]
fn weights_and_output_mask_enter_loss_and_gradient() {
    check(
        &Case::new(&[5, 6, 5], Activation::Relu, 7, 4)
            .with_weights(40)
            .with_mask(41),
    );
}

#[test]
fn dropout_gradient_matches_finite_differences_under_the_same_mask() {
    let mut case = Case::new(&[6, 9, 7, 3], Activation::Tanh, 5, 5).with_weights(50);
    case.dropout = Some(Dropout {
        rate: 0.3,
        seed: 12345,
    });
    check(&case);
    let mut relu = Case::new(&[6, 9, 7, 3], Activation::Relu, 5, 6).with_mask(60);
    relu.dropout = Some(Dropout { rate: 0.5, seed: 7 });
    check(&relu);
}

#[test]
fn distillation_term_gradient_matches_finite_differences() {
    check(&Case::new(&[4, 3], Activation::Relu, 6, 7).with_distill(70, 2.0, 0.7));
    check(
        &Case::new(&[5, 6, 4], Activation::Tanh, 5, 8)
            .with_distill(80, 3.5, 1.3)
            .with_weights(81),
    );
}

#[test]
fn distillation_with_mask_weights_and_dropout_matches_finite_differences() {
    let mut case = Case::new(&[5, 8, 6, 5], Activation::Relu, 6, 9)
        .with_mask(90)
        .with_weights(91)
        .with_distill(92, 2.0, 0.5);
    case.dropout = Some(Dropout {
        rate: 0.25,
        seed: 99,
    });
    check(&case);
}

#[test]
fn grouped_distillation_matches_finite_differences_and_ignores_the_batch_mask() {
    // task-IL: the current task's mask allows classes 4–5 for CE; distillation runs over the previous
    // heads {0,1} and {2,3}, each on its own softmax, and leaves the other classes alone
    let groups = [0, 0, 1, 1, -1, -1];
    let mut case = Case::new(&[5, 7, 6], Activation::Relu, 5, 31).with_distill(310, 2.0, 0.8);
    case.targets = vec![4, 5, 4, 4, 5];
    case.mask = Some((0..5).flat_map(|_| [0u8, 0, 0, 0, 1, 1]).collect());
    let case = case.with_groups(&groups);
    check(&case);
    // one group over every class is the ungrouped term
    let one = Case::new(&[4, 3], Activation::Tanh, 6, 32).with_distill(320, 1.5, 1.1);
    let (plain, g_plain, _, _) = run(&one);
    let (grouped, g_grouped, _, _) = run(&one.clone().with_groups(&[0, 0, 0]));
    assert!((plain - grouped).abs() < 1e-12);
    assert_eq!(g_plain, g_grouped);
    // no group at all: no distillation
    let (none, _, _, _) = run(&one.clone().with_groups(&[-1, -1, -1]));
    let mut bare = one.clone();
    bare.distill = None;
    assert!((none - run(&bare).0).abs() < 1e-12);
}

/// Example `i` of `case` as a batch of one.
fn row(case: &Case, i: usize) -> Case {
    let (n, c) = (case.net.inputs(), case.net.classes());
    Case {
        x: case.x[i * n..(i + 1) * n].to_vec(),
        batch: 1,
        targets: vec![case.targets[i]],
        weights: case.weights.as_ref().map(|w| vec![w[i]]),
        mask: case.mask.as_ref().map(|m| m[i * c..(i + 1) * c].to_vec()),
        distill: case
            .distill
            .as_ref()
            .map(|(t, temp, alpha)| (t[i * c..(i + 1) * c].to_vec(), *temp, *alpha)),
        row_weights: case.row_weights.as_ref().map(|r| vec![r[i]]),
        ..case.clone()
    }
}

#[test]
fn distillation_row_weights_of_one_are_bit_identical_to_none() {
    let case = Case::new(&[5, 6, 4], Activation::Tanh, 7, 33)
        .with_mask(330)
        .with_weights(331)
        .with_distill(332, 2.0, 0.8);
    let ones = Case {
        row_weights: Some(vec![1.0; case.batch]),
        ..case.clone()
    };
    assert_eq!(run(&case), run(&ones));
    let grouped = case.clone().with_groups(&[0, 0, 1, -1]);
    let grouped_ones = Case {
        row_weights: Some(vec![1.0; case.batch]),
        ..grouped.clone()
    };
    assert_eq!(run(&grouped), run(&grouped_ones));
}

#[test]
fn distillation_row_weights_scale_each_example_as_if_distilled_alone() {
    // Each example alone, distilled at α·rᵢ (not at all when rᵢ = 0): the batch is the mean of those.
    let mut case = Case::new(&[4, 5, 3], Activation::Relu, 6, 34)
        .with_mask(340)
        .with_weights(341)
        .with_distill(342, 1.5, 0.9);
    case.row_weights = Some(vec![0.0, 0.5, 1.0, 2.0, 0.0, 1.5]);
    let (loss, grad, per, _) = run(&case);
    let (mut sum_loss, mut sum_grad) = (0.0, vec![0.0; grad.len()]);
    for (i, &per_i) in per.iter().enumerate() {
        let mut alone = row(&case, i);
        let r = f64::from(alone.row_weights.take().unwrap()[0]);
        let (teacher, t, alpha) = alone.distill.take().unwrap();
        alone.distill = (r != 0.0).then_some((teacher, t, alpha * r));
        let (l, g, p, _) = run(&alone);
        sum_loss += l;
        for (s, v) in sum_grad.iter_mut().zip(&g) {
            *s += f64::from(*v);
        }
        assert_close(
            "perExampleLoss",
            &[f64::from(per_i)],
            &[f64::from(p[0])],
            1e-6,
        );
    }
    let b = case.batch as f64;
    assert_close("loss", &[loss], &[sum_loss / b], 1e-6);
    let mean: Vec<f64> = sum_grad.iter().map(|g| g / b).collect();
    assert_close("grad", &to_f64(&grad), &mean, 1e-6);
}

#[test]
fn distillation_row_weights_gradient_matches_finite_differences() {
    check(
        &Case::new(&[5, 6, 4], Activation::Tanh, 7, 35)
            .with_weights(350)
            .with_mask(351)
            .with_distill(352, 2.0, 0.7)
            .with_row_weights(353),
    );
    let mut grouped = Case::new(&[4, 7, 6], Activation::Relu, 5, 36)
        .with_distill(360, 3.0, 1.2)
        .with_row_weights(361)
        .with_groups(&[0, 0, 1, 1, -1, -1]);
    grouped.dropout = Some(Dropout {
        rate: 0.25,
        seed: 36,
    });
    check(&grouped);
}

#[test]
fn a_zero_weighted_teacher_row_is_never_read() {
    // NaN and ±inf in the teacher rows of zero-weighted examples: everything finite and bit-identical to a
    // teacher holding zeros there.
    for groups in [None, Some(vec![0, 0, 1, -1])] {
        let mut clean = Case::new(&[5, 6, 4], Activation::Relu, 6, 37)
            .with_weights(370)
            .with_distill(371, 2.0, 0.6)
            .with_row_weights(372);
        clean.groups = groups;
        let zeroed: Vec<usize> = (0..clean.batch)
            .filter(|&i| clean.row_weights.as_ref().unwrap()[i] == 0.0)
            .collect();
        assert!(!zeroed.is_empty());
        let mut dirty = clean.clone();
        let (ct, dt) = (
            &mut clean.distill.as_mut().unwrap().0,
            &mut dirty.distill.as_mut().unwrap().0,
        );
        for &i in &zeroed {
            ct[i * 4..(i + 1) * 4].fill(0.0);
            dt[i * 4..(i + 1) * 4].copy_from_slice(&[
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NAN,
            ]);
        }
        let (loss, grad, per, logits) = run(&dirty);
        assert!(loss.is_finite());
        assert!(grad.iter().chain(&per).all(|v| v.is_finite()));
        assert_eq!((loss, grad, per, logits), run(&clean));
    }
}

#[test]
fn distillation_against_itself_adds_nothing() {
    let case = Case::new(&[4, 5, 3], Activation::Tanh, 4, 10);
    let (_, _, _, logits) = run(&case);
    let with = case.clone().with_distill(0, 2.0, 1.0);
    let with = Case {
        distill: Some((logits, 2.0, 1.0)),
        ..with
    };
    let (plain_loss, plain_grad, _, _) = run(&case);
    let (loss, grad, _, _) = run(&with);
    assert_close("loss", &[loss], &[plain_loss], 1e-6);
    assert_close("grad", &to_f64(&grad), &to_f64(&plain_grad), 1e-6);
}

#[test]
fn batch_loss_divides_by_batch_not_by_sum_of_weights() {
    let mut case = Case::new(&[3, 4], Activation::Relu, 4, 11);
    case.weights = Some(vec![2.0, 0.0, 0.5, 1.0]);
    let (loss, _, per, _) = run(&case);
    let expected = (2.0 * per[0] as f64 + 0.5 * per[2] as f64 + per[3] as f64) / 4.0;
    assert_close("loss", &[loss], &[expected], 1e-6);
}

#[test]
fn logits_output_equals_forward_and_masks_with_negative_infinity() {
    let mut case = Case::new(&[5, 6, 4], Activation::Relu, 3, 12).with_mask(120);
    case.dropout = Some(Dropout { rate: 0.4, seed: 3 });
    let (_, _, _, logits) = run(&case);
    let mut fwd = vec![0.0; logits.len()];
    let input = MlpInput {
        params: &case.params,
        x: &case.x,
        batch: case.batch,
        mask: case.mask.as_deref(),
    };
    forward(
        &case.net,
        input,
        case.dropout,
        &mut fwd,
        &mut Workspace::new(),
    );
    assert_eq!(logits, fwd);
    let p = to_f64(&case.params);
    for i in 0..case.batch {
        let z = ref_logits(&case, &p, i);
        for c in 0..4 {
            let got = logits[i * 4 + c];
            if case.allowed(i, c) {
                assert!((f64::from(got) - z[c]).abs() < 1e-5, "logit {i},{c}");
            } else {
                assert_eq!(got, f32::NEG_INFINITY);
            }
        }
    }
}

#[test]
fn dropout_rate_zero_is_the_identity() {
    let case = Case::new(&[5, 6, 4], Activation::Relu, 3, 13);
    let dropped = Case {
        dropout: Some(Dropout { rate: 0.0, seed: 1 }),
        ..case.clone()
    };
    assert_eq!(run(&case).1, run(&dropped).1);
}

#[test]
fn masked_classes_get_zero_gradient_on_their_output_weights() {
    let mut case = Case::new(&[3, 4], Activation::Relu, 2, 14);
    case.targets = vec![0, 1];
    case.mask = Some(vec![1, 1, 0, 1, 1, 1, 0, 0]);
    let (_, grad, per, _) = run(&case);
    // class 2 is masked in both rows: its weight row and bias get no gradient.
    assert!(grad[2 * 3..3 * 3].iter().all(|&g| g == 0.0));
    assert_eq!(grad[12 + 2], 0.0);
    let p = to_f64(&case.params);
    let lp = ref_log_softmax(&case, &ref_logits(&case, &p, 1), 1, 1.0);
    assert!((f64::from(per[1]) + lp[1]).abs() < 1e-6);
}

#[test]
fn workspace_reuse_across_shapes_gives_identical_results() {
    let a = Case::new(&[6, 9, 7, 3], Activation::Tanh, 9, 15);
    let b = Case::new(&[4, 5], Activation::Relu, 2, 16).with_mask(160);
    let mut ws = Workspace::new();
    let run_ws = |c: &Case, ws: &mut Workspace| {
        let mut grad = vec![0.0; c.net.param_count()];
        let input = MlpInput {
            params: &c.params,
            x: &c.x,
            batch: c.batch,
            mask: c.mask.as_deref(),
        };
        let terms = LossTerms {
            targets: &c.targets,
            ..Default::default()
        };
        let loss = loss_grad(
            &c.net,
            input,
            terms,
            LossOutputs {
                grad: &mut grad,
                per_example_loss: None,
                logits: None,
            },
            ws,
        );
        (loss, grad)
    };
    let first = run_ws(&a, &mut ws);
    let _ = run_ws(&b, &mut ws);
    assert_eq!(run_ws(&a, &mut ws), first);
    assert_eq!(run_ws(&b, &mut Workspace::new()), run_ws(&b, &mut ws));
}

#[test]
fn dropout_never_touches_a_linear_model() {
    let case = Case::new(&[5, 3], Activation::Relu, 4, 17).with_distill(170, 2.0, 0.5);
    let dropped = Case {
        dropout: Some(Dropout { rate: 0.9, seed: 5 }),
        ..case.clone()
    };
    assert_eq!(run(&case), run(&dropped));
}
