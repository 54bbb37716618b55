# SPDX-License-Identifier: MIT
# fozzy build. `make` builds ./fozzy; `make check` runs unit and end-to-end tests.

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
SANITIZE ?=
V ?= 0

PKGS := libseccomp libcjson libxxhash libcurl libzip
CHECK_PKG := check

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -Wformat=2 -Wvla \
	-Wimplicit-fallthrough -fno-common
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu17 $(WARN) $(CFLAGS) -Iinclude -D_GNU_SOURCE -MMD -MP \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl and libzip are loaded on first use (src/util/lazylib.c): only their headers at build time
LINK_PKGS := libseccomp libcjson libxxhash
LDLIBS = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null || echo -lseccomp -lcjson -lxxhash) -ldl -lpthread -lm

ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

ifeq ($(V),0)
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
say =
endif

LIB_SRC := $(sort $(wildcard src/util/*.c src/det/*.c src/trace/*.c src/sys/*.c \
	src/core/*.c src/sandbox/*.c src/report/*.c src/modes/*.c src/cmd/*.c src/fuzz/*.c \
	src/scenario/*.c))
LIB_OBJ := $(LIB_SRC:.c=.o) src/sys/policy_text.o
UNIT_SRC := $(sort $(wildcard tests/unit/check_*.c))
UNIT_OBJ := $(UNIT_SRC:.c=.o) tests/unit/runner.o
FIXTURE_SRC := $(sort $(wildcard fixtures/*.c))
FIXTURES := $(FIXTURE_SRC:.c=)
ESCAPE_SRC := $(sort $(wildcard tests/escape/*.c))
ESCAPES := $(ESCAPE_SRC:.c=)

all: fozzy libfozzy-rt.so libfozzy-cov.a fixtures escapes

fozzy: src/main.o libfozzy.a
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -Wl,-z,now -o $@ $^ $(LDLIBS)

libfozzy.a: $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

%.o: %.c
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The policy text is compiled into the binary: the filter is derived from it.
src/sys/policy_text.c: seccomp/policy.txt seccomp/embed.sh
	$(call say,GEN,$@)sh seccomp/embed.sh $< > $@.tmp && mv $@.tmp $@

# The preloaded runtime lives in traced programs: never sanitized either.
libfozzy-rt.so: src/rt/fozzy_rt.c include/fozzy/rt.h
	$(call say,CC,$@)$(CC) -std=gnu17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude \
		-fPIC -shared -o $@ $< -ldl

# The edge-coverage runtime, linked statically into instrumented programs (fozzy cc).
libfozzy-cov.a: src/rt/cov.c include/fozzy/cov.h include/fozzy/sandbox.h include/fozzy/rt.h
	$(call say,CC,$@)$(CC) -std=gnu17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iinclude \
		-fPIC -c -o src/rt/cov.o $< && rm -f $@ && ar rcs $@ src/rt/cov.o

# Traced fixtures are never sanitized: sanitizer runtimes add syscalls.
fixtures/%: fixtures/%.c
	$(call say,CC,$@)$(CC) -std=gnu17 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror \
		$(if $(findstring _static,$@),-static) -o $@ $<

fixtures: $(FIXTURES)

# The escape suite (tests/e2e/t0146-escape.sh) runs under fozzy: never sanitized either.
tests/escape/%: tests/escape/%.c tests/escape/escape.h
	$(call say,CC,$@)$(CC) -std=gnu17 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -pthread -o $@ $<

escapes: $(ESCAPES)

tests/unit/runner: $(UNIT_OBJ) libfozzy.a
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) \
		$$(pkg-config --libs $(CHECK_PKG) 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)

tests/unit/%.o: tests/unit/%.c
	$(call say,CC,$@)$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags $(CHECK_PKG) 2>/dev/null) -c -o $@ $<

unit: tests/unit/runner
	$(Q)CK_DEFAULT_TIMEOUT=30 ./tests/unit/runner

e2e: fozzy libfozzy-rt.so fixtures escapes
	$(Q)sh tests/e2e/run.sh

# check: unit tests, then the end-to-end suite; the last line is "N passed, N failed".
# Installs missing build dependencies first, so it works on a fresh machine.
check:
	$(Q)sh tests/deps.sh
	$(Q)$(MAKE) --no-print-directory fozzy libfozzy-rt.so libfozzy-cov.a fixtures escapes tests/unit/runner
	$(Q)sh tests/run-all.sh

bench: fozzy libfozzy-rt.so fixtures
	$(Q)sh tests/bench/bench.sh

# # The generated syscall table, checked by tests/e2e/t0150-policy.sh.
policy-table: fozzy
	./fozzy policy > seccomp/syscalls.tsv

# demo: install dependencies, build, and show a deterministic run and its replay.
demo:
	$(Q)sh tests/deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh tests/demo.sh

deps:
	$(Q)sh tests/deps.sh

install: fozzy libfozzy-rt.so libfozzy-cov.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 fozzy $(DESTDIR)$(PREFIX)/bin/fozzy
	install -d $(DESTDIR)$(PREFIX)/lib/fozzy
	install -m 644 libfozzy-rt.so $(DESTDIR)$(PREFIX)/lib/fozzy/libfozzy-rt.so
	install -m 644 libfozzy-cov.a $(DESTDIR)$(PREFIX)/lib/fozzy/libfozzy-cov.a
	install -m 644 man/fozzy.1 $(DESTDIR)$(PREFIX)/share/man/man1/fozzy.1
	install -m 644 man/fozzy.5 $(DESTDIR)$(PREFIX)/share/man/man5/fozzy.5

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/fozzy $(DESTDIR)$(PREFIX)/lib/fozzy/libfozzy-rt.so \
		$(DESTDIR)$(PREFIX)/lib/fozzy/libfozzy-cov.a \
		$(DESTDIR)$(PREFIX)/share/man/man1/fozzy.1 \
		$(DESTDIR)$(PREFIX)/share/man/man5/fozzy.5

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability -Iinclude src
	$(MAKE) clean && $(MAKE) CC=clang

clean:
	rm -f fozzy libfozzy.a libfozzy-rt.so libfozzy-cov.a src/rt/cov.o src/main.o $(LIB_OBJ) $(UNIT_OBJ) tests/unit/runner $(FIXTURES) \
		$(ESCAPES) \
		src/sys/policy_text.c
	find . -name '*.d' -delete

.PHONY: policy-table all fixtures escapes unit e2e check bench demo deps install uninstall lint clean
-include $(wildcard src/*.d src/*/*.d tests/unit/*.d)
