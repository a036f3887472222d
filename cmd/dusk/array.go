package main

// The stock worker runs array tasks: importing the package registers its
// functions (chunked arrays' creation, arithmetic, reductions, I/O).
import _ "github.com/dusk-go/dusk/array"
