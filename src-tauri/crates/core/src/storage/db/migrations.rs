//! Versioned schema migrations, tracked in SQLite's `user_version`.
//!
//! Migrations are append-only: never edit one that has shipped; add the next one. Each runs in its
//! own IMMEDIATE transaction together with the version bump, so a crash leaves the schema at a
//! whole version.

use rusqlite::{Connection, TransactionBehavior};

use crate::base::error::{Error, Result};

/// Every migration in order; migration `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: credentials, personas with their source records, sync state.
    r#"
    CREATE TABLE app_settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    -- A POS credential. Its secret lives only in the keychain, under the entry `credential:<id>`.
    -- A row is 'pending' between its insert and the keychain write; start-up removes pending rows.
    CREATE TABLE credentials (
        id           TEXT PRIMARY KEY,
        integration  TEXT NOT NULL CHECK (integration IN ('posabit', 'greenbits')),
        store_name   TEXT NOT NULL,
        market       TEXT,
        venue_name   TEXT,
        venue_state  TEXT,
        permissions  TEXT NOT NULL DEFAULT '[]',
        status       TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        created_at   TEXT NOT NULL,
        verified_at  TEXT
    ) STRICT;
    CREATE UNIQUE INDEX credentials_name ON credentials (integration, store_name COLLATE NOCASE);

    CREATE TABLE personas (
        id               INTEGER PRIMARY KEY,
        first_name       TEXT,
        last_name        TEXT,
        phone_e164       TEXT,
        email            TEXT,
        birth_date       TEXT,
        loyalty_member   INTEGER NOT NULL DEFAULT 0,
        marketing_opt_in INTEGER NOT NULL DEFAULT 0,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX personas_phone ON personas (phone_e164) WHERE phone_e164 IS NOT NULL;
    CREATE INDEX personas_email ON personas (email) WHERE email IS NOT NULL;
    CREATE INDEX personas_name ON personas (last_name, first_name, id);

    -- One POS record attached to a persona: provenance, kept so merges can be explained.
    CREATE TABLE source_records (
        id             INTEGER PRIMARY KEY,
        persona_id     INTEGER NOT NULL REFERENCES personas (id),
        integration    TEXT NOT NULL,
        credential_id  TEXT NOT NULL REFERENCES credentials (id),
        pos_id         TEXT NOT NULL,
        match_reason   TEXT NOT NULL CHECK (match_reason IN ('new', 'phone', 'email')),
        phone_raw      TEXT,
        pos_updated_at TEXT NOT NULL,
        first_seen_at  TEXT NOT NULL,
        last_seen_at   TEXT NOT NULL,
        payload        TEXT NOT NULL,
        UNIQUE (integration, credential_id, pos_id)
    ) STRICT;
    CREATE INDEX source_records_persona ON source_records (persona_id, integration);

    -- The high-water mark of each stream, written in the same transaction as the page it covers.
    CREATE TABLE sync_cursors (
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        stream        TEXT NOT NULL,
        cursor        TEXT NOT NULL,
        PRIMARY KEY (credential_id, stream)
    ) STRICT;

    CREATE TABLE sync_runs (
        id             INTEGER PRIMARY KEY,
        credential_id  TEXT NOT NULL REFERENCES credentials (id),
        stream         TEXT NOT NULL,
        trigger        TEXT NOT NULL,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        pages          INTEGER NOT NULL DEFAULT 0,
        records_seen   INTEGER NOT NULL DEFAULT 0,
        records_new    INTEGER NOT NULL DEFAULT 0,
        records_changed INTEGER NOT NULL DEFAULT 0,
        records_rejected INTEGER NOT NULL DEFAULT 0,
        error_code     TEXT,
        error_message  TEXT
    ) STRICT;

    -- A POS record that could not be read: the run skipped it and went on.
    CREATE TABLE sync_record_errors (
        id       INTEGER PRIMARY KEY,
        run_id   INTEGER NOT NULL REFERENCES sync_runs (id),
        pos_id   TEXT,
        field    TEXT NOT NULL,
        reason   TEXT NOT NULL
    ) STRICT;
    "#,
    // 2: connection state per integration, retail stores and store mappings, credential removal.
    r#"
    -- One row per integration the user has touched: the age-gate attestation and connection times.
    CREATE TABLE integrations (
        integration          TEXT PRIMARY KEY CHECK (integration IN ('posabit', 'greenbits')),
        age_gate_attested_at TEXT,
        connected_at         TEXT,
        disconnected_at      TEXT
    ) STRICT;

    -- Removing a credential forgets its secret but keeps the row: its data stays attributed.
    ALTER TABLE credentials ADD COLUMN removed_at TEXT;
    DROP INDEX credentials_name;
    CREATE UNIQUE INDEX credentials_name ON credentials (integration, store_name COLLATE NOCASE) WHERE removed_at IS NULL;

    -- Settings → Company Account → Retail Stores.
    CREATE TABLE retail_stores (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        store_number TEXT NOT NULL,
        state        TEXT NOT NULL,
        timezone     TEXT NOT NULL,
        address      TEXT,
        license      TEXT,
        created_at   TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX retail_stores_name ON retail_stores (name COLLATE NOCASE);
    CREATE UNIQUE INDEX retail_stores_number ON retail_stores (store_number);

    -- A mappable key (a POSaBIT credential) mapped to at most one retail store.
    CREATE TABLE store_mappings (
        key_id      TEXT PRIMARY KEY,
        integration TEXT NOT NULL,
        store_id    INTEGER NOT NULL REFERENCES retail_stores (id) ON DELETE CASCADE,
        mapped_at   TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX store_mappings_one_per_integration ON store_mappings (store_id, integration);
    "#,
    // 3: notifications and each persona's favorite store.
    r#"
    -- Something the user should act on; one active row per (kind, subject), cleared when fixed.
    CREATE TABLE notifications (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('unmapped_store', 'sync_failed')),
        subject    TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        cleared_at TEXT
    ) STRICT;
    CREATE UNIQUE INDEX notifications_active ON notifications (kind, subject) WHERE cleared_at IS NULL;

    ALTER TABLE personas ADD COLUMN favorite_store_id INTEGER REFERENCES retail_stores (id) ON DELETE SET NULL;
    CREATE INDEX source_records_credential ON source_records (credential_id);
    "#,
    // 4: Greenbits credentials: the user, its locations (each a mappable key), medical patients.
    r#"
    ALTER TABLE credentials ADD COLUMN username TEXT;
    ALTER TABLE credentials ADD COLUMN associated_email TEXT;
    ALTER TABLE credentials ADD COLUMN locations TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE credentials ADD COLUMN medical_patients INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5: sales, the points ledger, coupons, the outbox, and per-store sync bookkeeping.
    r#"
    -- The mappable key a record came through: a POSaBIT credential id or a Greenbits location key.
    ALTER TABLE source_records ADD COLUMN store_key TEXT;
    UPDATE source_records SET store_key = credential_id;
    -- The loyalty balance the POS holds for the shopper (the points stream), and employee profiles.
    ALTER TABLE source_records ADD COLUMN pos_points INTEGER;
    ALTER TABLE source_records ADD COLUMN employee INTEGER NOT NULL DEFAULT 0;
    -- Whether this POS record was ever a loyalty member: its sales earn points.
    ALTER TABLE source_records ADD COLUMN loyalty_member INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX source_records_store_key ON source_records (store_key, persona_id);

    -- A POS sale. A sale whose shopper has not arrived yet waits with persona_id NULL.
    CREATE TABLE purchases (
        id              INTEGER PRIMARY KEY,
        integration     TEXT NOT NULL,
        credential_id   TEXT NOT NULL REFERENCES credentials (id),
        store_key       TEXT NOT NULL,
        pos_id          TEXT NOT NULL,
        customer_pos_id TEXT,
        persona_id      INTEGER REFERENCES personas (id),
        total_cents     INTEGER NOT NULL,
        discounts       TEXT NOT NULL,
        voided          INTEGER NOT NULL DEFAULT 0,
        purchased_at    TEXT NOT NULL,
        pos_updated_at  TEXT NOT NULL,
        payload         TEXT NOT NULL,
        UNIQUE (integration, credential_id, pos_id)
    ) STRICT;
    CREATE INDEX purchases_persona ON purchases (persona_id, purchased_at);
    CREATE INDEX purchases_waiting ON purchases (integration, credential_id, customer_pos_id) WHERE persona_id IS NULL;

    -- Every change to a persona's points; one entry per (source, transaction, kind), never rewritten.
    CREATE TABLE points_ledger (
        id             INTEGER PRIMARY KEY,
        persona_id     INTEGER NOT NULL REFERENCES personas (id),
        kind           TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'adjust', 'import', 'mirror', 'expire')),
        points         INTEGER NOT NULL,
        source         TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        reason         TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        UNIQUE (source, transaction_id, kind)
    ) STRICT;
    CREATE INDEX points_ledger_persona ON points_ledger (persona_id, id);
    ALTER TABLE personas ADD COLUMN points_balance INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE personas ADD COLUMN last_purchase_at TEXT;

    -- The POS's coupons, to check mirrored discounts against.
    CREATE TABLE pos_coupons (
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        pos_id        TEXT NOT NULL,
        name          TEXT NOT NULL,
        active        INTEGER NOT NULL,
        payload       TEXT NOT NULL,
        seen_at       TEXT NOT NULL,
        PRIMARY KEY (credential_id, pos_id)
    ) STRICT;

    -- A change to push to a POS, written in the same transaction as the local change it carries.
    CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY,
        integration   TEXT NOT NULL,
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        store_key     TEXT NOT NULL,
        persona_id    INTEGER NOT NULL REFERENCES personas (id),
        action        TEXT NOT NULL CHECK (action IN ('create_customer')),
        status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        pos_id        TEXT,
        outcome       TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX outbox_pending ON outbox (status, id);
    -- Two-way contact sync ("Sync Personas"): on since this instant, or off when NULL.
    ALTER TABLE integrations ADD COLUMN sync_personas_since TEXT;

    ALTER TABLE sync_runs ADD COLUMN integration TEXT;
    ALTER TABLE sync_runs ADD COLUMN store_key TEXT;
    ALTER TABLE sync_runs ADD COLUMN store_label TEXT;
    ALTER TABLE sync_runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sync_runs ADD COLUMN records_total INTEGER;
    UPDATE sync_runs SET integration = 'posabit', store_key = credential_id;
    CREATE INDEX sync_runs_started ON sync_runs (started_at);
    CREATE INDEX sync_runs_key ON sync_runs (store_key, stream, id);
    "#,
    // 6: local signups (the `loyalty` source).
    r#"
    -- A shopper who signed up on Canopy's own form: the persona is `loyalty`-sourced.
    CREATE TABLE local_signups (
        id          INTEGER PRIMARY KEY,
        persona_id  INTEGER NOT NULL REFERENCES personas (id),
        first_name  TEXT NOT NULL,
        last_name   TEXT,
        phone_e164  TEXT,
        email       TEXT,
        birth_date  TEXT,
        consent     INTEGER NOT NULL,
        signature   TEXT,
        match_reason TEXT NOT NULL CHECK (match_reason IN ('new', 'phone', 'email')),
        created_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX local_signups_persona ON local_signups (persona_id);
    "#,
    // 7: the Personas explorer: accent- and case-free name keys kept by triggers (with the
    // `canopy_fold` function every writer registers), and an index per sortable column and filter.
    r#"
    ALTER TABLE personas ADD COLUMN first_key TEXT;
    ALTER TABLE personas ADD COLUMN last_key TEXT;
    UPDATE personas SET first_key = canopy_fold(first_name), last_key = canopy_fold(last_name);
    CREATE TRIGGER personas_name_keys_insert AFTER INSERT ON personas BEGIN
        UPDATE personas SET first_key = canopy_fold(NEW.first_name), last_key = canopy_fold(NEW.last_name)
        WHERE id = NEW.id;
    END;
    CREATE TRIGGER personas_name_keys_update AFTER UPDATE OF first_name, last_name ON personas
    WHEN NEW.first_name IS NOT OLD.first_name OR NEW.last_name IS NOT OLD.last_name BEGIN
        UPDATE personas SET first_key = canopy_fold(NEW.first_name), last_key = canopy_fold(NEW.last_name)
        WHERE id = NEW.id;
    END;
    CREATE INDEX personas_first_key ON personas (first_key, last_key, id);
    CREATE INDEX personas_name_key ON personas (last_key, first_key, id);
    CREATE INDEX personas_created ON personas (created_at, id);
    CREATE INDEX personas_last_purchase ON personas (last_purchase_at, id);
    CREATE INDEX personas_points ON personas (points_balance, id);
    CREATE INDEX personas_favorite_store ON personas (favorite_store_id, id);
    CREATE INDEX source_records_pos_id ON source_records (pos_id);
    "#,
    // 8: the integration cards' additional settings and their audit log.
    r#"
    ALTER TABLE integrations ADD COLUMN frozen_at TEXT;
    ALTER TABLE integrations ADD COLUMN patient_lists_optional INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE integrations ADD COLUMN sync_to_market INTEGER NOT NULL DEFAULT 0;

    -- Every change of an integration setting; written with the change, never edited.
    CREATE TABLE audit_log (
        id                   INTEGER PRIMARY KEY,
        integration          TEXT NOT NULL,
        setting              TEXT NOT NULL,
        old_value            TEXT NOT NULL,
        new_value            TEXT NOT NULL,
        changed_at           TEXT NOT NULL,
        os_user              TEXT NOT NULL,
        warning_acknowledged INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX audit_log_integration ON audit_log (integration, id);
    "#,
    // 9: the date settings, mirrored points, points expiry, SMS double opt-in and consent history.
    r#"
    -- Dates are `YYYY-MM-DD`; NULL is off.
    ALTER TABLE integrations ADD COLUMN enroll_after TEXT;
    ALTER TABLE integrations ADD COLUMN sms_opt_in_after TEXT;
    ALTER TABLE integrations ADD COLUMN points_imported_on TEXT;
    -- When the one-time points import finished: it never runs again.
    ALTER TABLE integrations ADD COLUMN points_import_done_at TEXT;
    ALTER TABLE integrations ADD COLUMN mirror_points INTEGER NOT NULL DEFAULT 0;

    -- How a persona joined the programme when a setting made it a member ('enrollment',
    -- 'sms_opt_in'); NULL when the POS or a signup form did.
    ALTER TABLE personas ADD COLUMN member_via TEXT;
    -- SMS consent: 'none', 'requested' (a double opt-in request was sent), 'opted_in', 'opted_out'.
    ALTER TABLE personas ADD COLUMN sms_consent TEXT NOT NULL DEFAULT 'none'
        CHECK (sms_consent IN ('none', 'requested', 'opted_in', 'opted_out'));
    UPDATE personas SET sms_consent = 'opted_in'
    WHERE id IN (SELECT persona_id FROM local_signups WHERE consent = 1 AND phone_e164 IS NOT NULL);

    -- Points imported from this POS record's balance so far (Loyalty points imported on).
    ALTER TABLE source_records ADD COLUMN imported_points INTEGER NOT NULL DEFAULT 0;
    -- FIFO expiration: when an earn entry's points expire.
    ALTER TABLE points_ledger ADD COLUMN expires_at TEXT;

    -- Every consent event of a persona, never edited: the consent history.
    CREATE TABLE consent_events (
        id         INTEGER PRIMARY KEY,
        persona_id INTEGER NOT NULL REFERENCES personas (id),
        channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
        event      TEXT NOT NULL CHECK (event IN ('requested', 'confirmed', 'opted_in', 'opted_out', 'ignored')),
        source     TEXT NOT NULL,
        detail     TEXT,
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX consent_events_persona ON consent_events (persona_id, id);
    INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
    SELECT persona_id, 'sms', 'opted_in', 'signup', 'Consent signed on the signup form', created_at
    FROM local_signups WHERE consent = 1 AND phone_e164 IS NOT NULL;

    -- Text messages Canopy sent. A row is written ('sending') before the gateway is called, so a
    -- crash never sends twice; one opt-in request per persona per integration's setting.
    CREATE TABLE sms_messages (
        id          INTEGER PRIMARY KEY,
        persona_id  INTEGER NOT NULL REFERENCES personas (id),
        kind        TEXT NOT NULL CHECK (kind IN ('opt_in_request', 'confirmation', 'opt_out_confirmation')),
        integration TEXT,
        phone_e164  TEXT NOT NULL,
        body        TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
        gateway_id  TEXT,
        error       TEXT,
        created_at  TEXT NOT NULL,
        sent_at     TEXT
    ) STRICT;
    CREATE UNIQUE INDEX sms_requests_once ON sms_messages (persona_id, integration) WHERE kind = 'opt_in_request';

    -- The retail store a signup was made at: the favorite store until the persona buys, and the
    -- state "Sync to relevant market" checks before a push.
    ALTER TABLE local_signups ADD COLUMN store_id INTEGER REFERENCES retail_stores (id) ON DELETE SET NULL;

    -- Personas imported from a file (the `import` source): one row per file, one per good line.
    CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        file_name   TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        rows        INTEGER NOT NULL DEFAULT 0,
        created     INTEGER NOT NULL DEFAULT 0,
        merged      INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE imported_records (
        id           INTEGER PRIMARY KEY,
        import_id    INTEGER NOT NULL REFERENCES imports (id),
        persona_id   INTEGER NOT NULL REFERENCES personas (id),
        line         INTEGER NOT NULL,
        match_reason TEXT NOT NULL CHECK (match_reason IN ('new', 'phone', 'email')),
        payload      TEXT NOT NULL,
        created_at   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX imported_records_persona ON imported_records (persona_id);
    CREATE INDEX sms_messages_persona ON sms_messages (persona_id, id);
    "#,
    // 10: consent that holds up to an audit: a suppression list by phone and e-mail, opt-outs on both
    // channels that only the shopper's own act lifts (enforced by triggers), consent evidence,
    // texts sent exactly once, and the signup form's consent wording.
    r#"
    -- Addresses that must not be marketed to: an opt-out (from any source, for both channels) or a
    -- reply held for review. Never deleted; lifted only with the act that lifted it.
    CREATE TABLE suppressions (
        id         INTEGER PRIMARY KEY,
        channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
        address    TEXT NOT NULL,
        reason     TEXT NOT NULL CHECK (reason IN ('opt_out', 'review')),
        source     TEXT NOT NULL,
        detail     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        lifted_at  TEXT,
        lifted_by  TEXT
    ) STRICT;
    CREATE UNIQUE INDEX suppressions_active ON suppressions (channel, address, reason) WHERE lifted_at IS NULL;
    CREATE TRIGGER suppressions_never_deleted BEFORE DELETE ON suppressions BEGIN
        SELECT RAISE(ABORT, 'consent: a suppression is never deleted');
    END;
    CREATE TRIGGER suppressions_lifted_once_with_its_act BEFORE UPDATE ON suppressions
    WHEN OLD.lifted_at IS NOT NULL OR NEW.lifted_by IS NULL OR NEW.lifted_at IS NULL
      OR NEW.channel IS NOT OLD.channel OR NEW.address IS NOT OLD.address OR NEW.reason IS NOT OLD.reason
    BEGIN
        SELECT RAISE(ABORT, 'consent: a suppression is only ever lifted, once, naming the act that lifted it');
    END;

    -- Consent history with evidence, and the shopper's own acts that lift an opt-out
    -- ('resubscribed') or replies held for review ('held').
    CREATE TABLE consent_events_v10 (
        id         INTEGER PRIMARY KEY,
        persona_id INTEGER NOT NULL REFERENCES personas (id),
        channel    TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
        event      TEXT NOT NULL CHECK (event IN ('requested', 'confirmed', 'opted_in', 'opted_out', 'resubscribed', 'held', 'ignored')),
        source     TEXT NOT NULL,
        detail     TEXT,
        evidence   TEXT,
        created_at TEXT NOT NULL
    ) STRICT;
    INSERT INTO consent_events_v10 (id, persona_id, channel, event, source, detail, created_at)
        SELECT id, persona_id, channel, event, source, detail, created_at FROM consent_events;
    DROP TABLE consent_events;
    ALTER TABLE consent_events_v10 RENAME TO consent_events;
    CREATE INDEX consent_events_persona ON consent_events (persona_id, channel, id);
    CREATE TRIGGER consent_events_never_changed BEFORE UPDATE ON consent_events BEGIN
        SELECT RAISE(ABORT, 'consent: the consent history is never edited');
    END;
    CREATE TRIGGER consent_events_never_deleted BEFORE DELETE ON consent_events BEGIN
        SELECT RAISE(ABORT, 'consent: the consent history is never deleted');
    END;

    -- E-mail consent: opted out for good (only a 'resubscribed' e-mail event lifts it); the state
    -- a POS gives for the shopper's address (quiet hours); what each POS record last said.
    ALTER TABLE personas ADD COLUMN email_opted_out INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE personas ADD COLUMN address_state TEXT;
    ALTER TABLE source_records ADD COLUMN marketing_opt_in INTEGER;
    UPDATE personas SET email_opted_out = 1, marketing_opt_in = 0 WHERE sms_consent = 'opted_out';
    INSERT OR IGNORE INTO suppressions (channel, address, reason, source, detail, created_at)
        SELECT 'sms', phone_e164, 'opt_out', 'migration', 'Opted out before the suppression list', updated_at
        FROM personas WHERE sms_consent = 'opted_out' AND phone_e164 IS NOT NULL;
    INSERT OR IGNORE INTO suppressions (channel, address, reason, source, detail, created_at)
        SELECT 'email', email, 'opt_out', 'migration', 'Opted out before the suppression list', updated_at
        FROM personas WHERE sms_consent = 'opted_out' AND email IS NOT NULL;

    CREATE TRIGGER personas_sms_opt_out_holds BEFORE UPDATE OF sms_consent ON personas
    WHEN OLD.sms_consent = 'opted_out' AND NEW.sms_consent != 'opted_out'
      AND coalesce((SELECT event FROM consent_events WHERE persona_id = NEW.id AND channel = 'sms' ORDER BY id DESC LIMIT 1), '') != 'resubscribed'
    BEGIN
        SELECT RAISE(ABORT, 'consent: an SMS opt-out is lifted only by the shopper''s own act');
    END;
    CREATE TRIGGER personas_email_opt_out_holds BEFORE UPDATE OF email_opted_out ON personas
    WHEN OLD.email_opted_out = 1 AND NEW.email_opted_out = 0
      AND coalesce((SELECT event FROM consent_events WHERE persona_id = NEW.id AND channel = 'email' ORDER BY id DESC LIMIT 1), '') != 'resubscribed'
    BEGIN
        SELECT RAISE(ABORT, 'consent: an e-mail opt-out is lifted only by the shopper''s own act');
    END;
    CREATE TRIGGER personas_no_email_opt_in_while_opted_out BEFORE UPDATE OF marketing_opt_in, email_opted_out ON personas
    WHEN NEW.marketing_opt_in = 1 AND NEW.email_opted_out = 1
    BEGIN
        SELECT RAISE(ABORT, 'consent: an opted-out e-mail cannot be opted in');
    END;
    -- A persona whose phone is suppressed is opted out of texts, one whose e-mail is suppressed out
    -- of e-mail, however the persona was made or changed.
    CREATE TRIGGER personas_inherit_sms_suppression AFTER INSERT ON personas
    WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.lifted_at IS NULL AND s.reason = 'opt_out'
                 AND s.channel = 'sms' AND s.address = NEW.phone_e164)
    BEGIN
        UPDATE personas SET sms_consent = 'opted_out' WHERE id = NEW.id;
        INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
        VALUES (NEW.id, 'sms', 'opted_out', 'suppression', 'Its phone opted out earlier: the opt-out holds for this persona too', NEW.updated_at);
    END;
    CREATE TRIGGER personas_inherit_email_suppression AFTER INSERT ON personas
    WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.lifted_at IS NULL AND s.reason = 'opt_out'
                 AND s.channel = 'email' AND s.address = NEW.email)
    BEGIN
        UPDATE personas SET marketing_opt_in = 0, email_opted_out = 1 WHERE id = NEW.id;
        INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
        VALUES (NEW.id, 'email', 'opted_out', 'suppression', 'Its e-mail opted out earlier: the opt-out holds for this persona too', NEW.updated_at);
    END;
    CREATE TRIGGER personas_inherit_sms_suppression_on_change AFTER UPDATE OF phone_e164 ON personas
    WHEN NEW.sms_consent != 'opted_out'
      AND EXISTS (SELECT 1 FROM suppressions s WHERE s.lifted_at IS NULL AND s.reason = 'opt_out'
                  AND s.channel = 'sms' AND s.address = NEW.phone_e164)
    BEGIN
        UPDATE personas SET sms_consent = 'opted_out' WHERE id = NEW.id;
        INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
        VALUES (NEW.id, 'sms', 'opted_out', 'suppression', 'Its new phone opted out earlier: the opt-out holds for this persona too', NEW.updated_at);
    END;
    CREATE TRIGGER personas_inherit_email_suppression_on_change AFTER UPDATE OF email ON personas
    WHEN NEW.email_opted_out = 0
      AND EXISTS (SELECT 1 FROM suppressions s WHERE s.lifted_at IS NULL AND s.reason = 'opt_out'
                  AND s.channel = 'email' AND s.address = NEW.email)
    BEGIN
        UPDATE personas SET marketing_opt_in = 0, email_opted_out = 1 WHERE id = NEW.id;
        INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
        VALUES (NEW.id, 'email', 'opted_out', 'suppression', 'Its new e-mail opted out earlier: the opt-out holds for this persona too', NEW.updated_at);
    END;

    -- Texts, sent exactly once: a key the gateway deduplicates on, tries counted, 'unknown' when an
    -- answer was lost (the gateway is asked before sending again), 'queued' until the recipient's
    -- hours allow it, 'expired' for an opt-out confirmation past its five minutes.
    CREATE TABLE sms_messages_v10 (
        id              INTEGER PRIMARY KEY,
        persona_id      INTEGER REFERENCES personas (id),
        kind            TEXT NOT NULL CHECK (kind IN ('opt_in_request', 'confirmation', 'opt_out_confirmation', 'start_confirmation', 'help')),
        integration     TEXT,
        phone_e164      TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'unknown', 'sent', 'failed', 'given_up', 'expired', 'cancelled')),
        idempotency_key TEXT NOT NULL UNIQUE,
        attempts        INTEGER NOT NULL DEFAULT 0,
        gateway_id      TEXT,
        error           TEXT,
        created_at      TEXT NOT NULL,
        sent_at         TEXT,
        expires_at      TEXT
    ) STRICT;
    INSERT INTO sms_messages_v10 (id, persona_id, kind, integration, phone_e164, body, status, idempotency_key, attempts,
                                  gateway_id, error, created_at, sent_at)
        SELECT id, persona_id, kind, integration, phone_e164, body,
               CASE status WHEN 'sending' THEN 'unknown' ELSE status END,
               'canopy-sms-v9-' || id, 1, gateway_id, error, created_at, sent_at
        FROM sms_messages;
    DROP TABLE sms_messages;
    ALTER TABLE sms_messages_v10 RENAME TO sms_messages;
    CREATE UNIQUE INDEX sms_requests_once ON sms_messages (persona_id, integration) WHERE kind = 'opt_in_request';
    CREATE INDEX sms_messages_persona ON sms_messages (persona_id, id);
    CREATE INDEX sms_messages_phone ON sms_messages (phone_e164, created_at);
    CREATE INDEX sms_messages_open ON sms_messages (status) WHERE status IN ('queued', 'sending', 'unknown', 'failed');

    -- The signup form's consent wording, kept beside the signature it was signed with.
    ALTER TABLE local_signups ADD COLUMN consent_version TEXT;
    ALTER TABLE local_signups ADD COLUMN consent_text TEXT;
    "#,
    // 11: one audit log for every change that touches data or consent: an area per entry (card
    // settings, credentials, Connect, the age gate, retail stores and mappings, loyalty settings),
    // the integration only where there is one, and triggers that refuse editing or deleting it.
    r#"
    CREATE TABLE audit_log_v11 (
        id                   INTEGER PRIMARY KEY,
        area                 TEXT NOT NULL,
        integration          TEXT,
        subject              TEXT NOT NULL,
        old_value            TEXT NOT NULL,
        new_value            TEXT NOT NULL,
        changed_at           TEXT NOT NULL,
        os_user              TEXT NOT NULL,
        warning_acknowledged INTEGER NOT NULL
    ) STRICT;
    INSERT INTO audit_log_v11 (id, area, integration, subject, old_value, new_value, changed_at, os_user, warning_acknowledged)
        SELECT id, 'card_setting', integration, setting, old_value, new_value, changed_at, os_user, warning_acknowledged
        FROM audit_log;
    DROP TABLE audit_log;
    ALTER TABLE audit_log_v11 RENAME TO audit_log;
    CREATE INDEX audit_log_integration ON audit_log (integration, id);
    CREATE INDEX audit_log_area ON audit_log (area, id);
    CREATE TRIGGER audit_log_never_edited BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is never edited'); END;
    CREATE TRIGGER audit_log_never_deleted BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is never deleted from'); END;
    "#,
    // 12: a run's warning kept apart from its error (a run with a warning still succeeded).
    r#"
    ALTER TABLE sync_runs ADD COLUMN warning TEXT;
    UPDATE sync_runs SET warning = error_message, error_message = NULL
        WHERE error_code IS NULL AND error_message IS NOT NULL;
    "#,
    // 13: rewards, mirrored in each POS by name; their redemptions at the checkout, once per sale
    // line; the store key a POS discount list belongs to; notifications for a reward missing in a
    // POS and for redemptions beyond a balance.
    r#"
    CREATE TABLE rewards (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        name_key   TEXT NOT NULL,
        points     INTEGER NOT NULL CHECK (points > 0),
        kind       TEXT NOT NULL CHECK (kind IN ('amount_off', 'percent_off', 'free_item')),
        value      INTEGER,
        item       TEXT,
        starts_on  TEXT,
        ends_on    TEXT,
        retired_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX rewards_live_name_key ON rewards (name_key) WHERE retired_at IS NULL;
    CREATE INDEX rewards_live_name ON rewards (name) WHERE retired_at IS NULL;
    CREATE TABLE reward_stores (
        reward_id INTEGER NOT NULL REFERENCES rewards (id),
        store_id  INTEGER NOT NULL REFERENCES retail_stores (id) ON DELETE CASCADE,
        PRIMARY KEY (reward_id, store_id)
    ) STRICT;
    CREATE TABLE redemptions (
        id          INTEGER PRIMARY KEY,
        reward_id   INTEGER NOT NULL REFERENCES rewards (id),
        persona_id  INTEGER NOT NULL REFERENCES personas (id),
        source      TEXT NOT NULL,
        sale_pos_id TEXT NOT NULL,
        line        INTEGER NOT NULL,
        store_id    INTEGER REFERENCES retail_stores (id) ON DELETE SET NULL,
        points      INTEGER NOT NULL,
        redeemed_at TEXT NOT NULL,
        reversed_at TEXT,
        UNIQUE (source, sale_pos_id, line)
    ) STRICT;
    CREATE INDEX redemptions_persona ON redemptions (persona_id);
    CREATE INDEX redemptions_reward ON redemptions (reward_id, redeemed_at);
    CREATE TABLE pos_coupons_v13 (
        credential_id TEXT NOT NULL REFERENCES credentials (id),
        store_key     TEXT NOT NULL,
        store_label   TEXT NOT NULL,
        pos_id        TEXT NOT NULL,
        name          TEXT NOT NULL,
        active        INTEGER NOT NULL,
        payload       TEXT NOT NULL,
        seen_at       TEXT NOT NULL,
        PRIMARY KEY (credential_id, store_key, pos_id)
    ) STRICT;
    INSERT INTO pos_coupons_v13 (credential_id, store_key, store_label, pos_id, name, active, payload, seen_at)
        SELECT pc.credential_id, pc.credential_id, coalesce(c.store_name, ''), pc.pos_id, pc.name, pc.active, pc.payload, pc.seen_at
        FROM pos_coupons pc LEFT JOIN credentials c ON c.id = pc.credential_id;
    DROP TABLE pos_coupons;
    ALTER TABLE pos_coupons_v13 RENAME TO pos_coupons;
    CREATE TABLE notifications_v13 (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('unmapped_store', 'sync_failed', 'reward_missing', 'points_overdrawn')),
        subject    TEXT NOT NULL,
        title      TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        cleared_at TEXT
    ) STRICT;
    INSERT INTO notifications_v13 (id, kind, subject, title, body, created_at, cleared_at)
        SELECT id, kind, subject, title, body, created_at, cleared_at FROM notifications;
    DROP TABLE notifications;
    ALTER TABLE notifications_v13 RENAME TO notifications;
    CREATE UNIQUE INDEX notifications_active ON notifications (kind, subject) WHERE cleared_at IS NULL;
    "#,
    // 14: a sync's cost. Personas a sync touched, whose favorite store and last purchase are
    // computed once, when the sync's closing pass runs (a page only notes them, inside its own
    // transaction). A persona inserted with its name keys already folded is not written twice, and
    // the index on the raw names goes (every query sorts and searches by the folded keys).
    r#"
    CREATE TABLE personas_pending (
        persona_id INTEGER PRIMARY KEY
    ) STRICT;
    DROP INDEX personas_name;
    DROP TRIGGER personas_name_keys_insert;
    CREATE TRIGGER personas_name_keys_insert AFTER INSERT ON personas
    WHEN NEW.first_key IS NOT canopy_fold(NEW.first_name) OR NEW.last_key IS NOT canopy_fold(NEW.last_name)
    BEGIN
        UPDATE personas SET first_key = canopy_fold(NEW.first_name), last_key = canopy_fold(NEW.last_name)
        WHERE id = NEW.id;
    END;
    "#,
    // 15: a sync's points reach the balances once, in its closing pass: a page's ledger entries
    // add their points to the persona's pending row (inside the page's transaction), and settling
    // moves them onto the balance; until then a balance shown adds them (`pending::BALANCE_OF_P`).
    r#"
    ALTER TABLE personas_pending ADD COLUMN points INTEGER NOT NULL DEFAULT 0;
    "#,
];

