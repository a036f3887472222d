package registry

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type tally struct{ n int }

func (t *tally) Add(ctx context.Context, k int) (int, error) { t.n += k; return t.n, nil }
func (t *tally) Reset()                                      { t.n = 0 }
func (t *tally) Pair() (int, int)                            { return t.n, t.n }
func (t *tally) Close() error                                { return nil }

func TestRegisterActor(t *testing.T) {
	r := New()
	a := r.RegisterActor("tally", reflect.TypeFor[*tally](), func() (*tally, error) { return &tally{}, nil }, nil)
	if got := a.Methods(); !reflect.DeepEqual(got, []string{"Add", "Reset"}) {
		t.Fatalf("Methods = %v; want Add and Reset", got)
	}
	if _, err := a.Method("Pair"); err == nil || !strings.Contains(err.Error(), "cannot be called") {
		t.Errorf("Pair: err = %v; want a method of the wrong shape refused", err)
	}
	if _, err := a.Method("Close"); err == nil || !strings.Contains(err.Error(), "release the actor") {
		t.Errorf("Close: err = %v", err)
	}
	if _, err := a.Method("Nope"); err == nil || !strings.Contains(err.Error(), `no method "Nope"`) {
		t.Errorf("Nope: err = %v", err)
	}
	inst, err := a.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := a.Method("Add")
	if err := m.CheckCount(2); err == nil || !strings.Contains(err.Error(), "tally.Add") {
		t.Errorf("CheckCount(2) = %v; want an error naming tally.Add", err)
	}
	for want := 2; want <= 4; want += 2 {
		v, err := m.Bind(inst).Call(context.Background(), []reflect.Value{reflect.ValueOf(2)})
		if err != nil || v != want {
			t.Fatalf("Add(2) = %v, %v; want %d", v, err, want)
		}
	}
	if _, ok := r.Actor("tally"); !ok {
		t.Fatal("Actor(tally) not found")
	}
	found := false
	for _, e := range r.Entries() {
		found = found || e.Name == "actor:tally"
	}
	if !found {
		t.Error("Entries lacks actor:tally")
	}
	refuse := r.RegisterActor("tally-checked", reflect.TypeFor[*tally](), func() *tally { return &tally{} },
		func(m reflect.Method) error { return errors.New("refused by the check") })
	if _, err := refuse.Method("Add"); err == nil || !strings.Contains(err.Error(), "refused by the check") {
		t.Errorf("a method the check refuses: err = %v", err)
	}
	nilCtor := r.RegisterActor("tally-nil", reflect.TypeFor[*tally](), func() *tally { return nil }, nil)
	if _, err := nilCtor.New(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("a nil instance: err = %v", err)
	}
	for name, ctor := range map[string]any{
		"wrong-type": func() *int { return nil },
		"not-func":   3,
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: registered", name)
				}
			}()
			r.RegisterActor(name, reflect.TypeFor[*tally](), ctor, nil)
		}()
	}
}
