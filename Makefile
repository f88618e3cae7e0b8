# SPDX-License-Identifier: GPL-2.0
# cma-stress top-level Makefile.
#
#   make            build the modules against KDIR (default: the running kernel)
#   make run        build the test kernel if needed, boot it in QEMU, run the
#                   stress, print the verdict (exit 0 only on PASS)
#   make test       the test suite; ends with "N passed, N failed"
#   make test-long  the slow guest tests (reproducers); the same closing line
#   make bench      benchmarks (numbers, no assertions)
#   make lava       a clean and a seed 000 control job through LAVA's lava-run
#                   (docs/lava.md)
#   make rule-deletions  each rule's proof run on a cs_core built without
#                   that rule: every proof must then fail (core/rules.c)
#   make deps       install the Debian packages the bench needs
#
# Variables for run/test/bench (see README): ARCH KVER KSRC FLAVOUR PATCHES
# SCENARIO DURATION SMP MEM MODULE MODARGS JOB ACCEL TIMEOUT VERBOSE.

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	@test -d "$(KDIR)" || { echo "make: KDIR=$(KDIR) does not exist: install linux-headers-$$(uname -r) or set KDIR=/path/to/kernel/build"; exit 2; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f *.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order

deps:
	scripts/deps.sh

run:
	scripts/run.sh

test:
	scripts/test.sh

test-long:
	SET=long scripts/test.sh

bench:
	scripts/bench.sh

lava:
	scripts/lava.sh

# make rule-deletions [RULES=ere] [WITH_PATCHES=1]: scripts/rule-deletions.sh
rule-deletions:
	scripts/rule-deletions.sh "$(RULES)"

# make repro FINDING=name [KVER=..] [FIX=1 | PATCHES=..]: docs/findings/README.md
repro:
	scripts/repro.sh

.PHONY: all modules clean deps run test test-long bench lava repro rule-deletions
