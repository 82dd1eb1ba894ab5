package main

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

func newTestWorker(c client.Client, queue string) worker.Worker {
	return worker.New(c, queue, worker.Options{})
}
