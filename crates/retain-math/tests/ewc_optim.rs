//! EWC penalty/gradient and the optimizers against closed forms and finite differences.

mod common;

use common::{assert_close, fd_gradient, to_f64, Gen};
use retain_math::{adam_step, ewc_penalty_grad, sgd_step, Adam, Sgd};

fn ewc_ref(p: &[f64], anchor: &[f32], fisher: &[f32], lambda: f64) -> f64 {
    p.iter()
        .zip(anchor)
        .zip(fisher)
        .map(|((&t, &a), &f)| 0.5 * lambda * f64::from(f) * (t - f64::from(a)).powi(2))
        .sum()
}

#[test]
fn ewc_penalty_and_gradient_match_closed_form_and_finite_differences() {
    let mut g = Gen::new(1);
    // 2,083 elements: several blocks plus a tail that is not a multiple of the lane width.
    let n = 2083;
    let params = g.vec(n, 1.0);
    let anchor = g.vec(n, 1.0);
    let fisher: Vec<f32> = g.vec(n, 1.0).iter().map(|v| v.abs()).collect();
    let base = g.vec(n, 0.1);
    let mut grad = base.clone();
    let lambda = 3.5;
    let penalty = ewc_penalty_grad(&params, &anchor, &fisher, lambda, &mut grad);
    let p = to_f64(&params);
    assert_close(
        "penalty",
        &[penalty],
        &[ewc_ref(&p, &anchor, &fisher, lambda)],
        1e-6,
    );
    let fd = fd_gradient(&p[..40], 1e-4, |q| {
        ewc_ref(q, &anchor[..40], &fisher[..40], lambda)
    });
    let added: Vec<f64> = grad
        .iter()
        .zip(&base)
        .map(|(&a, &b)| f64::from(a) - f64::from(b))
        .collect();
    assert_close("grad (finite differences)", &added[..40], &fd, 1e-5);
    for k in 0..n {
        let want =
            f64::from(base[k]) + lambda * f64::from(fisher[k]) * (p[k] - f64::from(anchor[k]));
        assert!((f64::from(grad[k]) - want).abs() < 1e-5, "grad[{k}]");
    }
}

#[test]
fn ewc_at_the_anchor_is_zero_and_leaves_the_gradient_alone() {
    let params = vec![0.25f32; 37];
    let mut grad = vec![1.5f32; 37];
    assert_eq!(
        ewc_penalty_grad(&params, &params.clone(), &[2.0; 37], 10.0, &mut grad),
        0.0
    );
    assert!(grad.iter().all(|&v| v == 1.5));
}

fn sgd(lr: f64) -> Sgd {
    Sgd {
        lr,
        momentum: 0.0,
        weight_decay: 0.0,
        nesterov: false,
        clip_norm: 0.0,
    }
}

#[test]
fn plain_sgd_subtracts_lr_times_gradient_and_returns_the_norm() {
    let mut params = vec![1.0f32, -2.0, 0.5];
    let norm = sgd_step(&mut params, &[3.0, 4.0, 0.0], None, &sgd(0.1));
    assert!((norm - 5.0).abs() < 1e-12);
    assert_close("params", &to_f64(&params), &[0.7, -2.4, 0.5], 1e-6);
}

#[test]
fn sgd_clips_to_the_global_norm_and_adds_weight_decay_after_clipping() {
    let mut params = vec![1.0f32, 2.0];
    let cfg = Sgd {
        clip_norm: 1.0,
        weight_decay: 0.1,
        ..sgd(0.5)
    };
    let norm = sgd_step(&mut params, &[3.0, 4.0], None, &cfg);
    assert!((norm - 5.0).abs() < 1e-12);
    let coef = 1.0 / (5.0 + 1e-6);
    let want = [
        1.0 - 0.5 * (3.0 * coef + 0.1),
        2.0 - 0.5 * (4.0 * coef + 0.2),
    ];
    assert_close("params", &to_f64(&params), &want, 1e-6);
}

