package state

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"time"

	"github.com/microfn/microfn/state/dbconf"
)

// A countedConn is a connection whose statements are counted and timed
// (dbconf.Counters), for /metrics. (The maintained hook libraries for
// database/sql were not to be had; this is the least of one: it passes
// every optional interface of database/sql/driver through.)
type countedConn struct {
	driver.Conn
	name     string
	pkg      string
	counters *dbconf.Counters
	// sqlite: the rows of a statement with RETURNING are read to their
	// end when closed (see finishingRows).
	sqlite bool
}

// finish wraps the rows r of query, if they must be read to their end.
func (c *countedConn) finish(query string, r driver.Rows) driver.Rows {
	if c.sqlite && r != nil && returning.MatchString(query) {
		return &finishingRows{Rows: r}
	}
	return r
}

func (c *countedConn) observe(start time.Time, err error) {
	if errors.Is(err, driver.ErrSkip) || errors.Is(err, io.EOF) {
		return
	}
	c.counters.Observe(c.name, c.pkg, time.Since(start), err)
}

// ExecContext runs a statement without preparing it, if the driver can.
func (c *countedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := time.Now()
	r, err := ec.ExecContext(ctx, query, args)
	c.observe(start, err)
	return r, err
}

// QueryContext runs a query without preparing it, if the driver can.
func (c *countedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	start := time.Now()
	r, err := qc.QueryContext(ctx, query, args)
	c.observe(start, err)
	return c.finish(query, r), err
}

// PrepareContext prepares a statement whose executions are counted.
func (c *countedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countedStmt{Stmt: st, conn: c, query: query}, nil
}

// Prepare prepares a statement.
func (c *countedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// BeginTx begins a transaction.
func (c *countedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if bc, ok := c.Conn.(driver.ConnBeginTx); ok {
		return bc.BeginTx(ctx, opts)
	}
	if opts.Isolation != 0 || opts.ReadOnly {
		return nil, errors.New("state: the driver takes no transaction options")
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

// Ping checks the connection.
func (c *countedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// ResetSession readies the connection for its next use.
func (c *countedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid reports whether the connection may be used again.
func (c *countedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue lets the driver convert arguments its own way.
func (c *countedConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// A countedStmt is a prepared statement whose executions are counted.
type countedStmt struct {
	driver.Stmt
	conn  *countedConn
	query string
}

// ExecContext executes the statement.
func (s *countedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	start := time.Now()
	var r driver.Result
	var err error
	if ec, ok := s.Stmt.(driver.StmtExecContext); ok {
		r, err = ec.ExecContext(ctx, args)
	} else {
		r, err = s.Stmt.Exec(values(args)) //nolint:staticcheck // the fallback database/sql itself uses
	}
	s.conn.observe(start, err)
	return r, err
}

// QueryContext runs the statement as a query.
func (s *countedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	start := time.Now()
	var r driver.Rows
	var err error
	if qc, ok := s.Stmt.(driver.StmtQueryContext); ok {
		r, err = qc.QueryContext(ctx, args)
	} else {
		r, err = s.Stmt.Query(values(args)) //nolint:staticcheck // the fallback database/sql itself uses
	}
	s.conn.observe(start, err)
	return s.conn.finish(s.query, r), err
}

// CheckNamedValue lets the driver convert arguments its own way.
func (s *countedStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if nc, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return nc.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}
