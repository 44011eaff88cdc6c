package main

import (
	"io"
	"sync"
	"time"
)

// logFlushEvery is how long a log line of microfn serve waits, at most,
// to be written to the log's destination.
const logFlushEvery = 50 * time.Millisecond

// maxLogBatch is the size of a batch of log lines that is written at
// once, without waiting for the next flush.
const maxLogBatch = 64 << 10

// A batchWriter passes what is written to it on to w in batches: a log
// line, such as the access line of every call, costs its writer a copy
// into memory, not a system call. What is written reaches w in order,
// within logFlushEvery (at once when a batch fills), and all of it by
// Close. It is safe for concurrent use.
type batchWriter struct {
	w     io.Writer
	wmu   sync.Mutex // serializes flushes, so that batches reach w in order; guards spare
	spare []byte     // the buffer of the last batch, for the next

	mu  sync.Mutex // guards buf
	buf []byte

	stop, done chan struct{}
	once       sync.Once
}

// newBatchWriter returns a batchWriter to w, which flushes every every.
func newBatchWriter(w io.Writer, every time.Duration) *batchWriter {
	b := &batchWriter{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(every)
	return b
}

// Write adds p to the batch; it writes the batch when it is full.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= maxLogBatch
	b.mu.Unlock()
	if full {
		if err := b.Flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is waiting to w.
func (b *batchWriter) Flush() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	out := b.buf
	b.buf = b.spare[:0]
	b.mu.Unlock()
	var err error
	if len(out) > 0 {
		_, err = b.w.Write(out)
	}
	b.spare = out[:0]
	if cap(b.spare) > 4*maxLogBatch {
		b.spare = nil // a burst's buffer is not kept
	}
	return err
}

func (b *batchWriter) flushEvery(every time.Duration) {
	defer close(b.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Close stops the periodic flush and writes what is waiting.
func (b *batchWriter) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
	})
	return b.Flush()
}

// underlying returns the writer w is, or writes to in batches.
func underlying(w io.Writer) io.Writer {
	if b, ok := w.(*batchWriter); ok {
		return b.w
	}
	return w
}
