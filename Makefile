# interlock - see README.md.
#   make            build build/interlock
#   make demo       install missing packages, build, show a blocked and an allowed command
#   make check      install missing packages, build, run every test
#   make asan       the same binary with AddressSanitizer and UBSan (build/asan/interlock)
#   make bench      start-up benchmark (scripts/bench-rm.sh)
#   make bench-psql psql analysis throughput and memory (scripts/bench-psql.sh)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
DESTDIR  ?=

CC       ?= cc
PKGS     := libpcre2-8 jansson inih zlib
CPPFLAGS += -Iinclude -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
# Libraries on the start-up path are linked statically: every dynamic library
# costs each start of interlock (which runs before every guarded rm) the
# loader's time; libc stays dynamic.
STATIC_LIBS := -Wl,-Bstatic -lpcre2-8 -ljansson -linih -lz -Wl,-Bdynamic
LDFLAGS  += -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
LDLIBS   += $(STATIC_LIBS)

SRC := src/main.c src/help.c src/cmd_run.c src/cmd_rules.c src/cmd_admin.c src/engine.c \
       src/config.c src/classify.c src/rules.c src/examples.c src/facts.c \
       src/decide.c src/gate.c src/audit.c src/exec.c src/die.c src/util.c \
       src/toml/toml.c src/analyse/analyse.c src/analyse/rm.c \
       src/analyse/terraform.c src/analyse/tfplan.c src/analyse/psql.c src/analyse/pg_restore.c src/analyse/longopt.c src/psql/lexer.c src/psql/explain.c src/psql/target.c src/psql/sqlfacts.c src/psql/pg_wrapper.c src/psql/target_facts.c
RULES := $(sort $(wildcard rules.d/*.toml))

OBJ      := $(SRC:%.c=build/obj/%.o) build/obj/embedded_rules.o
ASAN_OBJ := $(SRC:%.c=build/asan/%.o) build/asan/embedded_rules.o
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined

.PHONY: all deps demo check test asan bench bench-psql install uninstall clean format fuzz
all: build/interlock

build/embedded_rules.c: $(RULES) scripts/embed-rules.sh
	@mkdir -p $(@D)
	scripts/embed-rules.sh $(RULES) > $@.tmp && mv $@.tmp $@

build/obj/%.o: %.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
build/obj/embedded_rules.o: build/embedded_rules.c include/rules.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/interlock: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/asan/%.o: %.c $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<
build/asan/embedded_rules.o: build/embedded_rules.c include/rules.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<
build/asan/interlock: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $(ASAN_OBJ) $(LDLIBS)
asan: build/asan/interlock

# ---- tests ---------------------------------------------------------------
UNIT_SRC := $(filter-out src/main.c,$(SRC)) build/embedded_rules.c
UNIT_TESTS := $(patsubst tests/unit/%.c,build/tests/%,$(wildcard tests/unit/test_*.c))

# Unit tests link the sources directly, under ASan and UBSan.
build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(UNIT_SRC) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $< $(UNIT_SRC) $(LDLIBS)

build/toml-decoder: tests/toml/decoder.c src/toml/toml.c include/toml.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/toml/decoder.c src/toml/toml.c

# ---- psql lexer: golden-case dump program and fuzzer ---------------------
LEXER_SRC := src/psql/lexer.c src/util.c src/die.c

build/lexer-dump: tests/lexer/dump.c $(LEXER_SRC) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/lexer/dump.c $(LEXER_SRC)

FUZZ_CC    ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TIME  ?= 60
build/fuzz_psql_lexer: tests/fuzz/fuzz_psql_lexer.c $(LEXER_SRC) $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -Iinclude -D_GNU_SOURCE -std=c11 -Wall -Wextra -Werror -Wshadow \
		-Wstrict-prototypes $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_psql_lexer.c $(LEXER_SRC)

# A fuzz run (make check does a short one): new inputs go to build/fuzz-corpus.
fuzz: build/fuzz_psql_lexer
	@mkdir -p build/fuzz-corpus
	build/fuzz_psql_lexer -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/psql.dict \
		-max_len=4096 build/fuzz-corpus tests/fuzz/corpus_psql

deps:
	@scripts/setup-deps

demo: deps all
	@scripts/demo.sh

test: all asan build/toml-decoder build/lexer-dump build/fuzz_psql_lexer $(UNIT_TESTS)
	@tests/run-all.sh

check: deps
	@$(MAKE) --no-print-directory test

bench: all
	@scripts/bench-rm.sh

bench-psql: all
	@scripts/bench-psql.sh

format:
	clang-format -i $(SRC) include/*.h tests/unit/*.c tests/unit/*.h tests/toml/*.c tests/fuzz/*.c tests/lexer/*.c

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/interlock/rules.d \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 build/interlock $(DESTDIR)$(BINDIR)/interlock
	install -m 0644 $(RULES) $(DESTDIR)$(DATADIR)/interlock/rules.d/
	install -m 0644 man/interlock.1 $(DESTDIR)$(MANDIR)/man1/interlock.1
	install -m 0644 man/interlock.5 $(DESTDIR)$(MANDIR)/man5/interlock.5
	install -m 0644 completions/interlock.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/interlock
	install -m 0644 completions/_interlock $(DESTDIR)$(DATADIR)/zsh/site-functions/_interlock
	install -m 0644 completions/interlock.fish \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/interlock.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/interlock $(DESTDIR)$(MANDIR)/man1/interlock.1 \
		$(DESTDIR)$(MANDIR)/man5/interlock.5
	rm -rf $(DESTDIR)$(DATADIR)/interlock
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/interlock \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_interlock \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/interlock.fish

clean:
	rm -rf build
