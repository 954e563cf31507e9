// An https server for tests/interop/https_cli.rs: serves the files of one directory
// (by name, query string ignored; 404 otherwise) with the given key and certificate on a
// free 127.0.0.1 port, prints the port on stdout, and runs until killed or stdin closes.
// usage: node https_server.mjs KEY.pem CERT.pem DIR
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { basename, join } from "node:path";

const [key, cert, dir] = process.argv.slice(2);
const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
  const name = basename(decodeURIComponent(new URL(req.url, "https://x").pathname));
  let body;
  try {
    body = readFileSync(join(dir, name));
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end(`no file ${name}`);
    return;
  }
  res.writeHead(200, { "Content-Length": body.length });
  res.end(body);
});
server.on("tlsClientError", () => {}); // a client refusing the certificate is what some tests want
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
// The test holds stdin open; when it ends (panics included), stdin closes and so do we.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
