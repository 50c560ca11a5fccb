use facegate_bridge::subscriptions::{run, PeerArgs, SubscriptionsCommand};
use sim::watcher::EventType;

use crate::common::{self, ours, PUBLIC, TOKEN};

async fn exec(cmd: &SubscriptionsCommand) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(cmd, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn peer(config: &std::path::Path) -> PeerArgs {
    PeerArgs {
        config: config.to_path_buf(),
        timeout: "5s".into(),
    }
}

/// (event type, notification type, notify url) of every subscription, sorted.
fn on_server(w: &sim::watcher::WatcherSimHandle) -> Vec<(String, Option<String>, String)> {
    let mut v: Vec<_> = w
        .subscriptions()
        .into_iter()
        .map(|s| {
            (
                s.event_type.as_str().to_owned(),
                s.notification_type,
                s.notify_url,
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_creates_missing_removes_stale_ours_leaves_others_and_is_idempotent() {
    let w = common::watcher().await;
    let state = w.state();
    let foreign = "http://crm.example/hook".to_string();
    let old_token = format!("{PUBLIC}/watcher/events/old-token-0123456789abcdef0123456789");
    state
        .add_subscription(EventType::PushPersonList, Some("1".into()), ours())
        .unwrap();
    state
        .add_subscription(EventType::PushPersonList, Some("3".into()), ours())
        .unwrap();
    state
        .add_subscription(EventType::PushPersonList, Some("1".into()), foreign.clone())
        .unwrap();
    state
        .add_subscription(
            EventType::PushPersonList,
            Some("2".into()),
            old_token.clone(),
        )
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{}",
        common::watcher_section(&w.base_url(), &[1, 2]),
        common::acs_section("127.0.0.1:3312".parse().unwrap()),
        common::door("entrance", 1),
        common::TABLE_IDENTITY
    );
    let config = common::site(dir.path(), &body, "135,6\n");
    let sync = SubscriptionsCommand::Sync(peer(&config));

    let (code, out, err) = exec(&sync).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created  5 push_person_list 2"), "{out}");
    assert!(
        out.contains("deleted  2 push_person_list 3 (ours, not in the config)"),
        "{out}"
    );
    assert!(
        out.contains("sync: 1 created, 1 deleted, 1 kept, 2 not ours left alone"),
        "{out}"
    );
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    let pl = |n: &str, url: &str| {
        (
            "push_person_list".to_string(),
            Some(n.to_string()),
            url.to_string(),
        )
    };
    let want = {
        let mut v = vec![
            pl("1", &ours()),
            pl("2", &ours()),
            pl("1", &foreign),
            pl("2", &old_token),
        ];
        v.sort();
        v
    };
    assert_eq!(on_server(&w), want);

    let (code, out, _) = exec(&sync).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("sync: 0 created, 0 deleted, 2 kept, 2 not ours left alone"),
        "{out}"
    );
    assert_eq!(on_server(&w), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_redacts_tokens_and_says_which_are_ours_and_delete_removes_only_ours() {
    let w = common::watcher().await;
    let state = w.state();
    state
        .add_subscription(EventType::PushPersonList, Some("1".into()), ours())
        .unwrap();
    let foreign = state
        .add_subscription(
            EventType::PushPersonSingle,
            Some("135".into()),
            "http://crm.example/hook?key=s3cret".into(),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{}",
        common::watcher_section(&w.base_url(), &[1]),
        common::acs_section("127.0.0.1:3312".parse().unwrap()),
        common::door("entrance", 1),
        common::TABLE_IDENTITY
    );
    let config = common::site(dir.path(), &body, "135,6\n");

    let (code, out, err) = exec(&SubscriptionsCommand::List(peer(&config))).await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("ID  EVENT TYPE"), "{out}");
    assert!(
        lines[1].contains("http://bridge.test:8080/watcher/events/<token>")
            && lines[1].ends_with("yes"),
        "{out}"
    );
    assert!(
        lines[2].contains("http://crm.example/hook?<redacted>") && lines[2].ends_with("no"),
        "{out}"
    );
    assert!(!out.contains(TOKEN) && !out.contains("s3cret"), "{out}");

    let (code, _, err) = exec(&SubscriptionsCommand::Delete {
        peer: peer(&config),
        id: Some(foreign.id.to_string()),
    })
    .await;
    assert_eq!(code, 1);
    assert!(
        err.contains("does not point at our notify URL; not deleted"),
        "{err}"
    );
    assert_eq!(w.subscriptions().len(), 2);

    let (code, out, err) = exec(&SubscriptionsCommand::Delete {
        peer: peer(&config),
        id: None,
    })
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("delete: 1 of ours deleted"), "{out}");
    let left = w.subscriptions();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, foreign.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_watcher_is_one_line_and_exit_2() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{}",
        common::watcher_section(&url, &[1]),
        common::acs_section("127.0.0.1:3312".parse().unwrap()),
        common::door("entrance", 1),
        common::TABLE_IDENTITY
    );
    let config = common::site(dir.path(), &body, "135,6\n");
    let (code, _, err) = exec(&SubscriptionsCommand::Sync(peer(&config))).await;
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach Watcher"), "{err}");
}
