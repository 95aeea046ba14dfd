// Preloaded with --import: at exit, writes the URLs of every module the process loaded as one
// JSON line on stderr, so a test can see which of aekit's modules a command needed.
import { register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
register('./module-log-hooks.mjs', { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
port1.unref();
process.on('exit', () => {
  const loaded = [];
  for (let message = receiveMessageOnPort(port1); message; message = receiveMessageOnPort(port1)) loaded.push(message.message);
  process.stderr.write(`\nmodules: ${JSON.stringify(loaded)}\n`);
});
