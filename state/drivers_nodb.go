//go:build microfn_nodb

package state

import (
	"database/sql/driver"
	"fmt"

	"github.com/microfn/microfn/state/dbconf"
)

// connector fails: this executable was built with the build tag
// microfn_nodb, without the database drivers, because its code declares
// no database (see package compile).
func connector(t dbconf.Target) (driver.Connector, error) {
	return nil, fmt.Errorf("database %s: this executable was built without database drivers (build tag microfn_nodb)", t.Name)
}

// errorLine is 1: without the PostgreSQL driver, no error says where.
func errorLine(string, error) int { return 1 }
