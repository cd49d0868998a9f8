// Package store is the worker's durable memory: the job queue (River), the dedup record of versions
// per resource, cursors, the cross-reference cache, dead letters and the audit trail, all in one
// database so that a job's completion and everything it caused commit in one transaction.
//
// Two drivers share every line of logic: SQLite (modernc.org/sqlite, pure Go; a file on the worker's
// volume, nothing else to run) and PostgreSQL (pgx) for scale.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"modernc.org/sqlite"

	"github.com/retailsync/retailsync/internal/keyedlock"
	"github.com/retailsync/retailsync/internal/stmtcache"
)

// Drivers Open accepts.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config says which database holds the store.
type Config struct {
	// Driver is DriverSQLite (default) or DriverPostgres.
	Driver string
	// Path is the SQLite file; required for DriverSQLite.
	Path string
	// DSN is the PostgreSQL connection string; required for DriverPostgres. It holds a password: never
	// log it.
	DSN string
	// MaxConns bounds the connection pool. SQLite allows one writer at a time whatever the pool size,
	// so its default is 1 (see openSQLite); PostgreSQL's default comes from pgxpool.
	MaxConns int
}

// Store is an open store. It is safe for concurrent use.
type Store struct {
	driver  string
	backend backend
	db      querier
	// locks keeps jobs for one resource from running at once in this process. A flow has one worker
	// process: its Deployment runs one replica, and a SQLite store admits one process (see lockFile).
	// A PostgreSQL store shared by several processes would need a lock in the database instead.
	// Waiting jobs hold a worker only while a job for the same resource runs, and the version check
	// after the lock turns the older of two into a cheap skip.
	locks   *keyedlock.Locks
	retries *retrySchedule
}

// Open connects, creates River's tables and the store's own (both idempotent), and returns the store.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{locks: keyedlock.New(), retries: newRetrySchedule()}
	var err error
	switch cfg.Driver {
	case DriverSQLite, "":
		s.driver = DriverSQLite
		s.backend, s.db, err = openSQLite(ctx, cfg, s)
	case DriverPostgres:
		s.driver = DriverPostgres
		s.backend, s.db, err = openPostgres(ctx, cfg, s)
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want %q or %q)", cfg.Driver, DriverSQLite, DriverPostgres)
	}
	if err != nil {
		return nil, err
	}
	for _, stmt := range schema {
		if _, err := s.db.exec(ctx, stmt); err != nil {
			s.backend.close()
			return nil, fmt.Errorf("store: create tables: %w", err)
		}
	}
	return s, nil
}

// lockFile takes an exclusive lock that lives as long as the process holds the file open. One
// process per SQLite store is what makes the store's per-resource ordering (a lock in memory) sound;
// the kernel drops the lock when the process dies, so a crashed worker never blocks its successor.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("store: %s is in use by another process: %w", path, err)
	}
	return f, nil
}

// sqliteDSN turns on what makes SQLite safe under River's concurrency: WAL so readers never block the
// writer, a busy timeout so a writer waits for the lock instead of failing with SQLITE_BUSY, FULL sync
// so a committed completion survives power loss, and BEGIN IMMEDIATE so a transaction takes the write
// lock up front rather than failing when it upgrades from reading to writing.
func sqliteDSN(path string) string {
	return path + "?_busy_timeout=30000&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
}

// sqliteStatementsPerConn is how many prepared statements each SQLite connection keeps. River and the
// store send a few dozen distinct statements; the headroom covers the SAVEPOINT names of nested
// transactions and the statements of replays and reports.
const sqliteStatementsPerConn = 256

