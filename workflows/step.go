package workflows

import (
	"context"
	"reflect"
	"runtime"
	"strings"
)

// call runs one pipeline step that returns a result. fn is the activity
// method value: the workflow passes a method of a nil *activities.Activities,
// which only names the activity, while the local runner passes a method of
// the real one and calls it. Either way the request and result types are the
// activity's own, checked by the compiler. The result comes back as a value
// (zero if the activity returned none), as a Temporal payload decodes.
func call[In, Res any](x executor, fn func(context.Context, In) (*Res, error), in In) (Res, error) {
	var out Res
	err := x.exec(activityName(fn), fn, in, &out, func(ctx context.Context) (any, error) { return fn(ctx, in) })
	return out, err
}

// do runs one pipeline step that returns only an error (bookkeeping).
func do[In any](x executor, fn func(context.Context, In) error, in In) error {
	return x.exec(activityName(fn), fn, in, nil, func(ctx context.Context) (any, error) { return nil, fn(ctx, in) })
}

// activityName is the name a worker registers a method of *Activities under:
// the method's name, as the Temporal SDK derives it from a method value
// (".../activities.(*Activities).Scan-fm" → "Scan"). Recorded histories name
// activities this way, so it must not change.
func activityName(fn any) string {
	full := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	full = strings.TrimSuffix(full, "-fm")
	return full[strings.LastIndex(full, ".")+1:]
}
