package codec

import (
	"bytes"
	"reflect"
	"sync"
	"testing"
)

// TestConcurrentUse runs every entry point from several goroutines at once;
// with -race it checks the shared memo and coders.
func TestConcurrentUse(t *testing.T) {
	type fresh struct {
		A []map[string]any
		B *fresh
	}
	data := realisticData(300 << 10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			v := fresh{A: []map[string]any{{"g": g}}, B: &fresh{}}
			b, err := Encode(v)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := Decode(b, reflect.TypeFor[fresh]()); err != nil {
				t.Error(err)
			}
			SizeOf(v)
			for _, algo := range []Compression{LZ4, Zstd} {
				got, err := Unpack(Pack(data, algo))
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("%v: %v", algo, err)
				}
			}
		})
	}
	wg.Wait()
}
