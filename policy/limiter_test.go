package policy_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/policy"
)

// testCtx returns a context that ends well before the test's deadline, so a
// hang fails with a message instead of a panic.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or the test's wait deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// result is the outcome of an Acquire run in a goroutine.
type result struct {
	release func()
	err     error
}

// acquireAsync runs Acquire in a goroutine and returns its outcome's channel.
func acquireAsync(ctx context.Context, l *policy.Limiter, chain string) <-chan result {
	c := make(chan result, 1)
	go func() {
		r, err := l.Acquire(ctx, chain)
		c <- result{r, err}
	}()
	return c
}

// must returns a func that checks the results of Acquire and returns its
// release func: must(t)(l.Acquire(ctx, chain)).
func must(t *testing.T) func(release func(), err error) func() {
	t.Helper()
	return func(release func(), err error) func() {
		t.Helper()
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		return release
	}
}

// receive waits for the outcome of an Acquire.
func receive(t *testing.T, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Acquire did not return")
		return result{}
	}
}

// pending fails the test if the Acquire behind c has returned.
func pending(t *testing.T, c <-chan result, what string) {
	t.Helper()
	select {
	case r := <-c:
		t.Fatalf("%s: Acquire returned (err %v) while it should wait", what, r.err)
	default:
	}
}

func checkCounts(t *testing.T, l *policy.Limiter, inFlight, waiting int) {
	t.Helper()
	if got := l.InFlight(); got != inFlight {
		t.Errorf("InFlight() = %d, want %d", got, inFlight)
	}
	if got := l.Waiting(); got != waiting {
		t.Errorf("Waiting() = %d, want %d", got, waiting)
	}
}

func TestLimiterSerialises(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 10)
	relA := must(t)(l.Acquire(ctx, "a"))
	checkCounts(t, l, 1, 0)

	b := acquireAsync(ctx, l, "b")
	waitFor(t, "b to queue", func() bool { return l.Waiting() == 1 })
	pending(t, b, "b while a holds the slot")

	relA()
	r := receive(t, b)
	if r.err != nil {
		t.Fatalf("b: %v", r.err)
	}
	checkCounts(t, l, 1, 0)
	r.release()
	checkCounts(t, l, 0, 0)
}

func TestLimiterScale(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(2, 10)
	relA := must(t)(l.Acquire(ctx, "a"))
	relB := must(t)(l.Acquire(ctx, "b"))
	checkCounts(t, l, 2, 0)
	c := acquireAsync(ctx, l, "c")
	waitFor(t, "c to queue", func() bool { return l.Waiting() == 1 })
	relB()
	r := receive(t, c)
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkCounts(t, l, 2, 0)
	relA()
	r.release()
	checkCounts(t, l, 0, 0)
}

func TestLimiterReentrant(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 10)
	outer := must(t)(l.Acquire(ctx, "fib"))

	// Fib calling Fib: the nested call is admitted at once.
	inner := make(chan result, 1)
	go func() {
		r, err := l.Acquire(ctx, "fib")
		inner <- result{r, err}
	}()
	r := receive(t, inner)
	if r.err != nil {
		t.Fatalf("nested Acquire: %v", r.err)
	}
	innermost := must(t)(l.Acquire(ctx, "fib"))
	checkCounts(t, l, 1, 0)

	other := acquireAsync(ctx, l, "other")
	waitFor(t, "other to queue", func() bool { return l.Waiting() == 1 })

	innermost()
	r.release()
	r.release() // idempotent
	pending(t, other, "other while fib's outer call holds the slot")
	checkCounts(t, l, 1, 1)

	outer()
	o := receive(t, other)
	if o.err != nil {
		t.Fatal(o.err)
	}
	o.release()
	outer() // idempotent
	checkCounts(t, l, 0, 0)
}

func TestLimiterCycle(t *testing.T) {
	// A→B→A with scale=1 in each service, all in one chain.
	ctx := testCtx(t)
	a, b := policy.NewLimiter(1, 0), policy.NewLimiter(1, 0)
	r1 := must(t)(a.Acquire(ctx, "trace"))
	r2 := must(t)(b.Acquire(ctx, "trace"))
	r3 := must(t)(a.Acquire(ctx, "trace"))
	r3()
	r2()
	r1()
	checkCounts(t, a, 0, 0)
	checkCounts(t, b, 0, 0)
}

