// SPDX-License-Identifier: GPL-2.0
/*
 * cs-pressure: keep real, migratable user memory moving through the guest,
 * so CMA areas hold movable pages that cma_alloc() must migrate and
 * memory offline must move (kernel-allocated pages are not migratable).
 *
 * Usage: cs-pressure [PERCENT [SIEVE]]   (of MemAvailable at start;
 *        defaults 50 and 0)
 * Maps and unmaps 2 MiB chunks at random, touching every page, with some
 * chunks asking for transparent huge pages (order-9 movable allocations
 * that meet pageblock boundaries). Runs until killed.
 *
 * SIEVE fragments memory first, the way a long-running box is: that share
 * of MemAvailable is mapped in 4 KiB pages, touched, and then every other
 * page is given back (MADV_DONTNEED), so half of it lies in the free lists
 * as order-0 pages no buddy can merge; the other half stays mapped for the
 * whole run. The free lists the audits walk are then long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>

/* Made once memory is sieved and the churn starts: the jobs wait for it. */
#define READY "/tmp/cs-pressure.ready"

#define CHUNK (2UL << 20)

/* Map @mib MiB, touch it, free every other page. Kept until exit. */
static int sieve(unsigned long mib, long page)
{
	unsigned long len = mib << 20, off;
	char *p;

	if (!mib)
		return 0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("cs-pressure: sieve mmap");
		return -1;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (off = 0; off < len; off += page)
		p[off] = (char)off;
	for (off = 0; off < len; off += 2 * page)
		madvise(p + off, page, MADV_DONTNEED);
	printf("cs-pressure: sieve of %lu MiB: %lu order-0 pages freed\n",
	       mib, len / page / 2);
	return 0;
}

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
	int sieve_pct = argc > 2 ? atoi(argv[2]) : 0;
	unsigned long nr, i, touched = 0, ops = 0;
	long page = sysconf(_SC_PAGESIZE);
	char **chunks;

	if (percent < 1 || percent > 90 || sieve_pct < 0 ||
	    percent + sieve_pct > 90) {
		fprintf(stderr, "cs-pressure: PERCENT must be 1..90, SIEVE 0..90-PERCENT\n");
		return 2;
	}
	if (sieve(mem_available_kb() / 1024 * sieve_pct / 100, page))
		return 1;
	nr = mem_available_kb() / 1024 * percent / 100 / (CHUNK >> 20);
	if (!nr) {
		fprintf(stderr, "cs-pressure: cannot read MemAvailable\n");
		return 1;
	}
	close(open(READY, O_CREAT | O_WRONLY, 0644));
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
