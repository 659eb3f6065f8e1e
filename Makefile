# dcgan.c build. `make` builds build/dcgan; `make test` builds and runs every test;
# `make demo` installs dependencies, builds and trains the demo model.
# SAN=1 builds into build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer.

CC      ?= cc
# The library (libdcgan.a) needs LIB_PKGS only (libwebp: WebP images; lmdb: LSUN's databases;
# libprotobuf-c: ONNX export; nettle: SHA-256 and base64); cairo, fontconfig and giflib are for the
# visualisation part (libdcgan_viz.a) alone.
LIB_PKGS := libcjson libjpeg libpng zlib libwebp lmdb nettle libprotobuf-c
VIZ_PKGS := cairo fontconfig
PKGS    := $(LIB_PKGS) $(VIZ_PKGS)
# giflib, oneDNN, LAPACKE and liblinear have no pkg-config files in Debian: -lgif -ldnnl
# -llapacke -llinear, checked by check-deps.
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

# Open MPI (libopenmpi-dev) for data-parallel training; without it src/parallel/no_mpi.c stands in
# (one rank) and the program is otherwise the same.
MPI_CFLAGS := $(shell pkg-config --cflags ompi-c 2>/dev/null)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null)
ifeq ($(MPI_LIBS),)
DIST_SKIP  := src/parallel/mpi.c
else
DIST_SKIP  := src/parallel/no_mpi.c
endif

# The CUDA backend (src/ops/cuda/, CUDA C++) with `make CUDA=1`, where nvcc, cuDNN and cuBLAS
# are found under CUDA_HOME; otherwise src/ops/no_cuda.c stands in and `dcgan --version` says
# the build is CPU-only. CUDA_ARCH: Hopper and Ampere machine code, and PTX for the rest.
CUDA       ?= 0
CUDA_HOME  ?= /usr/local/cuda
NVCC       ?= $(CUDA_HOME)/bin/nvcc
CUDA_ARCH  ?= -gencode arch=compute_90,code=sm_90 -gencode arch=compute_80,code=sm_80 \
              -gencode arch=compute_75,code=compute_75
ifeq ($(CUDA),1)
CUDA_FOUND := $(shell [ -x "$(NVCC)" ] && [ -f "$(CUDA_HOME)/include/cudnn.h" ] && \
                      [ -f "$(CUDA_HOME)/include/cublas_v2.h" ] && echo 1)
