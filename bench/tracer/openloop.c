// openloop: opens and closes the given files round-robin, n times in all,
// and prints how long that took (wall and CPU time). The workload of the tracer benchmarks
// (run.sh): with non-model files it is the tracer's worst case for overhead
// (every open crosses the kernel filter, none is reported); with model
// files it is the event rate the whole pipeline must keep up with.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: openloop N FILE...\n");
		return 2;
	}
	long n = atol(argv[1]);
	int files = argc - 2;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[2 + i % files], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[2 + i % files]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	// CPU time is what the tracer's in-kernel work adds to (it runs in the
	// traced process's context); unlike wall time it does not grow with
	// the other load on a shared machine.
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("opens=%ld wall_s=%.6f cpu_s=%.6f rate=%.0f\n", n, s, cpu, n / s);
	return 0;
}