// openSQLite opens the file with one connection by default. SQLite takes one writer at a time, and
// a second connection would wait for the lock in SQLite's busy handler, which sleeps 1, 2, 5, 10 ms
// and more; one connection queues callers in database/sql instead, where the next starts the moment
// the last is done. Each connection keeps its prepared statements.
func openSQLite(ctx context.Context, cfg Config, s *Store) (backend, querier, error) {
	if cfg.Path == "" || strings.ContainsAny(cfg.Path, "?#") {
		return nil, nil, fmt.Errorf("store: sqlite needs a file path without '?' or '#', got %q", cfg.Path)
	}
	owner, err := lockFile(cfg.Path + ".lock")
	if err != nil {
		return nil, nil, err
	}
	connector, err := sqlite.NewConnector(sqliteDSN(cfg.Path))
	if err != nil {
		_ = owner.Close()
		return nil, nil, fmt.Errorf("store: open sqlite %s: %w", cfg.Path, err)
	}
	db := sql.OpenDB(stmtcache.Connector(connector, sqliteStatementsPerConn))
	conns := max(cfg.MaxConns, 1)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	closeDB := func() {
		_ = db.Close()
		_ = owner.Close() // releases the lock
	}
	if err := db.PingContext(ctx); err != nil {
		closeDB()
		return nil, nil, fmt.Errorf("store: open sqlite %s: %w", cfg.Path, err)
	}
	b := &riverBackend[*riversqlite.Driver, *sql.Tx]{
		store:  s,
		driver: riversqlite.New(db),
		begin:  func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) },
		wrap:   func(tx *sql.Tx) querier { return sqlQuerier{tx} },
		commit: func(_ context.Context, tx *sql.Tx) error { return tx.Commit() },
		rollback: func(_ context.Context, tx *sql.Tx) error {
			return tx.Rollback()
		},
		closeDB: closeDB,
	}
	if err := b.migrate(ctx); err != nil {
		closeDB()
		return nil, nil, err
	}
	return b, sqlQuerier{db}, nil
}

func openPostgres(ctx context.Context, cfg Config, s *Store) (backend, querier, error) {
	if cfg.DSN == "" {
		return nil, nil, errors.New("store: postgres needs a DSN")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.DSN)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included: say only what failed.
		return nil, nil, errors.New("store: postgres DSN cannot be parsed")
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = int32(cfg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, fmt.Errorf("store: connect to postgres: %w", err)
	}
	b := &riverBackend[*riverpgxv5.Driver, pgxTx]{
		store:    s,
		driver:   riverpgxv5.New(pool),
		begin:    func(ctx context.Context) (pgxTx, error) { return pool.Begin(ctx) },
		wrap:     func(tx pgxTx) querier { return pgxQuerier{tx} },
		commit:   func(ctx context.Context, tx pgxTx) error { return tx.Commit(ctx) },
		rollback: func(ctx context.Context, tx pgxTx) error { return tx.Rollback(ctx) },
		closeDB:  pool.Close,
	}
	if err := b.migrate(ctx); err != nil {
		pool.Close()
		return nil, nil, err
	}
	return b, pgxQuerier{pool}, nil
}

// Driver names the database in use.
func (s *Store) Driver() string { return s.driver }

// Close releases the database. Stop a running queue first.
func (s *Store) Close() { s.backend.close() }

// Change is one source change to carry to a target.
type Change struct {
	// Kind names the handler that processes the change.
	Kind string
	// Target names the system written to; it is the River queue, so parallelism is bounded per target.
	Target string
	// Resource identifies the source record ("order/1234"). Changes to one resource never run at once.
	Resource string
	// Version orders changes to one resource (e.g. the source's modification time in microseconds).
	// A change whose version is not newer than one already enqueued collapses.
	Version int64
	// SourceChangedAt is when the source changed; lag and latency are measured from it.
	SourceChangedAt time.Time
	CorrelationID   string
	Payload         json.RawMessage
	// MaxAttempts bounds the tries before the change is dead-lettered.
	MaxAttempts int
}

// Cursor is a named position in a source (a poller's modified_after).
type Cursor struct {
	Name  string
	Value string
}

// Enqueued says what Enqueue did with each change, in order.
type Enqueued []bool

// Count returns how many changes became jobs.
func (e Enqueued) Count() int {
	n := 0
	for _, ok := range e {
		if ok {
			n++
		}
	}
	return n
}

