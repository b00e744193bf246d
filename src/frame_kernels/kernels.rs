//! The filters' inner loops, one row at a time, behind a trait so that the browser build can run them with
//! explicit 128-bit SIMD ([`super::simd`]) while every build keeps this scalar code as the reference.
//!
//! The arithmetic here *is* the definition of the filters' output: integer only, so every platform and
//! every implementation of [`RowKernels`] must produce the same bytes (the wasm tests compare them).

/// Gaussian weights for σ = 2.5, radius 6, summing to exactly 4096 (so a flat image stays flat).
pub(super) const GAUSS: [u32; 13] = [37, 89, 183, 321, 479, 609, 660, 609, 479, 321, 183, 89, 37];
pub(super) const RADIUS: usize = 6;
/// Source rows a vertical blur pass reads for one output row.
pub(super) const TAPS: usize = 2 * RADIUS + 1;

/// One row of each pass of each filter. `width` is always `row.len() / 4` (RGBA).
pub(super) trait RowKernels {
    /// The blur's horizontal pass: RGBA bytes to 16-bit sums with 8 extra bits (floored), edge repeated.
    fn blur_h(row: &[u8], out: &mut [u16]);
    /// The blur's vertical pass: output bytes `out[i]` from `taps[k][i]`, the 13 scratch rows around it.
    fn blur_v(taps: &[&[u16]; TAPS], out: &mut [u8]);
    /// Luminance of each RGBA pixel of `row`.
    fn luma(row: &[u8], out: &mut [i32]);
    /// Sobel magnitude of the luminance row `mid` (with the rows above and below) as grey RGBA pixels.
    fn sobel(up: &[i32], mid: &[i32], down: &[i32], out: &mut [u8]);
}

/// Plain Rust loops (natively LLVM vectorizes the blur's with SSE2).
pub(super) struct Scalar;

impl RowKernels for Scalar {
    fn blur_h(row: &[u8], out: &mut [u16]) {
        for x in 0..row.len() / 4 {
            blur_h_pixel(row, x, out);
        }
    }

    fn blur_v(taps: &[&[u16]; TAPS], out: &mut [u8]) {
        // Tap by tap over a chunk of sums: loops without bounds checks that LLVM vectorizes (the sum of
        // integers does not depend on the order, so this is `blur_v_at` for every byte).
        const CHUNK: usize = 64;
        for (c, out) in out.chunks_mut(CHUNK).enumerate() {
            let (base, m) = (c * CHUNK, out.len());
            let mut acc = [0u32; CHUNK];
            for (&w, tap) in GAUSS.iter().zip(taps) {
                for (a, &v) in acc[..m].iter_mut().zip(&tap[base..base + m]) {
                    *a += w * u32::from(v);
                }
            }
            for (o, &a) in out.iter_mut().zip(&acc[..m]) {
                *o = blur_v_round(a);
            }
        }
    }

    fn luma(row: &[u8], out: &mut [i32]) {
        for (o, p) in out.iter_mut().zip(row.chunks_exact(4)) {
            *o = luma(p);
        }
    }

    fn sobel(up: &[i32], mid: &[i32], down: &[i32], out: &mut [u8]) {
        for x in 0..mid.len() {
            let v = sobel_at(up, mid, down, x);
            out[x * 4..x * 4 + 4].copy_from_slice(&[v, v, v, 255]);
        }
    }
}

/// One pixel of the horizontal blur pass at column `x` (the SIMD version uses it at the borders).
#[inline(always)]
pub(super) fn blur_h_pixel(row: &[u8], x: usize, out: &mut [u16]) {
    let width = row.len() / 4;
    // A length LLVM knows is 4 × width, so that no index below needs a bounds check and the four
    // channels below become one vector (SSE2 natively).
    let row = &row[..width * 4];
    let mut acc = [0u32; 4];
    for (k, &w) in GAUSS.iter().enumerate() {
        let sx = (x + k).saturating_sub(RADIUS).min(width - 1);
        let p = &row[sx * 4..sx * 4 + 4];
        for c in 0..4 {
            acc[c] += w * u32::from(p[c]);
        }
    }
    // Floor here and round once at the end, so a constant image stays exactly constant. (Four separate
    // stores, which LLVM's SLP vectorizer starts from.)
    let out = &mut out[x * 4..x * 4 + 4];
    for c in 0..4 {
        out[c] = (acc[c] >> 4) as u16;
    }
}

/// One output byte of the vertical blur pass.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)] // SIMD tails, tests
pub(super) fn blur_v_at(taps: &[&[u16]; TAPS], i: usize) -> u8 {
    let acc: u32 = GAUSS
        .iter()
        .zip(taps)
        .map(|(&w, row)| w * u32::from(row[i]))
        .sum();
    blur_v_round(acc)
}

/// The vertical pass's sum (20 bits of weight) rounded to a byte.
pub(super) fn blur_v_round(acc: u32) -> u8 {
    ((acc + (1 << 19)) >> 20).min(255) as u8
}

/// Luminance of one RGBA pixel (BT.601 weights in 8-bit fixed point).
pub(super) fn luma(p: &[u8]) -> i32 {
    (77 * i32::from(p[0]) + 150 * i32::from(p[1]) + 29 * i32::from(p[2])) >> 8
}

/// The 3×3 gradient magnitude |gx| + |gy| (halved, capped at 255) at column `x`, edges repeated.
pub(super) fn sobel_at(up: &[i32], mid: &[i32], down: &[i32], x: usize) -> u8 {
    let (xm, xp) = (x.saturating_sub(1), (x + 1).min(mid.len() - 1));
    let gx = (up[xp] + 2 * mid[xp] + down[xp]) - (up[xm] + 2 * mid[xm] + down[xm]);
    let gy = (down[xm] + 2 * down[x] + down[xp]) - (up[xm] + 2 * up[x] + up[xp]);
    ((gx.abs() + gy.abs()) >> 1).min(255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunked_vertical_pass_is_the_per_byte_sum() {
        // Rows of pseudo-random 16-bit sums up to the largest the horizontal pass makes (65280), longer
        // than one chunk and not a multiple of it.
        let n = 64 * 3 + 17;
        let mut seed = 7u32;
        let rows: Vec<Vec<u16>> = (0..TAPS)
            .map(|_| {
                (0..n)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        ((seed >> 8) % 65_281) as u16
                    })
                    .collect()
            })
            .collect();
        let taps: [&[u16]; TAPS] = std::array::from_fn(|k| rows[k].as_slice());
        let mut out = vec![0u8; n];
        Scalar::blur_v(&taps, &mut out);
        for (i, &o) in out.iter().enumerate() {
            assert_eq!(o, blur_v_at(&taps, i), "byte {i}");
        }
    }
}
