# mod_reverb: everyday targets (see README.md).
#   make demo   - install what is missing, build, start a private stack, sync a demo shop
#   make test   - install, build, run every test (unit, integration, ASan/UBSan, fuzz smoke)
PY       := /usr/bin/python3
PYTEST   := $(PY) -m pytest -q -p no:cacheprovider
ASAN_SO  := build/asan/.libs/mod_reverb.so
FUZZ_SECONDS ?= 60

.PHONY: all deps build build-asan unit unit-valgrind integration integration-oc3 integration-oc4 integration-asan \
        browser ocmod-test deb-test fuzz fuzz-smoke test demo demo-stop bench ocmod deb install clean

all: build

deps:
	@scripts/deps.sh

build:
	@$(MAKE) --no-print-directory -f Makefile.apxs

build-asan:
	@$(MAKE) --no-print-directory -f Makefile.apxs SANITIZE=1 BUILD=build/asan

unit:
	@$(MAKE) --no-print-directory -C tests/unit
	@mkdir -p build && $(PY) scripts/arch-metrics.py --check > build/arch-metrics.txt || { cat build/arch-metrics.txt; exit 1; }
	@echo "architecture: no include cycle, every route handler in src/routes/, ARCHITECTURE.md names every file"

unit-valgrind:
	@$(MAKE) --no-print-directory -C tests/unit valgrind

# Every integration test runs against both OpenCart schemas (3.0.5.1, then
# 4.0.2.3); the ASan run below uses 3.0 only. `make test` runs the three at
# once (scripts/parallel.sh), each with its own MariaDB, Apache and fake Reverb.
integration: integration-oc3 integration-oc4

integration-oc3: build
	$(PYTEST) tests/fake_reverb tests/integration

integration-oc4: build
	OPENCART_VERSION=4 $(PYTEST) tests/integration

integration-asan: build-asan
	REVERB_MODULE=$(CURDIR)/$(ASAN_SO) \
	REVERB_LD_PRELOAD=$$(gcc -print-file-name=libasan.so) \
	$(PYTEST) tests/integration

ocmod-test: ocmod
	$(PYTEST) tests/ocmod

# builds the .deb (make deb) and checks its layout and that Apache accepts it
deb-test:
	$(PYTEST) tests/deb

browser: build
	$(PY) tests/browser/run.py
	$(PY) tests/browser/demo_test.py

fuzz:
	@$(MAKE) --no-print-directory -C fuzz run SECONDS=$(FUZZ_SECONDS)

fuzz-smoke:
	@$(MAKE) --no-print-directory -C fuzz run SECONDS=5

# Each runner prints its own closing line; cmocka's goes to stderr, so the
# unit Makefile merges it (2>&1).
test: deps build
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory unit-valgrind
	@$(MAKE) --no-print-directory build-asan
	@scripts/parallel.sh integration-oc3 integration-oc4 integration-asan
	@$(MAKE) --no-print-directory ocmod-test
	@$(MAKE) --no-print-directory deb-test
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory fuzz-smoke

demo: deps build
	@/usr/bin/python3 scripts/demo.py

demo-stop:
	@/usr/bin/python3 scripts/demo.py stop

bench: deps build
	@bench/run.sh

ocmod:
	@scripts/build-ocmod.sh

# dist/libapache2-mod-reverb_<version>_<arch>.deb (dpkg-buildpackage, debhelper,
# dh_apache2, lintian); packages every dist/*.ocmod.zip
deb: ocmod
	@scripts/build-deb.sh

install: build
	apxs -i -n reverb .libs/mod_reverb.so
	install -m 644 conf/reverb.load /etc/apache2/mods-available/reverb.load
	install -m 644 conf/reverb.conf /etc/apache2/mods-available/reverb.conf
	install -d /usr/share/libapache2-mod-reverb/sql
	install -m 644 sql/install.sql sql/uninstall.sql /usr/share/libapache2-mod-reverb/sql/

clean:
	@$(MAKE) --no-print-directory -f Makefile.apxs clean
	-@$(MAKE) --no-print-directory -C tests/unit clean
	rm -rf dist
