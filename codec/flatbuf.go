package codec

import (
	"encoding/binary"
	"fmt"
)

// fbChecker checks that the parts of a flatbuffer a reader will follow lie
// inside it. It knows the flatbuffer layout but no schema: callers say which
// slots hold tables, strings and vectors.
type fbChecker struct {
	buf []byte
	// visits is how many more tables may be entered.
	visits int
}

// fbTable is a checked table: its position and its vtable's.
type fbTable struct {
	pos, vtable, vtableLen int
}

func (c *fbChecker) fail(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errIPCMetadata}, args...)...)
}

// within reports whether n bytes at off lie inside the buffer.
func (c *fbChecker) within(off, n int64) bool {
	return off >= 0 && n >= 0 && off <= int64(len(c.buf)) && n <= int64(len(c.buf))-off
}

// table checks the table at pos and its vtable.
func (c *fbChecker) table(pos int) (fbTable, error) {
	c.visits--
	if c.visits < 0 {
		return fbTable{}, c.fail("more tables than the message can hold")
	}
	if !c.within(int64(pos), 4) {
		return fbTable{}, c.fail("table at %d out of bounds", pos)
	}
	vt := int64(pos) - int64(int32(binary.LittleEndian.Uint32(c.buf[pos:])))
	if !c.within(vt, 4) {
		return fbTable{}, c.fail("vtable at %d out of bounds", vt)
	}
	vtLen := int64(binary.LittleEndian.Uint16(c.buf[vt:]))
	tabLen := int64(binary.LittleEndian.Uint16(c.buf[vt+2:]))
	if vtLen < 4 || vtLen%2 != 0 || !c.within(vt, vtLen) || !c.within(int64(pos), tabLen) {
		return fbTable{}, c.fail("bad vtable at %d", vt)
	}
	for i := int64(4); i < vtLen; i += 2 {
		if off := int64(binary.LittleEndian.Uint16(c.buf[vt+i:])); off != 0 && off+1 > tabLen {
			return fbTable{}, c.fail("field outside its table at %d", pos)
		}
	}
	return fbTable{pos: pos, vtable: int(vt), vtableLen: int(vtLen)}, nil
}

// field returns the position of slot in t, or false when it is absent.
func (c *fbChecker) field(t fbTable, slot int) (int, bool) {
	o := 4 + 2*slot
	if o >= t.vtableLen {
		return 0, false
	}
	off := int(binary.LittleEndian.Uint16(c.buf[t.vtable+o:]))
	return t.pos + off, off != 0
}

// target follows the offset stored in slot of t.
func (c *fbChecker) target(t fbTable, slot int) (int, bool, error) {
	p, ok := c.field(t, slot)
	if !ok {
		return 0, false, nil
	}
	if !c.within(int64(p), 4) {
		return 0, false, c.fail("offset at %d out of bounds", p)
	}
	to := int64(p) + int64(binary.LittleEndian.Uint32(c.buf[p:]))
	if !c.within(to, 4) {
		return 0, false, c.fail("offset at %d points outside", p)
	}
	return int(to), true, nil
}

// subTable checks the table referenced by slot of t.
func (c *fbChecker) subTable(t fbTable, slot int) (fbTable, bool, error) {
	to, ok, err := c.target(t, slot)
	if err != nil || !ok {
		return fbTable{}, false, err
	}
	sub, err := c.table(to)
	return sub, err == nil, err
}

// vector checks the vector of elem-byte elements in slot of t and returns
// the position of its first element and its length.
func (c *fbChecker) vector(t fbTable, slot, elem int) (start, n int, err error) {
	to, ok, err := c.target(t, slot)
	if err != nil || !ok {
		return 0, 0, err
	}
	count := int64(binary.LittleEndian.Uint32(c.buf[to:]))
	if !c.within(int64(to)+4, count*int64(elem)) {
		return 0, 0, c.fail("vector of %d at %d overruns the message", count, to)
	}
	return to + 4, int(count), nil
}

// str checks the string in slot of t (a byte vector; the terminating zero
// byte is not required).
func (c *fbChecker) str(t fbTable, slot int) error {
	_, _, err := c.vector(t, slot, 1)
	return err
}

// tables checks the vector of tables in slot of t and calls each on every
// element.
func (c *fbChecker) tables(t fbTable, slot int, each func(fbTable) error) error {
	start, n, err := c.vector(t, slot, 4)
	if err != nil {
		return err
	}
	for i := range n {
		p := start + 4*i
		sub, err := c.table(p + int(binary.LittleEndian.Uint32(c.buf[p:])))
		if err != nil {
			return err
		}
		if err := each(sub); err != nil {
			return err
		}
	}
	return nil
}

// u8 reads the byte in slot of t, or 0 when absent.
func (c *fbChecker) u8(t fbTable, slot int) uint8 {
	if p, ok := c.field(t, slot); ok {
		return c.buf[p]
	}
	return 0
}

// i64 reads the int64 in slot of t, or 0 when absent or cut short.
func (c *fbChecker) i64(t fbTable, slot int) int64 {
	if p, ok := c.field(t, slot); ok && c.within(int64(p), 8) {
		return int64(binary.LittleEndian.Uint64(c.buf[p:]))
	}
	return 0
}
