package microfntest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/server"
)

// StartApp writes files to a temporary directory as Start does, builds
// the application of it (microfn build DIR -o app, see server.BuildApp)
// and serves what the application serves: a server of this process,
// as the application's own, with the packages the application was
// built with and the application's executable as its workers, which
// run its compiled code. opts are those of the server; the build gets
// those of them that decide what code may import (WithAllow,
// WithUnrestricted) too.
func StartApp(t testing.TB, files map[string]string, opts ...server.Option) *Instance {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		WriteFile(t, dir, name, src)
	}
	return StartDirApp(t, dir, opts...)
}

// StartDirApp builds the application of dir and serves it as StartApp
// does.
func StartDirApp(t testing.TB, dir string, opts ...server.Option) *Instance {
	t.Helper()
	built := BuildApp(t, dir, opts...)
	// An application keeps its state in the working directory, unless
	// told: here, where a server of dir would.
	state := server.WithState(filepath.Join(dir, server.StateDirName))
	return StartDir(t, dir, append([]server.Option{server.WithIsolation(server.IsolatePackage), server.WithPrebuilt(built.Prebuilt), server.WithWorkerCommand(built.Exe), state}, opts...)...)
}

// BuildApp builds the application of dir into a temporary directory and
// returns it; a build error fails the test.
func BuildApp(t testing.TB, dir string, opts ...server.Option) *server.BuiltApp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	built, err := server.BuildApp(ctx, dir, filepath.Join(t.TempDir(), "app"), compile.Options{}, append(opts, server.WithLogger(quiet), server.WithWatch(false))...)
	if err != nil {
		t.Fatalf("build the application of %s: %v", dir, err)
	}
	return built
}
