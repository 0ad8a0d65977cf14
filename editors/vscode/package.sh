#!/usr/bin/env bash
# Packages the extension as editors/vscode/edict-VERSION.vsix (needs node, npm and the npm registry):
#   bash editors/vscode/package.sh        then: code --install-extension editors/vscode/edict-*.vsix
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --omit=dev
npx --yes @vscode/vsce@3 package --allow-missing-repository --skip-license --out "edict-$(node -p 'require("./package.json").version').vsix"
