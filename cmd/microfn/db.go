package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/state/dbconf"
)

// envDatabasePrefix names the environment variables that place a
// database, as --database does: MICROFN_DATABASE_ORDERS=postgres://…
// places database orders (the Kubernetes manifests set them from a
// Secret).
const envDatabasePrefix = "MICROFN_DATABASE_"

// databaseFlags collects repeated --database NAME=URL flags.
type databaseFlags []string

func (d *databaseFlags) String() string     { return strings.Join(*d, ",") }
func (d *databaseFlags) Set(v string) error { *d = append(*d, v); return nil }

// stateFlags registers --state and --database, and returns a function
// that turns them, and the MICROFN_DATABASE_* environment, into the
// configuration of the databases of a served folder dir ("" before the
// folder is known: then Dir is the flag's value) and server options.
// Precedence: --database, then the environment.
func stateFlags(fs *flag.FlagSet) func() (stateConfig, error) {
	where := ".microfn in the served folder"
	if prebuilt != nil {
		where = ".microfn in the working directory" // an application has no folder
	}
	dir := fs.String("state", "", "state `folder`: each database of service code is an SQLite file in it (default: "+where+")")
	var dbs databaseFlags
	fs.Var(&dbs, "database", "`NAME=URL`: database NAME is the PostgreSQL database at URL (postgres://…) instead of an SQLite file (repeatable; also MICROFN_DATABASE_<NAME>=URL)")
	return func() (stateConfig, error) {
		urls := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			if name, ok := strings.CutPrefix(k, envDatabasePrefix); ok && name != "" {
				urls[strings.ToLower(name)] = v
			}
		}
		for _, d := range dbs {
			name, u, ok := strings.Cut(d, "=")
			if !ok {
				return stateConfig{}, fmt.Errorf("--database %q: want NAME=URL", d)
			}
			urls[name] = u
		}
		for name, u := range urls {
			if err := dbconf.CheckName(name); err != nil {
				return stateConfig{}, fmt.Errorf("--database: %w", err)
			}
			if _, err := dbconf.ParseURL(u); err != nil {
				return stateConfig{}, fmt.Errorf("--database %s: %w", name, err)
			}
		}
		return stateConfig{dir: *dir, urls: urls}, nil
	}
}

// stateConfig is what stateFlags read.
type stateConfig struct {
	dir  string
	urls map[string]string
}

// options are the server options of c.
func (c stateConfig) options() []server.Option {
	var opts []server.Option
	if c.dir != "" {
		opts = append(opts, server.WithState(c.dir))
	}
	for name, u := range c.urls {
		opts = append(opts, server.WithDatabase(name, u))
	}
	return opts
}

// config is the configuration of the databases of served folder root.
func (c stateConfig) config(root string) dbconf.Config {
	dir := c.dir
	if dir == "" {
		dir = filepath.Join(root, server.StateDirName)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dbconf.Config{Dir: dir, URLs: c.urls}
}

const dbUsage = `usage: microfn db migrate|status|shell [flags] DIR [NAME]

  migrate  applies the migrations of every package below DIR (their
           migrations/NAME/*.sql) to database NAME, or to every database
  status   prints each database: where it is, the migrations applied and
           those not applied yet
  shell    opens sqlite3, or psql, on database NAME`

// dbCmd runs microfn db.
func dbCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, dbUsage)
		return 2
	}
	sub := args[0]
	fs := newFlagSet("db "+sub, dbUsage, stderr)
	st := stateFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 || (sub == "shell" && fs.NArg() != 2) {
		fs.Usage()
		return 2
	}
	sc, err := st()
	if err != nil {
		fmt.Fprintln(stderr, "microfn:", err)
		return 2
	}
	root, only := fs.Arg(0), fs.Arg(1)
	cfg := sc.config(root)
	switch sub {
	case "migrate", "status":
		if err := dbMigrate(ctx, root, only, cfg, sub == "migrate", stdout); err != nil {
			fmt.Fprintln(stderr, "microfn:", err)
			return 1
		}
		return 0
	case "shell":
		if err := dbShell(ctx, cfg, only); err != nil {
			fmt.Fprintln(stderr, "microfn:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "microfn db: unknown command %q\n\n%s\n", sub, dbUsage)
	return 2
}

// treeMigrations returns the migrations of every package below root, by
// database: one file name is one migration, whichever packages carry it.
func treeMigrations(root string) (map[string][]state.Migration, error) {
	out := map[string][]state.Migration{}
	seen := map[string]state.Migration{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "migrations") {
			return filepath.SkipDir
		}
		ms, err := state.Declared(p)
		if err != nil {
			return err
		}
		for db, list := range ms {
			for _, m := range list {
				key := db + "/" + m.Name
				if prev, ok := seen[key]; ok {
					if prev.SQL != m.SQL {
						return fmt.Errorf("%s and %s: two migrations %s of database %s differ", prev.Path, m.Path, m.Name, db)
					}
					continue
				}
				seen[key] = m
				out[db] = append(out[db], m)
			}
		}
		return nil
	})
	for db := range out {
		state.SortMigrations(out[db])
	}
	return out, err
}

// dbMigrate prints the state of the databases of the tree root (only
// database only, if set), and applies their migrations if apply is set.
func dbMigrate(ctx context.Context, root, only string, cfg dbconf.Config, apply bool, stdout io.Writer) error {
	ms, err := treeMigrations(root)
	if err != nil {
		return err
	}
	names := cfg.Names()
	for n := range ms {
		names = append(names, n)
	}
	if only != "" {
		names = []string{only}
	}
	sort.Strings(names)
	var errs []error
	done := map[string]bool{}
	for _, name := range names {
		if done[name] {
			continue
		}
		done[name] = true
		t, err := cfg.Where(name)
		if err != nil {
			return err
		}
		where := t.Path
		if t.Kind == dbconf.Postgres {
			where = dbconf.Redact(t.URL)
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", name, t.Kind, where)
		db, err := state.Open(t)
		if err != nil {
			return err
		}
		if apply {
			applied, err := state.Migrate(ctx, db, t.Kind, ms[name])
			for _, a := range applied {
				fmt.Fprintf(stdout, "  applied %s\n", a)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		recorded, err := state.Status(ctx, db)
		db.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("database %s: %w", name, err))
			continue
		}
		have := map[string]bool{}
		for _, a := range recorded {
			have[a.Name] = true
			fmt.Fprintf(stdout, "  %s\tapplied %s\n", a.Name, a.AppliedAt.Format("2006-01-02 15:04:05"))
		}
		for _, m := range ms[name] {
			if !have[m.Name] {
				fmt.Fprintf(stdout, "  %s\tnot applied\n", m.Name)
			}
		}
	}
	return errors.Join(errs...)
}

// dbShell runs sqlite3 or psql on database name, with this process's
// standard input and output.
func dbShell(ctx context.Context, cfg dbconf.Config, name string) error {
	t, err := cfg.Where(name)
	if err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch t.Kind {
	case dbconf.SQLite:
		cmd = exec.CommandContext(ctx, "sqlite3", "-cmd", fmt.Sprintf(".timeout %d", state.BusyTimeout.Milliseconds()), t.Path)
	case dbconf.Postgres:
		cmd = exec.CommandContext(ctx, "psql", t.URL)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", cmd.Path, err)
	}
	return nil
}
