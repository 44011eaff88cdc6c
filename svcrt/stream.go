package svcrt

import (
	"context"
	"reflect"
	"runtime/debug"
)

// Stream runs seq, the stream a call of the service returned (see
// wire.Func.Streams), on the calling goroutine, as part of the service
// execution whose context ctx is: the producer's nested calls carry its
// chain, as they would from the service itself. each gets every value;
// an error an iter.Seq2 yields comes as a *ReturnedError (with the value
// yielded beside it), so that errors= and the error's identity apply as
// to an error the service returned. each returning false stops the
// stream: the producer's yield returns false. A panic of the producer is
// recovered and returned as a *PanicError.
func (s *Service) Stream(ctx context.Context, seq reflect.Value, each func(v reflect.Value, err error) bool) (err error) {
	id, prev := enter(ctx)
	defer leave(id, prev)
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: panicValue(r), Stack: debug.Stack()}
		}
	}()
	s.Func.Each(seq, func(v reflect.Value, err error) bool {
		if err != nil {
			err = &ReturnedError{Err: err, svc: s}
		}
		return each(v, err)
	})
	return nil
}
