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

# A failed workflow ends with what its failed tests printed (scripts/failed-tests.py says why).
workflow = @cmake --workflow --preset $(1) || { python3 scripts/failed-tests.py build/$(1); exit 1; }

test: deps check-format check-layers check-readme
	$(call workflow,dev)
	$(call workflow,tsan)
	$(call workflow,fuzz)

format:
	@scripts/check-format.sh --fix

clean:
	@rm -rf build
