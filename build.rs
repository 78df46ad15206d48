//! Embeds `templates/` and `prompts/` into the binary so it runs from anywhere; a user directory
//! (`--templates DIR` or `KD_DBA_TEMPLATES`) overrides them file by file at run time.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let name = rel.to_string_lossy().replace('\\', "/");
            out.push((name, p));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut files = Vec::new();
    // Templates keep their path below templates/; prompts are namespaced as prompts/<file>.
    collect(
        &manifest.join("templates"),
        &manifest.join("templates"),
        &mut files,
    );
    let mut prompts = Vec::new();
    collect(
        &manifest.join("prompts"),
        &manifest.join("prompts"),
        &mut prompts,
    );
    for (name, p) in prompts {
        files.push((format!("prompts/{name}"), p));
    }
    let mut code = String::from(
        "/// Embedded templates and prompts: (name, content).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &files {
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(out, code).unwrap();
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=prompts");
    for (_, p) in &files {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
