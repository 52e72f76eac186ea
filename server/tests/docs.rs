//! `docs/pci.md` stays honest: every test it names exists, as a test that runs, in the file it
//! names; every PCI DSS requirement it must cover keeps its section; and the README links it. A
//! renamed, moved or ignored test fails here, not at the assessor's.
//!
//! A reference is a backticked `` `PATH.rs::NAME` `` (PATH from the repository's root), or
//! `` `PATH.rs::NAME::sqlite` `` / `` `…::postgres` `` for one backend of an `on_both!` test. NAME
//! is found as a test function (`fn NAME(` under `#[test]` or `#[tokio::test…]`, with only
//! attributes, doc comments and blank lines between, none of them `#[ignore]`) or as
//! `on_both!(NAME,`. Anything else in backticks that contains `.rs::` is refused, so a reference
//! in another form is not skipped.
//!
//! Each requirement of [`REQUIRED`] has one `### ID …` section with `- **Asks**:`,
//! `- **Status**:` (`meets`, `supports` or `operator`, the same as its row in the summary
//! table), `- **Operator**:` (what stays the operator's) and `- **Tests**:` naming at least one
//! test unless its status is `operator`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// The requirements `docs/pci.md` must have a section for (issue 24, "Compliance as code").
const REQUIRED: &[&str] = &[
    "3.2.1", "3.3.1", "3.3.1.1", "3.3.1.2", "3.3.1.3", "3.4.1", "3.5.1", "3.5.1.1", "3.6.1",
    "3.6.1.1", "3.6.1.2", "3.6.1.3", "3.6.1.4", "3.7.1", "3.7.2", "3.7.3", "3.7.4", "3.7.5",
    "3.7.6", "3.7.7", "4.2.1", "6.4.3", "11.6.1", "10.2.1", "10.2.1.1", "10.2.1.2", "10.2.1.3",
    "10.2.1.4", "10.2.1.5", "10.2.1.6", "10.2.1.7", "10.2.2", "10.3.1", "10.3.2", "10.3.3",
    "10.3.4", "10.5.1",
];

const STATUSES: &[&str] = &["meets", "supports", "operator"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// A test named in the document.
#[derive(Debug, PartialEq)]
struct TestRef {
    file: String,
    name: String,
    /// `sqlite` or `postgres`: one backend of an `on_both!` test.
    backend: Option<String>,
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Parses one backticked span that contains `.rs::`, strictly.
fn parse_ref(span: &str) -> Result<TestRef, String> {
    let (file, rest) = span
        .split_once(".rs::")
        .ok_or_else(|| format!("`{span}`: no `.rs::`"))?;
    let file = format!("{file}.rs");
    let path_ok = !file.starts_with('/')
        && file.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        });
    if !path_ok {
        return Err(format!("`{span}`: not a path from the repository's root"));
    }
    let mut parts = rest.split("::");
    let name = parts.next().unwrap_or_default();
    let backend = parts.next();
    if parts.next().is_some() || !is_ident(name) {
        return Err(format!(
            "`{span}`: not FILE.rs::test_name[::sqlite|::postgres]"
        ));
    }
    if let Some(b) = backend
        && b != "sqlite"
        && b != "postgres"
    {
        return Err(format!(
            "`{span}`: `{b}` is not a backend (sqlite, postgres)"
        ));
    }
    Ok(TestRef {
        file,
        name: name.to_owned(),
        backend: backend.map(str::to_owned),
    })
}

/// Every backticked span of `text` (inline code, single backticks).
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The test references of `text`, or what is wrong with one.
fn references(text: &str) -> Result<Vec<TestRef>, String> {
    code_spans(text)
        .into_iter()
        .filter(|span| span.contains(".rs::"))
        .map(parse_ref)
        .collect()
}

/// Whether `source` has a test function `name`: `fn name(` (or `fn name<`) preceded, over only
/// attributes, comments and blank lines, by `#[test]` or `#[tokio::test…]`, and not `#[ignore]`d.
fn has_test_fn(source: &str, name: &str) -> bool {
    let needle = format!("fn {name}");
    source.match_indices(&needle).any(|(at, _)| {
        let after = &source[at + needle.len()..];
        if !(after.starts_with('(') || after.starts_with('<')) {
            return false;
        }
        let before = &source[..at];
        // `fn` is the line's first word but for `async` / `pub`.
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let head = before[line_start..].trim();
        if !head
            .split_whitespace()
            .all(|word| matches!(word, "async" | "pub" | "pub(crate)"))
        {
            return false;
        }
        let mut is_test = false;
        for line in before[..line_start].lines().rev() {
            let line = line.trim();
            // An ignored test does not run in `cargo xtask test`: it proves nothing here.
            if line.starts_with("#[ignore") {
                return false;
            }
            if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
                is_test = true;
                continue;
            }
            if !(line.is_empty() || line.starts_with("//") || line.starts_with("#[")) {
                break;
            }
        }
        is_test
    })
}

