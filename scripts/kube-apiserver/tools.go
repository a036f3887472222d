//go:build tools

// Package tools pins kube-apiserver's dependencies for the tests' API
// server: scripts/setup-test builds k8s.io/kubernetes/cmd/kube-apiserver
// from this module (k8s.io/kubernetes replaces its k8s.io modules with
// its own staging directories, which a module of its own cannot, so this
// one names their published releases instead).
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver/app"
