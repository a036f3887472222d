package config

import (
	"errors"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// LoadFile reads the YAML file at path into the file layer, over what
// earlier files set. The file holds nested maps, dotted keys, or both. An
// unknown key is an *UnknownKeyError and a bad value a *ValueError, each
// naming the file and line; LoadFile reports all of them, joined, and then
// changes nothing. A missing file is an error that matches fs.ErrNotExist.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	batch, err := parseFile(path, data)
	if err != nil {
		return err
	}
	c.put(LayerFile, batch)
	return nil
}

// parseFile turns the YAML text of the file at path into entries.
func parseFile(path string, data []byte) (map[string]entry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config: reading %s: %w", path, err)
	}
	p := fileParser{path: path, out: map[string]entry{}}
	if len(doc.Content) > 0 {
		root := deref(doc.Content[0])
		switch {
		case root.Kind == yaml.MappingNode:
			p.mapping(root, "")
		case root.ShortTag() != "!!null":
			return nil, fmt.Errorf("config: %s:%d: want a mapping of keys to values at the top level", path, root.Line)
		}
	}
	return p.out, errors.Join(p.errs...)
}

// fileParser walks one file's nodes.
type fileParser struct {
	path string
	out  map[string]entry
	errs []error
}

func (p *fileParser) src(line int) Source {
	return Source{Layer: LayerFile, File: p.path, Line: line}
}

// mapping reads the pairs of a mapping whose keys continue prefix.
func (p *fileParser) mapping(n *yaml.Node, prefix string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := deref(n.Content[i]), deref(n.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			p.errs = append(p.errs, fmt.Errorf("config: %s:%d: a key must be a plain name", p.path, kn.Line))
			continue
		}
		full := kn.Value
		if prefix != "" {
			full = prefix + "." + full
		}
		name := canonical(full)
		switch {
		case byName[name] != nil:
			p.leaf(byName[name], kn, vn)
		case sections[name] && vn.Kind == yaml.MappingNode:
			p.mapping(vn, name)
		case sections[name] && vn.ShortTag() == "!!null":
			// An empty section, such as one whose keys are all commented out.
		case sections[name]:
			p.errs = append(p.errs, &ValueError{Key: name, Value: shown(vn), Want: "a mapping of " + name + ".* keys", Source: p.src(vn.Line), Err: errType})
		default:
			p.errs = append(p.errs, &UnknownKeyError{Key: full, Suggestion: suggest(name), Source: p.src(kn.Line)})
		}
	}
}

// leaf reads the value of key k, written at kn.
func (p *fileParser) leaf(k *keyInfo, kn, vn *yaml.Node) {
	src := p.src(kn.Line)
	if prev, dup := p.out[k.name]; dup {
		p.errs = append(p.errs, fmt.Errorf("config: %s: %s is set twice, on lines %d and %d; keep one", p.path, k.name, prev.src.Line, kn.Line))
		return
	}
	v, err := nodeValue(k, vn)
	if err != nil {
		p.errs = append(p.errs, &ValueError{Key: k.name, Value: shown(vn), Want: k.want(), Source: p.src(vn.Line), Err: err})
		return
	}
	p.out[k.name] = entry{v, src}
}

// nodeValue converts a YAML value for key k. A string key takes the text as
// written, whatever YAML would make of it, and null as empty.
func nodeValue(k *keyInfo, vn *yaml.Node) (any, error) {
	switch {
	case vn.Kind != yaml.ScalarNode:
		return nil, errType
	case k.kind == kindString && vn.ShortTag() == "!!null":
		return k.convert("")
	case k.kind == kindString:
		return k.convert(vn.Value)
	case vn.ShortTag() == "!!null":
		return nil, errNull
	}
	var x any
	if err := vn.Decode(&x); err != nil {
		return nil, err
	}
	return k.convert(x)
}

// shown writes a value for an error message.
func shown(vn *yaml.Node) string {
	switch vn.Kind {
	case yaml.MappingNode:
		return "(a mapping)"
	case yaml.SequenceNode:
		return "(a list)"
	}
	return vn.Value
}

// deref follows an alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
