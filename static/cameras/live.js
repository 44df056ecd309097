// Watch live: peer-to-peer video of the camera, from the candidate's page to a reviewer's
// board (WebRTC). The server only routes the signalling (cameras/watch.py); the video never
// passes through it and is not recorded.
//
// Candidate:  const sender = new LiveSender(camera); mountWatchNotice(el, sender);
// Reviewer:   const viewer = new LiveViewer(board, userId); viewer.start(videoEl); viewer.stop();

import { Emitter } from "../js/emitter.js";
import { t } from "../js/i18n.js";

/** One peer connection with the ICE candidates that arrived before its remote description. */
class Peer {
  constructor(iceServers, onIce) {
    this.pc = new RTCPeerConnection({ iceServers: iceServers || [] });
    this.pending = [];
    this.pc.addEventListener("icecandidate", (e) => onIce(e.candidate ? e.candidate.toJSON() : null));
  }

  async remote(description) {
    await this.pc.setRemoteDescription(description);
    for (const candidate of this.pending.splice(0)) await this.pc.addIceCandidate(candidate);
  }

  async ice(candidate) {
    if (!candidate) return;
    if (this.pc.remoteDescription) await this.pc.addIceCandidate(candidate);
    else this.pending.push(candidate);
  }

  close() {
    this.pc.close();
  }
}

/** The candidate's side: answers the requests the server relays, with the camera track that
 * is already open (no new permission prompt); says who is watching for as long as they do. */
export class LiveSender extends Emitter {
  constructor(camera) {
    super();
    this.camera = camera;
    this.peers = new Map(); // watch_id → { peer, viewerName }
    camera.on("signal", (e) => this._onSignal(e.detail).catch(() => {}));
    camera.on("stopping", () => this.endAll()); // tells the server while the socket is open
    camera.on("stopped", () => this.endAll());
    window.addEventListener("pagehide", () => this.endAll());
  }

  get viewers() {
    return [...this.peers.values()].map((p) => p.viewerName);
  }

  async _onSignal(msg) {
    const entry = this.peers.get(msg.watch_id);
    if (msg.type === "watch.request") await this._start(msg);
    else if (msg.type === "watch.answer" && entry) await entry.peer.remote({ type: "answer", sdp: msg.sdp });
    else if (msg.type === "watch.ice" && entry) await entry.peer.ice(msg.candidate);
    else if (msg.type === "watch.end") this._drop(msg.watch_id);
  }

  async _start(msg) {
    const stream = this.camera.stream;
    const id = msg.watch_id;
    if (!stream) {
      this.camera.sendSignal({ type: "watch.end", watch_id: id });
      return;
    }
    const peer = new Peer(msg.ice_servers, (candidate) =>
      this.camera.sendSignal({ type: "watch.ice", watch_id: id, candidate }),
    );
    stream.getVideoTracks().forEach((track) => peer.pc.addTrack(track, stream));
    peer.pc.addEventListener("connectionstatechange", () => {
      if (peer.pc.connectionState === "failed") this.end(id);
    });
    this.peers.set(id, { peer, viewerName: msg.viewer_name || t("A reviewer") });
    this.notify("change");
    const offer = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(offer);
    this.camera.sendSignal({ type: "watch.offer", watch_id: id, sdp: offer.sdp });
  }

  /** Stop sending to one reviewer and tell the server. */
  end(id) {
    if (!this.peers.has(id)) return;
    this.camera.sendSignal({ type: "watch.end", watch_id: id });
    this._drop(id);
  }

  endAll() {
    for (const id of [...this.peers.keys()]) this.end(id);
  }

  _drop(id) {
    const entry = this.peers.get(id);
    if (!entry) return;
    entry.peer.close();
    this.peers.delete(id);
    this.notify("change");
  }
}

/** "Rita Reyes is watching your camera" — shown for as long as anyone watches. */
export function mountWatchNotice(el, sender) {
  const render = () => {
    const names = sender.viewers;
    el.hidden = names.length === 0;
    if (!names.length) return;
    el.textContent = names.length === 1
      ? t("{name} is watching your camera live.", { name: names[0] })
      : t("{names} and {last} are watching your camera live.", { names: names.slice(0, -1).join(", "), last: names.at(-1) });
  };
  sender.on("change", render);
  render();
}