/// Registers the SQL functions the schema's triggers call (`canopy_fold`). Every connection that
/// writes must have them.
pub fn register_functions(connection: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    connection.create_scalar_function(
        "canopy_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let raw: Option<String> = context.get(0)?;
            Ok(raw.as_deref().and_then(crate::base::identity::fold_name))
        },
    )?;
    Ok(())
}

/// The schema version the database is at.
pub fn schema_version(connection: &Connection) -> Result<usize> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    Ok(version as usize)
}

/// Applies every migration the database has not had yet, all in one transaction: a failure
/// leaves the database as it was, at its old version.
pub fn migrate(connection: &mut Connection) -> Result<()> {
    migrate_with(connection, MIGRATIONS)
}

/// [`migrate`] with a given list of migrations (tests give one that fails).
pub(crate) fn migrate_with(connection: &mut Connection, migrations: &[&str]) -> Result<()> {
    let current = schema_version(connection)?;
    if current > migrations.len() {
        return Err(Error::internal(format!(
            "The database was written by a newer Canopy (schema {current}, this one knows {}).",
            migrations.len()
        ))
        .with_hint(
            "Install the newer Canopy again, or move the database file aside to start fresh.",
        ));
    }
    if current == migrations.len() {
        return Ok(());
    }
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for (index, sql) in migrations.iter().enumerate().skip(current) {
        transaction.execute_batch(sql).map_err(|e| {
            tracing::error!(version = index + 1, "database upgrade failed: {e}");
            Error::internal(format!(
                "Canopy could not upgrade its database to version {}: {e}",
                index + 1
            ))
            .with_hint(format!(
                "Nothing was changed: the database is still at version {current}, and the Canopy you had before still opens it. Send the log file to support."
            ))
        })?;
    }
    transaction.pragma_update(None, "user_version", migrations.len() as i64)?;
    transaction.commit()?;
    tracing::info!(from = current, to = migrations.len(), "database migrated");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_names(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn every_migration_applies_in_order_to_a_real_file_and_reapplying_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.db");
        let mut connection = Connection::open(&path).unwrap();
        register_functions(&connection).unwrap();
        migrate(&mut connection).unwrap();
        assert_eq!(schema_version(&connection).unwrap(), MIGRATIONS.len());
        let tables = table_names(&connection);
        drop(connection);

        let mut reopened = Connection::open(&path).unwrap();
        register_functions(&reopened).unwrap();
        migrate(&mut reopened).unwrap();
        assert_eq!(table_names(&reopened), tables);
        assert!(tables.contains(&"personas".to_string()));
        let violations: i64 = reopened
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(violations, 0);
        let integrity: String = reopened
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
    }

    #[test]
    fn each_migration_is_valid_sql_on_its_own_version() {
        let mut connection = Connection::open_in_memory().unwrap();
        register_functions(&connection).unwrap();
        for (index, sql) in MIGRATIONS.iter().enumerate() {
            let transaction = connection.transaction().unwrap();
            transaction
                .execute_batch(sql)
                .unwrap_or_else(|e| panic!("migration {} fails: {e}", index + 1));
            transaction.commit().unwrap();
        }
    }

    /// A database file at schema `version`, as a Canopy of that version left it.
    fn database_at(version: usize) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let connection = Connection::open(dir.path().join(format!("v{version}.db"))).unwrap();
        register_functions(&connection).unwrap();
        for sql in &MIGRATIONS[..version] {
            connection.execute_batch(sql).unwrap();
        }
        connection
            .pragma_update(None, "user_version", version as i64)
            .unwrap();
        (dir, connection)
    }

    /// The database's schema and the test's own marker row, to compare before and after.
    fn everything(connection: &Connection) -> String {
        connection
            .query_row(
                "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10))
                   || (SELECT group_concat(x) FROM marker) FROM sqlite_master",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn a_migration_failing_on_its_last_statement_changes_nothing_at_any_version() {
        for failing in 1..=MIGRATIONS.len() {
            let broken: Vec<String> = MIGRATIONS
                .iter()
                .enumerate()
                .map(|(index, sql)| match index + 1 == failing {
                    true => format!("{sql}\nINSERT INTO no_such_table VALUES (1);"),
                    false => (*sql).to_string(),
                })
                .collect();
            let broken: Vec<&str> = broken.iter().map(String::as_str).collect();
            // One step up, and every step from an empty file: either way nothing changes.
            for start in [failing - 1, 0] {
                let (_dir, mut connection) = database_at(start);
                connection
                    .execute_batch(
                        "CREATE TABLE marker (x TEXT); INSERT INTO marker VALUES ('kept');",
                    )
                    .unwrap();
                let before = everything(&connection);
                let error = migrate_with(&mut connection, &broken).unwrap_err();
                assert!(
                    error.message.contains(&format!("version {failing}")),
                    "{}",
                    error.message
                );
                assert!(error
                    .hint
                    .is_some_and(|h| h.contains(&format!("still at version {start}"))));
                assert_eq!(
                    schema_version(&connection).unwrap(),
                    start,
                    "v{failing} from v{start}"
                );
                assert_eq!(everything(&connection), before, "v{failing} from v{start}");
            }
        }
    }

    #[test]
    fn upgrading_keeps_a_runs_warning_apart_from_its_error() {
        let (_dir, mut connection) = database_at(11);
        connection
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO sync_runs (id, credential_id, stream, trigger, started_at, error_code, error_message)
                   VALUES (1, 'c', 'patients', 'manual', 't', NULL, 'Patient lists are optional here'),
                          (2, 'c', 'sales', 'manual', 't', 'pos_auth_failed', 'POSaBIT did not accept this key.');",
            )
            .unwrap();
        migrate(&mut connection).unwrap();
        let row = |id: i64| -> (Option<String>, Option<String>) {
            connection
                .query_row(
                    "SELECT error_message, warning FROM sync_runs WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        assert_eq!(
            row(1),
            (None, Some("Patient lists are optional here".into()))
        );
        assert_eq!(
            row(2),
            (Some("POSaBIT did not accept this key.".into()), None)
        );
    }

    #[test]
    fn upgrading_to_one_audit_log_keeps_every_settings_entry_and_refuses_edits() {
        let (_dir, mut connection) = database_at(10);
        connection
            .execute_batch(
                "INSERT INTO audit_log (integration, setting, old_value, new_value, changed_at, os_user, warning_acknowledged)
                   VALUES ('posabit', 'sync_personas', 'off', 'on', 't', 'manager', 1);",
            )
            .unwrap();
        migrate(&mut connection).unwrap();
        let kept: String = connection
            .query_row(
                "SELECT area || ' ' || integration || ' ' || subject || ' ' || old_value || '→' || new_value FROM audit_log",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept, "card_setting posabit sync_personas off→on");
        for refused in [
            "UPDATE audit_log SET new_value = 'off'",
            "DELETE FROM audit_log",
        ] {
            let error = connection.execute_batch(refused).unwrap_err().to_string();
            assert!(
                error.contains("the audit log is never"),
                "{refused}: {error}"
            );
        }
    }

    #[test]
    fn upgrading_to_the_consent_audit_keeps_history_and_suppresses_earlier_opt_outs() {
        let (_dir, mut connection) = database_at(9);
        connection
            .execute_batch(
                "INSERT INTO personas (id, phone_e164, email, marketing_opt_in, sms_consent, created_at, updated_at)
                   VALUES (1, '+12065550100', 'out@example.com', 0, 'opted_out', 't', 't'),
                          (2, '+12065550101', 'in@example.com', 1, 'opted_in', 't', 't');
                 INSERT INTO consent_events (persona_id, channel, event, source, detail, created_at)
                   VALUES (1, 'sms', 'opted_out', 'sms_reply', 'Replied STOP', 't');
                 INSERT INTO sms_messages (persona_id, kind, integration, phone_e164, body, status, created_at)
                   VALUES (2, 'opt_in_request', 'posabit', '+12065550101', 'Reply YES', 'sending', 't');",
            )
            .unwrap();
        migrate(&mut connection).unwrap();
        let row = |sql: &str| -> String { connection.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            row("SELECT group_concat(channel || ':' || address, ' ') FROM suppressions"),
            "sms:+12065550100 email:out@example.com"
        );
        assert_eq!(
            row("SELECT event || ' ' || detail FROM consent_events"),
            "opted_out Replied STOP"
        );
        assert_eq!(
            row("SELECT status FROM sms_messages"),
            "unknown",
            "a send cut short is looked up before it is tried again"
        );
        let opted_out: (i64, i64) = connection
            .query_row(
                "SELECT email_opted_out, marketing_opt_in FROM personas WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(opted_out, (1, 0));
        assert!(connection
            .execute(
                "UPDATE personas SET sms_consent = 'opted_in' WHERE id = 1",
                []
            )
            .is_err());
    }

    #[test]
    fn a_database_from_a_newer_canopy_is_refused_untouched() {
        let mut connection = Connection::open_in_memory().unwrap();
        connection
            .pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1)
            .unwrap();
        let error = migrate(&mut connection).unwrap_err();
        assert!(error.message.contains("newer Canopy"));
        assert!(table_names(&connection).is_empty());
    }
}
