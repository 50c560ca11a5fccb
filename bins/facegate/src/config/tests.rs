//! Tests for configuration loading.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn env(var: &str) -> Option<String> {
    match var {
        "FACEGATE_TOKEN" => Some(TOKEN.into()),
        "ACS_PASSWORD" => Some("acs-secret".into()),
        "WATCHER_API_KEY" => Some("watcher-key".into()),
        _ => None,
    }
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn load(text: &str) -> Result<Config, ConfigErrors> {
    Config::from_toml_str_with_env(text, &example_dir(), Path::new("test.toml"), &env)
}

fn errors(text: &str) -> Vec<String> {
    load(text)
        .expect_err("config should be refused")
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

const MINIMAL: &str = r#"
[ingest]
token_env = "FACEGATE_TOKEN"
[[acs]]
address = "10.0.0.5"
user = "Administrator"
password_env = "ACS_PASSWORD"
[[door]]
camera = "entrance"
access_point = 1
direction = "in"
[identity]
mode = "same"
"#;

#[test]
fn the_shipped_example_parses_with_its_variables_set() {
    let path = example_dir().join("facegate.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let c = Config::from_toml_str_with_env(&text, &example_dir(), &path, &env).unwrap();
    assert_eq!(c.doors.len(), 2);
    assert_eq!(c.acs[0].name, "hq");
    assert_eq!(c.identity.rows.len(), 2);
    assert_eq!(c.policy.min_score, Some(0.8));
    assert_eq!(c.journal.path, example_dir().join("facegate.db"));
    assert_eq!(c.ingest.as_ref().unwrap().max_body, 65_536);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn a_minimal_config_gets_every_default() {
    let c = load(MINIMAL).unwrap();
    let ingest = c.ingest.unwrap();
    assert_eq!(ingest.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(ingest.token.expose(), TOKEN);
    assert_eq!(ingest.max_body, DEFAULT_MAX_BODY);
    assert_eq!(ingest.queue_capacity, 1024);
    assert_eq!(c.acs[0].name, DEFAULT_ACS_NAME);
    assert_eq!(c.acs[0].address, "10.0.0.5:3312");
    assert_eq!(c.acs[0].connections, 2);
    assert_eq!(c.acs[0].reply_timeout, Duration::from_secs(2));
    assert_eq!(c.doors[0].acs, DEFAULT_ACS_NAME);
    assert_eq!(c.doors[0].direction, Direction::In);
    assert_eq!(c.policy, PolicyConfig::default());
    assert_eq!(c.journal.path, example_dir().join(DEFAULT_JOURNAL_FILE));
    assert_eq!(c.journal.retention, DEFAULT_RETENTION);
    assert!(c.admin.is_none());
    assert!(c.watcher.is_none());
}

#[test]
fn every_unknown_key_is_reported_with_its_full_key() {
    let text = MINIMAL.replace("[identity]", "[identity]\ncolour = 1\nshape = 2")
        + "[policy]\ncooldwn = \"5s\"\n[extra]\n";
    let errs = errors(&text);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("identity.colour: unknown key")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("identity.shape: unknown key")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("policy.cooldwn: unknown key")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.starts_with("extra: unknown section")),
        "{errs:?}"
    );
}

#[test]
fn every_problem_in_several_doors_is_reported_at_once() {
    let text = MINIMAL.to_string()
        + r#"
[[door]]
camera = "lobby"
access_point = -1
direction = "sideways"
[[door]]
camera = "entrance"
access_point = "one"
direction = "in"
"#;
    let errs = errors(&text);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("door[1].access_point: -1")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("door[1].direction: \"sideways\"")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("door[2].access_point: invalid type")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.starts_with(
            "door[2]: camera \"entrance\" with direction in is already configured by door[0]"
        )),
        "{errs:?}"
    );
}

#[test]
fn a_missing_env_variable_names_key_and_variable_but_not_a_value() {
    let text = MINIMAL.replace("ACS_PASSWORD", "NOT_SET_ANYWHERE");
    let errs = errors(&text);
    assert_eq!(
        errs,
        vec!["acs[0].password_env: environment variable NOT_SET_ANYWHERE is not set"]
    );
}

#[test]
fn a_short_token_is_an_error_and_an_inline_secret_a_warning() {
    let text = MINIMAL.replace("token_env = \"FACEGATE_TOKEN\"", "token = \"short\"");
    let e = load(&text).unwrap_err();
    assert!(e.errors[0]
        .to_string()
        .starts_with("ingest.token: the token has 5 characters"));
    assert!(e.warnings[0]
        .to_string()
        .starts_with("ingest.token: inline secret"));
    assert!(
        !e.to_string().contains("short\""),
        "the value must not be echoed: {e}"
    );
}

