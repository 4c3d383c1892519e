"""DuckDB store: connection, schema, forward migrations and the one query choke point."""

from __future__ import annotations

import contextvars
import logging
import os
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pandas as pd

from emergency import (
    codelists,  # schema 8 seeds the code lists
    pgstore,
)

log = logging.getLogger(__name__)

# DuckDB would otherwise look for extensions online and hang ~18 s on the intranet.
CONNECTION_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

# Each migration is applied once, in order, inside one transaction; never edit a
# released step, append a new one.
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (
            key VARCHAR PRIMARY KEY,
            value VARCHAR
        );
        COMMENT ON TABLE meta IS 'Store facts: county_code, county_name, is_demo, timezone (Asia/Shanghai).';

        CREATE TABLE county (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            geometry BLOB NOT NULL,
            area_km2 DOUBLE,
            min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE
        );
        COMMENT ON TABLE county IS 'The one county this store serves; geometry is WKB in WGS84 lon/lat.';

        CREATE TABLE townships (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            geometry BLOB NOT NULL,
            area_km2 DOUBLE,
            population INTEGER,
            label_lon DOUBLE,
            label_lat DOUBLE,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE
        );
        COMMENT ON TABLE townships IS 'Townships (乡镇/街道); geometry is WKB polygon in WGS84 lon/lat.';

        CREATE TABLE rain_gauges (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR,
            township VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL,
            elevation_m DOUBLE,
            source VARCHAR
        );
        COMMENT ON TABLE rain_gauges IS 'Rain gauges; lon/lat WGS84; township is townships.code.';

        CREATE TABLE rainfall (
            station VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            mm DOUBLE NOT NULL,
            interval_min SMALLINT NOT NULL,
            PRIMARY KEY (station, ts)
        );
        COMMENT ON TABLE rainfall IS 'Rain per station and interval; one row per station and time.';
        COMMENT ON COLUMN rainfall.ts IS 'End of the interval, local time Asia/Shanghai (UTC+8), no zone stored.';
        COMMENT ON COLUMN rainfall.mm IS 'Rain fallen in (ts - interval_min, ts], millimetres.';

        CREATE TABLE incidents (
            id VARCHAR PRIMARY KEY,
            type VARCHAR NOT NULL,
            occurred_at TIMESTAMP NOT NULL,
            township VARCHAR,
            address VARCHAR,
            lon DOUBLE,
            lat DOUBLE,
            deaths INTEGER NOT NULL DEFAULT 0,
            injured INTEGER NOT NULL DEFAULT 0,
            missing INTEGER NOT NULL DEFAULT 0,
            trapped INTEGER NOT NULL DEFAULT 0,
            loss_10k_yuan DOUBLE NOT NULL DEFAULT 0,
            status VARCHAR NOT NULL,
            source VARCHAR,
            updated_at TIMESTAMP,
            description VARCHAR
        );
        COMMENT ON TABLE incidents IS 'Incidents; type and status are codes (see emergency.vocab); times Asia/Shanghai.';

        CREATE TABLE warehouses (
            name VARCHAR PRIMARY KEY,
            township VARCHAR,
            address VARCHAR,
            manager VARCHAR,
            phone VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL
        );

        CREATE TABLE stock (
            warehouse VARCHAR NOT NULL,
            item VARCHAR NOT NULL,
            category VARCHAR NOT NULL,
            quantity DOUBLE NOT NULL,
            unit VARCHAR,
            updated_at TIMESTAMP,
            PRIMARY KEY (warehouse, item)
        );
        COMMENT ON TABLE stock IS 'Relief stock per warehouse and item; category is a code (see emergency.vocab).';

        CREATE TABLE teams (
            name VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            members INTEGER NOT NULL,
            leader VARCHAR,
            phone VARCHAR,
            township VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL
        );

        CREATE TABLE shelters (
            name VARCHAR PRIMARY KEY,
            kind VARCHAR,
            capacity INTEGER NOT NULL,
            occupancy INTEGER NOT NULL DEFAULT 0,
            township VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL
        );

        CREATE TABLE hazard_points (
            id VARCHAR PRIMARY KEY,
            name VARCHAR,
            kind VARCHAR NOT NULL,
            township VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL,
            people INTEGER NOT NULL DEFAULT 0,
            households INTEGER NOT NULL DEFAULT 0,
            critical_mm_1h DOUBLE,
            critical_mm_3h DOUBLE,
            critical_mm_24h DOUBLE
        );
        COMMENT ON TABLE hazard_points IS 'Geological/flood hazard points; kind is flash_flood, landslide, debris_flow or waterlogging.';

        CREATE SEQUENCE import_log_id;
        CREATE TABLE import_log (
            id BIGINT PRIMARY KEY DEFAULT nextval('import_log_id'),
            file_name VARCHAR NOT NULL,
            file_hash VARCHAR,
            kind VARCHAR NOT NULL,
            accepted INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            user_name VARCHAR,
            imported_at TIMESTAMP NOT NULL
        );
        COMMENT ON COLUMN import_log.imported_at IS 'Local time Asia/Shanghai.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        2,
        # Data import: quarantine of rejected rows, richer import_log, and rainfall
        # without its primary-key index. Building that ART index made a 10 M-row import take
        # 15 s instead of 1 s and kept the index in memory; emergency.ingest is the only writer
        # of rainfall and enforces (station, ts) uniqueness itself, under its write lock.
        """
        CREATE TABLE rainfall_unindexed (
            station VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            mm DOUBLE NOT NULL,
            interval_min SMALLINT NOT NULL
        );
        INSERT INTO rainfall_unindexed SELECT station, ts, mm, interval_min FROM rainfall ORDER BY ts, station;
        DROP TABLE rainfall;
        ALTER TABLE rainfall_unindexed RENAME TO rainfall;
        COMMENT ON TABLE rainfall IS 'Rain per station and interval; (station, ts) is unique, enforced by emergency.ingest.';
        COMMENT ON COLUMN rainfall.ts IS 'End of the interval, local time Asia/Shanghai (UTC+8), no zone stored.';
        COMMENT ON COLUMN rainfall.mm IS 'Rain fallen in (ts - interval_min, ts], millimetres.';

        ALTER TABLE import_log ADD COLUMN source VARCHAR;
        ALTER TABLE import_log ADD COLUMN file_format VARCHAR;
        ALTER TABLE import_log ADD COLUMN inserted INTEGER;
        ALTER TABLE import_log ADD COLUMN updated INTEGER;
        ALTER TABLE import_log ADD COLUMN latest_data_at TIMESTAMP;
        COMMENT ON COLUMN import_log.source IS 'Department the file came from (水利、气象、自然资源…), as given at import.';
        COMMENT ON COLUMN import_log.latest_data_at IS 'Latest data time in the accepted rows (rain ts, incident time, stock update), local time.';

        CREATE SEQUENCE quarantine_id;
        CREATE TABLE quarantine (
            id BIGINT PRIMARY KEY DEFAULT nextval('quarantine_id'),
            import_id BIGINT NOT NULL,
            file_name VARCHAR NOT NULL,
            file_hash VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            row_number BIGINT,
            reason VARCHAR NOT NULL,
            field VARCHAR,
            value VARCHAR,
            raw VARCHAR,
            quarantined_at TIMESTAMP NOT NULL
        );
        COMMENT ON TABLE quarantine IS 'Rows an import rejected: reason is a code (emergency.ingest REASONS), raw the row as JSON; a re-import of the same file replaces its rows.';
        COMMENT ON COLUMN quarantine.row_number IS 'Spreadsheet row (header = 1) for tables, feature number for GIS files.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        3,
        # Early warning and one-click dispatch: editable thresholds seeded with the
        # national defaults, responsible persons, issued warnings with their 叫应 and dispatches.
        """
        CREATE TABLE signal_thresholds (
            level VARCHAR PRIMARY KEY,
            rank INTEGER NOT NULL UNIQUE CHECK (rank BETWEEN 1 AND 4),
            window_hours INTEGER NOT NULL CHECK (window_hours IN (1, 3, 6, 12, 24)),
            min_mm DOUBLE NOT NULL CHECK (min_mm > 0)
        );
        COMMENT ON TABLE signal_thresholds IS 'Rainstorm signal rules (CMA 暴雨预警信号): level reached when the rain of the last window_hours is >= min_mm.';
        INSERT INTO signal_thresholds VALUES
            ('blue', 1, 12, 50), ('yellow', 2, 6, 50), ('orange', 3, 3, 50), ('red', 4, 3, 100);

        CREATE TABLE grade_thresholds (
            grade VARCHAR NOT NULL,
            rank INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 4),
            criterion VARCHAR NOT NULL CHECK (criterion IN ('deaths', 'injured', 'loss_10k_yuan')),
            min_value DOUBLE NOT NULL CHECK (min_value >= 0),
            PRIMARY KEY (grade, criterion)
        );
        COMMENT ON TABLE grade_thresholds IS 'Incident grades (生产安全事故报告和调查处理条例): grade reached when a criterion is >= min_value; deaths counts deaths + missing, loss is in 10,000 yuan.';
        INSERT INTO grade_thresholds VALUES
            ('especially_major', 4, 'deaths', 30), ('especially_major', 4, 'injured', 100),
            ('especially_major', 4, 'loss_10k_yuan', 10000),
            ('major', 3, 'deaths', 10), ('major', 3, 'injured', 50), ('major', 3, 'loss_10k_yuan', 5000),
            ('large', 2, 'deaths', 3), ('large', 2, 'injured', 10), ('large', 2, 'loss_10k_yuan', 1000),
            ('general', 1, 'deaths', 0), ('general', 1, 'injured', 0), ('general', 1, 'loss_10k_yuan', 0);

        CREATE TABLE warning_settings (
            key VARCHAR PRIMARY KEY,
            value VARCHAR NOT NULL
        );
        COMMENT ON TABLE warning_settings IS 'township_method: max or mean of its gauges; ack_minutes: 叫应 deadline.';
        INSERT INTO warning_settings VALUES ('township_method', 'max'), ('ack_minutes', '30');

        CREATE TABLE township_contacts (
            township VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            phone VARCHAR NOT NULL,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (township, phone)
        );
        COMMENT ON TABLE township_contacts IS 'Responsible persons of each township who receive warnings (demo rows are synthetic).';

        CREATE SEQUENCE warning_id;
        CREATE TABLE warnings (
            id BIGINT PRIMARY KEY DEFAULT nextval('warning_id'),
            level VARCHAR NOT NULL,
            townships VARCHAR[] NOT NULL,
            text VARCHAR NOT NULL,
            channels VARCHAR[] NOT NULL,
            issued_by VARCHAR NOT NULL,
            issued_at TIMESTAMP NOT NULL
        );
        COMMENT ON TABLE warnings IS 'Issued warnings; channels are recorded, not sent; issued_at local time Asia/Shanghai.';

        CREATE TABLE warning_recipients (
            warning_id BIGINT NOT NULL,
            township VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            role VARCHAR,
            phone VARCHAR NOT NULL,
            acknowledged_at TIMESTAMP,
            PRIMARY KEY (warning_id, township, phone)
        );
        COMMENT ON TABLE warning_recipients IS 'Recipients of a warning and their acknowledgement (叫应) time, local time Asia/Shanghai.';

        CREATE TABLE incident_needs (
            incident_type VARCHAR NOT NULL,
            category VARCHAR NOT NULL,
            PRIMARY KEY (incident_type, category)
        );
        COMMENT ON TABLE incident_needs IS 'Stock categories each incident type needs; drives the warehouses a dispatch proposes.';
        INSERT INTO incident_needs VALUES
            ('flood', 'flood_control'), ('flood', 'rescue_equipment'), ('flood', 'living'), ('flood', 'medical'),
            ('flash_flood', 'rescue_equipment'), ('flash_flood', 'flood_control'), ('flash_flood', 'medical'),
            ('flash_flood', 'living'),
            ('landslide', 'rescue_equipment'), ('landslide', 'medical'), ('landslide', 'living'),
            ('debris_flow', 'rescue_equipment'), ('debris_flow', 'medical'), ('debris_flow', 'living'),
            ('waterlogging', 'flood_control'), ('waterlogging', 'power_comms'), ('waterlogging', 'living'),
            ('collapse', 'rescue_equipment'), ('collapse', 'medical'), ('collapse', 'living'),
            ('traffic', 'rescue_equipment'), ('traffic', 'power_comms'),
            ('other', 'rescue_equipment'), ('other', 'living');

        CREATE SEQUENCE dispatch_id;
        CREATE TABLE dispatches (
            id BIGINT PRIMARY KEY DEFAULT nextval('dispatch_id'),
            incident_id VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL,
            resource_kind VARCHAR NOT NULL CHECK (resource_kind IN ('team', 'warehouse', 'shelter')),
            resource_name VARCHAR NOT NULL,
            items VARCHAR,
            distance_km DOUBLE,
            eta_min DOUBLE,
            status VARCHAR NOT NULL,
            note VARCHAR,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL
        );
        COMMENT ON TABLE dispatches IS 'Dispatch log: a team, warehouse (items) or shelter sent to an incident or point; status is a code (see emergency.vocab); times Asia/Shanghai.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        4,
        # Trends and the duty briefing: the minimum each warehouse should hold of an
        # item, so the resources page and the briefing can list what runs short.
        """
        CREATE TABLE stock_minimums (
            item VARCHAR PRIMARY KEY,
            minimum DOUBLE NOT NULL CHECK (minimum >= 0),
            unit VARCHAR
        );
        COMMENT ON TABLE stock_minimums IS 'Minimum stock per item that every warehouse holding the item should keep (stock.item).';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        5,
        # Township command view and grid management: villages/communities and grid
        # cells under each township with their grid member, and the township duty roster.
        # township_contacts (schema 3) holds standing responsibilities; the 值班领导 changes
        # every day, so it lives in its own dated table.
        """
        CREATE TABLE villages (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('village', 'community')),
            township VARCHAR NOT NULL,
            geometry BLOB NOT NULL,
            area_km2 DOUBLE,
            population INTEGER,
            label_lon DOUBLE,
            label_lat DOUBLE,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE
        );
        COMMENT ON TABLE villages IS 'Villages (村) and communities (社区) of each township; geometry is WKB (multi)polygon in WGS84 lon/lat.';

        CREATE TABLE grids (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            village VARCHAR NOT NULL,
            township VARCHAR NOT NULL,
            geometry BLOB NOT NULL,
            area_km2 DOUBLE,
            keeper VARCHAR NOT NULL,
            phone VARCHAR NOT NULL,
            label_lon DOUBLE,
            label_lat DOUBLE,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE
        );
        COMMENT ON TABLE grids IS 'Grid cells (网格) of a village; keeper is the grid member (网格员) and phone theirs.';

        CREATE TABLE duty_roster (
            township VARCHAR NOT NULL,
            duty_date DATE NOT NULL,
            name VARCHAR NOT NULL,
            title VARCHAR,
            phone VARCHAR NOT NULL,
            is_demo BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (township, duty_date)
        );
        COMMENT ON TABLE duty_roster IS 'Township leader on duty (值班领导) per calendar day, local time Asia/Shanghai.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        6,
        # Access control and audit: local accounts with their role, lockout state,
        # sign-in sessions that survive a page reload, and an append-only audit trail.
        """
        CREATE TABLE users (
            username VARCHAR PRIMARY KEY,
            display_name VARCHAR NOT NULL,
            role VARCHAR NOT NULL CHECK (role IN ('leader', 'duty', 'analyst', 'admin')),
            password_hash VARCHAR,
            disabled BOOLEAN NOT NULL DEFAULT FALSE,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TIMESTAMP,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            last_login_at TIMESTAMP
        );
        COMMENT ON TABLE users IS 'Accounts and roles; password_hash is bcrypt, NULL for accounts that sign in through OIDC or the trusted proxy; times Asia/Shanghai.';

        CREATE TABLE login_sessions (
            token_hash VARCHAR PRIMARY KEY,
            username VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL
        );
        COMMENT ON TABLE login_sessions IS 'Signed-in browser sessions; only the SHA-256 of the cookie token is kept.';

        CREATE SEQUENCE audit_id;
        CREATE TABLE audit_log (
            id BIGINT PRIMARY KEY DEFAULT nextval('audit_id'),
            logged_at TIMESTAMP NOT NULL,
            username VARCHAR NOT NULL,
            role VARCHAR,
            action VARCHAR NOT NULL,
            object VARCHAR,
            outcome VARCHAR NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
            detail VARCHAR,
            client VARCHAR
        );
        COMMENT ON TABLE audit_log IS 'Who did what, when: sign-ins, imports, warnings, acknowledgements, dispatches, exports, account changes; append-only; times Asia/Shanghai.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        7,
        # Scale: rain summed per station and clock hour, so windows of whole hours
        # read ~12x fewer rows than rainfall. Kept in step with rainfall by every writer
        # (refresh_rain_hourly); backfilled here for existing stores. mm is summed as a
        # decimal of thousandths: exact, so a sum of hourly sums equals the sum of the reports.
        """
        CREATE TABLE rain_hourly (
            station VARCHAR NOT NULL,
            hour TIMESTAMP NOT NULL,
            mm DECIMAL(18, 3) NOT NULL,
            readings INTEGER NOT NULL,
            max_mm DOUBLE NOT NULL
        );
        COMMENT ON TABLE rain_hourly IS 'Rainfall summed per station and clock hour; derived from rainfall, rewritten by each write to it (emergency.store.refresh_rain_hourly).';
        COMMENT ON COLUMN rain_hourly.hour IS 'End of the hour: the rows of rainfall with hour - 1 h < ts <= hour, local time Asia/Shanghai.';
        COMMENT ON COLUMN rain_hourly.mm IS 'Rain of the hour, millimetres, exact sum of the reports rounded to thousandths.';
        COMMENT ON COLUMN rain_hourly.readings IS 'Rainfall rows summed (a zero report counts).';
        COMMENT ON COLUMN rain_hourly.max_mm IS 'Largest single report of the hour, millimetres.';
        INSERT INTO rain_hourly
        SELECT station, time_bucket(INTERVAL 1 HOUR, ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 HOUR AS hour,
               sum(mm::DECIMAL(18, 3)), count(*), max(mm)
        FROM rainfall GROUP BY ALL ORDER BY hour, station;
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        8,
        # Real department data in, whole: code lists and the spellings an admin
        # mapped; header mappings remembered per source and kind; the original text beside an
        # "other" code; serious injuries apart from injuries; blanks stored as unknown (NULL)
        # instead of 0; resources kept without coordinates ("location missing"); every problem
        # of a rejected row and its sheet in the quarantine.
        """
        CREATE TABLE code_lists (
            list VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            name_zh VARCHAR NOT NULL,
            name_en VARCHAR NOT NULL,
            color VARCHAR,
            standard VARCHAR,
            standard_class VARCHAR,
            builtin BOOLEAN NOT NULL DEFAULT FALSE,
            position INTEGER,
            PRIMARY KEY (list, code)
        );
        COMMENT ON TABLE code_lists IS 'Codes of each categorical field (incident_type, stock_category, team_kind...); builtin ones from the program, seeded with the national classification (GB/T 35561, 38565, 44013) they belong to; others added by an administrator.';

        CREATE TABLE code_synonyms (
            list VARCHAR NOT NULL,
            spelling VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            created_by VARCHAR,
            created_at TIMESTAMP,
            PRIMARY KEY (list, spelling)
        );
        COMMENT ON TABLE code_synonyms IS 'Department spellings an administrator mapped to a code; spelling is the label without spaces, lower-case.';

        CREATE TABLE header_mappings (
            source VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            field VARCHAR NOT NULL,
            header VARCHAR,
            updated_by VARCHAR,
            updated_at TIMESTAMP,
            PRIMARY KEY (source, kind, field)
        );
        COMMENT ON TABLE header_mappings IS 'Column a source department uses for a field of a kind, as confirmed at import; reused for its later files. header NULL: the field is deliberately left unmapped.';

        ALTER TABLE incidents ADD COLUMN IF NOT EXISTS seriously_injured INTEGER;
        COMMENT ON COLUMN incidents.seriously_injured IS 'Seriously injured (重伤), the grading criterion; injured (受伤) counts all injuries. NULL: not reported.';
        ALTER TABLE incidents ADD COLUMN type_label VARCHAR;
        ALTER TABLE stock ADD COLUMN category_label VARCHAR;
        ALTER TABLE teams ADD COLUMN kind_label VARCHAR;
        ALTER TABLE teams ADD COLUMN address VARCHAR;
        ALTER TABLE shelters ADD COLUMN kind_label VARCHAR;
        ALTER TABLE shelters ADD COLUMN address VARCHAR;
        ALTER TABLE hazard_points ADD COLUMN kind_label VARCHAR;
        ALTER TABLE rain_gauges ADD COLUMN kind_label VARCHAR;

        ALTER TABLE incidents ALTER COLUMN deaths DROP NOT NULL;
        ALTER TABLE incidents ALTER COLUMN deaths DROP DEFAULT;
        ALTER TABLE incidents ALTER COLUMN injured DROP NOT NULL;
        ALTER TABLE incidents ALTER COLUMN injured DROP DEFAULT;
        ALTER TABLE incidents ALTER COLUMN missing DROP NOT NULL;
        ALTER TABLE incidents ALTER COLUMN missing DROP DEFAULT;
        ALTER TABLE incidents ALTER COLUMN trapped DROP NOT NULL;
        ALTER TABLE incidents ALTER COLUMN trapped DROP DEFAULT;
        ALTER TABLE incidents ALTER COLUMN loss_10k_yuan DROP NOT NULL;
        ALTER TABLE incidents ALTER COLUMN loss_10k_yuan DROP DEFAULT;
        ALTER TABLE shelters ALTER COLUMN occupancy DROP NOT NULL;
        ALTER TABLE shelters ALTER COLUMN occupancy DROP DEFAULT;
        ALTER TABLE hazard_points ALTER COLUMN people DROP NOT NULL;
        ALTER TABLE hazard_points ALTER COLUMN people DROP DEFAULT;
        ALTER TABLE hazard_points ALTER COLUMN households DROP NOT NULL;
        ALTER TABLE hazard_points ALTER COLUMN households DROP DEFAULT;
        ALTER TABLE warehouses ALTER COLUMN lon DROP NOT NULL;
        ALTER TABLE warehouses ALTER COLUMN lat DROP NOT NULL;
        ALTER TABLE teams ALTER COLUMN lon DROP NOT NULL;
        ALTER TABLE teams ALTER COLUMN lat DROP NOT NULL;
        ALTER TABLE shelters ALTER COLUMN lon DROP NOT NULL;
        ALTER TABLE shelters ALTER COLUMN lat DROP NOT NULL;
        COMMENT ON COLUMN incidents.type_label IS 'The department''s own text when type is other (shown as 其他·<text>).';
        COMMENT ON COLUMN teams.lon IS 'WGS84; NULL: location missing (kept, listed on the completeness page, not drawn).';

        ALTER TABLE quarantine ADD COLUMN problems VARCHAR;
        ALTER TABLE quarantine ADD COLUMN sheet VARCHAR;
        COMMENT ON COLUMN quarantine.problems IS 'Every problem of the row as JSON [[reason, field, value], ...]; reason/field/value hold the first.';
        ALTER TABLE import_log ADD COLUMN details VARCHAR;
        COMMENT ON COLUMN import_log.details IS 'JSON: sheets read and skipped, unit conversions, other-labels with counts, unused look-alike headers.';
        """  # noqa: E501 - embedded SQL/CSS/JS text
        + codelists.seed_sql(),
    ),
    (
        9,
        # One rule engine: incident grades by incident type. Each type has its own
        # scale with its legal source; a type with no rows is shown as 未分级 (no borrowed
        # scale). seriously_injured (重伤) is the production-safety criterion, not all injured;
        # the importer fills it (same IF NOT EXISTS statement there).
        """
        ALTER TABLE incidents ADD COLUMN IF NOT EXISTS seriously_injured INTEGER;
        CREATE TABLE grade_rules (
            incident_type VARCHAR NOT NULL,
            scale VARCHAR NOT NULL,
            grade VARCHAR NOT NULL CHECK (grade IN ('general', 'large', 'major', 'especially_major')),
            rank INTEGER NOT NULL CHECK (rank BETWEEN 1 AND 4),
            criterion VARCHAR NOT NULL CHECK (criterion IN ('deaths', 'deaths_missing', 'seriously_injured', 'loss_10k_yuan')),
            min_value DOUBLE NOT NULL CHECK (min_value >= 0),
            source VARCHAR NOT NULL,
            PRIMARY KEY (incident_type, grade, criterion)
        );
        COMMENT ON TABLE grade_rules IS 'Incident grade rules per incident type: grade reached when a criterion is >= min_value ("以上" includes the bound); a type without rows is ungraded (未分级). scale names the grading scale (production_safety, geological, provincial); loss in 10,000 yuan.';
        INSERT INTO grade_rules
        SELECT t.incident_type, 'production_safety', g.grade, g.rank, g.criterion, g.min_value,
               '生产安全事故报告和调查处理条例（国务院令第493号）第三条'
        FROM (VALUES ('production_safety')) t(incident_type),
             (VALUES ('especially_major', 4, 'deaths_missing', 30), ('especially_major', 4, 'seriously_injured', 100),
                     ('especially_major', 4, 'loss_10k_yuan', 10000),
                     ('major', 3, 'deaths_missing', 10), ('major', 3, 'seriously_injured', 50),
                     ('major', 3, 'loss_10k_yuan', 5000),
                     ('large', 2, 'deaths_missing', 3), ('large', 2, 'seriously_injured', 10),
                     ('large', 2, 'loss_10k_yuan', 1000),
                     ('general', 1, 'deaths_missing', 0), ('general', 1, 'seriously_injured', 0),
                     ('general', 1, 'loss_10k_yuan', 0)) g(grade, rank, criterion, min_value);
        INSERT INTO grade_rules
        SELECT t.incident_type, 'geological', g.grade, g.rank, g.criterion, g.min_value,
               '地质灾害防治条例（国务院令第394号）第四条；国家突发地质灾害应急预案'
        FROM (VALUES ('landslide'), ('debris_flow'), ('rockfall'), ('ground_subsidence')) t(incident_type),
             (VALUES ('especially_major', 4, 'deaths', 30), ('especially_major', 4, 'loss_10k_yuan', 1000),
                     ('major', 3, 'deaths', 10), ('major', 3, 'loss_10k_yuan', 500),
                     ('large', 2, 'deaths', 3), ('large', 2, 'loss_10k_yuan', 100),
                     ('general', 1, 'deaths', 0), ('general', 1, 'loss_10k_yuan', 0)) g(grade, rank, criterion, min_value);
        INSERT OR REPLACE INTO warning_settings VALUES ('hazard_gauge_km', '10');
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        11,
        # Live hydrology feed: SL 323 sources (their URLs, with credentials, stay in
        # the settings file), every sync run, river and reservoir stations with their levels and
        # thresholds, and each rain gauge's reporting interval.
        """
        CREATE TABLE feeds (
            name VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL DEFAULT 'sl323',
            url_shown VARCHAR,
            stations_filter VARCHAR,
            crs VARCHAR NOT NULL DEFAULT 'cgcs2000',
            every_min INTEGER NOT NULL DEFAULT 5 CHECK (every_min BETWEEN 1 AND 1440),
            overlap_min INTEGER NOT NULL DEFAULT 60 CHECK (overlap_min BETWEEN 0 AND 10080),
            silent_min INTEGER NOT NULL DEFAULT 15 CHECK (silent_min BETWEEN 1 AND 10080),
            first_days INTEGER NOT NULL DEFAULT 3 CHECK (first_days BETWEEN 1 AND 400),
            enabled BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP NOT NULL
        );
        COMMENT ON TABLE feeds IS 'Live sources (SL 323 real-time hydrology databases); url_shown has the password masked, the URL itself is in the settings file [yitu_feeds].';

        CREATE TABLE feed_marks (
            feed VARCHAR NOT NULL,
            source_table VARCHAR NOT NULL,
            high_water TIMESTAMP NOT NULL,
            PRIMARY KEY (feed, source_table)
        );
        COMMENT ON TABLE feed_marks IS 'Newest accepted report time per feed and source table; a run reads from high_water - overlap_min.';

        CREATE SEQUENCE feed_run_id;
        CREATE TABLE feed_runs (
            id BIGINT PRIMARY KEY DEFAULT nextval('feed_run_id'),
            feed VARCHAR NOT NULL,
            started_at TIMESTAMP NOT NULL,
            ended_at TIMESTAMP,
            ok BOOLEAN,
            read_rows INTEGER NOT NULL DEFAULT 0,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            stations INTEGER NOT NULL DEFAULT 0,
            latest_data_at TIMESTAMP,
            error_kind VARCHAR,
            error VARCHAR,
            attempt INTEGER NOT NULL DEFAULT 1
        );
        COMMENT ON TABLE feed_runs IS 'Every sync run: start, end, rows read/inserted/updated/rejected, newest report time, error (credentials masked); times Asia/Shanghai.';
        COMMENT ON COLUMN feed_runs.error_kind IS 'unreachable, schema, no_url, store or other (emergency.feed.sync.ERROR_KINDS); error holds the driver message.';

        CREATE TABLE water_stations (
            code VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL CHECK (kind IN ('river', 'reservoir')),
            river VARCHAR,
            basin VARCHAR,
            township VARCHAR,
            lon DOUBLE NOT NULL,
            lat DOUBLE NOT NULL,
            address VARCHAR,
            source VARCHAR
        );
        COMMENT ON TABLE water_stations IS 'River (SL 323 STTP ZQ/ZZ) and reservoir (RR) stations; lon/lat WGS84.';

        CREATE TABLE water_levels (
            station VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            level_m DOUBLE,
            flow_m3s DOUBLE,
            inflow_m3s DOUBLE,
            storage_1e6m3 DOUBLE,
            trend VARCHAR,
            PRIMARY KEY (station, ts)
        );
        COMMENT ON TABLE water_levels IS 'River level Z and flow Q (ST_RIVER_R) or reservoir level RZ, outflow OTQ as flow, inflow INQ, storage W (ST_RSVR_R); ts local time Asia/Shanghai.';

        CREATE TABLE water_thresholds (
            station VARCHAR PRIMARY KEY,
            warning_level_m DOUBLE,
            guarantee_level_m DOUBLE,
            warning_flow_m3s DOUBLE,
            guarantee_flow_m3s DOUBLE
        );
        COMMENT ON TABLE water_thresholds IS 'River thresholds (ST_RVFCCH_B): 警戒水位 WRZ, 保证水位 GRZ and their flows.';

        CREATE TABLE flood_limits (
            station VARCHAR NOT NULL,
            begin_md VARCHAR NOT NULL,
            end_md VARCHAR NOT NULL,
            limit_level_m DOUBLE NOT NULL,
            PRIMARY KEY (station, begin_md)
        );
        COMMENT ON TABLE flood_limits IS 'Reservoir flood-limit levels 汛限水位 by period (ST_RSVRFSR_B BGMD..EDMD as MMDD, inclusive).';

        CREATE TABLE gauge_intervals (
            station VARCHAR PRIMARY KEY,
            interval_min INTEGER NOT NULL
        );
        COMMENT ON TABLE gauge_intervals IS 'Reporting interval of each rain gauge: its shortest rain period (SL 323 INTV) in the last day of reports, minutes.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        15,
        # Header mappings remembered per header set too: a department's file of the
        # same shape maps again without a source name.
        """
        CREATE TABLE IF NOT EXISTS header_set_mappings (
            signature VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            field VARCHAR NOT NULL,
            header VARCHAR,
            headers VARCHAR NOT NULL,
            updated_by VARCHAR,
            updated_at TIMESTAMP,
            PRIMARY KEY (signature, kind, field)
        );
        COMMENT ON TABLE header_set_mappings IS 'Column a file layout uses for a field of a kind, as confirmed at import; signature identifies the set of header names (emergency.ingest.mappings.signature), headers lists them (JSON). header NULL: the field is deliberately left unmapped.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
    (
        16,
        # A quarantined row names its record, so a later file that stores that record (the
        # department's corrected file) takes it off the list of rows still to fix.
        """
        ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS record_key VARCHAR;
        COMMENT ON COLUMN quarantine.record_key IS 'The row''s natural key as read (JSON array of the kind''s key fields as text; NULL where one did not parse): an import of another file that stores a record of this key and kind removes the row.';
        """,  # noqa: E501 - embedded SQL/CSS/JS text
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def connect(path: str | os.PathLike, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store at ``path`` and bring its schema up to date.

    Parameters
    ----------
    path : str or PathLike
        DuckDB file, ``":memory:"``, or a PostgreSQL server store's URL
        (``postgresql://user:password@host:port/database``, or ``?host=/socket/dir``), see
        :mod:`emergency.pgstore`.
    read_only : bool
        Open without taking the writer lock (DuckDB) or migrating; the schema must then be
        current or older.

    Returns
    -------
    duckdb.DuckDBPyConnection
        For a server store, a DuckDB connection whose cursors all work on the server's tables.

    Raises
    ------
    SchemaTooNew
        The store was migrated by a newer version of this program.
    """
    if pgstore.is_url(path):
        if not read_only:
            pgstore.migrate(str(path), MIGRATIONS, SCHEMA_VERSION)
        conn = pgstore.open_duckdb(str(path), CONNECTION_CONFIG)
        _refuse_newer(conn)
        return conn
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(path), read_only=read_only, config=CONNECTION_CONFIG)
    except duckdb.IOException as error:
        if "newer version of DuckDB" in str(error):
            raise StoreFileTooNew(path) from None
        raise
    try:
        _refuse_newer(conn)
    except SchemaTooNew:
        conn.close()
        raise
    if not read_only:
        migrate(conn)
    return conn


