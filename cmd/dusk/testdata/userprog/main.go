// Command userprog is a user's program with a function of its own, as a
// test builds it: "userprog scheduler" and "userprog worker ADDRESS" make
// it a cluster process (dusk.Main); "userprog ADDRESS" is its own work, a
// client of that cluster.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/dusk-go/dusk"
)

// triple is this program's own function: only its workers know it.
var triple = dusk.Register("userprog.triple", func(x int) int { return 3 * x })

func main() {
	dusk.Main()
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: userprog scheduler|worker ... | userprog SCHEDULER-ADDRESS")
		os.Exit(2)
	}
	ctx := context.Background()
	c, err := dusk.Connect(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	for _, x := range []int{14, 5} {
		f, err := dusk.Submit[int](ctx, c, triple, x)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		v, err := f.Result(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("triple(%d) = %d\n", x, v)
		if x == 14 {
			if err := c.Restart(ctx); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println("restarted")
		}
	}
}
