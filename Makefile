# dcgan.c build. `make` builds build/dcgan; `make test` builds and runs every test;
# `make demo` installs dependencies, builds and trains the demo model.
# SAN=1 builds into build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer.

CC      ?= cc
PKGS    := libcjson libjpeg libpng zlib cairo fontconfig
# giflib has no pkg-config file in Debian: -lgif, checked by check-deps.
# OpenBLAS built for OpenMP shares our OpenMP thread pool: with the pthreads build, OpenMP
# threads spin while BLAS threads want the same cores (measured: ~45% of the time spinning).
MULTIARCH   := $(shell $(CC) -print-multiarch 2>/dev/null)
OPENBLAS_OMP := /usr/lib/$(MULTIARCH)/openblas-openmp
ifneq ($(wildcard $(OPENBLAS_OMP)/libopenblas.so),)
BLAS_CFLAGS := -I/usr/include/$(MULTIARCH)/openblas-openmp
BLAS_LIBS   := -L$(OPENBLAS_OMP) -Wl,-rpath,$(OPENBLAS_OMP) -lopenblas
else
BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell pkg-config --libs openblas 2>/dev/null)
endif
SAN     ?= 0

ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
OPT     := -O1 -g -fno-omit-frame-pointer $(SANFLAGS)
else
BUILD   := build
SANFLAGS :=
OPT     := -O3 -march=native -g
endif

PKG_CFLAGS := $(BLAS_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(BLAS_LIBS) $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp $(OPT) -Isrc $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lgif -lpthread -lm
LDFLAGS += -fopenmp $(SANFLAGS)

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/cli/main.o
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SCRIPTS := $(wildcard tests/test_*.sh)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

.PHONY: all test demo deps clean check-deps tests

all: check-deps $(BUILD)/dcgan

check-deps:
	@pkg-config --exists $(PKGS) && [ -n "$(BLAS_LIBS)" ] || { echo "error: missing libraries (OpenBLAS $(PKGS)); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <gif_lib.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing giflib (gif_lib.h); run scripts/install-deps" >&2; exit 1; }

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
	@BUILD=$(BUILD) sh tests/run $(TEST_BIN) $(TEST_SCRIPTS)

deps:
	sh scripts/install-deps

demo: 
	@sh scripts/install-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
