// Package walls holds the test that keeps dusk's layers apart: the
// import rules of docs/architecture.md, checked from what the go command
// says each package imports, and the rule that the root package exposes
// no internal type.
package walls
