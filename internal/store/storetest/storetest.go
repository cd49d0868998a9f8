// Package storetest opens fresh stores for tests, one per driver, so every suite runs against SQLite
// and PostgreSQL alike. PostgreSQL tests need RETAILSYNC_TEST_POSTGRES_DSN (hack/postgres.sh prints
// it); without it they skip and say why.
package storetest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/retailsync/retailsync/internal/store"
	"github.com/retailsync/retailsync/internal/testwait"
)

// PostgresDSNEnv names the variable holding the DSN of a PostgreSQL server tests may create
// databases on.
const PostgresDSNEnv = "RETAILSYNC_TEST_POSTGRES_DSN"

// Drivers lists the drivers every store-backed suite runs against.
func Drivers() []string { return []string{store.DriverSQLite, store.DriverPostgres} }

// Config returns the configuration of a new, empty database for driver; the database is dropped when
// the test ends. It skips the test when driver is PostgreSQL and no server is configured.
func Config(t testing.TB, driver string) store.Config {
	t.Helper()
	switch driver {
	case store.DriverSQLite:
		return store.Config{Driver: driver, Path: filepath.Join(t.TempDir(), "store.db")}
	case store.DriverPostgres:
		base := os.Getenv(PostgresDSNEnv)
		if base == "" {
			t.Skipf("PostgreSQL variant skipped: %s is not set (run: eval \"$(hack/postgres.sh)\")", PostgresDSNEnv)
		}
		return store.Config{Driver: driver, DSN: createDatabase(t, base)}
	}
	t.Fatalf("storetest: unknown driver %q", driver)
	return store.Config{}
}

// Open opens a store on a new, empty database, closed when the test ends.
func Open(t testing.TB, driver string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), Config(t, driver))
	if err != nil {
		t.Fatalf("open %s store: %v", driver, err)
	}
	t.Cleanup(s.Close)
	return s
}

func createDatabase(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test PostgreSQL server: %v", err)
	}
	defer conn.Close(ctx)
	name := "rs_test_" + rand.Text()[:16]
	name = strings.ToLower(name)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(t, base, name)
}

// withDatabase points a DSN, in URL or keyword form, at another database.
func withDatabase(t testing.TB, dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("%s is not a valid URL", PostgresDSNEnv)
		}
		u.Path = "/" + name
		return u.String()
	}
	return dsn + " dbname=" + name // the last keyword wins
}

// Eventually polls cond until it holds or 90 seconds pass (a crashed River leader's lease alone
// takes ~15s), then fails the test naming what it waited for.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, 90*time.Second, 5*time.Millisecond, what, func() (bool, string) { return cond(), "" })
}
