//! Tests of the frames lesson.

use super::*;
use crate::lessons::prepare;
use crate::protocol::{Attachment, RunRequest};

/// The frames tests are the heaviest: one at a time, so they do not starve each other's timings.
static FRAMES_TESTS: Mutex<()> = Mutex::new(());

#[test]
fn a_small_run_gives_the_same_pixels_every_way() {
    let _one = FRAMES_TESTS.lock().unwrap_or_else(|p| p.into_inner());
    let outcome = crate::lessons::run_for_test(
        "frames",
        json!({ "frames": 6, "width": 64, "filter": 0, "workers": 2, "max_workers": 3, "repeats": 2, "cores": 2 }),
    );
    assert_eq!(outcome.error, None);
    let v = &outcome.values;
    assert_eq!(v["height"], 36);
    let modes = v["modes"].as_array().unwrap();
    let names: Vec<&str> = modes.iter().map(|m| m["mode"].as_str().unwrap()).collect();
    assert_eq!(names, ["sequential", "pool", "processes", "gil_threads"]);
    let seq_hash = v["sequential_hash"].as_str().unwrap();
    for m in modes {
        assert_eq!(m["mismatched_pixels"], 0, "{m}");
        assert_eq!(m["hash"], seq_hash, "{m}");
    }
    let frame = 64 * 36 * 4;
    assert_eq!(v["processes"]["bytes_copied"], 6 * frame * 2);
    assert_eq!(v["processes"]["messages"], 6);
    assert_eq!(v["modes"][1]["samples"].as_array().unwrap().len(), 2);
    let sweep = v["sweep"].as_array().unwrap();
    assert_eq!(sweep.len(), 3);
    assert!(sweep.iter().all(|p| p["mismatched_pixels"] == 0));
    assert!(outcome.lanes.iter().any(|l| l.name == "SpawnPoolWorker-2"));
    assert!(outcome.lanes.iter().any(|l| l.name == "Thread-1 (worker)"));
    let [Attachment::FramePlayback {
        original,
        processed,
        frames: 6,
        ..
    }] = outcome.attachments.as_slice()
    else {
        panic!(
            "one clip of 6 frames to play: {:?}",
            outcome.attachments.len()
        );
    };
    assert_eq!(processed.len(), 6 * frame);
    assert_eq!(original.len(), 6 * frame);
    assert_ne!(processed, original, "the blur changed the frames");
    assert!(v["report"]["verdict"]
        .as_str()
        .unwrap()
        .contains("same pixels"));
}

#[test]
fn sobel_runs_too_and_big_clips_are_capped() {
    let _one = FRAMES_TESTS.lock().unwrap_or_else(|p| p.into_inner());
    let outcome = crate::lessons::run_for_test(
        "frames",
        json!({ "frames": 4, "width": 80, "filter": 1, "workers": 1, "max_workers": 1, "repeats": 1, "cores": 1 }),
    );
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.values["filter"], "sobel");
    assert!(outcome.values["modes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["mismatched_pixels"] == 0));
    let prepared = prepare(&RunRequest {
        lesson: "frames".into(),
        params: json!({ "frames": 240, "width": 1280, "workers": 3, "max_workers": 5, "cores": 2 }),
    })
    .unwrap();
    // 1280×720×4 = 3.5 MiB a frame: 13 fit in 48 MiB.
    assert_eq!(prepared.params.get("frames"), 13);
    assert_eq!(prepared.notices.len(), 1);
    assert_eq!(prepared.threads_needed, 6);
}

#[test]
fn band_geometry_covers_every_row_once() {
    let job = Job {
        clip: Arc::new(Vec::new()),
        frames: 2,
        width: 8,
        height: 270,
        filter: Filter::Blur,
    };
    let rows: usize = (0..job.chunks()).map(|c| job.chunk(c).1.len()).sum();
    assert_eq!(rows, 2 * 270);
    assert_eq!(height_for(480), 270);
    assert_eq!(height_for(100), 56);
}
