# Xen live update and page offline: the patch series in patches/, and the
# harness that fetches the base, applies the series, builds it and boots it
# in QEMU.  Start with 'make run' and 'make check'; README.md explains.
#
# The path from 'make check' to a QEMU command line:
#   check -> tests/run-suite.py -> scripts/xenboot.py -> qemu-system-x86_64
# (each boot leaves its command line in build/runs/NAME/qemu-command).

include config/base.conf

TOP       := $(CURDIR)
TREE      := build/xen
STAGE     := build/stage
XEN_DEBUG := build/out/xen-debug
XEN_REL   := build/out/xen-release
XEN_NEXT  := build/out/xen-next
IMAGE     := build/image
JOBS      ?= $(shell nproc)
Q         := $(if $(filter 1,$(V)),,@)
STEP      := scripts/step.sh

# ccache, when installed (make deps installs it): xen-next differs from
# xen-debug only in its version string, which no compiler sees once the
# preprocessor is done, so it costs little more than a link; and a tree
# brought up to date recompiles little.  Each build runs in a directory of
# its own: that stays out of the hash.
ifneq ($(wildcard /usr/lib/ccache/gcc),)
export PATH := /usr/lib/ccache:$(PATH)
export CCACHE_DIR ?= $(TOP)/build/ccache
export CCACHE_NOHASHDIR := 1
endif

XEN_MAKE   = $(MAKE) -C $(TREE)/xen XEN_VENDORVERSION=$(XEN_VENDORVERSION)
TOOLS_MAKE = $(MAKE) -C $(TREE) CONFIG_TESTS=n XEN_VENDORVERSION=$(XEN_VENDORVERSION)

.PHONY: all deps base tree export series-check bisect-check xen xen-release \
	xen-next \
        tools vm image run shell check bench fuzz clean help

all: xen tools image

help:
	@sed -n 's/^## //p' Makefile

deps:
	$(Q)scripts/deps.sh

base:
	$(Q)scripts/fetch-base.sh

# The series workflow (scripts/series.sh).
## make tree            build/xen: the base with patches/ applied, as commits
tree:
	$(Q)scripts/series.sh tree

## make export          write build/xen's commits back to patches/
export:
	$(Q)scripts/series.sh export

## make series-check    does patches/ hold everything build/xen has?
series-check:
	$(Q)scripts/series.sh check

## make bisect-check    does every patch apply and build on its own?
## make bisect-check IN_TREE=1  ... walking build/xen back from its tip over
##                       the build make xen tools left (faster; CI's way)
bisect-check: tree
	$(Q)scripts/bisect-check.sh $(if $(IN_TREE),--in-tree)

# The hypervisor, out of tree: a debug build for tests, a release build
# for benchmarks (and $(3), extra make arguments).  Each has its own
# Kconfig fragment in config/.
define build-xen
	$(Q)mkdir -p $(1)
	$(Q)if ! cmp -s config/$(2).config $(1)/.config.fragment; then \
	    cp config/$(2).config $(1)/.config && \
	    cp config/$(2).config $(1)/.config.fragment && \
	    $(XEN_MAKE) $(3) O=$(TOP)/$(1) olddefconfig > /dev/null; fi
	$(Q)$(STEP) "hypervisor ($(notdir $(1)))" $(notdir $(1)) \
	    $(XEN_MAKE) $(3) O=$(TOP)/$(1) -j$(JOBS)
endef

xen: tree
	$(call build-xen,$(XEN_DEBUG),xen-debug)

xen-release: tree
	$(call build-xen,$(XEN_REL),xen-release)

# The next Xen of the live update tests: the debug build, with its own
# version string ($(XEN_VENDORVERSION)-next), so tests can tell it apart.
xen-next: tree
	$(call build-xen,$(XEN_NEXT),xen-debug,XEN_VENDORVERSION=$(XEN_VENDORVERSION)-next)

# The tools are built in the tree (Xen's tools cannot build out of tree)
# and installed into build/stage.
$(TREE)/config/Tools.mk: config/tools.flags | tree
	$(Q)$(STEP) "configure tools" tools-configure sh -c \
	    'cd $(TREE) && ./configure $$(grep -v "^#" $(TOP)/config/tools.flags)'

tools: tree $(TREE)/config/Tools.mk
	$(Q)$(STEP) "tools" tools $(TOOLS_MAKE) -j$(JOBS) build-tools
	$(Q)$(STEP) "install tools into $(STAGE)" tools-install \
	    $(TOOLS_MAKE) install-tools DESTDIR=$(TOP)/$(STAGE)

# What goes into the test VM: Debian's kernel and kexec-tools, never
# installed on the host, and the dom0 initramfs.
vm:
	$(Q)scripts/fetch-vm.sh

image: vm tools xen xen-next
	$(Q)mkdir -p $(IMAGE)
	$(Q)cp build/vm/kernel/boot/vmlinuz-* $(IMAGE)/vmlinuz
	$(Q)$(STEP) "dom0 initramfs" mkinitrd scripts/mkinitrd.sh $(IMAGE)/dom0.cpio.gz

BOOT   ?= bios
SCRIPT ?= tests/demo.sh
XEN_ARGS ?= liveupdate=256M liveupdate-dom0=rebuild
run_args = --boot $(BOOT) $(if $(CASE),--case $(CASE),$(foreach a,$(XEN_ARGS),--xen-arg $(a))) \
	$(if $(PRINT),--print-command)

## make run             build what is missing, boot the patched Xen, show it
## make run SCRIPT=f    ... and run your own dom0 script f instead of the demo
## make run BOOT=uefi   ... booting xen.efi under OVMF instead of multiboot
## make run XEN_ARGS="a b"  ... with these on Xen's command line instead of
##                       the default liveupdate=256M (XEN_ARGS= for none)
## make run SCRIPT=tests/boot/liveupdate.sh CASE=fixed
##                       ... one boot of a test as the suite runs it
## make run PRINT=1      ... print the QEMU command line, do not boot
run: deps
	$(Q)$(MAKE) --no-print-directory xen image
	$(Q)scripts/qemu-run.py --name run --follow --script $(SCRIPT) $(run_args)

## make shell           an interactive dom0 shell on the serial console
shell: deps
	$(Q)$(MAKE) --no-print-directory xen image
	$(Q)scripts/qemu-run.py --name shell --shell $(run_args)

## make check           install what is missing, build, run every test
check: deps
	$(Q)$(MAKE) --no-print-directory xen tools image
	$(Q)tests/run-suite.py

## make bench           benchmarks; table on stdout, build/bench/results.json
bench: deps
	$(Q)$(MAKE) --no-print-directory xen-release tools image
	$(Q)tests/bench.py

## make fuzz            fuzz the live update state parser, FUZZ_SECONDS (300)
FUZZ_SECONDS ?= 300
fuzz: deps tree
	$(Q)scripts/fuzz.sh $(FUZZ_SECONDS)

## make clean           remove builds, images, runs and logs (not build/xen)
clean:
	rm -rf build/out build/stage build/image build/runs build/logs build/bench \
	       build/unit build/fuzz
