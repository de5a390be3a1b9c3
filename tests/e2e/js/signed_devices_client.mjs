// A member's Matrix client as Element builds it: matrix-js-sdk with its Rust crypto, in the device
// isolation mode "only signed devices" (Element's "exclude insecure devices", MSC4153): room keys
// go only to devices their owner has cross-signed, and events from other devices are not decrypted.
//
// Usage: node signed_devices_client.mjs '{"baseUrl", "userId", "accessToken", "deviceId", "botUserId"}'
// Then one JSON command per line on stdin, one JSON answer per line on stdout:
//   {"cmd": "create_room"}                        -> {"room_id"} once the bot has joined the encrypted room
//   {"cmd": "mode", "signed_only": true|false}    -> {"mode": "signed_only"|"all"}
//   {"cmd": "bot_device", "device_id", "timeout_ms"} -> {"known", "signed_by_owner"}: whether this client
//       sees the bot's device as cross-signed by its owner (waits until it does, or the time is up)
//   {"cmd": "ask", "text": "!hilfe", "timeout_ms": 15000}
//       -> {"sent": event id, "answer": the bot's decrypted reply body or null,
//           "undecryptable_from_bot": events of the bot this client could not decrypt meanwhile}
//   {"cmd": "quit"}
// Each ask starts a new Megolm session (forceDiscardSession), so its key is shared anew under the
// current isolation mode. Errors: {"error": message}; the process goes on.
import * as readline from "node:readline";
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { AllDevicesIsolationMode, OnlySignedDevicesIsolationMode } from "matrix-js-sdk/lib/crypto-api/index.js";

logger.setLevel("error");
// the Rust crypto (wasm) logs through console.*: keep stdout for the answers
for (const level of ["log", "info", "debug", "trace", "warn"]) console[level] = (...parts) => process.stderr.write(parts.join(" ") + "\n");
const args = JSON.parse(process.argv[2]);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const client = sdk.createClient({
  baseUrl: args.baseUrl, userId: args.userId, accessToken: args.accessToken, deviceId: args.deviceId,
});
await client.initRustCrypto({ useIndexedDB: false });
const crypto = client.getCrypto();
crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());

let roomId = null;
const seen = new Map(); // event id -> MatrixEvent of the bot, in the current room

function remember(event) {
  if (event.getSender() === args.botUserId && event.getRoomId() === roomId) seen.set(event.getId(), event);
}
client.on(sdk.RoomEvent.Timeline, (event) => remember(event));
client.on(sdk.MatrixEventEvent.Decrypted, (event) => remember(event));

await new Promise((resolve) => {
  client.once(sdk.ClientEvent.Sync, (state) => resolve(state));
  client.startClient({ initialSyncLimit: 10 });
});
// in this mode the Rust crypto encrypts only from an account with cross-signing, as Element sets it
// up at first login (the first upload needs no user-interactive auth on Synapse, MSC3967)
await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: (makeRequest) => makeRequest(null) });

function replyTarget(event) {
  const relates = event.getContent()["m.relates_to"] || event.getWireContent()["m.relates_to"] || {};
  return (relates["m.in_reply_to"] || {}).event_id;
}

async function until(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value) return value;
    await sleep(100);
  }
  return predicate();
}

async function handle(command) {
  if (command.cmd === "create_room") {
    const created = await client.createRoom({
      preset: "private_chat", invite: [args.botUserId],
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    roomId = created.room_id;
    const joined = await until(() => client.getRoom(roomId)?.getMember(args.botUserId)?.membership === "join",
                               command.timeout_ms ?? 20000);
    return joined ? { room_id: roomId } : { error: "the bot did not join" };
  }
  if (command.cmd === "mode") {
    crypto.setDeviceIsolationMode(command.signed_only ? new OnlySignedDevicesIsolationMode()
                                                      : new AllDevicesIsolationMode(false));
    return { mode: command.signed_only ? "signed_only" : "all" };
  }
  if (command.cmd === "bot_device") {
    // waits (up to timeout_ms) until this client has seen the bot's device signed by its owner
    let status = null;
    const deadline = Date.now() + (command.timeout_ms ?? 20000);
    do {
      status = await crypto.getDeviceVerificationStatus(args.botUserId, command.device_id);
      if (status?.signedByOwner) break;
      await sleep(200);
    } while (Date.now() < deadline);
    return { known: status !== null, signed_by_owner: Boolean(status?.signedByOwner) };
  }
  if (command.cmd === "ask") {
    await crypto.forceDiscardSession(roomId);
    const before = new Set(seen.keys());
    const sent = await client.sendEvent(roomId, "m.room.message", { msgtype: "m.text", body: command.text });
    const answer = await until(() => [...seen.values()].find(
      (e) => !e.isDecryptionFailure() && e.getType() === "m.room.message" && replyTarget(e) === sent.event_id),
      command.timeout_ms ?? 15000);
    const undecryptable = [...seen.values()].filter((e) => !before.has(e.getId()) && e.isDecryptionFailure()).length;
    return { sent: sent.event_id, answer: answer ? answer.getContent().body : null, undecryptable_from_bot: undecryptable };
  }
  if (command.cmd === "quit") {
    client.stopClient();
    out({ bye: true });
    process.exit(0);
  }
  return { error: `unknown command ${command.cmd}` };
}

out({ ready: true, crypto: crypto.getVersion() });
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    out(await handle(JSON.parse(line)));
  } catch (error) {
    out({ error: String(error?.stack || error) });
  }
}
client.stopClient();
process.exit(0);