ifneq ($(CUDA_FOUND),1)
$(warning CUDA=1: nvcc, cudnn.h or cublas_v2.h not found under CUDA_HOME=$(CUDA_HOME); building CPU-only)
endif
endif
ifeq ($(CUDA_FOUND),1)
CUDA_SKIP  := src/ops/no_cuda.c
CUDA_OBJ   := $(patsubst %.cu,$(BUILD)/%.o,$(wildcard src/ops/cuda/*.cu))
CUDA_LIBS  := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudnn -lcublas -lcudart_static \
              -ldl -lrt -lstdc++
else
CUDA_SKIP  :=
CUDA_OBJ   :=
CUDA_LIBS  :=
endif
NVCCFLAGS  := -O3 -std=c++20 $(CUDA_ARCH) -Isrc -Werror all-warnings \
              -Xcompiler -Wall,-Wextra,-Werror,-fPIC
# The set of objects in the library depends on CUDA: a stamp that changes with it.
CUDA_STAMP := $(BUILD)/cuda-$(if $(CUDA_FOUND),1,0).stamp
$(shell mkdir -p $(BUILD) && [ -f $(CUDA_STAMP) ] || { rm -f $(BUILD)/cuda-*.stamp; touch $(CUDA_STAMP); })

PKG_CFLAGS := $(BLAS_CFLAGS) $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
VIZ_CFLAGS := $(shell pkg-config --cflags $(VIZ_PKGS) 2>/dev/null)
LIB_LIBS   := $(BLAS_LIBS) $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null) $(MPI_LIBS) -ldnnl \
              $(CUDA_LIBS) -llapacke -llinear -lpthread -lmvec -lm
VIZ_LIBS   := $(shell pkg-config --libs $(VIZ_PKGS) 2>/dev/null) -lgif

# -fPIC: the same objects make the program, libdcgan.a and libdcgan.so. -fno-math-errno:
# nothing reads errno after a math function, and sqrtf then vectorizes (IEEE-exact either way;
# Adam's loop ran one element at a time, 3.6x slower).
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp -fPIC -fno-math-errno $(OPT) -Isrc -Iinclude \
           -Ithird_party $(PKG_CFLAGS)
LDLIBS  += $(VIZ_LIBS) $(LIB_LIBS)
LDFLAGS += -fopenmp $(SANFLAGS)

# libdcgan for other programs (`make install`): the version is include/dcgan.h's; the shared
# library's soname changes with the major version.
VERSION  := $(shell sed -n 's/^\#define DCGAN_VERSION_STRING "\(.*\)"/\1/p' include/dcgan.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SHARED_LIB := $(BUILD)/libdcgan.so.$(VERSION)
PREFIX   ?= /usr/local
DESTDIR  ?=
LIBDIR   := $(PREFIX)/lib

# Library folders. Their objects are compiled without
# cairo's include paths, so a library file that includes cairo.h does not build.
LIB_DIRS := core ops ops/cpu nn model data io parallel train eval api
# ONNX's schema compiled by protoc-c (committed; `make onnx-proto` regenerates it)
ONNX_PB  := third_party/onnx/onnx.pb-c.c
LIB_SRC  := $(filter-out $(DIST_SKIP) $(CUDA_SKIP),$(wildcard $(LIB_DIRS:%=src/%/*.c))) $(ONNX_PB)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(CUDA_OBJ)
VIZ_SRC  := $(wildcard src/viz/*.c)
VIZ_OBJ  := $(VIZ_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(wildcard src/cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBS_A   := $(BUILD)/libdcgan_viz.a $(BUILD)/libdcgan.a
# The tests call the commands (cmd_*) too: they link the CLI, less main, as an archive.
CMD_OBJ  := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJ))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SCRIPTS := $(wildcard tests/test_*.sh)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
TEST_TOOL := $(BUILD)/tests/tools/testtool

.PHONY: all test demo deps clean check-deps tests crash-test fuzz fuzz-build fuzz-merge valgrind \
        check-architecture lib install uninstall onnx-proto

all: check-deps $(BUILD)/dcgan

check-deps:
	@pkg-config --exists $(PKGS) && [ -n "$(BLAS_LIBS)" ] || { echo "error: missing libraries (OpenBLAS $(PKGS)); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <gif_lib.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing giflib (gif_lib.h); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <dnnl.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing oneDNN (dnnl.h, libdnnl-dev); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <lapacke.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing LAPACKE (lapacke.h, liblapacke-dev); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <linear.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing liblinear (linear.h, liblinear-dev); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <webp/decode.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing libwebp (webp/decode.h, libwebp-dev); run scripts/install-deps" >&2; exit 1; }
	@echo '#include <lmdb.h>' | $(CC) -E -x c - >/dev/null 2>&1 || { echo "error: missing LMDB (lmdb.h, liblmdb-dev); run scripts/install-deps" >&2; exit 1; }

# Everything outside the library folders may use cairo's headers.
$(BUILD)/src/viz/%.o $(BUILD)/src/cli/%.o $(BUILD)/tests/%.o: XCFLAGS := $(VIZ_CFLAGS)
# Only the MPI message layer sees mpi.h.
$(BUILD)/src/parallel/mpi.o: XCFLAGS := $(MPI_CFLAGS)
# The inference path's direct kernel accumulates with fused multiply-adds, as oneDNN's kernels
# do; -std=c11 alone keeps a*b + c as two roundings (half the rate).
$(BUILD)/src/ops/cpu/infer_kernels.o: XCFLAGS := -ffp-contract=fast

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -MMD -MP -c $< -o $@

# The archives also depend on the Makefile: a file moved out of a folder leaves its archive.
$(BUILD)/libdcgan.a: $(LIB_OBJ) Makefile $(CUDA_STAMP)
	@rm -f $@
	ar rcs $@ $(filter %.o,$^)

$(BUILD)/libdcgan_viz.a: $(VIZ_OBJ) Makefile
	@rm -f $@
	ar rcs $@ $(filter %.o,$^)

$(BUILD)/libdcgan_cmd.a: $(CMD_OBJ) Makefile
	@rm -f $@
	ar rcs $@ $(filter %.o,$^)

$(BUILD)/dcgan: $(CLI_OBJ) $(LIBS_A)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libdcgan_cmd.a $(LIBS_A)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The stand-in as a build without MPI links it: dist.c with no_mpi.c, before the archives.
$(BUILD)/tests/test_dist_stand_in: $(BUILD)/tests/test_dist_stand_in.o $(BUILD)/tests/testutil.o \
                                   $(BUILD)/src/parallel/dist.o $(BUILD)/src/parallel/no_mpi.o $(LIBS_A)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TEST_TOOL): $(BUILD)/tests/tools/testtool.o $(BUILD)/tests/testdata.o $(BUILD)/libdcgan_cmd.a \
              $(LIBS_A)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Every object of libdcgan.a linked (--whole-archive) with LIB_LIBS alone: proof that the
# library needs neither cairo, fontconfig nor giflib.
$(BUILD)/lib-link-check: $(BUILD)/libdcgan.a
	@printf 'int main(void) { return 0; }\n' >$@.c
	$(CC) $(LDFLAGS) $@.c -Wl,--whole-archive $< -Wl,--no-whole-archive $(LIB_LIBS) -o $@

tests: all $(TEST_BIN) $(TEST_TOOL) $(BUILD)/lib-link-check $(SHARED_LIB)

# ---- libdcgan for other programs: include/dcgan.h, libdcgan.so and libdcgan.a, `make install`.

# Only the functions of include/dcgan.h leave the shared library (src/api/libdcgan.map).
$(SHARED_LIB): $(LIB_OBJ) src/api/libdcgan.map Makefile $(CUDA_STAMP)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libdcgan.so.$(SOMAJOR) \
	    -Wl,--version-script,src/api/libdcgan.map -Wl,--no-undefined \
	    $(filter %.o,$^) $(LIB_LIBS) -o $@
	ln -sf $(notdir $@) $(BUILD)/libdcgan.so.$(SOMAJOR)
	ln -sf $(notdir $@) $(BUILD)/libdcgan.so

# The manual page, from the program's own --help texts (scripts/make-manpage).
$(BUILD)/dcgan.1: $(BUILD)/dcgan scripts/make-manpage
	sh scripts/make-manpage $(BUILD)/dcgan >$@.tmp && mv $@.tmp $@

# dcgan.pc for PREFIX, written by `make install` (PREFIX is only known then).
define DCGAN_PC
prefix=$(PREFIX)
libdir=$${prefix}/lib
includedir=$${prefix}/include

Name: dcgan
Description: generate images with DCGANs trained by dcgan.c
Version: $(VERSION)
Requires.private: $(LIB_PKGS)
Libs: -L$${libdir} -ldcgan
Libs.private: -fopenmp $(BLAS_LIBS) $(MPI_LIBS) -ldnnl $(CUDA_LIBS) -llapacke -llinear -lpthread -lmvec -lm
Cflags: -I$${includedir}
endef
export DCGAN_PC

lib: $(SHARED_LIB) $(BUILD)/libdcgan.a

install: all lib $(BUILD)/dcgan.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/dcgan/python
	install -m 755 $(BUILD)/dcgan $(DESTDIR)$(PREFIX)/bin/dcgan
	install -m 644 include/dcgan.h $(DESTDIR)$(PREFIX)/include/dcgan.h
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libdcgan.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdcgan.so.$(SOMAJOR)
	ln -sf libdcgan.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdcgan.so
	install -m 644 $(BUILD)/libdcgan.a $(DESTDIR)$(LIBDIR)/libdcgan.a
	printf '%s\n' "$$DCGAN_PC" >$(DESTDIR)$(LIBDIR)/pkgconfig/dcgan.pc
	install -m 644 $(BUILD)/dcgan.1 $(DESTDIR)$(PREFIX)/share/man/man1/dcgan.1
	install -m 644 python/dcgan.py $(DESTDIR)$(PREFIX)/share/dcgan/python/dcgan.py

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dcgan $(DESTDIR)$(PREFIX)/include/dcgan.h \
	    $(DESTDIR)$(LIBDIR)/libdcgan.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdcgan.so.$(SOMAJOR) \
	    $(DESTDIR)$(LIBDIR)/libdcgan.so $(DESTDIR)$(LIBDIR)/libdcgan.a \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/dcgan.pc $(DESTDIR)$(PREFIX)/share/man/man1/dcgan.1 \
	    $(DESTDIR)$(PREFIX)/share/dcgan/python/dcgan.py

# Folder layering, file and function sizes, where oneDNN and cairo / giflib may appear
# (scripts/check-architecture; tests/test_architecture.sh runs it within `make test`).
check-architecture:
	@sh scripts/check-architecture src

# Each test binary runs from the repository root; tests/run prints the summary line.
test: tests
	@BUILD=$(BUILD) sh tests/run $(TEST_BIN) $(TEST_SCRIPTS)

# SIGKILL at random moments, resume, compare with an uninterrupted run (tests/crash_test.sh).
KILLS ?= 25
STEPS ?= 1000
crash-test: tests
	BUILD=$(BUILD) sh tests/crash_test.sh $(KILLS) $(STEPS)

# valgrind --leak-check=full on short runs (tests/valgrind.sh), with a build valgrind can run
# (no -march=native: valgrind does not know AVX-512).
valgrind:
	$(MAKE) --no-print-directory BUILD=build-vg OPT="-O1 -g" build-vg/dcgan build-vg/tests/tools/testtool
	BUILD=build-vg sh tests/valgrind.sh

# libFuzzer targets (fuzz/fuzz_*.c), built with clang into build-fuzz/ with ASan + UBSan.
# `make fuzz` runs each for FUZZ_SECONDS, one after the other, from the committed corpus
# fuzz/corpus/<target>/ (new inputs go to build-fuzz/corpus/<target>/; `make fuzz-merge`
# folds those that add coverage into the committed corpus).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_DIR     := build-fuzz
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# No OpenMP here (one runtime, OpenBLAS's, in the process): the pragmas, and variables used
# only in their clauses, are left alone.
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unknown-pragmas \
                -Wno-unused-variable -g -O1 \
                -fno-omit-frame-pointer $(FUZZ_SAN) -Isrc -Iinclude -Ithird_party $(PKG_CFLAGS)
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_DIR)/%.o,$(filter-out $(DIST_SKIP),$(wildcard $(LIB_DIRS:%=src/%/*.c))) $(ONNX_PB))

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_DIR)/src/parallel/mpi.o: FUZZ_CFLAGS += $(MPI_CFLAGS)

$(FUZZ_DIR)/libdcgan.a: $(FUZZ_OBJ) Makefile
	@rm -f $@
	ar rcs $@ $(filter %.o,$^)

# The fuzz targets exercise parsers of the library: libdcgan.a and LIB_LIBS are enough.
$(FUZZ_DIR)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.h fuzz/fuzz_image_input.h $(FUZZ_DIR)/libdcgan.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ifuzz -fsanitize=fuzzer $< $(filter %.o,$^) $(FUZZ_DIR)/libdcgan.a $(LIB_LIBS) -lgomp -o $@

# log.csv's reader lives in viz/ (beside the charts) but needs nothing of cairo: its object alone.
$(FUZZ_DIR)/fuzz_run_log: $(FUZZ_DIR)/src/viz/run_log.o

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	    dict=; [ -f fuzz/$$t.dict ] && dict=-dict=fuzz/$$t.dict; \
	    echo "--- fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/fuzz_$$t $(FUZZ_DIR)/corpus/$$t fuzz/corpus/$$t $$dict -max_total_time=$(FUZZ_SECONDS) \
	        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_DIR)/crash-$$t- 2>$(FUZZ_DIR)/fuzz_$$t.log || \
	        { tail -60 $(FUZZ_DIR)/fuzz_$$t.log; echo "fuzz_$$t: FAILED (input in $(FUZZ_DIR)/crash-$$t-*)"; exit 1; }; \
	    grep -E '^stat::number_of_executed_units|^Done' $(FUZZ_DIR)/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

fuzz-merge: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    $(FUZZ_DIR)/fuzz_$$t -merge=1 fuzz/corpus/$$t $(FUZZ_DIR)/corpus/$$t 2>&1 | tail -1; \
	done

deps:
	sh scripts/install-deps

# Regenerates ONNX's protobuf-c code from its schema (protoc-c, Debian's protobuf-c-compiler);
# tests/test_onnx.sh checks that the committed files are what it makes.
onnx-proto:
	cd third_party/onnx && protoc-c --c_out=. onnx.proto

demo: 
	@sh scripts/install-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo

clean:
	rm -rf build build-san build-fuzz build-vg

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
