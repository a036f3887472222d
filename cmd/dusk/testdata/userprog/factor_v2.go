//go:build userprog_v2

package main

// factor is what triple multiplies by (3 without the tag userprog_v2).
const factor = 4
