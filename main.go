package dusk

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

// Main turns the process into a worker when a dusk cluster started it as
// one (the DUSK_ROLE environment variable says so), and then exits; in any
// other case it returns at once. Call it first in main, so that workers
// run the same binary, and so know the same functions, as the client.
func Main() {
	if os.Getenv(cluster.EnvRole) != "worker" {
		return
	}
	os.Exit(runWorkerFromEnv())
}

func runWorkerFromEnv() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	threads, _ := strconv.Atoi(os.Getenv(cluster.EnvThreads))
	mem, _ := strconv.ParseInt(os.Getenv(cluster.EnvMemory), 10, 64)
	res, err := cluster.ParseResources(os.Getenv(cluster.EnvResources))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := worker.New(worker.Options{
		Scheduler:   os.Getenv(cluster.EnvScheduler),
		Security:    wire.Security{Token: os.Getenv(cluster.EnvToken)},
		Name:        os.Getenv(cluster.EnvName),
		NThreads:    threads,
		Resources:   res,
		MemoryLimit: mem,
		Logger:      log,
		Version:     Version,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = w.Run(ctx)
	if err != nil {
		log.Error("worker stopped", "err", err)
	}
	return worker.ExitCode(err)
}
