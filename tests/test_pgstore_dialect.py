"""The server store's dialect module without a server: URLs, DDL translation, lock keys."""

from emergency import pgstore, store


def test_urls_are_recognised_and_masked():
    url = "postgresql://yitu:p%23ss@db.example.gov.cn:5432/yitu"
    assert pgstore.is_url(url) and pgstore.is_url("postgres://x@/y") and pgstore.is_url("postgresql+psycopg://a@/b")
    assert not pgstore.is_url("data/yitu.duckdb") and not pgstore.is_url(":memory:")
    assert pgstore.masked(url) == "postgresql://yitu:***@db.example.gov.cn:5432/yitu"
    assert pgstore.libpq_url("postgresql+psycopg://a:b@/c?host=/s") == "postgresql://a:b@/c?host=/s"
    assert pgstore.scrub(f'Unable to connect to Postgres at "{url}"', url).count("p%23ss") == 0
    assert store.describe(url) == pgstore.masked(url) and store.describe("data/x.duckdb") == "data/x.duckdb"


def test_every_migration_translates_to_postgresql():
    for _, ddl in store.MIGRATIONS:
        for statement in pgstore.pg_statements(ddl):
            outside = " ".join(statement.split("'")[::2])  # text outside quoted literals
            assert "INSERT OR REPLACE" not in outside and "BLOB" not in outside
            assert "time_bucket" not in outside and "GROUP BY ALL" not in outside
            assert " DOUBLE" not in outside.replace("DOUBLE PRECISION", "")


def test_translation_keeps_quoted_text_and_semicolons_inside_it():
    ddl = "COMMENT ON TABLE t IS 'a DOUBLE; BLOB'; CREATE TABLE u (x DOUBLE, g BLOB)"
    assert pgstore.pg_statements(ddl) == [
        "COMMENT ON TABLE t IS 'a DOUBLE; BLOB'",
        "CREATE TABLE u (x DOUBLE PRECISION, g BYTEA)",
    ]
    assert pgstore.pg_statement("INSERT OR REPLACE INTO meta VALUES ('k', 'v')") == (
        "INSERT INTO meta VALUES ('k', 'v') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
    )


def test_lock_keys_are_stable_signed_64_bit_and_distinct():
    keys = {pgstore.lock_key(name) for name in ("import", "inbox", "feed-worker", "login:duty", "login:admin")}
    assert len(keys) == 5 and all(-(2**63) <= key < 2**63 for key in keys)
    assert pgstore.lock_key("import") == pgstore.lock_key("import")


def test_returning_id_is_recognised_for_every_table_with_a_sequence():
    match = pgstore._RETURNING_ID.match(
        """INSERT INTO dispatches (incident_id, lon, status)
           VALUES (?, ?, 'dispatched') RETURNING id"""
    )
    assert match.group(1) == "dispatches" and match.group(3).strip() == "?, ?, 'dispatched'"
    for _, ddl in store.MIGRATIONS:
        for table, sequence in pgstore.ID_SEQUENCES.items():
            if f"CREATE TABLE {table} (" in ddl:
                assert f"DEFAULT nextval('{sequence}')" in ddl


def test_the_extension_ships_for_this_duckdb():
    path = pgstore.extension_path()
    assert path.name == "postgres_scanner.duckdb_extension" and path.stat().st_size > 1_000_000


def test_a_password_in_any_url_of_a_message_is_masked():
    """A driver's message names the server URL, percent-encoded or not: the password never reaches a log."""
    message = (
        'IO Error: Unable to connect to Postgres at "postgresql://sw_reader:Hy-Pw%210q%237z@/copy58?host=/tmp/s": '
        "also mysql+pymysql://u:p@ss@h/db and https://example.invalid/path"
    )
    scrubbed = pgstore.scrub_urls(message)
    assert "Hy-Pw" not in scrubbed and "p@ss" not in scrubbed
    assert "postgresql://sw_reader:***@/copy58" in scrubbed and "https://example.invalid/path" in scrubbed


def test_no_log_record_carries_a_url_password(caplog):
    """log.exception of a server store's error: message, arguments and traceback are masked."""
    import logging

    log = logging.getLogger("emergency.test")
    try:
        raise RuntimeError('Unable to connect to Postgres at "postgresql://app:S3cr%21t@/store?host=/s"')
    except RuntimeError:
        log.exception("store failed for %s", "postgresql://app:S3cr!t@db/store")
    text = caplog.text
    assert "S3cr" not in text
    assert "postgresql://app:***@/store" in text and "postgresql://app:***@db/store" in text
