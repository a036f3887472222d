package codec

import "reflect"

// MaxDepth is the deepest nesting of CBOR containers (maps, arrays, tags)
// that Decode accepts and Encode produces. A struct, slice, array or map is
// one level; pointers and interfaces add none.
const MaxDepth = 64

// checkDepth reports whether encoding v stays within MaxDepth levels. Types
// whose depth is known from the type alone cost one memo lookup; only values
// of recursive types or types holding interfaces are walked, and the walk
// stops as soon as it goes too deep, so cyclic values end too.
func checkDepth(v reflect.Value) bool {
	if d := factsOf(v.Type()).depth; d != unbounded && d <= MaxDepth {
		return true
	}
	return withinDepth(v, MaxDepth)
}

// withinDepth reports whether v nests at most remaining levels deep.
func withinDepth(v reflect.Value, remaining int) bool {
	if !v.IsValid() {
		return true
	}
	f := factsOf(v.Type())
	if f.opaque || (f.depth != unbounded && f.depth <= remaining) {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return true
		}
		e := v.Elem()
		if k := e.Kind(); k == reflect.Pointer || k == reflect.Interface {
			// A chain of pointers adds no CBOR level, but it can loop on
			// itself; charge it a level so that such a loop ends.
			remaining--
			if remaining < 0 {
				return false
			}
		}
		return withinDepth(e, remaining)
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			return true // encoded as null, not a container
		}
	}
	if remaining == 0 {
		return false
	}
	switch v.Kind() {
	case reflect.Struct:
		for _, i := range f.encoded {
			if !withinDepth(v.Field(i), remaining-1) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		if ef := factsOf(v.Type().Elem()); ef.depth != unbounded && ef.depth <= remaining-1 {
			return true
		}
		for i := range v.Len() {
			if !withinDepth(v.Index(i), remaining-1) {
				return false
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !withinDepth(it.Key(), remaining-1) || !withinDepth(it.Value(), remaining-1) {
				return false
			}
		}
	}
	return true
}
