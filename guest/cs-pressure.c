// SPDX-License-Identifier: GPL-2.0
/*
 * cs-pressure: keep real, migratable user memory moving through the guest,
 * so CMA areas hold movable pages that cma_alloc() must migrate and
 * memory offline must move (kernel-allocated pages are not migratable).
 *
 * Usage: cs-pressure [PERCENT]   (of MemAvailable at start; default 50)
 * Maps and unmaps 2 MiB chunks at random, touching every page, with some
 * chunks asking for transparent huge pages (order-9 movable allocations
 * that meet pageblock boundaries). Runs until killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define CHUNK (2UL << 20)

static unsigned long mem_available_kb(void)
{
	char line[128];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	int percent = argc > 1 ? atoi(argv[1]) : 50;
	unsigned long nr, i, touched = 0, ops = 0;
	long page = sysconf(_SC_PAGESIZE);
	char **chunks;

	if (percent < 1 || percent > 90) {
		fprintf(stderr, "cs-pressure: PERCENT must be 1..90\n");
		return 2;
	}
	nr = mem_available_kb() / 1024 * percent / 100 / (CHUNK >> 20);
	if (!nr) {
		fprintf(stderr, "cs-pressure: cannot read MemAvailable\n");
		return 1;
	}
	chunks = calloc(nr, sizeof(*chunks));
	if (!chunks)
		return 1;
	printf("cs-pressure: churning %lu MiB in %lu chunks\n", nr * (CHUNK >> 20), nr);
	fflush(stdout);
	srand(getpid());
	for (;;) {
		i = (unsigned long)rand() % nr;
		if (chunks[i]) {
			munmap(chunks[i], CHUNK);
			chunks[i] = NULL;
		} else {
			char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED) {
				usleep(10000);
				continue;
			}
			madvise(p, CHUNK, rand() % 4 ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
			for (unsigned long off = 0; off < CHUNK; off += page)
				p[off] = (char)off;
			touched += CHUNK / page;
			chunks[i] = p;
		}
		if (++ops % 64 == 0)
			usleep(2000);	/* leave the vCPUs to the harness too */
	}
	return 0;
}
