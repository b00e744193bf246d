//! CPU-bound filters on RGBA frames, computed band by band.
//!
//! [`filter_rows`] computes any band of output rows from the whole source frame, reading the rows around
//! the band it needs (a separable blur runs its horizontal pass for those rows into local scratch). So
//! rows can be split among threads or processes in any way and the bytes come out identical to
//! [`filter_frame`]. Borders repeat the edge pixel. Integer arithmetic only: the same bytes on every
//! platform.

use std::ops::Range;

use super::kernels::{RowKernels, Scalar, RADIUS, TAPS};
use super::BYTES_PER_PIXEL;

/// The row kernels this build runs: explicit SIMD in the browser build, the scalar reference elsewhere.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Fast = super::simd::Simd;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Fast = Scalar;

/// A filter the learner can choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Filter {
    /// A separable Gaussian blur (σ = 2.5, 13 taps each way) on all four channels.
    Blur,
    /// Sobel edge magnitude of the luminance, as grey (alpha 255).
    Sobel,
}

impl Filter {
    /// Every filter, in the order of the lesson's `filter` parameter (0, 1, …).
    pub const ALL: [Filter; 2] = [Filter::Blur, Filter::Sobel];

    /// The filter numbered `index` in [`Filter::ALL`] (out of range: the first).
    pub fn from_index(index: i64) -> Filter {
        usize::try_from(index)
            .ok()
            .and_then(|i| Filter::ALL.get(i).copied())
            .unwrap_or(Filter::Blur)
    }

    pub fn label(self) -> &'static str {
        match self {
            Filter::Blur => "Gaussian blur (13×13, separable)",
            Filter::Sobel => "Sobel edges",
        }
    }

    /// A short name for code and tables.
    pub fn name(self) -> &'static str {
        match self {
            Filter::Blur => "blur",
            Filter::Sobel => "sobel",
        }
    }
}

/// Applies `filter` to the whole `width` × `height` frame `src`, writing all of `dst`.
pub fn filter_frame(filter: Filter, src: &[u8], dst: &mut [u8], width: usize, height: usize) {
    filter_rows(filter, src, dst, width, height, 0..height);
}

/// Computes output rows `rows` of `filter` applied to the whole frame `src` (`width` × `height` RGBA)
/// and writes them to `dst`, which holds exactly those rows: `dst[0..width*4]` is row `rows.start`.
/// (To fill part of a whole output frame, pass `&mut frame[rows.start * width * 4..rows.end * width * 4]`;
/// `chunks_mut`/`par_chunks_mut` of a frame give such slices.)
///
/// Never panics on inconsistent sizes: rows past `height`, rows that do not fit in `dst` and a `src`
/// shorter than a frame are left out (nothing is written for them).
pub fn filter_rows(
    filter: Filter,
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
) {
    filter_rows_with(filter, src, dst, width, height, rows, &mut || {});
}

/// [`filter_rows`], calling `on_row` after each row it computes (each row of a blur's horizontal pass
/// and each output row): a switch point for the emulated GIL, one per row as in a Python loop.
pub fn filter_rows_with(
    filter: Filter,
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
    on_row: &mut dyn FnMut(),
) {
    filter_rows_by::<Fast>(filter, src, dst, width, height, rows, on_row);
}

/// [`filter_rows`] computed by the plain scalar loops that define the filters' output, whatever this
/// build's fast kernels are (the wasm tests compare the two).
pub fn filter_rows_reference(
    filter: Filter,
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
) {
    filter_rows_by::<Scalar>(filter, src, dst, width, height, rows, &mut || {});
}

fn filter_rows_by<K: RowKernels>(
    filter: Filter,
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
    on_row: &mut dyn FnMut(),
) {
    let stride = width * BYTES_PER_PIXEL;
    if width == 0 || height == 0 || src.len() < stride * height {
        return;
    }
    let end = rows.end.min(height);
    let start = rows.start.min(end);
    let fits = dst.len() / stride;
    let end = end.min(start + fits);
    if start == end {
        return;
    }
    let dst = &mut dst[..(end - start) * stride];
    match filter {
        Filter::Blur => blur_rows::<K>(src, dst, width, height, start..end, on_row),
        Filter::Sobel => sobel_rows::<K>(src, dst, width, height, start..end, on_row),
    }
}