/// Whether `source` makes a test `name` with `on_both!(name, …)`.
fn has_on_both(source: &str, name: &str) -> bool {
    source.match_indices("on_both!(").any(|(at, m)| {
        let after = source[at + m.len()..].trim_start();
        after
            .strip_prefix(name)
            .is_some_and(|rest| rest.trim_start().starts_with(','))
    })
}

/// What is wrong with `reference`, if anything.
fn check_ref(reference: &TestRef) -> Option<String> {
    let path = root().join(&reference.file);
    let Ok(source) = std::fs::read_to_string(&path) else {
        return Some(format!("{}: no such file", reference.file));
    };
    let found = match reference.backend {
        Some(_) => has_on_both(&source, &reference.name),
        None => has_test_fn(&source, &reference.name) || has_on_both(&source, &reference.name),
    };
    (!found).then(|| format!("{}::{}: no such test", reference.file, reference.name))
}

/// One `### ID …` section: its id and its text up to the next heading.
struct Section<'a> {
    id: &'a str,
    body: &'a str,
}

fn sections(doc: &str) -> Vec<Section<'_>> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(at) = rest.find("\n### ") {
        let heading_start = at + "\n### ".len();
        let heading_end = rest[heading_start..]
            .find('\n')
            .map_or(rest.len(), |i| heading_start + i);
        let id = rest[heading_start..heading_end]
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let body_end = rest[heading_end..]
            .find("\n#")
            .map_or(rest.len(), |i| heading_end + i);
        out.push(Section {
            id,
            body: &rest[heading_end..body_end],
        });
        rest = &rest[body_end..];
    }
    out
}

/// The text after `- **FIELD**:` in a section, if it has that line.
fn field<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!("- **{name}**:");
    body.lines()
        .find_map(|line| line.trim().strip_prefix(marker.as_str()))
        .map(str::trim)
}

/// The status the summary table gives `id`: the last cell of the row `| ID … | STATUS |`.
fn summary_status<'a>(doc: &'a str, id: &str) -> Option<&'a str> {
    doc.lines().find_map(|line| {
        let cells: Vec<&str> = line
            .trim()
            .strip_prefix('|')?
            .strip_suffix('|')?
            .split('|')
            .collect();
        let [first, .., last] = cells.as_slice() else {
            return None;
        };
        (first.split_whitespace().next() == Some(id)).then(|| last.trim())
    })
}

/// Everything wrong with `doc`, the text of `docs/pci.md`.
fn problems(doc: &str) -> Vec<String> {
    let mut problems = Vec::new();
    match references(doc) {
        Err(e) => problems.push(e),
        Ok(refs) => problems.extend(refs.iter().filter_map(check_ref)),
    }
    let sections = sections(doc);
    for id in REQUIRED {
        let found: Vec<_> = sections.iter().filter(|s| s.id == *id).collect();
        let [section] = found.as_slice() else {
            problems.push(format!("{id}: {} sections, not one", found.len()));
            continue;
        };
        let status = field(section.body, "Status");
        if !status.is_some_and(|s| STATUSES.contains(&s)) {
            problems.push(format!(
                "{id}: the status is {status:?}, not one of {STATUSES:?}"
            ));
        }
        let summary = summary_status(doc, id);
        if summary.is_none() || summary != status {
            problems.push(format!(
                "{id}: the summary says {summary:?}, the section {status:?}"
            ));
        }
        let operator = field(section.body, "Operator").filter(|s| !s.is_empty());
        if operator.is_none() {
            problems.push(format!("{id}: no `- **Operator**:` note"));
        }
        let tests = field(section.body, "Tests")
            .map(|line| references(line).unwrap_or_default())
            .unwrap_or_default();
        match status {
            Some("operator") => {}
            _ if tests.is_empty() => {
                problems.push(format!("{id}: no test, and its status is not `operator`"));
            }
            _ => {}
        }
        if field(section.body, "Asks").is_none_or(str::is_empty) {
            problems.push(format!("{id}: no `- **Asks**:` line"));
        }
    }
    problems
}

#[test]
fn every_test_named_in_docs_pci_exists_and_every_requirement_is_covered() {
    let doc = std::fs::read_to_string(root().join("docs/pci.md")).unwrap();
    let count = references(&doc).unwrap_or_default().len();
    assert!(count >= REQUIRED.len(), "only {count} test references");
    let problems = problems(&doc);
    assert!(problems.is_empty(), "docs/pci.md:\n{}", problems.join("\n"));
}

#[test]
fn the_readme_links_docs_pci() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("](docs/pci.md)"),
        "README.md must link docs/pci.md"
    );
}

