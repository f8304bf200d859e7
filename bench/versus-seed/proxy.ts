// A round-robin TCP relay for `versus-seed --serve N`: Parley's `serve` processes each listen on their
// own port, and wrk talks to one address, so each new connection goes to the next process. Per
// connection, not per request: wrk keeps its connections open, so they spread evenly. Runs as its own
// process so its CPU is reported with the HTTP side. Usage: node proxy.ts <listen port> <backend port>…
import net from 'node:net';

const [listenPort, ...backends] = process.argv.slice(2).map(Number);
if (!listenPort || backends.length === 0) {
  process.stderr.write('usage: node proxy.ts <listen port> <backend port>…\n');
  process.exit(2);
}
let next = 0;
const server = net.createServer({ noDelay: true }, (client) => {
  const port = backends[next++ % backends.length] ?? listenPort;
  const upstream = net.connect({ port, host: '127.0.0.1', noDelay: true });
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(listenPort, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
