package state

import (
	"database/sql/driver"
	"io"
	"reflect"
	"regexp"
)

// returning matches a statement that writes and returns rows, such as
// INSERT … RETURNING id (a match inside a string literal only costs the
// reading of its rows).
var returning = regexp.MustCompile(`(?i)\bRETURNING\b`)

// finishingRows are the rows of an SQLite statement with RETURNING.
// Closing them first reads the rows left: database/sql's QueryRow reads
// one row and closes the statement, which then ends without its last
// step, and SQLite checkpoints the write-ahead log only after a write
// whose statement steps to its end. Writes that all returned rows so
// (microfn.KV's Put and CompareAndSwap among them) never checkpointed:
// the -wal file grew by every write, until the worker's file size limit
// made every write fail ("disk I/O error").
type finishingRows struct {
	driver.Rows
}

// Close reads the rows left, then closes them.
func (r *finishingRows) Close() error {
	dest := make([]driver.Value, len(r.Rows.Columns()))
	for {
		if err := r.Rows.Next(dest); err != nil {
			if err != io.EOF {
				r.Rows.Close()
				return err
			}
			break
		}
	}
	return r.Rows.Close()
}

// The optional interfaces of driver.Rows, passed through.

func (r *finishingRows) ColumnTypeScanType(i int) reflect.Type {
	if c, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return c.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *finishingRows) ColumnTypeDatabaseTypeName(i int) string {
	if c, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return c.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *finishingRows) ColumnTypeLength(i int) (int64, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return c.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *finishingRows) ColumnTypeNullable(i int) (bool, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return c.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *finishingRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if c, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return c.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *finishingRows) HasNextResultSet() bool {
	if c, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return c.HasNextResultSet()
	}
	return false
}

func (r *finishingRows) NextResultSet() error {
	if c, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return c.NextResultSet()
	}
	return io.EOF
}
