#!/usr/bin/env node
'use strict';
// The project's tslab kernel (scripts/write-kernelspec.js registers it): tslab's own kernel, plus an
// answer to `history_request`, which JupyterLab sends whenever it connects to a kernel and tslab
// (1.0.22) does not know, printing "unknown msg_type: history_request" on every session. The answer
// is an empty history, as the messaging protocol allows.
//   node scripts/tslab-kernel.js <connection file>
const crypto = require('node:crypto');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tslab = (id) => require(require.resolve(id, { paths: [root] }));
const jupyter = tslab('tslab/dist/jupyter');
const { startKernel } = tslab('tslab/dist/main');

const DELIM = Buffer.from('<IDS|MSG>');
const handleShellMessage = jupyter.ZmqServer.prototype.handleShellMessage;
jupyter.ZmqServer.prototype.handleShellMessage = async function (sock, ...frames) {
  const at = frames.findIndex((f) => Buffer.isBuffer(f) && f.equals(DELIM));
  let header;
  try {
    header = at < 0 ? undefined : JSON.parse(frames[at + 2].toString());
  } catch {
    header = undefined;
  }
  if (header?.msg_type !== 'history_request') return handleShellMessage.call(this, sock, ...frames);
  // As tslab answers every request: busy, the reply, idle (JupyterLab learns the kernel's state from these).
  const send = (socket, msgType, content) => {
    const parts = [
      { version: '5.3', date: new Date().toISOString(), session: header.session, username: header.username, msg_type: msgType, msg_id: crypto.randomBytes(16).toString('hex') },
      header,
      {},
      content,
    ].map((part) => JSON.stringify(part));
    const hmac = crypto.createHmac('sha256', this.connInfo.key);
    for (const part of parts) hmac.update(part);
    // The frames before the delimiter are the ZeroMQ routing identities of the request.
    socket.send([...frames.slice(0, at), DELIM, hmac.digest('hex'), ...parts]);
  };
  send(this.iopub, 'status', { execution_state: 'busy' });
  send(sock, 'history_reply', { status: 'ok', history: [] });
  send(this.iopub, 'status', { execution_state: 'idle' });
};

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: node scripts/tslab-kernel.js <connection file>');
  process.exit(2);
}
startKernel({ configPath, enableFindLocal: false });
