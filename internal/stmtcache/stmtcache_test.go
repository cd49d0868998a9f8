package stmtcache_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"

	"github.com/retailsync/retailsync/internal/stmtcache"
)

// counting wraps modernc.org/sqlite's connections so the tests see how often statements are prepared
// and closed underneath the cache.
type counting struct {
	driver.Connector
	prepared, closed atomic.Int64
}

type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type countingConn struct {
	sqliteConn
	c *counting
}

type countingStmt struct {
	sqliteStmt
	c *counting
}

func (c *counting) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{sqliteConn: conn.(sqliteConn), c: c}, nil
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.c.prepared.Add(1)
	return &countingStmt{sqliteStmt: s.(sqliteStmt), c: c.c}, nil
}

func (s *countingStmt) Close() error {
	s.c.closed.Add(1)
	return s.sqliteStmt.Close()
}

// open returns a one-connection database whose connection keeps size statements, with a table t.
func open(t *testing.T, size int) (*sql.DB, *counting) {
	t.Helper()
	base, err := sqlite.NewConnector(filepath.Join(t.TempDir(), "db.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{Connector: base}
	db := sql.OpenDB(stmtcache.Connector(c, size))
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, c
}

func names(t *testing.T, db interface {
	Query(query string, args ...any) (*sql.Rows, error)
}, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPreparesEachQueryOnce(t *testing.T) {
	db, c := open(t, 8)
	before := c.prepared.Load()
	for i := range 100 {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES ($1, $2)`, i, "n"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM t WHERE id <= $1`, i).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != i+1 {
			t.Fatalf("after insert %d, count is %d", i, n)
		}
	}
	if got := c.prepared.Load() - before; got != 2 {
		t.Fatalf("200 calls of 2 queries prepared %d statements, want 2", got)
	}
}

func TestSameQueryWhileItsRowsAreOpen(t *testing.T) {
	db, c := open(t, 8)
	for i, n := range []string{"a", "b", "c"} {
		if _, err := db.Exec(`INSERT INTO t (id, name) VALUES ($1, $2)`, i, n); err != nil {
			t.Fatal(err)
		}
	}
	const q = `SELECT name FROM t WHERE id >= $1 ORDER BY id`
	tx, err := db.Begin() // one connection for both queries
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	outer, err := tx.Query(q, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var s string
		if err := outer.Scan(&s); err != nil {
			t.Fatal(err)
		}
		// The same text again before the outer rows are done: it must not disturb them.
		inner := names(t, tx, q, 2)
		got = append(got, s+strings.Join(inner, ""))
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "ac bc cc"; strings.Join(got, " ") != want {
		t.Fatalf("nested reads gave %q, want %q", strings.Join(got, " "), want)
	}
	prepared := c.prepared.Load()
	if got := names(t, tx, q, 1); strings.Join(got, "") != "bc" {
		t.Fatalf("after the rows closed, the query gave %v", got)
	}
	if c.prepared.Load() != prepared {
		t.Fatal("the statement was not back in the cache after its rows closed")
	}
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	db, c := open(t, 2)
	if _, err := db.Exec(`INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')`); err != nil {
		t.Fatal(err)
	}
	q1, q2, q3 := `SELECT name FROM t WHERE id = 1`, `SELECT name FROM t WHERE id = 2`, `SELECT name FROM t`
	start := c.prepared.Load()

	// q1's rows stay open while q2 and q3 push it out of a cache of two.
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	open, err := conn.QueryContext(context.Background(), q1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{q2, q3} {
		rows, err := conn.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	closedBefore := c.closed.Load()
	var s string
	if !open.Next() {
		t.Fatalf("evicted statement's rows lost their row: %v", open.Err())
	}
	if err := open.Scan(&s); err != nil || s != "a" {
		t.Fatalf("evicted statement's rows read %q, %v; want a", s, err)
	}
	if err := open.Close(); err != nil {
		t.Fatal(err)
	}
	if c.closed.Load() != closedBefore+1 {
		t.Fatal("closing the rows of an evicted statement did not close the statement")
	}
	// q1 is prepared again; q3 is still cached.
	for _, q := range []string{q1, q3} {
		rows, err := conn.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		_ = rows.Close()
	}
	if got := c.prepared.Load() - start; got != 4 {
		t.Fatalf("prepared %d statements for q1 q2 q3 q1 q3 in a cache of two, want 4", got)
	}
}

func TestCachedStatementsKeepTransactionsAndErrors(t *testing.T) {
	db, _ := open(t, 8)
	const insert = `INSERT INTO t (id, name) VALUES ($1, $2)`
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(insert, 1, "rolled back"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(insert, 1, "kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(insert, 1, "duplicate"); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("duplicate key: err = %v, want a UNIQUE constraint error", err)
	}
	if _, err := db.Exec(insert, 2, "after the error"); err != nil {
		t.Fatalf("the statement failed after an error: %v", err)
	}
	if got := strings.Join(names(t, db, `SELECT name FROM t ORDER BY id`), ","); got != "kept,after the error" {
		t.Fatalf("table holds %q", got)
	}
}

func TestCloseClosesCachedStatements(t *testing.T) {
	db, c := open(t, 8)
	for _, q := range []string{`SELECT 1`, `SELECT 2`, `SELECT 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if c.closed.Load() != c.prepared.Load() {
		t.Fatalf("closed %d of %d prepared statements", c.closed.Load(), c.prepared.Load())
	}
}

type bareConnector struct{}

type bareConn struct{ driver.Conn }

func (bareConnector) Connect(context.Context) (driver.Conn, error) { return bareConn{}, nil }
func (bareConnector) Driver() driver.Driver                        { return nil }
func (bareConn) Close() error                                      { return nil }

func TestRejectsConnectionsWithoutContextMethods(t *testing.T) {
	db := sql.OpenDB(stmtcache.Connector(bareConnector{}, 8))
	defer db.Close()
	if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "lacks the context-aware connection interfaces") {
		t.Fatalf("Ping = %v, want the missing interfaces named", err)
	}
}