func TestLimiterQueueFull(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 1)
	relA := must(t)(l.Acquire(ctx, "a"))
	b := acquireAsync(ctx, l, "b")
	waitFor(t, "b to queue", func() bool { return l.Waiting() == 1 })

	if _, err := l.Acquire(ctx, "c"); !errors.Is(err, policy.ErrQueueFull) {
		t.Fatalf("Acquire with a full queue = %v, want ErrQueueFull", err)
	}
	// The holder's chain is still admitted.
	again := must(t)(l.Acquire(ctx, "a"))
	again()
	checkCounts(t, l, 1, 1)

	relA()
	r := receive(t, b)
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.release()
	checkCounts(t, l, 0, 0)
}

func TestLimiterQueueZero(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 0)
	rel := must(t)(l.Acquire(ctx, "a"))
	if _, err := l.Acquire(ctx, "b"); err != policy.ErrQueueFull {
		t.Fatalf("Acquire = %v, want ErrQueueFull", err)
	}
	rel()
	must(t)(l.Acquire(ctx, "b"))()
	checkCounts(t, l, 0, 0)
}

func TestLimiterCancelLeavesQueue(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 10)
	relA := must(t)(l.Acquire(ctx, "a"))

	bctx, cancel := context.WithCancel(ctx)
	b := acquireAsync(bctx, l, "b")
	c := acquireAsync(ctx, l, "c")
	waitFor(t, "b and c to queue", func() bool { return l.Waiting() == 2 })
	cancel()
	if r := receive(t, b); r.err != context.Canceled || r.release != nil {
		t.Fatalf("canceled Acquire = %v, %v; want nil, context.Canceled", r.release != nil, r.err)
	}
	checkCounts(t, l, 1, 1)

	relA()
	r := receive(t, c)
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.release()
	checkCounts(t, l, 0, 0)
}

func TestLimiterDeadline(t *testing.T) {
	l := policy.NewLimiter(1, 10)
	rel := must(t)(l.Acquire(testCtx(t), "a"))
	defer rel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, "b"); err != context.DeadlineExceeded {
		t.Fatalf("Acquire = %v, want deadline exceeded", err)
	}
	checkCounts(t, l, 1, 0)
}

func TestLimiterContextDoneBeforeAcquire(t *testing.T) {
	l := policy.NewLimiter(1, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Acquire(ctx, "a"); err != context.Canceled {
		t.Fatalf("Acquire = %v, want canceled", err)
	}
	checkCounts(t, l, 0, 0)
}

func TestLimiterCancelRacesGrant(t *testing.T) {
	// Release the slot and cancel its waiter at the same moment, many
	// times: whichever wins, no slot may leak.
	l := policy.NewLimiter(1, 10)
	for i := range 200 {
		relA := must(t)(l.Acquire(testCtx(t), "a"))
		bctx, cancel := context.WithCancel(context.Background())
		b := acquireAsync(bctx, l, "b")
		waitFor(t, "b to queue", func() bool { return l.Waiting() == 1 })
		var wg sync.WaitGroup
		wg.Go(relA)
		wg.Go(cancel)
		wg.Wait()
		if r := receive(t, b); r.err == nil {
			r.release()
		} else if r.err != context.Canceled {
			t.Fatalf("round %d: Acquire = %v", i, r.err)
		}
		if l.InFlight() != 0 || l.Waiting() != 0 {
			t.Fatalf("round %d: InFlight %d, Waiting %d; want 0, 0", i, l.InFlight(), l.Waiting())
		}
	}
}

func TestLimiterFIFO(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 10)
	rel := must(t)(l.Acquire(ctx, "holder"))
	var waiters []<-chan result
	for i := range 5 {
		waiters = append(waiters, acquireAsync(ctx, l, fmt.Sprint("w", i)))
		waitFor(t, "the waiter to queue", func() bool { return l.Waiting() == i+1 })
	}
	for i, w := range waiters {
		rel()
		r := receive(t, w)
		if r.err != nil {
			t.Fatal(r.err)
		}
		for _, later := range waiters[i+1:] {
			pending(t, later, fmt.Sprintf("a waiter after w%d", i))
		}
		rel = r.release
	}
	rel()
	checkCounts(t, l, 0, 0)
}

