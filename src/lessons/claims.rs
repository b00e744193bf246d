//! Each lesson's Python view is a real program: "Edit and run" opens it in the editor, and
//! `python/tests/lesson_programs.rs` runs every one in the interpreter at small parameters and checks
//! that its own output shows the lesson's claim. Each lesson says how, in [`super::Lesson::python_check`];
//! the helpers here read numbers out of what a program printed.

/// What a lesson's program did, for its claim.
pub struct ProgramRun<'a> {
    pub stdout: &'a [String],
    pub stderr: &'a str,
    pub exit_code: i32,
    /// The deadlock detector found a cycle (the run was ended).
    pub deadlock: bool,
}

/// How a lesson's Python view is checked in the interpreter.
pub enum PythonCheck {
    /// Run at `params` (the others at their defaults), with the GIL or free-threaded; `claim` judges it.
    Runs {
        params: &'static [(&'static str, i64)],
        gil: bool,
        claim: fn(&ProgramRun) -> Result<(), String>,
    },
    /// Not runnable in the interpreter yet, and why.
    NotYet(&'static str),
}

/// The number that follows `prefix` on the first line that starts with it ("threads: 0.31 s" → 0.31).
pub fn number_after(run: &ProgramRun, prefix: &str) -> Result<f64, String> {
    numbers_after(run, prefix)
        .into_iter()
        .next()
        .ok_or_else(|| {
            format!(
                "no line starts with {prefix:?}; the program printed {:?}",
                run.stdout
            )
        })
}

/// The first number after `prefix` on every line that starts with it.
pub fn numbers_after(run: &ProgramRun, prefix: &str) -> Vec<f64> {
    run.stdout
        .iter()
        .filter_map(|line| line.trim_start().strip_prefix(prefix))
        .filter_map(|rest| {
            let start = rest.find(|c: char| c.is_ascii_digit())?;
            let digits: String = rest[start..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// The median over a program's repeats of `numerator / denominator`, the i-th number after
/// `numerator_prefix` over the i-th after `denominator_prefix`. A claim about speed compares times
/// measured next to each other, repeated: a single pair can be off by 2× when the machine is busy in
/// between (the native tier's runs on a 2-core machine were, once in a few runs).
pub fn median_ratio(
    run: &ProgramRun,
    numerator_prefix: &str,
    denominator_prefix: &str,
) -> Result<f64, String> {
    let numerators = numbers_after(run, numerator_prefix);
    let denominators = numbers_after(run, denominator_prefix);
    let ratios: Vec<f64> = numerators
        .iter()
        .zip(&denominators)
        .filter(|(_, d)| **d > 0.0)
        .map(|(n, d)| n / d)
        .collect();
    claim(
        !ratios.is_empty() && numerators.len() == denominators.len(),
        || {
            format!(
                "expected as many lines starting with {numerator_prefix:?} as with \
                 {denominator_prefix:?} (and a time above 0); the program printed {:?}",
                run.stdout
            )
        },
    )?;
    Ok(super::spread(&ratios).0)
}

/// How many printed lines equal `text`.
pub fn count_lines(run: &ProgramRun, text: &str) -> usize {
    run.stdout.iter().filter(|l| l.as_str() == text).count()
}

/// `Ok` when `ok`, else `message`.
pub fn claim(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

/// The program ended normally.
pub fn finished(run: &ProgramRun) -> Result<(), String> {
    claim(run.exit_code == 0 && !run.deadlock, || {
        format!(
            "the program ended with exit code {}: {}",
            run.exit_code, run.stderr
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_after_their_prefix() {
        let out = [
            "threads: 0.31 s".to_string(),
            "  2 threads: I/O 0.21 s".into(),
            "add_locked: expected 80000, got 80000".into(),
        ];
        let run = ProgramRun {
            stdout: &out,
            stderr: "",
            exit_code: 0,
            deadlock: false,
        };
        assert_eq!(number_after(&run, "threads:"), Ok(0.31));
        assert_eq!(numbers_after(&run, "2 threads: I/O"), vec![0.21]);
        assert_eq!(number_after(&run, "add_locked: expected"), Ok(80000.0));
        assert!(number_after(&run, "nope")
            .unwrap_err()
            .contains("no line starts with"));
    }

    #[test]
    fn a_ratio_is_the_median_over_the_repeats() {
        let out: Vec<String> = [
            "seq: 100 ms",
            "thr: 90 ms",
            "seq: 50 ms",
            "thr: 100 ms",
            "seq: 100 ms",
            "thr: 120 ms",
        ]
        .map(String::from)
        .to_vec();
        let run = ProgramRun {
            stdout: &out,
            stderr: "",
            exit_code: 0,
            deadlock: false,
        };
        // The ratios are 0.9, 2.0 and 1.2: one noisy pair does not decide.
        assert_eq!(median_ratio(&run, "thr:", "seq:"), Ok(1.2));
        let uneven = ProgramRun {
            stdout: &out[..5],
            ..run
        };
        assert!(median_ratio(&uneven, "thr:", "seq:").is_err());
        assert!(median_ratio(&run, "thr:", "nope").is_err());
    }
}
