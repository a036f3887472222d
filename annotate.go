package dusk

import "context"

// Annotations: task options carried by a context, as Dask's
// "with dask.annotate(...)". They are read when work is submitted: by
// Submit, Map, Compute, ComputeAll, Persist and PersistAll from the ctx
// given to them (and so by collections, such as the dataframe and array
// packages, that compute through these with their caller's ctx). Lazy
// values (Call) are built without a context; the annotations of the ctx
// that computes them apply to all of their tasks.

// annotationsKey is the context key under which the annotations are
// stored, as a *taskOptions never changed once stored.
type annotationsKey struct{}

// annotationsFrom returns the annotations of ctx, or nil when it has
// none.
func annotationsFrom(ctx context.Context) *taskOptions {
	if ctx == nil {
		return nil
	}
	a, _ := ctx.Value(annotationsKey{}).(*taskOptions)
	return a
}

// annotate returns a copy of ctx whose annotations are those of ctx
// changed by set.
func annotate(ctx context.Context, set TaskOption) context.Context {
	var a taskOptions
	if prev := annotationsFrom(ctx); prev != nil {
		a = prev.clone()
	}
	set(&a)
	return context.WithValue(ctx, annotationsKey{}, &a)
}

// WithPriority returns a copy of ctx under which every task submitted
// gets priority p, as with Func.With(Priority(p)): a higher priority runs
// first, and tasks of equal priority run in their graph's order.
//
// The rules of all annotations (WithPriority, WithRetries, WithResources,
// WithWorkers, WithAllowOtherWorkers):
//
//   - They apply to every task submitted with the returned context, or one
//     derived from it: Submit, Map, and Compute, ComputeAll, Persist and
//     PersistAll of Delayed values, including the tasks collections build
//     when they compute with it. They are read when the work is
//     submitted, not when a Delayed value is built with Call.
//   - An option set on the function with Func.With wins over the
//     context's, even when it sets the default (Func.With(Retries(0))
//     runs no retries under WithRetries).
//   - Nested, the inner context's value wins, except for WithResources,
//     which adds to (or changes) the outer context's resources.
func WithPriority(ctx context.Context, p int) context.Context {
	return annotate(ctx, Priority(p))
}

// WithRetries returns a copy of ctx under which every task submitted is
// run again up to n more times when it returns an error (or panics), as
// with Func.With(Retries(n)). See WithPriority for the rules of
// annotations.
func WithRetries(ctx context.Context, n int) context.Context {
	return annotate(ctx, Retries(n))
}

// WithResources returns a copy of ctx under which every task submitted
// runs only on workers that supply these resources, and holds them while
// it runs, as with Func.With(Resources(r)). Nested, the maps merge: an
// inner amount replaces the outer one for its resource, and an inner
// amount of 0 removes the resource. A function's own Resources replace
// the context's whole. See WithPriority for the rules of annotations.
func WithResources(ctx context.Context, r map[string]float64) context.Context {
	return annotate(ctx, func(o *taskOptions) {
		m := make(map[string]float64, len(o.resources)+len(r))
		for k, v := range o.resources {
			m[k] = v
		}
		for k, v := range r {
			if v == 0 {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		o.resources = m
		o.set |= setResources
	})
}

// WithWorkers returns a copy of ctx under which every task submitted runs
// only on the workers with these addresses or names, as with
// Func.With(Workers(names...)); with no names, tasks may run on any
// worker again (an inner context lifts an outer restriction). A function
// restricted with Workers keeps its own restriction, and its own
// AllowOtherWorkers, whatever the context says. See WithPriority for the
// rules of annotations.
func WithWorkers(ctx context.Context, names ...string) context.Context {
	return annotate(ctx, Workers(names...))
}

// WithAllowOtherWorkers returns a copy of ctx under which the worker
// restrictions of tasks submitted (from WithWorkers) are a preference:
// other workers may run a task when none of the named ones can, as with
// Func.With(AllowOtherWorkers()). It does not loosen the restriction of a
// function that names its workers itself with Workers. See WithPriority
// for the rules of annotations.
func WithAllowOtherWorkers(ctx context.Context) context.Context {
	return annotate(ctx, AllowOtherWorkers())
}

// under returns the options of a task whose function has options o,
// submitted under annotations a: each option o does not set is taken
// from a. Workers and AllowOtherWorkers go together when o names workers.
func (o *taskOptions) under(a *taskOptions) taskOptions {
	r := *o
	if a == nil {
		return r
	}
	if o.set&setPriority == 0 && a.set&setPriority != 0 {
		r.priority = a.priority
	}
	if o.set&setRetries == 0 && a.set&setRetries != 0 {
		r.retries = a.retries
	}
	if o.set&setResources == 0 && a.set&setResources != 0 {
		r.resources = a.resources
	}
	if o.set&setWorkers == 0 {
		if a.set&setWorkers != 0 {
			r.workers = a.workers
		}
		if o.set&setAllowOther == 0 && a.set&setAllowOther != 0 {
			r.allowOther = a.allowOther
		}
	}
	return r
}
