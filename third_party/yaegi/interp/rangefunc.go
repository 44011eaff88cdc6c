package interp

import "reflect"

// Range over a function (an iterator, Go 1.23): for k, v := range seq.
//
// The loop calls seq with a yield function, made with reflect.MakeFunc,
// which sets the loop variables (fresh ones each iteration, as Go 1.22
// makes them) and runs the body in the frame of the function holding the
// loop, so that the body reads and writes its variables, and its defer
// statements and return statements are that function's. The body's CFG
// is wired as a range loop's: the body ends at the rangeStmt node (where
// continue goes too). The rangeStmt's exec is therefore entered twice: to
// start the loop, and, while the body runs, at the end of an iteration,
// which it tells by the loop's state in the frame. A return statement
// ends the body's run with no result set, so yield returns false and the
// loop's exec returns nil, which ends the function. A break, or a labeled
// break or continue of an enclosing loop, is an exit: its exec records
// it in the state of the innermost loop over a function it leaves and
// ends the body's run; once seq has returned, that loop goes to the
// exit's target, or hands the exit on to the next enclosing loop over a
// function it leaves. As the Go runtime does, a call of yield after it
// returned false, after the body panicked, or after the loop ended
// panics, and so does seq returning normally after the body panicked.

// rangeFuncData is what a rangeStmt over a function, or a branch
// statement leaving one, needs at run time.
type rangeFuncData struct {
	// For a rangeStmt:
	state int             // frame index of the loop's *rangeFuncState
	exits []rangeFuncExit // the exits of the body, by index

	// For a branch statement:
	loop *node // the innermost rangeStmt over a function it leaves
	exit int   // its index in loop's exits
}

// A rangeFuncExit is a branch from a loop body to outside the loop.
type rangeFuncExit struct {
	target *node // where the branch goes
	// outer is the next rangeStmt over a function the branch leaves,
	// which continues the exit at its own index outerExit; nil when
	// target is in the body of no other such loop the branch leaves.
	outer     *node
	outerExit int
}

// rangeFuncState is the state of one run of a loop over a function.
type rangeFuncState struct {
	inBody bool // the body is running, in a call of yield
	phase  rangeFuncPhase
	// result is how the body's last run ended.
	result rangeFuncResult
	exit   int // the exit taken, when result is rangeFuncExited
}

type rangeFuncPhase uint8

const (
	rangeFuncReady     rangeFuncPhase = iota // yield may be called
	rangeFuncRunning                         // the body runs, or panicked
	rangeFuncDone                            // yield returned false
	rangeFuncExhausted                       // the loop is over
)

type rangeFuncResult uint8

const (
	rangeFuncReturned  rangeFuncResult = iota // a return statement, or nothing
	rangeFuncContinued                        // the end of the body, or continue
	rangeFuncExited                           // a break or a branch out of the loop
)

var rangeFuncStateType = reflect.TypeOf((*rangeFuncState)(nil))

// rangeFuncYield returns the type of the yield function of a function
// type t that a range statement can range over, or false.
func rangeFuncYield(t *itype) (*itype, bool) {
	for t.cat == linkedT {
		t = t.val
	}
	switch t.cat {
	case funcT:
		if len(t.arg) != 1 || len(t.ret) != 0 {
			return nil, false
		}
		y := t.arg[0]
		for y.cat == linkedT {
			y = y.val
		}
		if y.cat == valueT {
			return rangeFuncYield(valueTOf(reflect.FuncOf([]reflect.Type{y.rtype}, nil, false)))
		}
		if y.cat != funcT || len(y.arg) > 2 || len(y.ret) != 1 || !isBool(y.ret[0]) {
			return nil, false
		}
		return y, true
	case valueT:
		rt := t.rtype
		if rt.Kind() != reflect.Func || rt.NumIn() != 1 || rt.NumOut() != 0 {
			return nil, false
		}
		y := rt.In(0)
		if y.Kind() != reflect.Func || y.NumIn() > 2 || y.NumOut() != 1 || y.Out(0).Kind() != reflect.Bool {
			return nil, false
		}
		return valueTOf(y), true
	}
	return nil, false
}

// rangeFuncArg returns the type of the i-th parameter of yield, or nil.
func rangeFuncArg(yield *itype, i int) *itype {
	if yield.cat == valueT {
		if i < yield.rtype.NumIn() {
			return valueTOf(yield.rtype.In(i))
		}
		return nil
	}
	if i < len(yield.arg) {
		return yield.arg[i]
	}
	return nil
}

// setRangeFunc prepares range statement n over a function of type t, in
// the pre-order pass, when its body is reached: it returns the types of
// the loop variables (an unused one gets a type of its own).
func setRangeFunc(sc *scope, n *node, t *itype) (ktyp, vtyp *itype, err error) {
	yield, ok := rangeFuncYield(t)
	if !ok {
		return nil, nil, n.cfgErrorf("cannot range over %s: a function must be of the form func(yield func(...) bool), with at most two parameters to yield", n.child[len(n.child)-2].ident)
	}
	nvars := 1
	if len(n.child) == 4 {
		nvars = 2
	}
	nargs := len(yield.arg)
	if yield.cat == valueT {
		nargs = yield.rtype.NumIn()
	}
	if nvars > nargs && !(nvars == 1 && n.child[0].ident == "_") {
		return nil, nil, n.cfgErrorf("range over %s permits only %d iteration variables", n.child[len(n.child)-2].ident, nargs)
	}
	n.gen = rangeFunc
	n.rangeFunc = &rangeFuncData{state: sc.add(valueTOf(rangeFuncStateType))}
	ktyp, vtyp = rangeFuncArg(yield, 0), rangeFuncArg(yield, 1)
	if ktyp == nil {
		ktyp = sc.getType("interface{}") // for range f, with f yielding nothing
	}
	return ktyp, vtyp, nil
}

