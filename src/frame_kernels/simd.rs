//! The filters' row kernels with explicit 128-bit wasm SIMD (`core::arch::wasm32`), for the browser build.
//!
//! LLVM vectorizes the scalar loops of [`super::kernels::Scalar`] natively (SSE2), but for wasm32 it leaves
//! most of them scalar (`npm run bench`, figure 2), so the interior of every row is written here with v128
//! lanes: the same integer arithmetic in the same order of operations, hence the same bytes (the
//! `filters_with_simd_match_the_scalar_reference` wasm test compares every filter at many sizes). Borders
//! and row tails that do not fill a vector fall back to the scalar helpers.
//!
//! Every load and store goes through a bounds-checked slice first, so nothing here can read or write out
//! of its row even for a wrong size.

use core::arch::wasm32::*;

use super::kernels::{blur_h_pixel, blur_v_at, luma, sobel_at, RowKernels, GAUSS, RADIUS, TAPS};

/// 128-bit SIMD kernels (only built for wasm32 with `simd128`, which .cargo/config.toml enables).
pub(super) struct Simd;

fn load_u8(bytes: &[u8], at: usize) -> v128 {
    let s = &bytes[at..at + 16];
    // SAFETY: `s` holds the 16 bytes read; v128.load has no alignment requirement.
    unsafe { v128_load(s.as_ptr().cast()) }
}

fn load_u16(words: &[u16], at: usize) -> v128 {
    let s = &words[at..at + 8];
    // SAFETY: `s` holds the 8 lanes read; v128.load has no alignment requirement.
    unsafe { v128_load(s.as_ptr().cast()) }
}

fn load_i32(words: &[i32], at: usize) -> v128 {
    let s = &words[at..at + 4];
    // SAFETY: `s` holds the 4 lanes read; v128.load has no alignment requirement.
    unsafe { v128_load(s.as_ptr().cast()) }
}

fn store_u8(bytes: &mut [u8], at: usize, v: v128) {
    let s = &mut bytes[at..at + 16];
    // SAFETY: `s` is the 16 bytes written, borrowed mutably.
    unsafe { v128_store(s.as_mut_ptr().cast(), v) }
}

fn store_u16(words: &mut [u16], at: usize, v: v128) {
    let s = &mut words[at..at + 8];
    // SAFETY: `s` is the 8 lanes written, borrowed mutably.
    unsafe { v128_store(s.as_mut_ptr().cast(), v) }
}

fn store_i32(words: &mut [i32], at: usize, v: v128) {
    let s = &mut words[at..at + 4];
    // SAFETY: `s` is the 4 lanes written, borrowed mutably.
    unsafe { v128_store(s.as_mut_ptr().cast(), v) }
}

fn store_low_8_bytes(bytes: &mut [u8], at: usize, v: v128) {
    let s = &mut bytes[at..at + 8];
    // SAFETY: `s` is the 8 bytes written, borrowed mutably.
    unsafe { v128_store64_lane::<0>(v, s.as_mut_ptr().cast()) }
}

impl RowKernels for Simd {
    fn blur_h(row: &[u8], out: &mut [u16]) {
        let width = row.len() / 4;
        let prefix = RADIUS.min(width);
        for x in 0..prefix {
            blur_h_pixel(row, x, out);
        }
        // Four pixels (16 channels) per step; every tap reads 16 source bytes, no clamping needed.
        let mut x = prefix;
        while x >= RADIUS && x + 4 + RADIUS <= width {
            let mut acc = [u32x4_splat(0); 4];
            for (k, &w) in GAUSS.iter().enumerate() {
                let src = load_u8(row, (x + k - RADIUS) * 4);
                let (lo, hi) = (u16x8_extend_low_u8x16(src), u16x8_extend_high_u8x16(src));
                let w = u16x8_splat(w as u16);
                acc[0] = u32x4_add(acc[0], u32x4_extmul_low_u16x8(lo, w));
                acc[1] = u32x4_add(acc[1], u32x4_extmul_high_u16x8(lo, w));
                acc[2] = u32x4_add(acc[2], u32x4_extmul_low_u16x8(hi, w));
                acc[3] = u32x4_add(acc[3], u32x4_extmul_high_u16x8(hi, w));
            }
            // Sums are at most 255 · 4096 >> 4 = 65280, so the saturating narrow is exact.
            let a = acc.map(|a| u32x4_shr(a, 4));
            store_u16(out, x * 4, u16x8_narrow_i32x4(a[0], a[1]));
            store_u16(out, x * 4 + 8, u16x8_narrow_i32x4(a[2], a[3]));
            x += 4;
        }
        for x in x..width {
            blur_h_pixel(row, x, out);
        }
    }

