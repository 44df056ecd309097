// The WebSocket URL of a path on this site: wss:// behind HTTPS, ws:// on plain HTTP.

export function wsUrl(path) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}