// isRangeFunc reports whether n is a range statement over a function.
func isRangeFunc(n *node) bool {
	return n.kind == rangeStmt && n.rangeFunc != nil && n.rangeFunc.loop == nil
}

// wireRangeFunc wires range statement n over a function, in the
// post-order pass: the function value, then n, which runs the loop; the
// body ends at n (as continue does); the loop's successor, its fnext, is
// set by the forRangeStmt.
func wireRangeFunc(n *node) {
	k, o, body := n.child[0], n.child[len(n.child)-2], n.lastChild()
	n.start = o.start
	o.tnext = n
	n.tnext = body.start
	body.tnext = n
	k.gen = empty
}

// rangeFuncBranch makes branch statement n (break, continue), whose
// target is known, an exit of the loops over functions whose bodies it
// leaves, if any. A goto out of such a body is refused.
func rangeFuncBranch(n *node, target *node) error {
	var loops []*node
	for a := n.anc; a != nil; a = a.anc {
		if a.kind == funcDecl || a.kind == funcLit {
			break
		}
		if !isRangeFunc(a) {
			continue
		}
		body := a.lastChild()
		if target == a || target == body || target.hasAnc(body) {
			break // continue of a, or a branch within its body
		}
		loops = append(loops, a)
	}
	if len(loops) == 0 {
		return nil
	}
	if n.kind == gotoStmt {
		return n.cfgErrorf("goto out of the body of a range over a function is not supported")
	}
	// The outermost loop goes to the target; each inner one hands the
	// exit on to the next loop out.
	next := rangeFuncExit{target: target}
	var exit int
	for i := len(loops) - 1; i >= 0; i-- {
		data := loops[i].rangeFunc
		data.exits = append(data.exits, next)
		exit = len(data.exits) - 1
		next = rangeFuncExit{outer: loops[i], outerExit: exit}
	}
	n.rangeFunc = &rangeFuncData{loop: loops[0], exit: exit}
	n.gen = rangeFuncBranchExit
	return nil
}

// rangeFuncBranchExit generates the exec of a branch statement that
// leaves the body of a loop over a function: it records the exit in the
// loop's state and ends the body's run.
func rangeFuncBranchExit(n *node) {
	state := n.rangeFunc.loop.rangeFunc.state
	exit := n.rangeFunc.exit
	n.exec = func(f *frame) bltn {
		st := f.data[state].Interface().(*rangeFuncState)
		st.result, st.exit = rangeFuncExited, exit
		return nil
	}
}

// rangeFunc generates the exec of a range statement over a function.
func rangeFunc(n *node) {
	data := n.rangeFunc
	state := data.state
	o := n.child[len(n.child)-2]
	seqValue := genFuncValue(o)
	body := getExec(n.tnext)
	fnext := getExec(n.fnext)
	var vars []int // frame indexes of the loop variables, by yield's parameters
	for _, c := range n.child[:len(n.child)-2] {
		if c.ident == "_" {
			vars = append(vars, -1)
		} else {
			vars = append(vars, c.findex)
		}
	}
	yieldType, _ := rangeFuncYield(o.typ)
	rtype := yieldType.TypeOf()
	interp := n.interp

	n.exec = func(f *frame) bltn {
		if st, _ := f.data[state].Interface().(*rangeFuncState); st != nil && st.inBody {
			// The end of the body, or a continue.
			st.result = rangeFuncContinued
			return nil
		}
		seq := seqValue(f)
		if seq.Kind() == reflect.Func && seq.IsNil() {
			panicNilDeref()
		}
		st := &rangeFuncState{}
		f.data[state].Set(reflect.ValueOf(st))
		runid := f.runid()
		yield := reflect.MakeFunc(rtype, func(in []reflect.Value) []reflect.Value {
			switch st.phase {
			case rangeFuncRunning:
				panic(rangeFuncPanicError)
			case rangeFuncDone:
				panic(rangeFuncDoneError)
			case rangeFuncExhausted:
				panic(rangeFuncExhaustedError)
			}
			for i, v := range in {
				if i < len(vars) && vars[i] >= 0 {
					fresh := reflect.New(f.data[vars[i]].Type()).Elem()
					fresh.Set(v)
					f.data[vars[i]] = fresh
				}
			}
			st.phase, st.inBody, st.result = rangeFuncRunning, true, rangeFuncReturned
			for exec := body; exec != nil && runid == interp.runid(); {
				exec = exec(f)
			}
			st.inBody = false
			if st.result == rangeFuncContinued {
				st.phase = rangeFuncReady
				return []reflect.Value{reflect.ValueOf(true).Convert(rtype.Out(0))}
			}
			st.phase = rangeFuncDone
			return []reflect.Value{reflect.ValueOf(false).Convert(rtype.Out(0))}
		})
		seq.Call([]reflect.Value{yield})
		phase := st.phase
		st.phase = rangeFuncExhausted
		switch phase {
		case rangeFuncRunning:
			panic(rangeFuncMissingPanicError)
		case rangeFuncReady:
			return fnext // seq ended the loop
		}
		if st.result != rangeFuncExited {
			return nil // a return statement in the body: the function returns
		}
		exit := data.exits[st.exit]
		if exit.outer == nil {
			return getExec(exit.target)
		}
		outer := f.data[exit.outer.rangeFunc.state].Interface().(*rangeFuncState)
		outer.result, outer.exit = rangeFuncExited, exit.outerExit
		return nil
	}
}