#[test]
fn doors_must_name_an_existing_acs_when_there_are_several() {
    let text = MINIMAL.replace("[[acs]]", "[[acs]]\nname = \"hq\"")
        + "[[acs]]\nname = \"annex\"\naddress = \"10.0.0.6:3312\"\nuser = \"u\"\npassword_env = \"ACS_PASSWORD\"\n"
        + "[[door]]\ncamera = \"b\"\nacs = \"nowhere\"\naccess_point = 2\n";
    let errs = errors(&text);
    assert!(
        errs.iter()
            .any(|e| e
                .starts_with("door[0].acs: missing: required when there is more than one [[acs]]")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("door[1].acs: no [[acs]] is named \"nowhere\"")),
        "{errs:?}"
    );
}

#[test]
fn required_sections_are_named_when_absent() {
    let errs = errors("[policy]\n");
    for key in [
        "acs: missing",
        "door: missing",
        "identity: missing",
        "ingest: missing",
    ] {
        assert!(errs.iter().any(|e| e.starts_with(key)), "{key} in {errs:?}");
    }
}

#[test]
fn poll_mode_is_a_source_without_ingest() {
    let text = MINIMAL.replace("[ingest]\ntoken_env = \"FACEGATE_TOKEN\"", "[watcher]\nurl = \"http://w.lan/\"\nlogin = \"bridge\"\npassword_env = \"ACS_PASSWORD\"\nmode = \"poll\"");
    let c = load(&text).unwrap();
    let w = c.watcher.unwrap();
    assert_eq!(w.mode, WatcherMode::Poll);
    assert_eq!(w.url, "http://w.lan");
    assert!(
        matches!(w.credentials, WatcherCredentials::Login { ref login, .. } if login == "bridge")
    );
    assert!(c.ingest.is_none());
}

#[test]
fn values_out_of_range_are_errors() {
    let text = MINIMAL.to_string()
        + "[policy]\nmin_score = 1.5\nmax_event_age = \"10\"\ncooldown = \"5x\"\n[admin]\nlisten = \"nowhere\"\n";
    let text = text.replace("token_env = \"FACEGATE_TOKEN\"", "token_env = \"FACEGATE_TOKEN\"\nallow_from = [\"10.0.0.0/8\", \"300.0.0.0/8\"]\nmax_body = \"1GiB\"");
    let errs = errors(&text);
    for key in [
        "policy.min_score: 1.5 is outside 0..=1",
        "policy.max_event_age: \"10\" has no unit",
        "policy.cooldown: \"5x\"",
        "admin.listen: \"nowhere\"",
        "ingest.allow_from[1]: ",
        "ingest.max_body: ",
    ] {
        assert!(errs.iter().any(|e| e.starts_with(key)), "{key} in {errs:?}");
    }
}

#[test]
fn a_bad_identity_table_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("people.csv"), "135,6\nabc,7\n").unwrap();
    let text = MINIMAL.replace(
        "mode = \"same\"",
        "mode = \"table\"\ntable = \"people.csv\"",
    );
    let e =
        Config::from_toml_str_with_env(&text, dir.path(), Path::new("t.toml"), &env).unwrap_err();
    let line = e.errors[0].to_string();
    assert!(line.starts_with("identity.table: "), "{line}");
    assert!(
        line.contains("people.csv line 2: watcher_person_id \"abc\""),
        "{line}"
    );
}

#[test]
fn a_toml_syntax_error_gives_line_and_column_on_one_line() {
    let e = load("[ingest\nlisten = 1").unwrap_err();
    let line = e.to_string();
    assert!(
        line.starts_with("test.toml: error: TOML syntax error at line 1"),
        "{line}"
    );
    assert!(!line.contains('\n'), "{line}");
}

#[test]
fn the_journal_section_alone_can_be_read_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.toml");
    std::fs::write(
        &path,
        "[journal]\npath = \"j.db\"\n[[acs]]\npassword_env = \"NOPE\"\n",
    )
    .unwrap();
    let j = load_journal_config(&path).unwrap();
    assert_eq!(
        j.path,
        std::path::absolute(dir.path()).unwrap().join("j.db")
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = load(MINIMAL).unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains(TOKEN) && !dbg.contains("acs-secret"), "{dbg}");
}