func TestLimiterSameChainWaitersShareSlot(t *testing.T) {
	ctx := testCtx(t)
	l := policy.NewLimiter(1, 10)
	rel := must(t)(l.Acquire(ctx, "a"))
	b1 := acquireAsync(ctx, l, "b")
	waitFor(t, "b1 to queue", func() bool { return l.Waiting() == 1 })
	c := acquireAsync(ctx, l, "c")
	waitFor(t, "c to queue", func() bool { return l.Waiting() == 2 })
	b2 := acquireAsync(ctx, l, "b")
	waitFor(t, "b2 to queue", func() bool { return l.Waiting() == 3 })

	rel()
	r1, r2 := receive(t, b1), receive(t, b2)
	if r1.err != nil || r2.err != nil {
		t.Fatal(r1.err, r2.err)
	}
	checkCounts(t, l, 1, 1)
	r1.release()
	pending(t, c, "c while b's second call holds the slot")
	r2.release()
	rc := receive(t, c)
	if rc.err != nil {
		t.Fatal(rc.err)
	}
	rc.release()
	checkCounts(t, l, 0, 0)
}

func TestLimiterEmptyChainNotReentrant(t *testing.T) {
	l := policy.NewLimiter(1, 10)
	rel := must(t)(l.Acquire(testCtx(t), ""))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, ""); err != context.DeadlineExceeded {
		t.Fatalf("second Acquire of the empty chain = %v, want deadline exceeded", err)
	}
	rel()
	checkCounts(t, l, 0, 0)
}

func TestNewLimiterClamps(t *testing.T) {
	l := policy.NewLimiter(0, -5)
	ctx := testCtx(t)
	rel := must(t)(l.Acquire(ctx, "a"))
	if _, err := l.Acquire(ctx, "b"); err != policy.ErrQueueFull {
		t.Fatalf("Acquire = %v, want ErrQueueFull", err)
	}
	rel()
}

func TestLimiterHammer(t *testing.T) {
	const (
		scale      = 3
		goroutines = 40
		rounds     = 100
	)
	l := policy.NewLimiter(scale, goroutines)
	var (
		mu     sync.Mutex
		active = map[string]int{} // chains holding a slot, as the test sees them
		most   int
	)
	enter := func(chain string) {
		mu.Lock()
		defer mu.Unlock()
		active[chain]++
		most = max(most, len(active))
	}
	leave := func(chain string) {
		mu.Lock()
		defer mu.Unlock()
		if active[chain]--; active[chain] == 0 {
			delete(active, chain)
		}
	}

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for range rounds {
				chain := fmt.Sprint("chain", rng.IntN(8))
				ctx, cancel := context.WithCancel(context.Background())
				if rng.IntN(10) == 0 {
					cancel() // sometimes give up at once
				}
				rel, err := l.Acquire(ctx, chain)
				if err != nil {
					cancel()
					if err != context.Canceled && err != policy.ErrQueueFull {
						t.Errorf("Acquire: %v", err)
					}
					continue
				}
				enter(chain)
				if rng.IntN(2) == 0 { // a nested call of the same chain
					inner, err := l.Acquire(ctx, chain)
					if err != nil && err != context.Canceled {
						t.Errorf("nested Acquire: %v", err)
					}
					if err == nil {
						inner()
					}
				}
				leave(chain)
				rel()
				rel()
				cancel()
			}
		})
	}
	wg.Wait()
	if most > scale {
		t.Errorf("%d chains held slots at once, want at most %d", most, scale)
	}
	checkCounts(t, l, 0, 0)
}

// TestLimiterTryAcquire: TryAcquire admits exactly when Acquire would at
// once, and never waits or queues.
func TestLimiterTryAcquire(t *testing.T) {
	l := policy.NewLimiter(1, 1)
	if _, ok := l.TryAcquire(""); ok {
		t.Fatal("TryAcquire admitted an unnamed chain")
	}
	releaseA, ok := l.TryAcquire("a")
	if !ok {
		t.Fatal("TryAcquire refused a free slot")
	}
	releaseA2, ok := l.TryAcquire("a")
	if !ok {
		t.Fatal("TryAcquire refused the chain that holds the slot (not reentrant)")
	}
	if _, ok := l.TryAcquire("b"); ok {
		t.Fatal("TryAcquire admitted a second chain under scale=1")
	}
	if l.Waiting() != 0 {
		t.Fatalf("TryAcquire queued: %d waiting", l.Waiting())
	}
	// b waits in line; then c may not jump the queue when the slot frees.
	got := make(chan result, 1)
	go func() {
		release, err := l.Acquire(testCtx(t), "b")
		got <- result{release, err}
	}()
	waitFor(t, "b to queue", func() bool { return l.Waiting() == 1 })
	releaseA()
	releaseA2()
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	if _, ok := l.TryAcquire("c"); ok {
		t.Fatal("TryAcquire admitted c while b holds the only slot")
	}
	r.release()
	releaseC, ok := l.TryAcquire("c")
	if !ok {
		t.Fatal("TryAcquire refused a free slot after b released it")
	}
	releaseC()
	if l.InFlight() != 0 {
		t.Fatalf("%d in flight after every release", l.InFlight())
	}
}

