//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn build_report(queue: &ChannelResult, pipe: &ChannelResult, in_order: bool) -> Report {
    let delays = |c: &ChannelResult| c.messages.iter().map(|m| m.delay_ms).collect::<Vec<_>>();
    let order_text: Vec<String> = queue.items.iter().map(Value::to_string).collect();
    let verdict = format!(
        "The main process got {} from the producer's queue, {}; each item crossed as {} of text, \
         {} after it was put (median). Over the pipe {} messages of {} to {} arrived, {} after each send (median).",
        order_text.join(", "),
        if in_order {
            "in the order they were put"
        } else {
            "NOT in the order they were put"
        },
        byte_range(queue),
        delay_text(crate::lessons::spread(&delays(queue)).0),
        pipe.messages.len(),
        pipe.messages.iter().map(|m| m.bytes).min().map_or("—".into(), |b| format!("{b} B")),
        pipe.messages.iter().map(|m| m.bytes).max().map_or("—".into(), |b| format!("{b} B")),
        delay_text(crate::lessons::spread(&delays(pipe)).0),
    );
    let rows = |c: &ChannelResult| -> Vec<Vec<String>> {
        c.messages
            .iter()
            .map(|m| {
                vec![
                    m.order.to_string(),
                    shown(&m.payload),
                    format!("{} B", m.bytes),
                    delay_text(m.delay_ms),
                ]
            })
            .collect()
    };
    Report::new(verdict)
        .table(
            format!("Queue: {} → MainProcess, in arrival order", queue.process),
            &["#", "Message (as sent)", "Size", "Delay put → get"],
            rows(queue),
        )
        .table(
            format!("Pipe: {} → MainProcess, in arrival order", pipe.process),
            &["#", "Message (as sent)", "Size", "Delay send → recv"],
            rows(pipe),
        )
        .note(
            "Each process is a separate WebAssembly instance in its own worker, with its own memory. A \
             message is serialized to text in the sender's memory and copied into the receiver's (Python \
             pickles it instead, so its sizes differ a little). Sizes are the bytes of that text.",
        )
        .note(
            "The delay is measured on one clock shared by all workers, from the moment the child sent the \
             message to the moment the main process's event loop received it. Messages that arrive while the \
             main process is busy wait in line, so later items of a burst can take longer.",
        )
}

pub(super) fn byte_range(c: &ChannelResult) -> String {
    let min = c.messages.iter().map(|m| m.bytes).min().unwrap_or(0);
    let max = c.messages.iter().map(|m| m.bytes).max().unwrap_or(0);
    if min == max {
        format!("{min} B")
    } else {
        format!("{min}–{max} B")
    }
}

pub const QUESTION: Question = Question::choices(
    "The producer process puts 0, 1, 2, … on a multiprocessing.Queue. In what order does the main process get them?",
    &[
        choice("order", "In the order they were put"),
        choice("reverse", "Newest first"),
        choice("random", "In any order"),
    ],
);

/// From the queue's items in the order the main process got them.
pub(super) fn answer(items: &[Value]) -> Answer {
    let numbers: Vec<f64> = items
        .iter()
        .map(|v| v.as_f64().unwrap_or(f64::NAN))
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort_by(f64::total_cmp);
    let correct = if numbers.iter().zip(&sorted).all(|(a, b)| a == b) {
        "order"
    } else if numbers.iter().zip(sorted.iter().rev()).all(|(a, b)| a == b) {
        "reverse"
    } else {
        "random"
    };
    let shown: Vec<String> = items.iter().map(Value::to_string).collect();
    Answer::choice(
        correct,
        format!("The main process got {}.", shown.join(", ")),
    )
}
