package dusk

// maxInterned bounds an interner: past it, it starts afresh (workers come
// and go over a long session; their addresses must not pile up).
const maxInterned = 4096

// interner holds one copy of the strings that repeat across the keys the
// scheduler reports (worker addresses, type names), and one shared slice
// per single holder: a million futures of results on two workers hold
// two addresses, not a million copies and a million one-element slices
// (with the report's arrays behind them). Shared slices are never
// written to. Client.mu protects it.
type interner struct {
	strs    map[string]string
	holders map[string][]string
}

// str returns the held copy of s.
func (in *interner) str(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	if in.strs == nil || len(in.strs) >= maxInterned {
		in.strs = make(map[string]string)
	}
	in.strs[s] = s
	return s
}

// addrs returns addresses as a slice of held copies: shared for a single
// holder, a slice of its own otherwise (nil for none).
func (in *interner) addrs(addrs []string) []string {
	switch len(addrs) {
	case 0:
		return nil
	case 1:
		if h, ok := in.holders[addrs[0]]; ok {
			return h
		}
		if in.holders == nil || len(in.holders) >= maxInterned {
			in.holders = make(map[string][]string)
		}
		a := in.str(addrs[0])
		h := []string{a}
		in.holders[a] = h
		return h
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = in.str(a)
	}
	return out
}
