# The two commands a newcomer needs: `make run` (release build + the demos) and `make test`.
.PHONY: run test deps build-release check-format check-layers check-readme format clean

deps:
	@scripts/install-deps.sh

build-release: deps
	@cmake --workflow --preset release

run: build-release
	@build/release/bin/hollywood demo
	@build/release/bin/hollywood eventbus --demo

check-format: deps
	@scripts/check-format.sh

check-layers:
	@python3 scripts/check-layers.py

check-readme:
	@python3 scripts/check-readme.py

test: deps check-format check-layers check-readme
	@cmake --workflow --preset dev
	@cmake --workflow --preset tsan
	@cmake --workflow --preset fuzz

format:
	@scripts/check-format.sh --fix

clean:
	@rm -rf build
