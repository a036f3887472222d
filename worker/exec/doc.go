// Package exec runs a task's call on a worker: it looks the function up in
// the registry, binds the arguments (literals, stored values, nested calls
// of fused tasks) to its parameter types and calls it.
package exec
