// The VS Code client: starts `edict lsp` for .edict files. Everything else (diagnostics, hovers, definitions,
// completion, formatting, the run-tests code lens) comes from the server.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('edict');
  const args = [];
  if (config.get('stdlib')) args.push('--stdlib', config.get('stdlib'));
  args.push('lsp');
  const server = { command: config.get('path') || 'edict', args };
  client = new LanguageClient('edict', 'edict', { run: server, debug: server }, {
    documentSelector: [{ scheme: 'file', language: 'edict' }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
