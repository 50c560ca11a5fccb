//! The report as a plain-text table.

use std::fmt::Write as _;

use super::report::Report;

fn ms(us: f64) -> String {
    format!("{:.3}", us / 1_000.0)
}

/// The report as a plain-text table.
pub fn render_table(r: &Report) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(s, "target        {}", r.target);
    let _ = writeln!(
        s,
        "mode          {} ({} connections)",
        r.mode, r.connections
    );
    let _ = writeln!(
        s,
        "offered       {:.0} events/s for {:.1} s ({} events)",
        r.offered_rate, r.duration_s, r.scheduled
    );
    let _ = writeln!(
        s,
        "sent          {} ({:.1}/s; max send lag {} ms)",
        r.sent,
        r.achieved_send_rate,
        ms(r.max_send_lag_us)
    );
    let _ = writeln!(s, "accepted      {} (2xx)", r.accepted);
    let _ = writeln!(
        s,
        "completed     {} ALLOWPASS matched ({:.1}/s)",
        r.completed, r.completion_rate
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "latency (ms)     {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "p50", "p90", "p99", "p99.9", "max", "mean"
    );
    for (name, q) in [
        ("from send", &r.latency_from_send),
        ("from intended", &r.latency_from_intended),
    ] {
        let _ = writeln!(
            s,
            "{name:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            ms(q.p50_us),
            ms(q.p90_us),
            ms(q.p99_us),
            ms(q.p999_us),
            ms(q.max_us),
            ms(q.mean_us)
        );
    }
    let _ = writeln!(s);
    if r.errors.is_empty() {
        let _ = writeln!(s, "errors        none");
    } else {
        let _ = writeln!(s, "errors");
        for (k, n) in &r.errors {
            let _ = writeln!(s, "  {k:<24} {n}");
        }
    }
    match &r.bridge_rss {
        Some(rss) => {
            let _ = writeln!(
                s,
                "bridge RSS    peak (VmHWM) {} KiB, max sampled {} KiB, at end {} KiB",
                rss.peak_kib.map_or("?".to_owned(), |k| k.to_string()),
                rss.max_sampled_kib,
                rss.last_kib
            );
        }
        None => {
            let _ = writeln!(s, "bridge RSS    not measured (pid unknown)");
        }
    }
    s
}
