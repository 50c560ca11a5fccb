//! Tests for the `[ingest]`, `[watcher]` and `[[acs]]` rules.

use std::path::Path;

use super::*;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn env(var: &str) -> Option<String> {
    match var {
        "T" => Some(TOKEN.into()),
        "P" => Some("pw".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

const REST: &str = r#"
[[acs]]
address = "acs.lan"
user = "u"
password_env = "P"
[[door]]
camera = 7
access_point = 1
[identity]
mode = "same"
"#;

fn load_in(dir: &Path, text: &str) -> Result<Config, ConfigErrors> {
    Config::from_toml_str_with_env(text, dir, Path::new("t.toml"), &env)
}

fn load(text: &str) -> Result<Config, ConfigErrors> {
    load_in(Path::new("/nonexistent"), text)
}

fn keys(e: &[Problem]) -> Vec<&str> {
    e.iter().map(|p| p.key.as_str()).collect()
}

#[test]
fn an_integer_camera_id_and_a_host_without_port_are_accepted() {
    let c = load(&format!("[ingest]\ntoken_env = \"T\"\n{REST}")).unwrap();
    assert_eq!(c.doors[0].camera, "7");
    assert_eq!(c.doors[0].direction, Direction::Unknown);
    assert_eq!(c.acs[0].address, "acs.lan:3312");
}

#[test]
fn https_needs_both_files_and_they_must_exist() {
    let e = load(&format!(
        "[ingest]\ntoken_env = \"T\"\ntls_cert = \"c.pem\"\n{REST}"
    ))
    .unwrap_err();
    assert_eq!(keys(&e.errors), vec!["ingest.tls_cert", "ingest.tls_key"]);
    assert!(e.errors[0].message.contains("c.pem does not exist"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.pem"), "x").unwrap();
    std::fs::write(dir.path().join("k.pem"), "x").unwrap();
    let text =
        format!("[ingest]\ntoken_env = \"T\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n{REST}");
    let tls = load_in(dir.path(), &text)
        .unwrap()
        .ingest
        .unwrap()
        .tls
        .unwrap();
    assert_eq!(tls.cert, dir.path().join("c.pem"));
}

#[test]
fn a_token_with_url_characters_or_an_empty_variable_is_refused() {
    let e = load(&format!("[ingest]\ntoken = \"{TOKEN}/../x\"\n{REST}")).unwrap_err();
    assert!(e.errors[0].message.contains("part of a URL path"));
    let e = load(&format!("[ingest]\ntoken_env = \"EMPTY\"\n{REST}")).unwrap_err();
    assert_eq!(
        e.errors[0].to_string(),
        "ingest.token_env: environment variable EMPTY is empty"
    );
    let e = load(&format!("[ingest]\n{REST}")).unwrap_err();
    assert!(e.errors[0]
        .to_string()
        .starts_with("ingest.token_env: missing"));
}

#[test]
fn watcher_credentials_must_be_exactly_one_kind() {
    let both = format!("[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\napi_key_env = \"P\"\nlogin = \"a\"\npassword_env = \"P\"\n{REST}");
    assert!(load(&both).unwrap_err().errors[0]
        .message
        .contains("not both"));
    let none = format!("[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\n{REST}");
    assert!(load(&none).unwrap_err().errors[0]
        .to_string()
        .starts_with("watcher.api_key_env: missing"));
    let no_login = format!(
        "[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\npassword_env = \"P\"\n{REST}"
    );
    assert!(load(&no_login).unwrap_err().errors[0]
        .to_string()
        .starts_with("watcher.login: missing"));
    let no_password = format!(
        "[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\nlogin = \"a\"\n{REST}"
    );
    assert!(load(&no_password).unwrap_err().errors[0]
        .to_string()
        .starts_with("watcher.password_env: missing"));
}

#[test]
fn push_subscriptions_need_a_public_url_and_an_ingest_section() {
    let text = format!("[watcher]\nurl = \"ftp://w\"\napi_key_env = \"P\"\n[[watcher.subscribe]]\nevent_type = \"push_person_list\"\nnotification_type = 1\n{REST}");
    let e = load(&text).unwrap_err();
    assert_eq!(
        keys(&e.errors),
        vec!["ingest", "watcher.url", "watcher.public_url"]
    );

    let text = format!("[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\napi_key_env = \"P\"\npublic_url = \"http://b:8080\"\n[[watcher.subscribe]]\nevent_type = \"push_person_list\"\nnotification_type = 1\n{REST}");
    let w = load(&text).unwrap().watcher.unwrap();
    assert_eq!(w.subscribe[0].notification_type, "1");
    assert!(matches!(w.credentials, WatcherCredentials::ApiKey(_)));
}

#[test]
fn subscription_entries_report_their_own_keys() {
    let text = format!("[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\napi_key_env = \"P\"\npublic_url = \"http://b\"\n[[watcher.subscribe]]\nevent_typ = \"x\"\nnotification_type = true\n{REST}");
    let e = load(&text).unwrap_err();
    assert_eq!(
        keys(&e.errors),
        vec![
            "watcher.subscribe[0].event_typ",
            "watcher.subscribe[0].event_type",
            "watcher.subscribe[0].notification_type"
        ]
    );
}

#[test]
fn acs_names_must_be_unique_and_well_formed() {
    let acs = "[[acs]]\nname = \"hq\"\naddress = \"a:1\"\nuser = \"u\"\npassword_env = \"P\"\n";
    let text = format!("[ingest]\ntoken_env = \"T\"\n{acs}{acs}[[acs]]\nname = \"bad name\"\naddress = \"a:0\"\nuser = \"u\"\npassword_env = \"P\"\nconnections = 0\n[[door]]\ncamera = \"c\"\nacs = \"hq\"\naccess_point = 1\n[identity]\nmode = \"same\"\n");
    let e = load(&text).unwrap_err();
    assert_eq!(
        keys(&e.errors),
        vec![
            "acs[1].name",
            "acs[2].name",
            "acs[2].address",
            "acs[2].connections"
        ]
    );
    assert!(e.errors[0].message.contains("already the name of acs[0]"));
}

#[test]
fn a_single_bracket_acs_table_is_explained() {
    let text = "[ingest]\ntoken_env = \"T\"\n[acs]\naddress = \"a\"\n[[door]]\ncamera = \"c\"\naccess_point = 1\n[identity]\nmode = \"same\"\n";
    let e = load(text).unwrap_err();
    assert!(
        e.errors
            .iter()
            .any(|p| p.to_string() == "acs: write [[acs]] (an array of tables), not [acs]"),
        "{e}"
    );
}

#[test]
fn ignored_settings_are_warnings_not_errors() {
    let text = format!("[ingest]\ntoken_env = \"T\"\n[watcher]\nurl = \"http://w\"\nlogin = \"a\"\npassword_env = \"P\"\nmode = \"poll\"\n[[watcher.subscribe]]\nevent_type = \"a\"\nnotification_type = \"1\"\n{REST}[policy]\nallow_lists = [1, 3]\ndeny_lists = [3]\n")
        .replace("mode = \"same\"", "mode = \"same\"\ntable = \"people.csv\"");
    let dir = tempfile::tempdir().unwrap();
    let c = load_in(dir.path(), &text).unwrap();
    assert_eq!(
        keys(&c.warnings),
        vec!["watcher.subscribe", "identity.table", "policy.allow_lists"]
    );
}

#[test]
fn a_secret_file_is_read_relative_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/token"), format!("{TOKEN}\r\n")).unwrap();
    let c = load_in(
        dir.path(),
        &format!("[ingest]\ntoken_file = \"secrets/token\"\n{REST}"),
    )
    .unwrap();
    assert_eq!(c.ingest.unwrap().token.expose(), TOKEN);
    let e = load_in(
        dir.path(),
        &format!("[ingest]\ntoken_file = \"secrets/none\"\n{REST}"),
    )
    .unwrap_err();
    assert!(
        e.errors[0]
            .to_string()
            .starts_with("ingest.token_file: cannot read "),
        "{e}"
    );
}

#[test]
fn an_empty_table_and_a_missing_journal_directory_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), "# nobody yet\n").unwrap();
    let text = format!("[ingest]\ntoken_env = \"T\"\n{REST}[journal]\npath = \"missing/j.db\"\n")
        .replace(
            "mode = \"same\"",
            "mode = \"table\"\ntable = \"people.csv\"",
        );
    let c = load_in(dir.path(), &text).unwrap();
    assert_eq!(keys(&c.warnings), vec!["identity.table", "journal.path"]);
    assert!(c.warnings[0]
        .message
        .contains("every sighting will be unmapped_person"));
    assert!(c.warnings[1].message.contains("missing does not exist"));
}

#[test]
fn poll_mode_refuses_an_api_key() {
    let text =
        format!("[watcher]\nurl = \"http://w\"\napi_key_env = \"P\"\nmode = \"poll\"\n{REST}");
    let e = load(&text).unwrap_err();
    assert_eq!(keys(&e.errors), vec!["watcher.login"]);
    assert!(e.errors[0].message.contains("an API key is v2 only"));
}
