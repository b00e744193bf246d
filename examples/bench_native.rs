//! The native reference for `npm run bench`: runs the same benchmark cases as the browser build
//! (`playground::bench`), built from the same Rust code with the same compiler and release profile.
//!
//! Reads a plan on stdin — `{"cases": [{"id": "...", "case": "rayon_join", "args": {...}}]}` — and prints
//! `{"results": {id: [samples]}, "errors": {id: "message"}}` on stdout.
//!
//!     cargo run --release --example bench_native < plan.json

use std::io::Read;

use serde_json::{json, Map, Value};

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("bench_native: cannot read the plan: {e}");
        std::process::exit(2);
    }
    let plan: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bench_native: the plan is not JSON: {e}");
            std::process::exit(2);
        }
    };
    let mut results = Map::new();
    let mut errors = Map::new();
    for case in plan["cases"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let name = case["case"].as_str().unwrap_or("");
        match playground::bench::run(name, &case["args"]) {
            Ok(samples) => {
                results.insert(id, json!(samples));
            }
            Err(e) => {
                errors.insert(id, json!(e));
            }
        }
    }
    println!("{}", json!({ "results": results, "errors": errors }));
}
