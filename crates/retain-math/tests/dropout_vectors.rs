//! Fixed dropout-hash vectors, computed independently (Python big-int arithmetic masked to 32 bits),
//! also written to `packages/kernels/native/dropout-vectors.json` for the TypeScript backend's tests.

use retain_math::dropout::{bits, keep, layer_key, lowbias32};

const LOWBIAS32: [(u32, u32); 6] = [
    (0, 0),
    (1, 1_753_845_952),
    (2, 3_507_691_905),
    (0x1234_5678, 4_125_564_054),
    (0xffff_ffff, 1_734_902_346),
    (42, 388_445_122),
];

const LAYER_KEY: [(u32, u32, u32); 5] = [
    (0, 0, 2_926_543_089),
    (0, 1, 71_125_540),
    (42, 0, 3_084_001_500),
    (42, 3, 2_053_281_176),
    (0xdead_beef, 2, 2_048_661_964),
];

/// (seed, layer, example, width, unit, bits)
const BITS: [(u32, u32, u32, u32, u32, u32); 4] = [
    (42, 0, 0, 5, 0, 3_055_533_749),
    (42, 0, 3, 5, 4, 607_551_094),
    (7, 1, 10, 400, 399, 1_530_098_219),
    (0xffff_ffff, 2, 127, 400, 17, 1_820_801_949),
];

/// (seed, layer, rows, width, rate, keep pattern row-major)
const MASKS: [(u32, u32, u32, u32, f64, &str); 6] = [
    (42, 0, 4, 5, 0.5, "10000010001110111000"),
    (42, 1, 4, 5, 0.5, "01111110101010000001"),
    (42, 0, 4, 5, 0.2, "11010111111111111000"),
    (42, 1, 4, 5, 0.2, "01111111111111011111"),
    (42, 0, 4, 5, 0.9, "00000000000000000000"),
    (42, 1, 4, 5, 0.9, "00000100000000000000"),
];

fn pattern(seed: u32, layer: u32, rows: u32, width: u32, rate: f64) -> String {
    (0..rows)
        .flat_map(|i| {
            (0..width).map(move |j| {
                if keep(seed, layer, i, width, j, rate) {
                    '1'
                } else {
                    '0'
                }
            })
        })
        .collect()
}

#[test]
fn lowbias32_matches_reference_vectors() {
    for (x, out) in LOWBIAS32 {
        assert_eq!(lowbias32(x), out, "lowbias32({x})");
    }
}

#[test]
fn layer_key_matches_reference_vectors() {
    for (seed, layer, out) in LAYER_KEY {
        assert_eq!(layer_key(seed, layer), out, "layerKey({seed}, {layer})");
    }
}

#[test]
fn unit_bits_match_reference_vectors() {
    for (seed, layer, i, w, j, out) in BITS {
        assert_eq!(
            bits(layer_key(seed, layer), i, w, j),
            out,
            "bits({seed},{layer},{i},{w},{j})"
        );
    }
}

#[test]
fn keep_masks_match_reference_patterns() {
    for (seed, layer, rows, width, rate, want) in MASKS {
        assert_eq!(
            pattern(seed, layer, rows, width, rate),
            want,
            "mask seed {seed} layer {layer} rate {rate}"
        );
    }
}

/// The JSON the TypeScript tests read, rendered from the same constants.
fn render_json() -> String {
    let mut s = String::from("{\n  \"version\": 1,\n");
    s += "  \"spec\": \"SPEC.md, Dropout mask: lowbias32, layerKey(seed, l), bits(seed, l, i, j) with i * width + j, keep = (bits >>> 8) / 2^24 >= rate\",\n";
    let rows: Vec<String> = LOWBIAS32
        .iter()
        .map(|(x, o)| format!("    {{ \"x\": {x}, \"out\": {o} }}"))
        .collect();
    s += &format!("  \"lowbias32\": [\n{}\n  ],\n", rows.join(",\n"));
    let rows: Vec<String> = LAYER_KEY
        .iter()
        .map(|(seed, l, o)| format!("    {{ \"seed\": {seed}, \"layer\": {l}, \"out\": {o} }}"))
        .collect();
    s += &format!("  \"layerKey\": [\n{}\n  ],\n", rows.join(",\n"));
    let rows: Vec<String> = BITS
        .iter()
        .map(|(seed, l, i, w, j, o)| {
            format!("    {{ \"seed\": {seed}, \"layer\": {l}, \"example\": {i}, \"width\": {w}, \"unit\": {j}, \"out\": {o} }}")
        })
        .collect();
    s += &format!("  \"bits\": [\n{}\n  ],\n", rows.join(",\n"));
    let rows: Vec<String> = MASKS
        .iter()
        .map(|(seed, l, r, w, rate, k)| {
            format!("    {{ \"seed\": {seed}, \"layer\": {l}, \"rows\": {r}, \"width\": {w}, \"rate\": {rate}, \"keep\": \"{k}\" }}")
        })
        .collect();
    s += &format!("  \"masks\": [\n{}\n  ]\n}}\n", rows.join(",\n"));
    s
}

#[test]
fn committed_json_vectors_equal_these_constants() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packages/kernels/native/dropout-vectors.json"
    );
    let json = render_json();
    if std::env::var_os("RETAIN_WRITE_VECTORS").is_some() {
        std::fs::write(path, &json).unwrap();
    }
    let committed =
        std::fs::read_to_string(path).expect("run with RETAIN_WRITE_VECTORS=1 to create the JSON");
    assert_eq!(committed, json);
}
