package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

var (
	//go:embed assets/report.html
	pageHTML string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string
)

// WriteHTML writes the report as one HTML file that needs nothing else:
// its style, script and data are inside it.
func WriteHTML(w io.Writer, d *Data) error {
	data, err := json.Marshal(d) // escapes <, > and &: safe inside <script>
	if err != nil {
		return fmt.Errorf("report: encoding the data: %w", err)
	}
	r := strings.NewReplacer("{{CSS}}", pageCSS, "{{JS}}", pageJS, "{{DATA}}", string(data))
	if _, err := io.WriteString(w, r.Replace(pageHTML)); err != nil {
		return fmt.Errorf("report: writing: %w", err)
	}
	return nil
}

// WriteJSON writes the report's data as indented JSON.
func WriteJSON(w io.Writer, d *Data) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("report: writing JSON: %w", err)
	}
	return nil
}

// WriteFiles writes the report to path (HTML) and its data next to it, as
// the same name with ".json" in place of the extension ("report.html" and
// "report.json"). It returns the JSON file's path.
func WriteFiles(path string, d *Data) (string, error) {
	var h, j bytes.Buffer
	if err := WriteHTML(&h, d); err != nil {
		return "", err
	}
	if err := WriteJSON(&j, d); err != nil {
		return "", err
	}
	jsonPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
	if jsonPath == path {
		jsonPath = path + ".json"
	}
	if err := os.WriteFile(path, h.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(jsonPath, j.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return jsonPath, nil
}
