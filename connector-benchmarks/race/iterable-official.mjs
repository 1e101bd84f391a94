// The race's Iterable racer: @iterable/api driven as its README shows (an IterableClient with an API
// key and a base URL), the CSV read with csv-parse (a dependency of @iterable/api), subscribed to a
// list named as the segment in batches of 1,000 with subscribeUserToList (POST /api/lists/subscribe,
// the endpoint the SDK uses). Usage: node iterable-official.mjs FILE LIST_NAME IN_FLIGHT
// Environment: ITERABLE_API_KEY, ITERABLE_BASE_URL. Prints "DELIVERED success=N fail=N batches=N".
// Exits 1 when a batch fails (the official client does not retry; the race counts such a run as lost).
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { IterableClient } from "@iterable/api";

const [file, listName, inFlightArg] = process.argv.slice(2);
const inFlight = Number(inFlightArg || "1");
const client = new IterableClient({
  apiKey: process.env.ITERABLE_API_KEY,
  baseUrl: process.env.ITERABLE_BASE_URL,
});

async function main() {
const { lists } = await client.getLists();
const existing = lists.find((l) => l.name === listName);
const listId = existing ? existing.id : (await client.createList({ name: listName })).listId;

let success = 0;
let fail = 0;
let batches = 0;
const pending = new Set();
function send(subscribers) {
  const p = client.subscribeUserToList({ listId, subscribers }).then((r) => {
    success += r.successCount;
    fail += r.failCount;
    batches++;
    pending.delete(p);
  });
  pending.add(p);
  return p;
}

let batch = [];
for await (const row of createReadStream(file).pipe(parse({ columns: true, bom: true }))) {
  batch.push({
    email: row.email,
    dataFields: { firstName: row.first_name, lastName: row.last_name },
  });
  if (batch.length === 1000) {
    const p = send(batch);
    batch = [];
    if (inFlight <= 1) {
      await p;
    } else if (pending.size >= inFlight) {
      await Promise.race(pending);
    }
  }
}
if (batch.length > 0) {
  send(batch);
}
await Promise.all(pending);
console.log(`DELIVERED success=${success} fail=${fail} batches=${batches}`);
}

main().catch((e) => {
  console.error(`failed: ${e.message}`);
  process.exit(1);
});
