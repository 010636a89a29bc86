# Two commands for a fresh clone: `make run` and `make test`. Everything they need is installed
# into the project (var/, node_modules/) on first use, and skipped afterwards unless it changed.

SHELL := /bin/sh
.DEFAULT_GOAL := run

# A Node pinned by scripts/ensure-node.sh comes first, also for npm (`#!/usr/bin/env node`).
export PATH := $(CURDIR)/var/node/node_modules/.bin:$(PATH)

# Reinstall when node_modules went missing although its stamp is still there.
npm_force = $(if $(wildcard node_modules/.package-lock.json),,FORCE)

.PHONY: install run test test-db check lint typecheck doctor update-ytdlp bench loadtest clean tools test-tools FORCE

install: var/stamp/node var/stamp/npm tools var/cli/main.js

var/stamp/node: FORCE
	@scripts/ensure-node.sh

# Native addons must build against the headers of the Node we run, not the machine's older one
# (which ~/.npmrc may name). Found in the recipe, whose PATH has the pinned Node ($(shell) may not).
var/stamp/npm: package.json package-lock.json var/stamp/node $(npm_force)
	@prefix=$$(node -p 'path.resolve(process.execPath, "../..")'); \
	  if [ -f "$$prefix/include/node/node.h" ]; then export npm_config_nodedir="$$prefix"; fi; \
	  npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

tools:
	@scripts/ensure-tools.sh

# The CLI as one bundle, which bin/ytconv prefers while no source is newer (faster to start).
var/cli/main.js: var/stamp/npm $(shell find src -name '*.ts') scripts/build-cli.ts
	@node scripts/build-cli.ts

# What only the tests need: Chromium for the browser tests.
test-tools:
	@scripts/ensure-tools.sh chromium

run: install
	@bin/ytconv doctor
	@bin/ytconv run

test: install test-tools typecheck lint
	@node --test --test-concurrency=2 'test/**/*.test.ts'

# Only the tests that reach a database (through its helpers or src/db), for a second run against
# another one: `DATABASE_URL=postgres://… make test-db`. The others do not depend on it.
DB_TESTS = grep -rlE "helpers/(database|stack|processes)\.ts|/dialects\.ts|src/db/" test --include='*.test.ts'
test-db: install test-tools
	@node --test --test-concurrency=2 $$($(DB_TESTS))

check: typecheck lint

# Two programs: the server's (Node's types) and the page's (the browser's; tsconfig.web.json).
typecheck: var/stamp/npm
	@node_modules/.bin/tsc --noEmit -p .
	@node_modules/.bin/tsc --noEmit -p tsconfig.web.json

lint: var/stamp/npm
	@node_modules/.bin/biome check .

doctor: install
	@bin/ytconv doctor

# Issue 9's figures in one table, each next to yt-dlp's CLI, one ffmpeg encode, the bare download
# or the CLI measured in the same run, on the stand-in site at 4 MB/s; prints ✓/✗ per target and
# never fails (under 15 min on 2 cores; the first run also generates 70 min of stand-in media).
bench: install
	@node bench/run.ts

# A burst of concurrent submissions against a real web and worker process while a client polls
# status: prints accepted, refused (by code), done, failed, lost and latencies; judges nothing.
loadtest: install
	@node bench/loadtest.ts

# Fetch the newest yt-dlp now instead of waiting for the daily retry.
update-ytdlp:
	@rm -f var/stamp/ytdlp-fetch
	@scripts/ensure-tools.sh

clean:
	rm -rf var node_modules

FORCE:
