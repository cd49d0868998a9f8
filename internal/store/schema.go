package store

// schema holds the tables the store keeps beside River's own. They use only SQL that PostgreSQL and
// SQLite read the same way, so one code path serves both drivers. Times are Unix microseconds in BIGINT
// columns for the same reason.
//
// rs_resource is the dedup record: the newest version enqueued and the newest version written to the
// target, per resource. It never expires, unlike River's unique-job rows, so a duplicate or stale
// change arriving a month later still collapses.
//
// rs_dead_letter keeps its own copy of the payload: River's args column is JSONB in PostgreSQL and
// SQLite's binary JSONB in riversqlite, which the two read back differently.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS rs_resource (
		resource            TEXT PRIMARY KEY,
		enqueued_version    BIGINT NOT NULL,
		enqueued_changed_at BIGINT NOT NULL,
		applied_version     BIGINT NOT NULL DEFAULT 0,
		pending_since       BIGINT
	)`,
	`CREATE INDEX IF NOT EXISTS rs_resource_pending_since ON rs_resource (pending_since)`,
	`CREATE TABLE IF NOT EXISTS rs_cursor (
		name       TEXT PRIMARY KEY,
		value      TEXT NOT NULL,
		updated_at BIGINT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS rs_xref (
		namespace  TEXT NOT NULL,
		source_ref TEXT NOT NULL,
		target_ref TEXT NOT NULL,
		updated_at BIGINT NOT NULL,
		PRIMARY KEY (namespace, source_ref)
	)`,
	`CREATE TABLE IF NOT EXISTS rs_dead_letter (
		job_id         BIGINT PRIMARY KEY,
		kind           TEXT NOT NULL,
		target         TEXT NOT NULL,
		resource       TEXT NOT NULL,
		version        BIGINT NOT NULL,
		correlation_id TEXT NOT NULL,
		reason         TEXT NOT NULL,
		permanent      BOOLEAN NOT NULL,
		message        TEXT NOT NULL,
		attempts       INTEGER NOT NULL,
		dead_at        BIGINT NOT NULL,
		payload        TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS rs_dead_letter_resource ON rs_dead_letter (resource, version)`,
	`CREATE INDEX IF NOT EXISTS rs_dead_letter_reason ON rs_dead_letter (reason, dead_at)`,
	`CREATE TABLE IF NOT EXISTS rs_audit (
		job_id         BIGINT NOT NULL,
		at             BIGINT NOT NULL,
		correlation_id TEXT NOT NULL,
		kind           TEXT NOT NULL,
		resource       TEXT NOT NULL,
		version        BIGINT NOT NULL,
		source_ref     TEXT NOT NULL,
		target_ref     TEXT NOT NULL,
		outcome        TEXT NOT NULL,
		reason         TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS rs_audit_correlation ON rs_audit (correlation_id)`,
	`CREATE INDEX IF NOT EXISTS rs_audit_at ON rs_audit (at)`,
}
