# The two commands a newcomer needs: `make run` (release build + the demo) and `make test`.
.PHONY: run test deps build-release check-format check-layers format tidy clean

deps:
	@scripts/install-deps.sh

build-release: deps
	@cmake --workflow --preset release

run: build-release
	@build/release/tools/hollywood/hollywood demo

check-format: deps
	@scripts/check-format.sh

check-layers:
	@python3 scripts/check-layers.py

test: deps check-format check-layers
	@cmake --workflow --preset dev
	@cmake --workflow --preset tsan

format:
	@scripts/check-format.sh --fix

tidy:
	@scripts/run-tidy.sh

clean:
	@rm -rf build