#[test]
fn momentum_and_nesterov_follow_the_pytorch_recurrences_over_two_steps() {
    for nesterov in [false, true] {
        let cfg = Sgd {
            momentum: 0.9,
            nesterov,
            weight_decay: 0.01,
            ..sgd(0.1)
        };
        let mut params = vec![1.0f32; 19];
        let mut velocity = vec![0.0f32; 19];
        let (mut p, mut v) = (1.0f64, 0.0f64);
        for g in [0.5f64, -0.25] {
            sgd_step(&mut params, &[g as f32; 19], Some(&mut velocity), &cfg);
            let gp = g + 0.01 * p;
            v = 0.9 * v + gp;
            p -= 0.1 * if nesterov { gp + 0.9 * v } else { v };
        }
        assert_close("params", &to_f64(&params), &[p; 19], 1e-6);
        assert_close("velocity", &to_f64(&velocity), &[v; 19], 1e-6);
    }
}

#[test]
fn adam_matches_the_bias_corrected_closed_form_over_three_steps() {
    let cfg = |step| Adam {
        lr: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        clip_norm: 0.0,
        step,
    };
    let n = 1037;
    let mut g = Gen::new(2);
    let start = g.vec(n, 1.0);
    let grads: Vec<Vec<f32>> = (0..3).map(|_| g.vec(n, 2.0)).collect();
    let (mut params, mut m, mut v) = (start.clone(), vec![0.0f32; n], vec![0.0f32; n]);
    for (t, gr) in grads.iter().enumerate() {
        let norm = adam_step(&mut params, gr, &mut m, &mut v, &cfg(t as u32 + 1));
        let want = to_f64(gr).iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - want).abs() < 1e-4 * want);
    }
    for k in 0..n {
        let (mut p, mut mk, mut vk) = (f64::from(start[k]), 0.0, 0.0);
        for (t, gr) in grads.iter().enumerate() {
            let gk = f64::from(gr[k]);
            mk = 0.9 * mk + 0.1 * gk;
            vk = 0.999 * vk + 0.001 * gk * gk;
            let tt = (t + 1) as i32;
            p -= 0.01 * (mk / (1.0 - 0.9f64.powi(tt)))
                / ((vk / (1.0 - 0.999f64.powi(tt))).sqrt() + 1e-8);
        }
        assert!((f64::from(params[k]) - p).abs() < 1e-6, "params[{k}]");
    }
}

#[test]
fn adam_first_step_moves_each_parameter_by_lr_against_the_gradient_sign() {
    let cfg = Adam {
        lr: 0.001,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 0.0,
        clip_norm: 0.0,
        step: 1,
    };
    let mut params = vec![0.0f32; 4];
    let (mut m, mut v) = (vec![0.0; 4], vec![0.0; 4]);
    adam_step(&mut params, &[2.0, -0.5, 1e-3, -7.0], &mut m, &mut v, &cfg);
    assert_close(
        "params",
        &to_f64(&params),
        &[-0.001, 0.001, -0.001, 0.001],
        1e-7,
    );
}

#[test]
fn adam_clipping_and_weight_decay_enter_the_moments() {
    let cfg = Adam {
        lr: 0.1,
        beta1: 0.5,
        beta2: 0.75,
        eps: 1e-3,
        weight_decay: 0.2,
        clip_norm: 2.0,
        step: 1,
    };
    let mut params = vec![1.0f32, -1.0];
    let (mut m, mut v) = (vec![0.0; 2], vec![0.0; 2]);
    let norm = adam_step(&mut params, &[6.0, 8.0], &mut m, &mut v, &cfg);
    assert!((norm - 10.0).abs() < 1e-9);
    let coef = 2.0 / (10.0 + 1e-6);
    let gp = [6.0 * coef + 0.2, 8.0 * coef - 0.2];
    assert_close("m", &to_f64(&m), &[0.5 * gp[0], 0.5 * gp[1]], 1e-6);
    assert_close(
        "v",
        &to_f64(&v),
        &[0.25 * gp[0] * gp[0], 0.25 * gp[1] * gp[1]],
        1e-6,
    );
    let step = |p: f64, g: f64| p - 0.1 * g / (g.abs() + 1e-3);
    assert_close(
        "params",
        &to_f64(&params),
        &[step(1.0, gp[0]), step(-1.0, gp[1])],
        1e-6,
    );
}