SchemaTooNew = pgstore.SchemaTooNew


class StoreFileTooNew(pgstore.StoreError):
    """The DuckDB file was written by a newer DuckDB than this program's (its storage cannot be read)."""

    def __init__(self, path) -> None:
        super().__init__(
            f"{path} was written by a newer DuckDB than this program's {duckdb.__version__}: open it with "
            "the DuckDB that wrote it and EXPORT DATABASE, or restore a backup made by this program "
            "(python -m emergency restore); a demo store can be deleted and is built again"
        )
        self.path = path


def _refuse_newer(conn) -> None:
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(found, SCHEMA_VERSION)


def exists(target) -> bool:
    """Tell whether the store ``target`` (DuckDB path or server URL) holds a schema already."""
    if pgstore.is_url(target):
        return pgstore.exists(str(target))
    return Path(target).exists()


def is_postgres(conn) -> bool:
    """Tell whether it is a connection to a PostgreSQL server store."""
    return pgstore.is_postgres(conn)


def describe(target) -> str:
    """Return the store target for messages: a DuckDB path, or the server URL with its password masked."""
    return pgstore.masked(target) if pgstore.is_url(target) else str(target)


@contextmanager
def process_lock(conn, name: str):
    """Serialize a critical section named ``name`` across every process using the store.

    A DuckDB file has one writing process, so a no-op there (callers keep their thread lock);
    on a PostgreSQL store, a session advisory lock on the server (imports from several app
    processes and CLIs, sign-in attempts on one account, the inbox).
    """
    if not pgstore.is_postgres(conn):
        yield
        return
    with pgstore.advisory_lock(conn.url, name):
        yield


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """Return the schema version of the store, 0 for an empty database."""
    cursor = conn.cursor()
    try:
        has_meta = cursor.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_name = 'meta' AND table_catalog = current_database()"
        ).fetchone()[0]
        if not has_meta:
            return 0
        row = cursor.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0
    finally:
        cursor.close()


