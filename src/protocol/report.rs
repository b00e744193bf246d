//! A lesson's report, as the page draws it: a verdict, tables and charts, all from measured values.
//!
//! A lesson puts a [`Report`] under `values.report` next to its raw measurements (which the tests read);
//! the page draws any report the same way (`www/results.js`, checked by `tsc` against these types), so a
//! new lesson needs no new front-end code. The lessons build reports with `lessons::report`, which adds
//! the number formats they share.

use serde::Serialize;
use ts_rs::TS;

#[derive(Serialize, Clone, Debug, Default, TS)]
pub struct Report {
    /// One or two sentences: what this run showed, in the measured numbers.
    pub verdict: String,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
    /// Smaller print: how it was measured, caveats.
    pub notes: Vec<String>,
}

#[derive(Serialize, Clone, Debug, TS)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Cells drawn as good or bad news (lost updates in red, none in green).
    pub marks: Vec<Mark>,
}

/// A cell of a table drawn in a tone.
#[derive(Serialize, Clone, Debug, PartialEq, TS)]
pub struct Mark {
    pub row: usize,
    pub column: usize,
    pub tone: Tone,
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq, TS)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Good,
    Bad,
}

/// A line chart: measured series and model curves over a numeric x axis.
#[derive(Serialize, Clone, Debug, TS)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Vertical markers such as "cores = 2".
    pub markers: Vec<Marker>,
}

#[derive(Serialize, Clone, Debug, TS)]
pub struct Series {
    pub name: String,
    /// "measured" (solid, with points) or "model" (dashed).
    #[ts(type = "\"measured\" | \"model\"")]
    pub style: &'static str,
    pub points: Vec<(f64, f64)>,
}

#[derive(Serialize, Clone, Debug, TS)]
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
