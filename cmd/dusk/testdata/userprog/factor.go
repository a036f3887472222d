//go:build !userprog_v2

package main

// factor is what triple multiplies by (4 with the tag userprog_v2).
const factor = 3
