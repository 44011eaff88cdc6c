// Package state opens the databases service code declares with
// microfn.Database and microfn.KV: an embedded SQLite file per database
// in the state folder by default (pure-Go modernc.org/sqlite, WAL mode, a
// busy timeout, so that every worker of every package and version shares
// it safely), or a PostgreSQL database (jackc/pgx's database/sql driver)
// where the server was given its URL (dbconf.Config). It applies the
// migrations of a package (migrations/NAME/*.sql beside its Go files) in
// lexical order, each once, recorded in the table microfn_migrations, and
// keeps the key-value stores of microfn.KV in the table microfn_kv.
//
// The *sql.DB values it hands out open lazily: compiled service code
// declares its databases while its package initialises, before its
// worker has read where they live (see dbconf.SetProcess). Outside
// microfn (go test of service code) a declared database is a temporary
// SQLite file with the package's migrations applied.
package state