// TestLimiterTryHold: TryHold admits as TryAcquire does, and each Release
// drops one acquisition, handing the slot to the first waiter once the
// chain holds none.
func TestLimiterTryHold(t *testing.T) {
	t.Parallel()
	l := policy.NewLimiter(1, 1)
	if l.TryHold("") {
		t.Fatal("TryHold admitted an unnamed chain")
	}
	if !l.TryHold("a") || !l.TryHold("a") {
		t.Fatal("TryHold refused a free slot, or the chain that holds it")
	}
	if l.TryHold("b") {
		t.Fatal("TryHold admitted a second chain under scale=1")
	}
	got := make(chan result, 1)
	go func() {
		release, err := l.Acquire(testCtx(t), "b")
		got <- result{release, err}
	}()
	waitFor(t, "b to queue", func() bool { return l.Waiting() == 1 })
	l.Release("a")
	if l.InFlight() != 1 || l.Waiting() != 1 {
		t.Fatalf("after one of two releases: %d in flight, %d waiting; want a's slot still held", l.InFlight(), l.Waiting())
	}
	l.Release("a")
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	if l.TryHold("c") {
		t.Fatal("TryHold admitted c while b holds the only slot")
	}
	r.release()
	if !l.TryHold("c") {
		t.Fatal("TryHold refused a free slot after b released it")
	}
	l.Release("c")
	if l.InFlight() != 0 {
		t.Fatalf("%d in flight after every release", l.InFlight())
	}
}

// TestDetach: a detached acquisition keeps its slot, but the chain can no
// longer reenter through it.
func TestDetach(t *testing.T) {
	t.Parallel()
	l := policy.NewLimiter(1, 10)
	rel, ok := l.TryAcquire("a")
	if !ok {
		t.Fatal("first acquisition refused")
	}
	detached := l.Detach("a")
	_ = rel // replaced by detached
	if _, ok := l.TryAcquire("a"); ok {
		t.Fatal("the chain reentered through a detached acquisition")
	}
	if l.InFlight() != 1 {
		t.Fatalf("in flight %d, want 1", l.InFlight())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan func(), 1)
	go func() {
		r, err := l.Acquire(ctx, "a")
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("the chain got a slot while the detached execution holds it")
	case <-time.After(50 * time.Millisecond):
	}
	detached()
	r := <-got
	r()
	if l.InFlight() != 0 {
		t.Fatalf("in flight %d after every release, want 0", l.InFlight())
	}
	// A chain that holds the slot twice keeps one hold after a detach.
	r1, _ := l.TryAcquire("b")
	r2, _ := l.TryAcquire("b")
	d := l.Detach("b")
	if l.InFlight() != 2 {
		t.Fatalf("in flight %d, want 2 (the chain and the detached execution)", l.InFlight())
	}
	_ = r2
	r1()
	d()
	if l.InFlight() != 0 {
		t.Fatalf("in flight %d, want 0", l.InFlight())
	}
}

// TestLimiterHold: a hold counts whatever the limit, is reentrant for its
// chain, keeps other chains out until released, and its release admits
// the waiters.
func TestLimiterHold(t *testing.T) {
	t.Parallel()
	l := policy.NewLimiter(1, 1)
	if !l.TryHold("a") {
		t.Fatal("TryHold refused a free slot")
	}
	l.Hold("b") // past the scale: b runs elsewhere already
	if l.InFlight() != 2 {
		t.Fatalf("%d in flight after a hold past the scale; want 2", l.InFlight())
	}
	if !l.TryHold("b") {
		t.Fatal("TryHold refused the chain that holds a slot")
	}
	l.Release("a")
	if l.TryHold("c") {
		t.Fatal("TryHold admitted c while b holds the only slot")
	}
	got := make(chan result, 1)
	go func() {
		release, err := l.Acquire(testCtx(t), "c")
		got <- result{release, err}
	}()
	waitFor(t, "c to queue", func() bool { return l.Waiting() == 1 })
	l.Release("b")
	l.Release("b")
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.release()
	if l.InFlight() != 0 {
		t.Fatalf("%d in flight after every release", l.InFlight())
	}
}
