// The server's clock as the page knows it. Times the page reports (a capture's captured_at, a
// page event's occurred_at) are dated by it: a computer whose clock runs minutes off still
// dates its record right. Every answer that carries the server's time refines the estimate;
// the one with the shortest round trip wins (its midpoint is the closest guess).
//
//   import { observe, serverNow } from "../js/clock.js";
//   observe(msg.server_time, sentAt, Date.now());
//   capture.capturedAt = serverNow();

let offsetMs = 0;
let bestRoundTripMs = Infinity;
let observedAt = 0;

/** An answer sent at `sentAt` and received at `receivedAt` (ms, Date.now()) said `serverIso`. */
export function observe(serverIso, sentAt, receivedAt = Date.now()) {
  const server = Date.parse(serverIso);
  if (!Number.isFinite(server) || !Number.isFinite(sentAt) || receivedAt < sentAt) return;
  const roundTrip = receivedAt - sentAt;
  // A better measurement, or an old one: clocks drift, and a sleeping laptop jumps.
  if (roundTrip <= bestRoundTripMs || receivedAt - observedAt > 5 * 60 * 1000) {
    bestRoundTripMs = roundTrip;
    observedAt = receivedAt;
    offsetMs = server - (sentAt + receivedAt) / 2;
  }
}

/** Milliseconds the server's clock is ahead of this computer's (negative: behind). */
export const clockOffsetMs = () => offsetMs;

/** Now, on the server's clock. */
export const serverNow = () => new Date(Date.now() + offsetMs);
