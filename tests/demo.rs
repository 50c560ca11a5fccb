//! The demo runs as a test: every scripted step must match, and the ACS log must be clean.

use facegate::bridge::demo::Demo;

#[tokio::test]
async fn the_scripted_morning_matches_every_expectation() {
    let mut demo = Demo::start().await.expect("demo starts");
    assert_eq!(
        demo.watcher.subscriptions().len(),
        2,
        "subscriptions registered"
    );
    let report = demo.play().await.expect("demo plays");
    let table = report.render();
    assert!(report.all_matched(), "{table}");
    assert_eq!(report.steps.len(), 10);
    assert!(report.acs_problems.is_empty(), "{table}");
    assert_eq!(
        report.allowpasses,
        [
            "ALLOWPASS 1 6 IN",
            "ALLOWPASS 2 7 OUT",
            "ALLOWPASS 2 6 OUT",
            "ALLOWPASS 1 8 IN"
        ]
    );
    assert!(table.contains("PASS: 10/10"));
    demo.stop().await.expect("demo stops");
}
