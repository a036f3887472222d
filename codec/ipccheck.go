package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The Arrow IPC reader trusts the flatbuffer metadata of each message: a
// vector length in it sizes an allocation before anything is read, so a few
// hostile bytes can ask for hundreds of gigabytes and crash the process. The
// checks in this file run over a whole stream before the reader sees it and
// make sure that every offset, string and vector the reader follows lies
// inside its message, that schemas nest at most maxFieldDepth deep, and
// that no table is reached more often than distinct tables could fit (shared
// subtables would make the reader's work exponential).

// maxFieldDepth bounds the nesting of Arrow field types.
const maxFieldDepth = 64

// Slots of the Arrow format's flatbuffer tables (format/Message.fbs and
// format/Schema.fbs), in declaration order; a union takes two slots.
const (
	slotMessageHeaderType = 1
	slotMessageHeader     = 2
	slotMessageBodyLength = 3
	slotMessageMetadata   = 4

	slotSchemaFields   = 1
	slotSchemaMetadata = 2
	slotSchemaFeatures = 3

	slotFieldName       = 0
	slotFieldTypeType   = 2
	slotFieldType       = 3
	slotFieldDictionary = 4
	slotFieldChildren   = 5
	slotFieldMetadata   = 6

	slotKeyValueKey   = 0
	slotKeyValueValue = 1

	slotDictEncodingIndexType = 1

	slotRecordBatchNodes       = 1
	slotRecordBatchBuffers     = 2
	slotRecordBatchCompression = 3
	slotRecordBatchVariadic    = 4

	slotDictBatchData = 1

	slotTimestampTimezone = 1
	slotUnionTypeIDs      = 1
)

// Values of the MessageHeader and Type unions that need more than a check
// of their table.
const (
	headerSchema          = 1
	headerDictionaryBatch = 2
	headerRecordBatch     = 3

	typeTimestamp = 10
	typeUnion     = 14
	typeMax       = 26 // LargeListView, the last type arrow-go v18 knows
)

var errIPCMetadata = errors.New("malformed Arrow IPC message metadata")

// checkIPCStream checks the framing and metadata of every message of an
// Arrow IPC stream, up to its end-of-stream marker or the end of p.
func checkIPCStream(p []byte) error {
	for off := 0; off < len(p); {
		if len(p)-off < 8 {
			if len(p)-off == 4 && binary.LittleEndian.Uint32(p[off:]) == 0 {
				return nil // the old four-byte end marker
			}
			return fmt.Errorf("%w: truncated message prefix at byte %d", errIPCMetadata, off)
		}
		if binary.LittleEndian.Uint32(p[off:]) != 0xFFFFFFFF {
			return fmt.Errorf("%w: missing continuation marker at byte %d", errIPCMetadata, off)
		}
		n := int64(int32(binary.LittleEndian.Uint32(p[off+4:])))
		off += 8
		if n == 0 {
			return nil // end of stream
		}
		if n < 0 || n > int64(len(p)-off) {
			return fmt.Errorf("%w: metadata length %d at byte %d", errIPCMetadata, n, off)
		}
		body, err := checkMessage(p[off : off+int(n)])
		if err != nil {
			return err
		}
		off += int(n)
		if body < 0 || body > int64(len(p)-off) {
			return fmt.Errorf("%w: body length %d at byte %d", errIPCMetadata, body, off)
		}
		off += int(body)
	}
	return nil
}

// checkMessage checks one message's metadata and returns its body length.
func checkMessage(meta []byte) (int64, error) {
	c := &fbChecker{buf: meta, visits: len(meta)/4 + 8}
	if len(meta) < 4 {
		return 0, fmt.Errorf("%w: %d bytes", errIPCMetadata, len(meta))
	}
	root := int(binary.LittleEndian.Uint32(meta))
	msg, err := c.table(root)
	if err != nil {
		return 0, err
	}
	if err := c.keyValues(msg, slotMessageMetadata); err != nil {
		return 0, err
	}
	hdr, ok, err := c.subTable(msg, slotMessageHeader)
	if err != nil || !ok {
		return 0, errors.Join(err, fmt.Errorf("%w: message without header", errIPCMetadata))
	}
	switch c.u8(msg, slotMessageHeaderType) {
	case headerSchema:
		err = c.schema(hdr)
	case headerRecordBatch:
		err = c.recordBatch(hdr)
	case headerDictionaryBatch:
		var data fbTable
		if data, ok, err = c.subTable(hdr, slotDictBatchData); err == nil && ok {
			err = c.recordBatch(data)
		}
	default:
		err = fmt.Errorf("%w: unsupported message type %d", errIPCMetadata, c.u8(msg, slotMessageHeaderType))
	}
	if err != nil {
		return 0, err
	}
	return c.i64(msg, slotMessageBodyLength), nil
}

func (c *fbChecker) schema(s fbTable) error {
	if err := c.keyValues(s, slotSchemaMetadata); err != nil {
		return err
	}
	if _, _, err := c.vector(s, slotSchemaFeatures, 8); err != nil {
		return err
	}
	return c.fields(s, slotSchemaFields, 0)
}

// fields checks the vector of Field tables in slot of t.
func (c *fbChecker) fields(t fbTable, slot, depth int) error {
	if depth > maxFieldDepth {
		return fmt.Errorf("%w: fields nest deeper than %d", errIPCMetadata, maxFieldDepth)
	}
	return c.tables(t, slot, func(f fbTable) error {
		if err := c.str(f, slotFieldName); err != nil {
			return err
		}
		if err := c.keyValues(f, slotFieldMetadata); err != nil {
			return err
		}
		if err := c.fieldType(f); err != nil {
			return err
		}
		if dict, ok, err := c.subTable(f, slotFieldDictionary); err != nil {
			return err
		} else if ok {
			if _, _, err := c.subTable(dict, slotDictEncodingIndexType); err != nil {
				return err
			}
		}
		return c.fields(f, slotFieldChildren, depth+1)
	})
}

// fieldType checks the Type union of field f.
func (c *fbChecker) fieldType(f fbTable) error {
	typ, ok, err := c.subTable(f, slotFieldType)
	if err != nil || !ok {
		return err
	}
	switch tt := c.u8(f, slotFieldTypeType); {
	case tt > typeMax:
		return fmt.Errorf("%w: unknown field type %d", errIPCMetadata, tt)
	case tt == typeTimestamp:
		return c.str(typ, slotTimestampTimezone)
	case tt == typeUnion:
		_, _, err := c.vector(typ, slotUnionTypeIDs, 4)
		return err
	}
	return nil
}

func (c *fbChecker) recordBatch(rb fbTable) error {
	for _, slot := range []int{slotRecordBatchNodes, slotRecordBatchBuffers} {
		if _, _, err := c.vector(rb, slot, 16); err != nil {
			return err
		}
	}
	if _, _, err := c.vector(rb, slotRecordBatchVariadic, 8); err != nil {
		return err
	}
	_, _, err := c.subTable(rb, slotRecordBatchCompression)
	return err
}

// keyValues checks the vector of KeyValue tables in slot of t.
func (c *fbChecker) keyValues(t fbTable, slot int) error {
	return c.tables(t, slot, func(kv fbTable) error {
		if err := c.str(kv, slotKeyValueKey); err != nil {
			return err
		}
		return c.str(kv, slotKeyValueValue)
	})
}
