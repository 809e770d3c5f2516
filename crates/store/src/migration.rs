//! Numbered, embedded SQL migrations; the schema version lives in `PRAGMA user_version`.
//! An applied migration is never edited: add a new file instead.

use rusqlite::Connection;

use crate::StoreError;

/// `(version, name, sql)`, in order; version N is the N-th entry.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "0001_create_schema",
        include_str!("../migrations/0001_create_schema.sql"),
    ),
    (
        2,
        "0002_tune_fts",
        include_str!("../migrations/0002_tune_fts.sql"),
    ),
    (
        3,
        "0003_fit_fts_pages",
        include_str!("../migrations/0003_fit_fts_pages.sql"),
    ),
    (
        4,
        "0004_create_drafts",
        include_str!("../migrations/0004_create_drafts.sql"),
    ),
    (
        5,
        "0005_index_triage_counts",
        include_str!("../migrations/0005_index_triage_counts.sql"),
    ),
    (
        6,
        "0006_drop_draft_versions",
        include_str!("../migrations/0006_drop_draft_versions.sql"),
    ),
    (
        7,
        "0007_supersede_releases",
        include_str!("../migrations/0007_supersede_releases.sql"),
    ),
    (
        8,
        "0008_index_search_filters",
        include_str!("../migrations/0008_index_search_filters.sql"),
    ),
    (
        9,
        "0009_thread_links",
        include_str!("../migrations/0009_thread_links.sql"),
    ),
    (
        10,
        "0010_create_contacts",
        include_str!("../migrations/0010_create_contacts.sql"),
    ),
    (
        11,
        "0011_record_verified_log_entries",
        include_str!("../migrations/0011_record_verified_log_entries.sql"),
    ),
    (
        12,
        "0012_create_mls_state",
        include_str!("../migrations/0012_create_mls_state.sql"),
    ),
    (
        13,
        "0013_create_spaces",
        include_str!("../migrations/0013_create_spaces.sql"),
    ),
    (
        14,
        "0014_record_spaces_left",
        include_str!("../migrations/0014_record_spaces_left.sql"),
    ),
    (
        15,
        "0015_tally_triage_counts",
        include_str!("../migrations/0015_tally_triage_counts.sql"),
    ),
    (
        16,
        "0016_contentless_fts",
        include_str!("../migrations/0016_contentless_fts.sql"),
    ),
    (
        17,
        "0017_pack_item_records",
        include_str!("../migrations/0017_pack_item_records.sql"),
    ),
    (
        18,
        "0018_three_letter_prefixes",
        include_str!("../migrations/0018_three_letter_prefixes.sql"),
    ),
    (
        19,
        "0019_index_facets",
        include_str!("../migrations/0019_index_facets.sql"),
    ),
    (
        20,
        "0020_add_item_language",
        include_str!("../migrations/0020_add_item_language.sql"),
    ),
    (
        21,
        "0021_list_index_words",
        include_str!("../migrations/0021_list_index_words.sql"),
    ),
    (
        22,
        "0022_deflate_records_with_a_dictionary",
        include_str!("../migrations/0022_deflate_records_with_a_dictionary.sql"),
    ),
];

/// What a migration does after its SQL, in the same transaction: the index of a contentless
/// full-text table can only be made again from the items themselves, which SQL cannot read
/// (their records are deflated). Migration 0018's index is left empty, since 0019, which
/// follows it in the same opening of the store, replaces it and indexes every item; a store
/// left at 18 (the process stopped between the two) is indexed when 0019 runs at its next
/// opening.
fn after_sql(version: u32, tx: &Connection) -> Result<(), StoreError> {
    match version {
        19 => crate::store::index_every_item(tx),
        _ => Ok(()),
    }
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 22;

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    u32::try_from(v).map_err(|_| StoreError::Damaged(format!("invalid schema version {v}")))
}

/// Refuses a store made by a newer version, before anything is written.
pub(crate) fn check_version(conn: &Connection) -> Result<u32, StoreError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Applies every pending migration, each in its own transaction with its version bump.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current = check_version(conn)?;
    for &(version, name, sql) in MIGRATIONS {
        if version <= current {
            continue;
        }
        let _span = tracing::info_span!("migrate", version, name).entered();
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        after_sql(version, &tx)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!("migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_named_by_their_file() {
        for (i, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version as usize, i + 1);
            assert!(name.starts_with(&format!("{version:04}_")));
        }
        assert_eq!(MIGRATIONS.last().unwrap().0, SCHEMA_VERSION);
    }

    #[test]
    fn migrations_apply_to_an_empty_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        migrate(&mut conn).unwrap();
    }

    #[test]
    fn a_column_added_to_the_items_is_never_declared_not_null() {
        // Adding a NOT NULL column makes SQLite check every row of the table: 12.6 s when a
        // million-item profile was upgraded to 20, and a damaged page would stop the upgrade.
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let not_null: i64 = conn
            .query_row(
                "SELECT \"notnull\" FROM pragma_table_info('items') WHERE name = 'language'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(not_null, 0);
    }

    #[test]
    fn the_triage_counts_sum_their_tally_unless_an_origin_or_a_tag_is_named() {
        use crate::{RouteFilter, TriageFilter};
        use diplomatie_domain::{ItemKind, Marking};

        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let tallied = [
            TriageFilter::default(),
            TriageFilter {
                route: Some(RouteFilter::Action),
                kinds: vec![ItemKind::Telegram],
                markings: vec![Marking::DiffusionRestreinte],
                unread_only: true,
                ..TriageFilter::default()
            },
        ];
        for filter in tallied {
            let mut params = Vec::new();
            let sql = crate::store::counts_sql(&filter, &mut params);
            let plan = crate::query_plan(&conn, &sql, params);
            assert!(
                sql.contains("FROM triage_tally")
                    && !plan.iter().any(|step| step.contains("items")),
                "{filter:?}: {sql} {plan:?}"
            );
        }
        // With a tag, the items are counted through a covering index, never their rows.
        let filter = TriageFilter {
            tag: Some("ECO".into()),
            ..TriageFilter::default()
        };
        let mut params = Vec::new();
        let sql = crate::store::counts_sql(&filter, &mut params);
        let plan = crate::query_plan(&conn, &sql, params);
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SCAN i USING COVERING INDEX")),
            "{plan:?}"
        );
    }
}