// Enqueue records the changes and, in the same transaction, advances cursor when it is not nil, so a
// poller never skips a change it did not queue nor queues one twice. A change collapses (false in the
// result) when its resource already has that version or a newer one enqueued.
func (s *Store) Enqueue(ctx context.Context, changes []Change, cursor *Cursor) (Enqueued, error) {
	for i := range changes {
		if err := changes[i].validate(); err != nil {
			return nil, err
		}
	}
	if cursor != nil && cursor.Name == "" {
		return nil, errors.New("store: cursor needs a name")
	}
	result := make(Enqueued, len(changes))
	err := s.backend.inTx(ctx, func(tx txn) error {
		fresh := make([]Change, 0, len(changes))
		for i, c := range changes {
			n, err := tx.exec(ctx, `INSERT INTO rs_resource (resource, enqueued_version, enqueued_changed_at, pending_since)
				VALUES ($1, $2, $3, $3)
				ON CONFLICT (resource) DO UPDATE SET
					enqueued_version = excluded.enqueued_version,
					enqueued_changed_at = excluded.enqueued_changed_at,
					pending_since = COALESCE(rs_resource.pending_since, excluded.pending_since)
				WHERE rs_resource.enqueued_version < excluded.enqueued_version`,
				c.Resource, c.Version, c.SourceChangedAt.UnixMicro())
			if err != nil {
				return fmt.Errorf("store: record version of %s: %w", c.Resource, err)
			}
			if n > 0 {
				result[i] = true
				fresh = append(fresh, c)
			}
		}
		if err := tx.insertJobs(ctx, fresh); err != nil {
			return err
		}
		if cursor != nil {
			if _, err := tx.exec(ctx, `INSERT INTO rs_cursor (name, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
				cursor.Name, cursor.Value, time.Now().UnixMicro()); err != nil {
				return fmt.Errorf("store: advance cursor %s: %w", cursor.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return result, nil
}

// maxKeyLen bounds resource keys and references: they are primary keys and label-like values.
const maxKeyLen = 512

func (c *Change) validate() error {
	switch {
	case c.Kind == "":
		return errors.New("store: change has no kind")
	case c.Target == "":
		return errors.New("store: change has no target")
	case c.Resource == "" || len(c.Resource) > maxKeyLen:
		return fmt.Errorf("store: change resource must be 1-%d bytes", maxKeyLen)
	case c.Version <= 0:
		return fmt.Errorf("store: change %s has version %d, want > 0", c.Resource, c.Version)
	case c.SourceChangedAt.IsZero():
		return fmt.Errorf("store: change %s has no source time", c.Resource)
	case c.CorrelationID == "" || len(c.CorrelationID) > maxKeyLen:
		return fmt.Errorf("store: change %s needs a correlation id of 1-%d bytes", c.Resource, maxKeyLen)
	case len(c.Payload) > 0 && !json.Valid(c.Payload):
		return fmt.Errorf("store: change %s payload is not valid JSON", c.Resource)
	}
	return nil
}

// CursorValue returns the cursor's value, or "" when it was never set.
func (s *Store) CursorValue(ctx context.Context, name string) (string, error) {
	var v string
	err := queryRows(ctx, s.db, func(r rows) error { return r.Scan(&v) },
		`SELECT value FROM rs_cursor WHERE name = $1`, name)
	return v, err
}

// LookupXref returns the cached target reference for a source reference, "" when unknown. It is a
// cache: the target's own external-id field is the truth.
func (s *Store) LookupXref(ctx context.Context, namespace, sourceRef string) (string, error) {
	var v string
	err := queryRows(ctx, s.db, func(r rows) error { return r.Scan(&v) },
		`SELECT target_ref FROM rs_xref WHERE namespace = $1 AND source_ref = $2`, namespace, sourceRef)
	return v, err
}

// queryRows runs a query and calls scan for each row.
func queryRows(ctx context.Context, q querier, scan func(rows) error, query string, args ...any) error {
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		if err := scan(r); err != nil {
			return err
		}
	}
	return r.Err()
}
