// Screen sharing: the whole screen only. A tab or window share is refused with an
// explanation; the candidate stopping the share (the track's `ended`) is noticed and reported.

import { Emitter } from "../js/emitter.js";
import { t } from "../js/i18n.js";

export class ScreenShare extends Emitter {
  constructor(video) {
    super();
    this.video = video;
    this.stream = null;
  }

  get isSharing() {
    return this.stream !== null;
  }

  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) {
      throw new Error(t("This browser cannot share the screen. Use a recent Chrome, Edge or Firefox."));
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { displaySurface: "monitor" },
        audio: false,
        monitorTypeSurfaces: "include",
        selfBrowserSurface: "exclude",
      });
    } catch (err) {
      if (err && err.name === "NotAllowedError") {
        throw new Error(t("Screen sharing was cancelled or blocked. Share your entire screen to continue."));
      }
      throw err;
    }
    const track = stream.getVideoTracks()[0];
    const surface = track.getSettings().displaySurface;
    if (surface && surface !== "monitor") {
      stream.getTracks().forEach((t) => t.stop());
      throw new Error(
        surface === "browser"
          ? t("You shared a browser tab. Please share your entire screen: choose “Entire screen” in the dialog.")
          : t("You shared a window. Please share your entire screen: choose “Entire screen” in the dialog."),
      );
    }
    this.stream = stream;
    this.video.srcObject = stream;
    await this.video.play().catch(() => {});
    track.addEventListener("ended", () => this._ended());
    this.emit("started");
  }

  _ended() {
    if (!this.stream) return;
    this.stream = null;
    this.video.srcObject = null;
    this.emit("ended");
  }

  stop() {
    if (!this.stream) return;
    this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
    this.emit("stopped");
  }
}
