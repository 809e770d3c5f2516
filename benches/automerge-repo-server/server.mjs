// The automerge-repo sync server that the relay's load benchmark compares against
// (crates/bench/src/relay/): a Repo with the WebSocket server adapter and the Node file-system
// storage, sharing a document only with the peers that ask for it by id, as the project's own
// sync server (automerge-repo-sync-server) is set up.
//
// Usage: node server.mjs DATA_DIR
// Prints `listening on ws://127.0.0.1:PORT` (a port the system chose) once it listens; stops
// on SIGTERM or SIGINT.

import { WebSocketServer } from "ws"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"

const dir = process.argv[2]
if (!dir) {
  console.error("usage: node server.mjs DATA_DIR")
  process.exit(2)
}

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
await new Promise((resolve, reject) => {
  wss.once("listening", resolve)
  wss.once("error", reject)
})

new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: "sync-server",
  // A server shares nothing of its own accord: it syncs the documents a peer asks for.
  sharePolicy: async () => false,
})

console.log(`listening on ws://127.0.0.1:${wss.address().port}`)

const stop = () => {
  wss.close()
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
