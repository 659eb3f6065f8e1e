# dcgan.c build. `make` builds build/dcgan; `make test` builds and runs every test;
# `make demo` installs dependencies, builds and trains the demo model.
# SAN=1 builds into build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer.

CC      ?= cc
PKGS    := openblas libcjson libjpeg libpng zlib
SAN     ?= 0

ifeq ($(SAN),1)
BUILD   := build-san
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
BUILD   := build
OPT     := -O3 -march=native -g
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp $(OPT) -Isrc $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm
LDFLAGS += -fopenmp $(if $(filter 1,$(SAN)),-fsanitize=address,undefined)

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/cli/main.o
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

.PHONY: all test demo deps clean check-deps tests

all: check-deps $(BUILD)/dcgan

check-deps:
	@pkg-config --exists $(PKGS) || { echo "error: missing libraries ($(PKGS)); run scripts/install-deps" >&2; exit 1; }

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libdcgan.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dcgan: $(MAIN_OBJ) $(BUILD)/libdcgan.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libdcgan.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

tests: all $(TEST_BIN)

# Each test binary runs from the repository root; tests/run prints the summary line.
test: tests
	@BUILD=$(BUILD) sh tests/run $(TEST_BIN)

deps:
	sh scripts/install-deps

demo: 
	@sh scripts/install-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