    fn blur_v(taps: &[&[u16]; TAPS], out: &mut [u8]) {
        let half = u32x4_splat(1 << 19);
        let max = u32x4_splat(255);
        let mut i = 0;
        while i + 8 <= out.len() {
            let (mut lo, mut hi) = (u32x4_splat(0), u32x4_splat(0));
            for (&w, row) in GAUSS.iter().zip(taps) {
                let v = load_u16(row, i);
                let w = u16x8_splat(w as u16);
                lo = u32x4_add(lo, u32x4_extmul_low_u16x8(v, w));
                hi = u32x4_add(hi, u32x4_extmul_high_u16x8(v, w));
            }
            let lo = u32x4_min(u32x4_shr(u32x4_add(lo, half), 20), max);
            let hi = u32x4_min(u32x4_shr(u32x4_add(hi, half), 20), max);
            let words = u16x8_narrow_i32x4(lo, hi);
            store_low_8_bytes(out, i, u8x16_narrow_i16x8(words, words));
            i += 8;
        }
        for i in i..out.len() {
            out[i] = blur_v_at(taps, i);
        }
    }

    fn luma(row: &[u8], out: &mut [i32]) {
        let width = out.len().min(row.len() / 4);
        let byte = u32x4_splat(0xff);
        let mut x = 0;
        while x + 4 <= width {
            let px = load_u8(row, x * 4); // four pixels, one per 32-bit lane: r in the low byte
            let r = v128_and(px, byte);
            let g = v128_and(u32x4_shr(px, 8), byte);
            let b = v128_and(u32x4_shr(px, 16), byte);
            let sum = i32x4_add(
                i32x4_add(
                    i32x4_mul(r, i32x4_splat(77)),
                    i32x4_mul(g, i32x4_splat(150)),
                ),
                i32x4_mul(b, i32x4_splat(29)),
            );
            store_i32(out, x, i32x4_shr(sum, 8));
            x += 4;
        }
        for x in x..width {
            out[x] = luma(&row[x * 4..x * 4 + 4]);
        }
    }

    fn sobel(up: &[i32], mid: &[i32], down: &[i32], out: &mut [u8]) {
        let width = mid.len();
        let grey = |x: usize, v: u8, out: &mut [u8]| {
            out[x * 4..x * 4 + 4].copy_from_slice(&[v, v, v, 255])
        };
        if width > 0 {
            grey(0, sobel_at(up, mid, down, 0), out);
        }
        // Four pixels per step, from columns x - 1 ..= x + 4 (no clamping needed inside).
        let mut x = 1;
        while x + 5 <= width {
            let two = |v: v128| i32x4_shl(v, 1);
            let (ul, uc, ur) = (load_i32(up, x - 1), load_i32(up, x), load_i32(up, x + 1));
            let (ml, mr) = (load_i32(mid, x - 1), load_i32(mid, x + 1));
            let (dl, dc, dr) = (
                load_i32(down, x - 1),
                load_i32(down, x),
                load_i32(down, x + 1),
            );
            let gx = i32x4_sub(
                i32x4_add(i32x4_add(ur, two(mr)), dr),
                i32x4_add(i32x4_add(ul, two(ml)), dl),
            );
            let gy = i32x4_sub(
                i32x4_add(i32x4_add(dl, two(dc)), dr),
                i32x4_add(i32x4_add(ul, two(uc)), ur),
            );
            let v = i32x4_min(
                i32x4_shr(i32x4_add(i32x4_abs(gx), i32x4_abs(gy)), 1),
                i32x4_splat(255),
            );
            // [v, v, v, 255] per pixel, little-endian in each 32-bit lane.
            let px = v128_or(
                i32x4_mul(v, i32x4_splat(0x0001_0101)),
                u32x4_splat(0xff00_0000),
            );
            store_u8(out, x * 4, px);
            x += 4;
        }
        for x in x.max(1)..width {
            grey(x, sobel_at(up, mid, down, x), out);
        }
    }
}
