//! A procedurally generated clip: a drifting gradient, moving discs and bars with hard edges, a checker
//! patch and per-pixel noise, so both a blur and an edge filter visibly change it. Deterministic: frame
//! `i` is always the same bytes, on every platform (integer arithmetic only).

use super::frame_bytes;

/// A position that bounces between 0 and `span` as `t` grows (a triangle wave).
fn bounce(t: i64, span: i64) -> i64 {
    if span <= 0 {
        return 0;
    }
    let period = 2 * span;
    let p = t.rem_euclid(period);
    if p <= span {
        p
    } else {
        period - p
    }
}

/// A small integer hash for noise that does not move with the shapes.
fn noise(x: usize, y: usize, i: usize) -> u32 {
    let mut h = (x as u32).wrapping_mul(0x9E37_79B1)
        ^ (y as u32).wrapping_mul(0x85EB_CA77)
        ^ (i as u32).wrapping_mul(0xC2B2_AE3D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    h
}

/// Frame `index` of the clip at `width` × `height`, as RGBA bytes (row-major, alpha 255).
pub fn generate_frame(index: usize, width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0u8; frame_bytes(width, height)];
    let (w, h, t) = (width as i64, height as i64, index as i64);
    let r1 = (h / 5).max(2);
    let r2 = (h / 8).max(2);
    let discs = [
        // (centre x, centre y, radius, colour)
        (
            bounce(t * (w / 40).max(1), w),
            bounce(t * (h / 50).max(1) + h / 3, h),
            r1,
            [240u8, 200, 40],
        ),
        (
            bounce(t * (w / 25).max(1) + w / 2, w),
            bounce(t * (h / 30).max(1), h),
            r2,
            [30, 120, 230],
        ),
    ];
    let bar_x = bounce(t * (w / 60).max(1) + w / 4, w);
    let bar_w = (w / 24).max(1);
    let stripe_y = bounce(t * 2, h);
    let check = (h / 12).max(2);
    for y in 0..height {
        for x in 0..width {
            let (xi, yi) = (x as i64, y as i64);
            // A background gradient that drifts with time.
            let mut rgb = [
                ((xi * 200 / w.max(1) + t * 3) % 256) as u8,
                ((yi * 180 / h.max(1) + 40) % 256) as u8,
                (((xi + yi) * 120 / (w + h).max(1) + 90 - t % 60) as u8),
            ];
            // A checker patch in the lower left: many hard edges.
            if xi < w / 3 && yi > h * 2 / 3 && ((xi / check) + (yi / check)) % 2 == 0 {
                rgb = [230, 230, 230];
            }
            // A vertical bar and a horizontal stripe, moving.
            if (xi - bar_x).abs() < bar_w {
                rgb = [200, 40, 60];
            }
            if (yi - stripe_y).abs() < 2 {
                rgb = [20, 20, 20];
            }
            for (cx, cy, r, colour) in discs {
                let (dx, dy) = (xi - cx, yi - cy);
                if dx * dx + dy * dy <= r * r {
                    rgb = colour;
                }
            }
            // Noise: ±8 on each channel.
            let n = noise(x, y, index);
            let px = (y * width + x) * 4;
            for c in 0..3 {
                let jitter = ((n >> (8 * c)) & 15) as i32 - 8;
                out[px + c] = (i32::from(rgb[c]) + jitter).clamp(0, 255) as u8;
            }
            out[px + 3] = 255;
        }
    }
    out
}

/// `frames` frames of the clip, one after another in one buffer.
pub fn generate_clip(frames: usize, width: usize, height: usize) -> Vec<u8> {
    let mut clip = Vec::with_capacity(frames * frame_bytes(width, height));
    for i in 0..frames {
        clip.extend_from_slice(&generate_frame(i, width, height));
    }
    clip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_deterministic_and_move() {
        let a = generate_frame(3, 64, 36);
        assert_eq!(a.len(), 64 * 36 * 4);
        assert_eq!(a, generate_frame(3, 64, 36));
        assert_ne!(a, generate_frame(4, 64, 36), "the clip moves");
        assert!(a.chunks(4).all(|p| p[3] == 255), "opaque");
        let distinct: std::collections::HashSet<&[u8]> = a.chunks(4).collect();
        assert!(distinct.len() > 100, "not a flat image");
        assert_eq!(generate_clip(2, 8, 4).len(), 2 * 8 * 4 * 4);
    }

    #[test]
    fn bounce_stays_in_range() {
        for t in -50..50 {
            assert!((0..=10).contains(&bounce(t, 10)));
        }
        assert_eq!(bounce(5, 0), 0);
    }
}
