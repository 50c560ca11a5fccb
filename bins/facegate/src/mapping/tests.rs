use std::path::{Path, PathBuf};

use super::edit::{self, SetOutcome};
use super::*;
use crate::journal::JournalRecord;

fn site(dir: &Path, table: &str) -> PathBuf {
    std::fs::write(dir.join("people.csv"), table).unwrap();
    let config = dir.join("facegate.toml");
    std::fs::write(
        &config,
        "[identity]\nmode = \"table\"\ntable = \"people.csv\"\n[journal]\npath = \"j.db\"\n",
    )
    .unwrap();
    config
}

fn run(cmd: &MappingCommand) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = mapping_command(cmd, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn set_cmd(
    config: &Path,
    person: &str,
    object: &str,
    name: Option<&str>,
    replace: bool,
) -> MappingCommand {
    MappingCommand::Set(SetArgs {
        config: config.to_path_buf(),
        person: person.into(),
        object: object.into(),
        name: name.map(str::to_owned),
        replace,
    })
}

const TABLE: &str = "watcher_person_id,acs_object_id,name\n# staff\n135,6,Ivanov Ivan\n\n136,7\n";

#[test]
fn set_appends_a_row_and_keeps_comments_header_and_other_rows() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let (code, out, err) = run(&set_cmd(&config, "140", "9", Some("Doe, John"), false));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("mapped person 140 to object 9"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(text, format!("{TABLE}140,9,\"Doe, John\"\n"));
    // No temporary file is left beside the table.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
}

#[test]
fn a_duplicate_person_is_refused_with_the_file_and_existing_row_unless_replace() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let (code, _, err) = run(&set_cmd(&config, "135", "9", None, false));
    assert_eq!(code, EXIT_PROBLEMS);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "people.csv:3: person 135 is already mapped (135,6,Ivanov Ivan); use --replace"
        ),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("people.csv")).unwrap(),
        TABLE
    );

    let (code, out, _) = run(&set_cmd(&config, "135", "9", None, true));
    assert_eq!(code, 0);
    assert!(out.contains("(was `135,6,Ivanov Ivan`)"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(text, TABLE.replace("135,6,Ivanov Ivan", "135,9"));
}

#[test]
fn setting_the_same_mapping_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("people.csv");
    site(dir.path(), TABLE);
    assert_eq!(
        edit::set(&table, 136, 7, None, false).unwrap(),
        SetOutcome::Unchanged
    );
    assert_eq!(std::fs::read_to_string(&table).unwrap(), TABLE);
}

#[test]
fn ids_are_validated_before_the_file_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    for (person, object, needle) in [
        ("abc", "6", "PERSON \"abc\""),
        ("-1", "6", "PERSON \"-1\""),
        ("140", "0", "OBJECT \"0\""),
        ("140", "4294967296", "OBJECT \"4294967296\""),
        ("140", "x", "OBJECT \"x\""),
    ] {
        let (code, _, err) = run(&set_cmd(&config, person, object, None, false));
        assert_eq!(code, EXIT_ERROR, "{person} {object}");
        assert!(err.contains(needle), "{err}");
    }
    let (code, _, err) = run(&set_cmd(&config, "140", "9", Some("bad\nname"), false));
    assert_eq!(code, EXIT_PROBLEMS);
    assert!(err.contains("--name"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("people.csv")).unwrap(),
        TABLE
    );
}

#[test]
fn set_refuses_other_identity_modes_and_creates_a_missing_table() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("facegate.toml");
    std::fs::write(&config, "[identity]\nmode = \"same\"\n").unwrap();
    let (code, _, err) = run(&set_cmd(&config, "1", "2", None, false));
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("identity.mode is \"same\""), "{err}");

    std::fs::write(
        &config,
        "[identity]\nmode = \"table\"\ntable = \"new.csv\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&set_cmd(&config, "1", "2", None, false));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("new.csv")).unwrap(),
        "1,2\n"
    );
}

#[test]
fn an_invalid_table_is_not_rewritten_and_its_lines_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), "135,6\nx,7\n");
    let (code, _, err) = run(&set_cmd(&config, "140", "9", None, false));
    assert_eq!(code, EXIT_PROBLEMS);
    assert!(
        err.contains("people.csv:2: watcher_person_id \"x\" is not a number"),
        "{err}"
    );
}

#[test]
fn import_merges_new_rows_and_reports_unchanged_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "watcher_person_id,acs_object_id,name\n135,6\n150,20,Roe Jane\n151,21\n",
    )
    .unwrap();
    let (code, out, err) = run(&MappingCommand::Import {
        config,
        file: csv,
        replace: false,
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 rows read"), "{out}");
    assert!(
        out.contains("2 added, 0 replaced, 1 already mapped"),
        "{out}"
    );
    let text = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(text, format!("{TABLE}150,20,Roe Jane\n151,21\n"));
}

#[test]
fn import_reports_every_bad_line_with_file_and_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let csv = dir.path().join("export.csv");
    std::fs::write(&csv, "150,20\nabc,1\n151,0\n150,22\n").unwrap();
    let (code, _, err) = run(&MappingCommand::Import {
        config,
        file: csv,
        replace: false,
    });
    assert_eq!(code, EXIT_PROBLEMS);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].contains("export.csv:2: "), "{err}");
    assert!(lines[1].contains("export.csv:3: "), "{err}");
    assert!(
        lines[2].contains("export.csv:4: person 150 is already mapped on line 1"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("people.csv")).unwrap(),
        TABLE
    );
}

