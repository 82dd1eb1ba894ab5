//go:build !unix

package modelscan

import "time"

func cpuTime() time.Duration { return 0 }
