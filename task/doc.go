// Package task is what a running task sees of the worker that runs it: its
// Runtime (identity, limits, scratch directory, extensions here and on
// peers), the worker extensions peers deliver data to, and the plugins
// installed on every worker with the description of their worker. It is a
// leaf that collections (dataframe, array) and the worker share: the worker
// implements Runtime and puts it in every task's context; a task's function
// gets it back with FromContext.
package task