#[test]
fn import_conflicts_are_reported_and_need_replace() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let csv = dir.path().join("export.csv");
    std::fs::write(&csv, "150,20\n136,99\n").unwrap();
    let cmd = |replace| MappingCommand::Import {
        config: config.clone(),
        file: csv.clone(),
        replace,
    };
    let (code, _, err) = run(&cmd(false));
    assert_eq!(code, EXIT_PROBLEMS);
    assert!(
        err.contains("export.csv:2: person 136 is mapped as `136,7` in"),
        "{err}"
    );
    assert!(err.contains("people.csv:5"), "{err}");
    assert!(err.contains("1 conflict; nothing written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("people.csv")).unwrap(),
        TABLE
    );

    let (code, out, err) = run(&cmd(true));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 added, 1 replaced"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(
        text,
        format!("{}150,20\n", TABLE.replace("136,7", "136,99"))
    );
}

#[test]
fn a_large_import_prints_progress_lines() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let csv = dir.path().join("big.csv");
    let body: String = (1000..26_000).map(|p| format!("{p},{p}\n")).collect();
    std::fs::write(&csv, body).unwrap();
    let (code, out, err) = run(&MappingCommand::Import {
        config,
        file: csv,
        replace: false,
    });
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("25000 added"), "{out}");
    assert!(err.contains("import: 10000/25000 rows merged"), "{err}");
    assert!(err.contains("import: 25000/25000 rows merged"), "{err}");
    let text = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert_eq!(
        crate::config::table::parse_table(&text).unwrap().len(),
        25_002
    );
}

fn unmapped(at: i64, person: Option<u64>, name: &str, camera: &str) -> JournalRecord {
    JournalRecord {
        received_at: at,
        source: "push".into(),
        event_key: format!("k{at}"),
        event_time: at,
        person_id: person,
        person_name: Some(name.into()),
        camera: Some(camera.into()),
        outcome: "unmapped_person".into(),
        ..JournalRecord::default()
    }
}

#[test]
fn pending_lists_unmapped_persons_from_the_journal_without_the_mapped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), TABLE);
    let mut journal = Journal::open(&dir.path().join("j.db")).unwrap();
    let granted = JournalRecord {
        outcome: "granted".into(),
        ..unmapped(5, Some(777), "Granted Guy", "entrance")
    };
    journal
        .insert_batch(&[
            unmapped(1_000, Some(200), "New Face", "entrance"),
            unmapped(2_000, Some(201), "Other", "lobby"),
            unmapped(3_000, Some(200), "New Face (renamed)", "exit"),
            unmapped(4_000, Some(135), "Mapped Since", "entrance"),
            unmapped(4_500, None, "", "entrance"),
            unmapped(super::now_ms() - 60_000, Some(300), "Recent", "lobby"),
            granted,
        ])
        .unwrap();
    drop(journal);

    let (code, out, err) = run(&MappingCommand::Pending {
        config: config.clone(),
        since: None,
        json: false,
    });
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("PERSON  NAME"), "{out}");
    assert!(lines[1].starts_with("300     Recent"), "{out}");
    assert!(lines[2].starts_with("200     New Face (renamed)  2      1970-01-01 00:00:01.000  1970-01-01 00:00:03.000  exit"), "{out}");
    assert!(lines[3].starts_with("201     Other"), "{out}");
    assert!(
        err.contains("1 unmapped sighting had no Watcher person id"),
        "{err}"
    );

    let (code, out, _) = run(&MappingCommand::Pending {
        config: config.clone(),
        since: Some("1d".into()),
        json: false,
    });
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().count(),
        2,
        "only the sighting of the last day: {out}"
    );
    assert!(out.lines().nth(1).unwrap().starts_with("300 "), "{out}");

    let (code, out, _) = run(&MappingCommand::Pending {
        config,
        since: None,
        json: true,
    });
    assert_eq!(code, 0);
    let first: serde_json::Value = serde_json::from_str(out.lines().nth(1).unwrap()).unwrap();
    assert_eq!(first["person_id"], 200);
    assert_eq!(first["count"], 2);
    assert_eq!(first["first_seen"], 1_000);
    assert_eq!(first["last_seen"], 3_000);
    assert_eq!(first["camera"], "exit");
}

#[test]
fn a_symlinked_table_keeps_its_link_and_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), "");
    let real = dir.path().join("real.csv");
    std::fs::write(&real, TABLE).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("people.csv");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (code, _, err) = run(&set_cmd(&config, "140", "9", None, false));
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        format!("{TABLE}140,9\n")
    );
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}
