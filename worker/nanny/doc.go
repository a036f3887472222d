// Package nanny supervises a worker process: it starts it in a fresh
// directory, restarts it when it asks or dies, and kills it when its
// memory passes the terminate threshold.
package nanny