/// The checker itself refuses what it must: a renamed test, a helper that is no test, a
/// reference in another form, a requirement without tests or operator note, a missing one.
#[test]
fn the_checker_refuses_a_broken_document() {
    let doc = std::fs::read_to_string(root().join("docs/pci.md")).unwrap();
    assert!(problems(&doc).is_empty());

    let known =
        "server/tests/rotation.rs::master_key_rotate_under_load_then_the_old_key_opens_nothing";
    assert!(doc.contains(known));
    let renamed = doc.replace(known, &format!("{known}_renamed"));
    assert!(
        problems(&renamed)
            .iter()
            .any(|p| p.contains("_renamed: no such test")),
        "{:?}",
        problems(&renamed)
    );
    // A function that exists but is no test.
    let helper = doc.replace(known, "server/tests/rotation.rs::merchant_with_receiver");
    assert!(
        problems(&helper)
            .iter()
            .any(|p| p.contains("merchant_with_receiver: no such test"))
    );
    // An ignored test.
    assert!(has_test_fn("#[test]\nfn a() {}", "a"));
    assert!(has_test_fn(
        "/// Why.\n#[tokio::test(flavor = \"current_thread\")]\nasync fn a() {}",
        "a"
    ));
    assert!(!has_test_fn("#[test]\n#[ignore]\nfn a() {}", "a"));
    assert!(!has_test_fn(
        "#[ignore = \"slow\"]\n#[test]\nfn a() {}",
        "a"
    ));
    assert!(!has_test_fn("#[test]\nfn ab() {}", "a"));
    assert!(!has_test_fn("#[test]\nfn x() {}\nfn a() {}", "a"));
    // Another file.
    let moved = doc.replace(
        known,
        "server/tests/binary.rs::master_key_rotate_under_load_then_the_old_key_opens_nothing",
    );
    assert!(!problems(&moved).is_empty());
    let missing_file = doc.replace(
        known,
        "server/tests/nowhere.rs::master_key_rotate_under_load_then_the_old_key_opens_nothing",
    );
    assert!(
        problems(&missing_file)
            .iter()
            .any(|p| p.contains("no such file"))
    );

    // on_both! tests, whole or per backend; a backend that is none, a plain test with one.
    let on_both = "server/src/store/cluster_tests.rs::rotation_writes_change_only_what_they_read";
    assert!(doc.contains(on_both));
    assert!(problems(&doc.replace(on_both, &format!("{on_both}::postgres"))).is_empty());
    assert!(!problems(&doc.replace(on_both, &format!("{on_both}::mysql"))).is_empty());
    assert!(!problems(&doc.replace(known, &format!("{known}::sqlite"))).is_empty());

    // References in another form.
    for bad in [
        "/work/server/tests/rotation.rs::x",
        "server/tests/../tests/rotation.rs::master_key_rotate_under_load_then_the_old_key_opens_nothing",
        "server/tests/rotation.rs::Master",
        "server/tests/rotation.rs::a::b::c",
        "server/tests/rotation.rs::",
    ] {
        assert!(
            !problems(&doc.replace(known, bad)).is_empty(),
            "{bad} was taken"
        );
    }

    // A requirement without tests must be `operator`, and every one needs an operator note.
    let section = |id: &str| {
        sections(&doc)
            .into_iter()
            .find(|s| s.id == id)
            .unwrap()
            .body
            .to_owned()
    };
    let body = section("3.7.4");
    let tests_line = body
        .lines()
        .find(|l| l.starts_with("- **Tests**:"))
        .unwrap();
    let untested = doc.replace(tests_line, "- **Tests**: none");
    assert!(
        problems(&untested)
            .iter()
            .any(|p| p.starts_with("3.7.4: no test"))
    );
    let operator_line = body
        .lines()
        .find(|l| l.starts_with("- **Operator**:"))
        .unwrap();
    let no_operator = doc.replace(operator_line, "");
    assert!(
        problems(&no_operator)
            .iter()
            .any(|p| p.starts_with("3.7.4: no `- **Operator**:`"))
    );
    let no_status = doc.replace("- **Status**: supports", "- **Status**: mostly");
    assert!(
        problems(&no_status)
            .iter()
            .any(|p| p.contains("the status"))
    );
    let other_summary = doc.replace(
        "| 3.7.7 no unauthorized substitution of keys | meets |",
        "| 3.7.7 no unauthorized substitution of keys | supports |",
    );
    assert_ne!(other_summary, doc);
    assert!(
        problems(&other_summary)
            .iter()
            .any(|p| p.starts_with("3.7.7: the summary says"))
    );

    // A requirement dropped from the document.
    let dropped = doc.replace("### 10.3.4 ", "### Ten three four ");
    assert!(
        problems(&dropped)
            .iter()
            .any(|p| p.starts_with("10.3.4: 0 sections"))
    );
}