/// The separable blur: a horizontal pass over the source rows the band needs (band ± radius, clamped)
/// into scratch with 8 extra bits of precision, then a vertical pass into `dst`.
fn blur_rows<K: RowKernels>(
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
    on_row: &mut dyn FnMut(),
) {
    let stride = width * BYTES_PER_PIXEL;
    let first = rows.start.saturating_sub(RADIUS);
    let last = (rows.end + RADIUS).min(height); // exclusive
    let mut scratch = vec![0u16; (last - first) * stride];
    for (y, out) in (first..last).zip(scratch.chunks_exact_mut(stride)) {
        K::blur_h(&src[y * stride..(y + 1) * stride], out);
        on_row();
    }
    let scratch = &*scratch;
    for (y, out) in rows.zip(dst.chunks_exact_mut(stride)) {
        let taps: [&[u16]; TAPS] = std::array::from_fn(|k| {
            let sy = (y + k).saturating_sub(RADIUS).min(height - 1);
            &scratch[(sy - first) * stride..(sy - first + 1) * stride]
        });
        K::blur_v(&taps, out);
        on_row();
    }
}

/// Sobel edges: luminance of the rows the band needs (band ± 1, clamped) into scratch, then the 3×3
/// gradient magnitude |gx| + |gy| (halved, capped at 255) as grey.
fn sobel_rows<K: RowKernels>(
    src: &[u8],
    dst: &mut [u8],
    width: usize,
    height: usize,
    rows: Range<usize>,
    on_row: &mut dyn FnMut(),
) {
    let stride = width * BYTES_PER_PIXEL;
    let first = rows.start.saturating_sub(1);
    let last = (rows.end + 1).min(height);
    let mut lum = vec![0i32; (last - first) * width];
    for (y, out) in (first..last).zip(lum.chunks_exact_mut(width)) {
        K::luma(&src[y * stride..(y + 1) * stride], out);
    }
    let lum = &*lum;
    let row = |y: usize| &lum[(y - first) * width..(y - first + 1) * width];
    for (y, out) in rows.zip(dst.chunks_exact_mut(stride)) {
        let (ym, yp) = (y.saturating_sub(1), (y + 1).min(height - 1));
        K::sobel(row(ym), row(y), row(yp), out);
        on_row();
    }
}

#[cfg(test)]
mod tests {
    use super::super::clip::generate_frame;
    use super::*;

    fn whole(filter: Filter, src: &[u8], w: usize, h: usize) -> Vec<u8> {
        let mut out = vec![0u8; w * h * 4];
        filter_frame(filter, src, &mut out, w, h);
        out
    }

    #[test]
    fn row_split_equals_whole_frame() {
        let (w, h) = (37, 29);
        let src = generate_frame(5, w, h);
        for filter in Filter::ALL {
            let reference = whole(filter, &src, w, h);
            for band in [1, 2, 3, 7, 13, 29, 40] {
                let mut out = vec![0u8; w * h * 4];
                for (i, chunk) in out.chunks_mut(band * w * 4).enumerate() {
                    let start = i * band;
                    filter_rows(filter, &src, chunk, w, h, start..start + band);
                }
                assert_eq!(out, reference, "{filter:?} in bands of {band} rows");
            }
        }
    }

    #[test]
    fn edges_of_a_flat_image_are_zero_and_blur_keeps_it() {
        let (w, h) = (20, 11);
        let flat: Vec<u8> = [83u8, 140, 7, 255].repeat(w * h);
        let edges = whole(Filter::Sobel, &flat, w, h);
        assert!(
            edges.chunks(4).all(|p| p == [0, 0, 0, 255]),
            "{:?}",
            &edges[..8]
        );
        assert_eq!(whole(Filter::Blur, &flat, w, h), flat);
    }

    #[test]
    fn filters_change_a_real_frame() {
        let (w, h) = (64, 36);
        let src = generate_frame(2, w, h);
        let blurred = whole(Filter::Blur, &src, w, h);
        let edges = whole(Filter::Sobel, &src, w, h);
        assert_ne!(blurred, src);
        assert!(
            edges.chunks(4).filter(|p| p[0] > 60).count() > 20,
            "edges found"
        );
    }

    #[test]
    fn inconsistent_sizes_write_nothing_instead_of_panicking() {
        let src = generate_frame(0, 8, 4);
        let mut dst = vec![7u8; 8 * 4];
        filter_rows(Filter::Blur, &src, &mut dst, 8, 4, 3..10); // one row fits and exists
        filter_rows(Filter::Sobel, &src[..10], &mut dst, 8, 4, 0..1); // short source: nothing
        filter_rows(Filter::Blur, &src, &mut [], 8, 4, 0..4);
        let mut calls = 0;
        let mut whole = vec![0u8; 8 * 4 * 4];
        filter_rows_with(Filter::Sobel, &src, &mut whole, 8, 4, 0..4, &mut || {
            calls += 1
        });
        assert_eq!(calls, 4, "one switch point per output row");
        assert_eq!(Filter::from_index(1), Filter::Sobel);
        assert_eq!(Filter::from_index(9), Filter::Blur);
    }
}
