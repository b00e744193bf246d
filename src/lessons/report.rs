//! What most lessons show after a run: a [`Report`] (its types are in the protocol, `protocol::report`,
//! since the page reads them) and the number formats the reports share.

pub use crate::protocol::report::{Chart, Mark, Marker, Report, Series, Table, Tone};

/// Milliseconds as the page shows them.
pub fn ms(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

/// Median with its range, from repeated measurements.
pub fn spread_text(samples: &[f64]) -> String {
    let (median, min, max) = super::spread(samples);
    if samples.len() < 2 {
        ms(median)
    } else {
        format!("{} ({} – {})", ms(median), ms(min), ms(max))
    }
}

/// Bytes in KiB or MiB.
pub fn bytes(n: f64) -> String {
    if n >= 1024.0 * 1024.0 {
        format!("{:.2} MiB", n / 1024.0 / 1024.0)
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n:.0} B")
    }
}

/// A whole number with thousands separators, as the page shows counts ("1,000,000").
pub fn int(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn int_groups_thousands() {
        assert_eq!(super::int(0u64), "0");
        assert_eq!(super::int(999u64), "999");
        assert_eq!(super::int(1_000u64), "1,000");
        assert_eq!(super::int(1_757_390u64), "1,757,390");
        assert_eq!(super::int(-12_345i64), "-12,345");
    }
}
