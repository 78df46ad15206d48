//! Router quality on the labelled prompt set (tests/data/router_prompts.jsonl): precision and
//! recall of activation, and how often the suggested command is the labelled one.

use kd_dba::role::{RouteRequest, route};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    text: String,
    stage: Option<String>,
    recent_context: Option<String>,
    activate: bool,
    command: Option<String>,
}

fn cases(file: &str) -> Vec<Case> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l}: {e}")))
        .collect()
}

struct Score {
    precision: f64,
    recall: f64,
    command_accuracy: f64,
    n: usize,
}

fn evaluate(file: &str, show: bool) -> Score {
    let cs = cases(file);
    let (mut tp, mut fp, mut fneg, mut cmd_ok, mut cmd_n) = (0, 0, 0, 0, 0);
    for c in &cs {
        let d = route(&RouteRequest {
            text: c.text.clone(),
            stage: c.stage.clone(),
            recent_context: c.recent_context.clone(),
        });
        match (d.activate, c.activate) {
            (true, true) => {
                tp += 1;
                cmd_n += 1;
                if d.command == c.command {
                    cmd_ok += 1;
                } else if show {
                    println!(
                        "  CMD  want {:?} got {:?}: {}",
                        c.command, d.command, c.text
                    );
                }
            }
            (true, false) => {
                fp += 1;
                if show {
                    println!("  FP   {:.1} {}: {}", d.score, d.reason, c.text);
                }
            }
            (false, true) => {
                fneg += 1;
                if show {
                    println!("  FN   {:.1} {}: {}", d.score, d.reason, c.text);
                }
            }
            (false, false) => {}
        }
    }
    Score {
        precision: tp as f64 / (tp + fp).max(1) as f64,
        recall: tp as f64 / (tp + fneg).max(1) as f64,
        command_accuracy: cmd_ok as f64 / cmd_n.max(1) as f64,
        n: cs.len(),
    }
}

#[test]
fn router_precision_and_recall_on_the_labelled_set() {
    let show = std::env::var("KD_DBA_SHOW_ROUTER").is_ok();
    let s = evaluate("tests/data/router_prompts.jsonl", show);
    println!(
        "router on {} labelled prompts: precision {:.3}, recall {:.3}, command accuracy {:.3}",
        s.n, s.precision, s.recall, s.command_accuracy
    );
    assert!(
        s.n >= 200,
        "the labelled set must hold at least 200 prompts"
    );
    assert!(s.precision >= 0.95, "precision {:.3} < 0.95", s.precision);
    assert!(s.recall >= 0.95, "recall {:.3} < 0.95", s.recall);
}

/// A second set, written by someone who never saw the router or the first set: an honest
/// estimate of how the router does on prompts it was not tuned on. It is reported, and guarded
/// against regressions with a lower floor.
#[test]
fn router_on_the_held_out_set() {
    let show = std::env::var("KD_DBA_SHOW_ROUTER").is_ok();
    let s = evaluate("tests/data/router_heldout.jsonl", show);
    println!(
        "router on {} held-out prompts: precision {:.3}, recall {:.3}, command accuracy {:.3}",
        s.n, s.precision, s.recall, s.command_accuracy
    );
    assert!(
        s.precision >= 0.85 && s.recall >= 0.85,
        "held-out precision {:.3} / recall {:.3} below 0.85",
        s.precision,
        s.recall
    );
}
