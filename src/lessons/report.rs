//! What most lessons show after a run: a verdict, tables and charts, all from measured values.
//!
//! A lesson puts a [`Report`] under `values.report` next to its raw measurements (which the tests read);
//! the page draws any report the same way, so a new lesson needs no new front-end code.

use serde::Serialize;

#[derive(Serialize, Clone, Debug, Default)]
pub struct Report {
    /// One or two sentences: what this run showed, in the measured numbers.
    pub verdict: String,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
    /// Smaller print: how it was measured, caveats.
    pub notes: Vec<String>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Cells drawn as good or bad news (lost updates in red, none in green).
    pub marks: Vec<Mark>,
}

/// A cell of a table drawn in a tone.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Mark {
    pub row: usize,
    pub column: usize,
    pub tone: Tone,
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Good,
    Bad,
}

/// A line chart: measured series and model curves over a numeric x axis.
#[derive(Serialize, Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Vertical markers such as "cores = 2".
    pub markers: Vec<Marker>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Series {
    pub name: String,
    /// "measured" (solid, with points) or "model" (dashed).
    pub style: &'static str,
    pub points: Vec<(f64, f64)>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

impl Report {
    pub fn new(verdict: impl Into<String>) -> Self {
        Report {
            verdict: verdict.into(),
            ..Default::default()
        }
    }

    pub fn table(
        mut self,
        caption: impl Into<String>,
        headers: &[&str],
        rows: Vec<Vec<String>>,
    ) -> Self {
        self.tables.push(Table {
            caption: caption.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows,
            marks: Vec::new(),
        });
        self
    }

    /// Draws cell (`row`, `column`) of the last table added in `tone`.
    pub fn mark(mut self, row: usize, column: usize, tone: Tone) -> Self {
        if let Some(table) = self.tables.last_mut() {
            table.marks.push(Mark { row, column, tone });
        }
        self
    }

    pub fn chart(mut self, chart: Chart) -> Self {
        self.charts.push(chart);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

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
