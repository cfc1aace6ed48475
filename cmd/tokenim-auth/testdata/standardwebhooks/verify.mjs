// Verifies webhook deliveries with the Standard Webhooks reference library
// (standardwebhooks on npm): reads a JSON array of {secret, headers, body}
// on stdin and prints a JSON array with, for each, "ok" and the payload's
// type, or the library's error.
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(({ secret, headers, body }) => {
  try {
    const payload = new Webhook(secret).verify(body, headers);
    return "ok " + payload.type;
  } catch (e) {
    return "refused: " + e.message;
  }
});
process.stdout.write(JSON.stringify(out));
