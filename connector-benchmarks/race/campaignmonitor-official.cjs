// The race's Campaign Monitor racer: createsend-node driven as its README shows (new createsend(auth)
// and api.subscribers.import), the CSV read with csv-parse, imported in batches of 1,000 into the
// simulator's list. Usage: node campaignmonitor-official.cjs FILE LIST_ID IN_FLIGHT
// Environment: CREATESEND_API_KEY, CREATESEND_HOST (host:port, plain HTTP).
// createsend-node 0.8.2 calls API version "v3" (/api/v3/subscribers/{listid}/import.json); the
// simulator, like the SDK, speaks v3.3 only, so the driver sets the client's own version field to
// "v3.3" (the request body is the same; v3.2+ requires ConsentToTrack, which the driver sends).
// Prints "DELIVERED success=N fail=N batches=N"; exits 1 when a batch fails (no retries).
const fs = require("node:fs");
const { parse } = require("csv-parse");
const createsend = require("createsend-node");

const [file, listId, inFlightArg] = process.argv.slice(2);
const inFlight = Number(inFlightArg || "1");
const api = new createsend(
  { apiKey: process.env.CREATESEND_API_KEY },
  { secure: false, baseUri: process.env.CREATESEND_HOST }
);
api.version = "v3.3";

let success = 0;
let fail = 0;
let batches = 0;
const pending = new Set();
function send(subscribers) {
  const p = new Promise((resolve, reject) => {
    api.subscribers.import(
      listId,
      {
        Subscribers: subscribers,
        Resubscribe: false,
        QueueSubscriptionBasedAutoResponders: false,
        RestartSubscriptionBasedAutoresponders: false,
      },
      (err, result) => {
        if (err) {
          reject(err instanceof Error ? err : new Error(JSON.stringify(err).slice(0, 500)));
          return;
        }
        success += result.TotalNewSubscribers + result.TotalExistingSubscribers;
        fail += (result.FailureDetails || []).length;
        batches++;
        pending.delete(p);
        resolve();
      }
    );
  });
  pending.add(p);
  return p;
}

(async () => {
  let batch = [];
  for await (const row of fs.createReadStream(file).pipe(parse({ columns: true, bom: true }))) {
    batch.push({
      EmailAddress: row.email,
      Name: `${row.first_name} ${row.last_name}`,
      CustomFields: [],
      ConsentToTrack: "Unchanged",
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
})().catch((e) => {
  console.error(`failed: ${e.message}`);
  process.exit(1);
});
