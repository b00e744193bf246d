//! Platform-neutral image kernels for the video-frame lab (curriculum row 10).
//!
//! - [`clip`]: a deterministic, procedurally generated RGBA clip (no download).
//! - [`filters`]: CPU-bound filters (a separable Gaussian blur, Sobel edges) that can compute any band of
//!   output rows on its own, so rows can be split among workers and the result is identical to the
//!   whole-frame result byte for byte. Their inner loops are `kernels` (the scalar reference) and, in the
//!   browser build, `simd` (the same arithmetic on 128-bit wasm vectors).
//!
//! Everything here is plain Rust on byte slices: the lesson runs it on wasm threads, in isolated
//! processes, and natively (the benchmark helper calls it from native Rust and wasm to compare speeds, so
//! keep this API stable). Integer arithmetic only, so every platform computes the same bytes.

pub mod clip;
pub mod filters;
mod kernels;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;

/// Bytes per pixel (RGBA).
pub const BYTES_PER_PIXEL: usize = 4;

/// Bytes in one `width` × `height` RGBA frame.
pub const fn frame_bytes(width: usize, height: usize) -> usize {
    width * height * BYTES_PER_PIXEL
}

/// FNV-1a (64-bit) of `bytes`: a cheap fingerprint to show that two outputs are the same.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// How many RGBA pixels differ between `a` and `b` (pixels present in only one count as different).
pub fn mismatched_pixels(a: &[u8], b: &[u8]) -> usize {
    let common = a
        .chunks(BYTES_PER_PIXEL)
        .zip(b.chunks(BYTES_PER_PIXEL))
        .filter(|(x, y)| x != y)
        .count();
    let (la, lb) = (a.len() / BYTES_PER_PIXEL, b.len() / BYTES_PER_PIXEL);
    common + la.max(lb) - la.min(lb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatches_count_pixels_not_bytes() {
        let a = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let mut b = a;
        assert_eq!(mismatched_pixels(&a, &b), 0);
        b[0] = 9;
        b[1] = 9;
        assert_eq!(mismatched_pixels(&a, &b), 1);
        assert_eq!(mismatched_pixels(&a, &b[..4]), 2);
        assert_ne!(fnv1a(&a), fnv1a(&b));
    }
}
