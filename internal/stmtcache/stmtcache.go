// Package stmtcache keeps each database/sql connection's prepared statements, keyed by query text,
// for drivers that otherwise parse a query on every call.
//
// modernc.org/sqlite compiles the SQL text of every ExecContext and QueryContext made on a connection,
// while a statement it has prepared once runs again for the price of a reset. River's SQLite driver
// sends the same few dozen statements over and over (fetch, insert, complete), and without a cache
// parsing them was over half of the worker's CPU. pgx keeps such a cache for PostgreSQL by default;
// this package gives SQLite the same, through the connector hook modernc.org/sqlite documents for
// wrapping its connections (sqlite.NewConnector).
package stmtcache

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// Connector returns a connector whose connections keep up to size prepared statements each, least
// recently used first out. base's connections must implement the context-aware optional interfaces of
// database/sql/driver (modernc.org/sqlite's do); Connect fails clearly on one that does not.
func Connector(base driver.Connector, size int) driver.Connector {
	return &connector{Connector: base, size: max(size, 1)}
}

type connector struct {
	driver.Connector
	size int
}

// baseConn is what a wrapped connection must offer: everything database/sql uses when it is present,
// so wrapping hides nothing the driver does.
type baseConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// baseStmt is what a prepared statement must offer to run with a context.
type baseStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// baseRows is the column metadata database/sql's ColumnTypes reads, which the rows a cached statement
// returns pass through.
type baseRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	raw, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	base, ok := raw.(baseConn)
	if !ok {
		return nil, errors.Join(fmt.Errorf("stmtcache: %T lacks the context-aware connection interfaces", raw), raw.Close())
	}
	return &conn{baseConn: base, size: c.size, byQuery: map[string]*list.Element{}, order: list.New()}, nil
}

// conn is one connection with its statement cache. database/sql uses a connection from one goroutine
// at a time (closing a connection's rows included), so the cache needs no lock.
type conn struct {
	baseConn
	size    int
	byQuery map[string]*list.Element // of *entry; order holds the same elements, most recent first
	order   *list.List
}

type entry struct {
	query string
	stmt  baseStmt
	// inUse is set while rows read from stmt are open: a statement steps through one result at a
	// time, so a second query with the same text meanwhile prepares a statement of its own.
	inUse bool
	// evicted is set when the cache let go of stmt while it was in use; closing the rows closes it.
	evicted bool
}

// Unwrap returns the driver's own connection, as modernc.org/sqlite asks of wrappers (its Limit
// looks through them this way).
func (c *conn) Unwrap() driver.Conn { return c.baseConn }

// ExecContext runs query with a statement prepared once per connection.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.baseConn.ExecContext(ctx, query, args)
	}
	return e.stmt.ExecContext(ctx, args)
}

// QueryContext runs query with a statement prepared once per connection; the statement is lent to the
// rows until they are closed.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.baseConn.QueryContext(ctx, query, args)
	}
	raw, err := e.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	r, ok := raw.(baseRows)
	if !ok {
		return nil, errors.Join(fmt.Errorf("stmtcache: %T lacks the column type interfaces", raw), raw.Close())
	}
	e.inUse = true
	return &rows{baseRows: r, release: func() { c.release(e) }}, nil
}

// statement returns the cached statement for query, preparing it on first use. It returns nil when
// that statement is lent to open rows.
func (c *conn) statement(ctx context.Context, query string) (*entry, error) {
	if el, ok := c.byQuery[query]; ok {
		e := el.Value.(*entry)
		if e.inUse {
			return nil, nil
		}
		c.order.MoveToFront(el)
		return e, nil
	}
	raw, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	stmt, ok := raw.(baseStmt)
	if !ok {
		return nil, errors.Join(fmt.Errorf("stmtcache: %T lacks the context-aware statement interfaces", raw), raw.Close())
	}
	e := &entry{query: query, stmt: stmt}
	c.byQuery[query] = c.order.PushFront(e)
	for c.order.Len() > c.size {
		c.evict(c.order.Back())
	}
	return e, nil
}

func (c *conn) evict(el *list.Element) {
	e := c.order.Remove(el).(*entry)
	delete(c.byQuery, e.query)
	if e.inUse {
		e.evicted = true
		return
	}
	// Closing a statement frees memory only; the query has already run, so there is nobody to tell.
	_ = e.stmt.Close()
}

func (c *conn) release(e *entry) {
	e.inUse = false
	if e.evicted {
		_ = e.stmt.Close()
	}
}

// Close closes every cached statement not lent to open rows, then the connection.
func (c *conn) Close() error {
	var errs []error
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		if e.inUse {
			e.evicted = true // its rows, still open, close it
			continue
		}
		errs = append(errs, e.stmt.Close())
	}
	c.byQuery, c.order = nil, list.New()
	return errors.Join(append(errs, c.baseConn.Close())...)
}

// rows hands its statement back to the cache when closed.
type rows struct {
	baseRows
	release func()
}

func (r *rows) Close() error {
	err := r.baseRows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}
