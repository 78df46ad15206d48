use clap::Parser;

fn main() {
    let cli = kd_dba::cli::Cli::parse();
    // Logs go to stderr only: stdout belongs to MCP (stdio) or to the command's output. The hook
    // stays silent unless something is wrong (an assistant shows stderr to the user).
    let is_hook = matches!(cli.command, kd_dba::cli::Command::Hook(_));
    if !is_hook {
        let filter = tracing_subscriber::EnvFilter::try_from_env("KD_DBA_LOG")
            .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_env_filter(filter)
            .init();
    }
    // Deeply nested input is bounded by the limits, but analysis is recursive: run it on a thread
    // with a generous stack.
    let child = std::thread::Builder::new()
        .name("kd-dba".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || kd_dba::cli::run(cli));
    let code = match child {
        Ok(h) => h.join().unwrap_or(1),
        Err(e) => {
            eprintln!("kd-dba: cannot start: {e}");
            1
        }
    };
    std::process::exit(code);
}