const ERRORS = {
  too_many_viewers: "Too many reviewers are watching this candidate already; try again when one stops.",
  not_live: "This candidate's camera is not on right now.",
  not_visible: "This candidate is not on your board.",
};

/** The reviewer's side: one watch of one candidate, through the board's socket. States:
 * idle → connecting → live → ended (or error). */
export class LiveViewer extends Emitter {
  constructor(board, userId) {
    super();
    this.board = board;
    this.userId = userId;
    this.state = "idle";
    this.watchId = null;
    this.peer = null;
    this.message = "";
    this.video = null;
    this._off = board.on("message", (e) => this._onSignal(e.detail).catch((err) => this._fail(err.message)));
    this._offState = board.on("state", (e) => {
      // The board's socket closed: the server ended the watch with it.
      if (e.detail.state !== "live" && (this.state === "connecting" || this.state === "live")) {
        this._close("ended", "The board lost its connection; the live video ended.");
      }
    });
  }

  start(video) {
    this.video = video;
    this._set("connecting", "Connecting…");
    if (!this.board.send({ type: "watch.request", user_id: this.userId })) {
      this._set("error", "The board is not connected; try again in a moment.");
    }
  }

  stop() {
    if (this.state === "idle" || this.state === "ended" || this.state === "error") return;
    if (this.watchId) this.board.send({ type: "watch.end", watch_id: this.watchId });
    this._close("ended", "You stopped watching.");
  }

  dispose() {
    this.stop();
    this._off();
    this._offState();
  }

  async _onSignal(msg) {
    if (!msg || typeof msg.type !== "string" || !msg.type.startsWith("watch.")) return;
    if (msg.type === "watch.request" && msg.user_id === this.userId && this.state === "connecting" && !this.watchId) {
      this.watchId = msg.watch_id;
      this.iceServers = msg.ice_servers;
      return;
    }
    if (msg.type === "watch.error" && (msg.user_id === this.userId || (msg.watch_id && msg.watch_id === this.watchId))) {
      this._close("error", ERRORS[msg.code] || msg.message || "Live video is not available.");
      return;
    }
    if (!this.watchId || msg.watch_id !== this.watchId) return;
    if (msg.type === "watch.offer") await this._answer(msg.sdp);
    else if (msg.type === "watch.ice" && this.peer) await this.peer.ice(msg.candidate);
    else if (msg.type === "watch.end") this._close("ended", "The live video ended.");
  }

  async _answer(sdp) {
    const id = this.watchId;
    this.peer = new Peer(this.iceServers, (candidate) => this.board.send({ type: "watch.ice", watch_id: id, candidate }));
    this.peer.pc.addEventListener("track", (e) => {
      this.video.srcObject = e.streams[0] || new MediaStream([e.track]);
      this.video.play().catch(() => {});
    });
    this.peer.pc.addEventListener("connectionstatechange", () => {
      const s = this.peer?.pc.connectionState;
      if (s === "connected") this._set("live", "Live");
      else if (s === "failed") this._fail("The connection failed (a TURN server may be needed across networks).");
    });
    await this.peer.remote({ type: "offer", sdp });
    const answer = await this.peer.pc.createAnswer();
    await this.peer.pc.setLocalDescription(answer);
    this.board.send({ type: "watch.answer", watch_id: id, sdp: answer.sdp });
  }

  _fail(message) {
    if (this.watchId && this.state !== "ended") this.board.send({ type: "watch.end", watch_id: this.watchId });
    this._close("error", message);
  }

  _close(state, message) {
    if (this.peer) this.peer.close();
    this.peer = null;
    if (this.video) this.video.srcObject = null;
    this.watchId = null;
    this._set(state, message);
  }

  _set(state, message) {
    this.state = state;
    this.message = message;
    this.notify("change");
  }
}
