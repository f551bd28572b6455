# Espace électeur — `make run` serves the portal locally on moto; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

DSFR := node_modules/@gouvfr/dsfr/dist
STATIC_DSFR := chalicelib/static/dsfr
BOOTH_BUNDLE := chalicelib/static/booth/ev1.js

.PHONY: run demo-election test lint static chromium template openapi package deploy bench load clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The French State's design system, pinned in package-lock.json, copied next to our pages
# (chalice deploy ships chalicelib/, so the portal is one package). Not committed.
$(STATIC_DSFR)/.copied: package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed to fetch the DSFR (see README)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(STATIC_DSFR) && mkdir -p $(STATIC_DSFR)
	cp $(DSFR)/dsfr.min.css $(DSFR)/dsfr.module.min.js $(DSFR)/dsfr.nomodule.min.js $(STATIC_DSFR)/
	cp -r $(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon $(STATIC_DSFR)/
	@touch $@

# The booth's EV1 cryptography (booth/, on @noble/curves and @noble/hashes pinned in
# package-lock.json), bundled by esbuild into one deterministic ES module. Not committed.
$(BOOTH_BUNDLE): $(wildcard booth/*.js) booth/build.mjs package-lock.json $(STATIC_DSFR)/.copied
	node booth/build.mjs $@

static: $(STATIC_DSFR)/.copied $(BOOTH_BUNDLE)

# Debian's Chromium for the browser tests: installed if we are root with apt-get, otherwise
# the command to run is printed and the tests do not start.
chromium:
	@.ci/chromium

# ARGS: e.g. "--port 8080", "--voters 20000", "--no-demo", "--reload" (see README).
run: $(INSTALLED) static
	$(BIN)/python -m infra.local $(ARGS)

# Against `make run` (in another terminal): votes, demo-only close, count, result, record, verifier.
demo-election: $(INSTALLED)
	$(BIN)/python -m infra.local.demo_election $(ARGS)

test: lint static chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The code's shape: layer rules (pyproject.toml's import-linter contracts), then ruff.
lint: $(INSTALLED)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .

# What every operation costs (counted exactly; timed on moto), then the capacity model.
bench: $(INSTALLED) static
	$(BIN)/python -m bench.run; status=$$?; $(BIN)/python -m bench.capacity && exit $$status

# A bounded opening rush on the local stack with Locust (its own virtualenv: gevent and its
# pins stay out of the test environment), then the checks that nothing was lost. LOAD_ARGS:
# e.g. "--users 80 --seconds 120".
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: requirements-load.txt
	@test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	@touch $@

load: $(INSTALLED) static $(LOAD_VENV)/.installed
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# The API's OpenAPI description is generated from the routes (chalicelib/api/openapi.py, written by infra/openapi.py); commit it.
openapi: $(INSTALLED)
	$(BIN)/python -m infra.openapi > docs/openapi.json

# The CloudFormation stack is generated from the PynamoDB models; commit the result.
template: $(INSTALLED)
	$(BIN)/python -m infra.aws.stack
	$(BIN)/python -m infra.aws.edge
	$(BIN)/cfn-lint infra/aws/stack.json infra/aws/edge.json

# Deploying needs the Python of the Lambda runtime (python3.13): Chalice takes the runtime
# and the binary wheels (cffi, argon2) from the interpreter it runs in.
DEPLOY_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3.13)
DEPLOY_VENV := .venv-deploy
DEPLOY_BIN := $(DEPLOY_VENV)/bin

$(DEPLOY_VENV)/.installed: requirements.txt requirements-dev.txt
	@$(DEPLOY_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else "deploying needs Python 3.13 (DEPLOY_PYTHON=...)")'
	@test -x $(DEPLOY_BIN)/python || $(DEPLOY_PYTHON) -m venv $(DEPLOY_VENV)
	$(DEPLOY_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt chalice==1.34.0 cfn-lint==1.51.0
	@touch $@

# One CloudFormation template with everything (for teams that prefer a single stack):
# Chalice's functions and API merged with infra/aws/stack.json, into build/STAGE/.
STAGE ?= prod

package: $(DEPLOY_VENV)/.installed static
	rm -rf build/$(STAGE) && mkdir -p build
	$(DEPLOY_BIN)/python -m infra.aws.deploy merge-template --stage $(STAGE) --output build/merge-$(STAGE).json
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-3} $(DEPLOY_BIN)/chalice package --stage $(STAGE) --merge-template build/merge-$(STAGE).json build/$(STAGE)
	$(DEPLOY_BIN)/python -m infra.aws.bytecode build/$(STAGE)/deployment.zip --chalice-cache
	$(DEPLOY_BIN)/cfn-lint build/$(STAGE)/sam.json

# Two stacks: infra/aws/stack.json deployed first (see README), then this, then the edge.
# chalice deploy reuses the package that `chalice package` built, once compiled (bytecode.py).
deploy: $(DEPLOY_VENV)/.installed static
	$(DEPLOY_BIN)/python -m infra.aws.deploy record-outputs --stage $(STAGE)
	rm -rf build/deploy-$(STAGE)
	$(DEPLOY_BIN)/chalice package --stage $(STAGE) build/deploy-$(STAGE)
	$(DEPLOY_BIN)/python -m infra.aws.bytecode build/deploy-$(STAGE)/deployment.zip --chalice-cache
	$(DEPLOY_BIN)/chalice deploy --stage $(STAGE)
	$(DEPLOY_BIN)/python -m infra.aws.deploy configure-api --stage $(STAGE)

clean:
	rm -rf $(VENV) $(DEPLOY_VENV) $(LOAD_VENV) .local .pytest_cache build node_modules $(STATIC_DSFR) $(dir $(BOOTH_BUNDLE))