# The transaction a caller opened on a connection in this thread/task (see :func:`transaction`).
_AMBIENT: contextvars.ContextVar[tuple[int, duckdb.DuckDBPyConnection] | None] = contextvars.ContextVar(
    "store_ambient_transaction", default=None
)


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection):
    """Yield a fresh cursor inside one transaction: committed at the end, rolled back on any error.

    Nested use on the same connection (in the same thread) joins the outer transaction:
    :mod:`emergency.actions` opens one around a write and its audit row, so the domain
    functions' own ``transaction`` blocks commit (or roll back) together with the audit.
    """
    ambient = _AMBIENT.get()
    if ambient is not None and ambient[0] == id(conn):
        yield ambient[1]
        return
    cursor = conn.cursor()
    token = _AMBIENT.set((id(conn), cursor))
    try:
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield cursor
            cursor.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (e.g. "Conflict on update") has already ended the transaction.
            with suppress(duckdb.Error):
                cursor.execute("ROLLBACK")
            raise
    finally:
        _AMBIENT.reset(token)
        cursor.close()


def migrate(conn: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the store's version; return the new version."""
    current = schema_version(conn)
    for version, ddl in MIGRATIONS:
        if version <= current:
            continue
        with transaction(conn) as cursor:
            cursor.execute(ddl)
            cursor.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
        log.info("store migrated to schema version %s", version)
        current = version
    return current


# The clock hour a rainfall row falls in, by its end: a row at 01:00 covers (00:00, 01:00].
RAIN_HOUR_SQL = "time_bucket(INTERVAL 1 HOUR, ts - INTERVAL 1 MICROSECOND) + INTERVAL 1 HOUR"
# Type rain is summed in: thousandths of a mm, exact (rain_hourly.mm has it).
RAIN_MM_SUM_TYPE = "DECIMAL(18, 3)"


def refresh_rain_hourly(cursor: duckdb.DuckDBPyConnection, touched: str | None = None) -> None:
    """Recompute ``rain_hourly`` from ``rainfall``, inside the caller's transaction.

    Parameters
    ----------
    cursor : duckdb.DuckDBPyConnection
        A cursor of the store; the writer's own, so readers see rainfall and its hourly
        sums change together.
    touched : str, optional
        Name of a table of ``(station, hour)`` pairs whose rows changed; only those hours
        are rewritten. All hours when omitted.
    """
    # Decimal sums are exact: they do not depend on the order threads add rows in, and the
    # queries' sums over hours equal their sums over reports (emergency.queries.rain_rows).
    summed = (
        f"SELECT station, {RAIN_HOUR_SQL} AS hour, sum(mm::{RAIN_MM_SUM_TYPE}) AS mm, "
        "count(*) AS readings, max(mm) AS max_mm"
    )
    if touched is None:
        cursor.execute("DELETE FROM rain_hourly")
        cursor.execute(f"INSERT INTO rain_hourly {summed} FROM rainfall GROUP BY ALL ORDER BY hour, station")
        return
    # ``touched`` is a table name chosen by the calling code, never user input.
    first, last = cursor.execute(f"SELECT min(hour), max(hour) FROM {touched}").fetchone()
    if first is None:
        return
    cursor.execute(f"DELETE FROM rain_hourly h USING {touched} k WHERE h.station = k.station AND h.hour = k.hour")
    # The time range lets DuckDB skip row groups of rainfall outside the touched hours.
    cursor.execute(
        f"""
        INSERT INTO rain_hourly
        {summed}
        FROM (SELECT * FROM rainfall WHERE ts > ?::TIMESTAMP - INTERVAL 1 HOUR AND ts <= ?) r
        SEMI JOIN {touched} k ON k.station = r.station AND k.hour = {RAIN_HOUR_SQL.replace("ts", "r.ts")}
        GROUP BY ALL ORDER BY hour, station
        """,
        [first, last],
    )


def add_rain_hourly(cursor: duckdb.DuckDBPyConnection, new_rows: str, summed: bool = False) -> None:
    """Add rainfall rows just inserted to the sums of their hours, inside the caller's transaction.

    Exact, as the sums are decimals; far cheaper than recomputing the hours from ``rainfall``
    for a season's file. Rows whose value changed need :func:`refresh_rain_hourly`.

    Parameters
    ----------
    cursor : duckdb.DuckDBPyConnection
        The writer's cursor.
    new_rows : str
        A table name or parenthesized query with columns station, ts and mm, chosen by the
        calling code (never user input): the rows inserted, none of them already counted.
    summed : bool
        When True, ``new_rows`` holds those rows already summed per station and hour, with
        columns station, start (the hour's start, ``date_trunc('hour', ts - 1 µs)``), mm (the
        decimal sum), readings and max_mm.
    """
    # Grouped by the hour's start (date_trunc, cheaper per row than RAIN_HOUR_SQL's
    # time_bucket and the same hours), its end added once per group.
    sums = (
        new_rows
        if summed
        else f"""(SELECT station, date_trunc('hour', ts - INTERVAL 1 MICROSECOND) AS start,
                         sum(mm::{RAIN_MM_SUM_TYPE}) AS mm, count(*) AS readings, max(mm) AS max_mm
                  FROM {new_rows} GROUP BY ALL)"""
    )
    if summed:
        # Sums already made (a file's new rows): when no stored hour lies in their span (a
        # new day's file; the table's min/max per row group answers it), they are inserted as
        # they are, without the update and the anti-join against every stored hour.
        first, last = cursor.execute(f"SELECT min(start), max(start) FROM {sums}").fetchone()
        if first is None:
            return
        if not cursor.execute(
            """SELECT count(*) FROM (SELECT 1 FROM rain_hourly
               WHERE hour BETWEEN ?::TIMESTAMP + INTERVAL 1 HOUR AND ?::TIMESTAMP + INTERVAL 1 HOUR LIMIT 1)""",
            [first, last],
        ).fetchone()[0]:
            cursor.execute(
                f"""INSERT INTO rain_hourly
                    SELECT station, start + INTERVAL 1 HOUR AS hour, mm, readings, max_mm FROM {sums}
                    ORDER BY hour, station"""
            )
            return
    cursor.execute(
        f"""CREATE TEMP TABLE added_hours AS
            SELECT station, start + INTERVAL 1 HOUR AS hour, mm, readings, max_mm FROM {sums}"""
    )
    try:
        cursor.execute(
            """UPDATE rain_hourly SET mm = rain_hourly.mm + a.mm, readings = rain_hourly.readings + a.readings,
                                      max_mm = greatest(rain_hourly.max_mm, a.max_mm)
               FROM temp.added_hours a WHERE rain_hourly.station = a.station AND rain_hourly.hour = a.hour"""
        )
        cursor.execute("""INSERT INTO rain_hourly
               SELECT a.station, a.hour, a.mm, a.readings, a.max_mm
               FROM temp.added_hours a ANTI JOIN rain_hourly h ON h.station = a.station AND h.hour = a.hour
               ORDER BY a.hour, a.station""")
    finally:
        cursor.execute("DROP TABLE temp.added_hours")


def run(
    conn: duckdb.DuckDBPyConnection, sql: str, params: list | tuple | None = None, via_arrow: bool = False
) -> pd.DataFrame:
    """Run one parameterized statement on a fresh cursor and return a DataFrame.

    ``via_arrow`` converts through an Arrow table, about twice as fast for many text columns
    (the incident list); only for results of text, number and timestamp columns,
    since Arrow would turn DECIMAL, DATE and LIST values into Python objects.
    """
    cursor = conn.cursor()
    try:
        if via_arrow:
            return cursor.sql(sql, params=params or []).to_arrow_table().to_pandas()
        return cursor.execute(sql, params or []).df()
    except duckdb.Error:
        log.error("query failed: %s params=%r", sql, params)
        raise
    finally:
        cursor.close()


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list | tuple | None = None):
    """Run one parameterized statement and return the first column of its first row."""
    cursor = conn.cursor()
    try:
        row = cursor.execute(sql, params or []).fetchone()
    finally:
        cursor.close()
    return row[0] if row else None


def get_meta(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the meta table as a dict."""
    frame = run(conn, "SELECT key, value FROM meta")
    return dict(zip(frame["key"], frame["value"], strict=True))


def set_meta(conn: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """Insert or replace meta entries."""
    cursor = conn.cursor()
    try:
        for key, value in values.items():
            cursor.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])
    finally:
        cursor.close()
