-- Custody's database roles: what the app and a third-party verifier may do.
--
-- Run as the owner of the schema (the role `custody init` migrates with) after every
-- `custody init` / upgrade, since new tables need their grants too:
--
--   psql "postgresql://custody_owner@DBHOST/custody" -v ON_ERROR_STOP=1 \
--        -v app=custody_app -v reader=custody_reader -f deploy/postgresql/grants.sql
--
-- custody_app (what gunicorn connects as) reads and writes everything it works with,
-- but may only INSERT and SELECT the ledger (handovers), the published checkpoints and the
-- flag reviews:
-- it cannot UPDATE, DELETE or TRUNCATE a ledger row, nor disable the append-only
-- triggers (only the owner can). A stolen app password can add records, which
-- `custody verify` and the rules see, but cannot rewrite history.
-- custody_reader (for `ledgercheck`, auditors) may only read the ledger.

GRANT USAGE ON SCHEMA public TO :"app", :"reader";

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
REVOKE UPDATE, DELETE, TRUNCATE ON handovers, checkpoints, flag_reviews FROM :"app";
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";

GRANT SELECT ON handovers, ledger_head, checkpoints TO :"reader";
