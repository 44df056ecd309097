// The monitoring images client: what the seed's useMonitoringImages hook offers, as a plain
// ES module. State (isUploading, uploadError) changes fire a "change" event.
//
//   import { MonitoringImages } from "/static/monitoring/client.js";
//   const images = new MonitoringImages({ applicationId: 7 });
//   await images.uploadCamera(images.captureCamera(videoElement));

import { Emitter } from "../js/emitter.js";
import { deleteJSON, getJSON, postJSON } from "../js/http.js";
import { t } from "../js/i18n.js";

const MAX_SCREEN_WIDTH = 1920;

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A data: URL's bytes as a Blob (no base64 on the wire: the upload goes as multipart). */
export function dataUrlToBlob(dataUrl) {
  const comma = dataUrl.startsWith("data:") ? dataUrl.indexOf(",") : -1;
  const meta = comma >= 0 ? dataUrl.slice(5, comma) : "image/jpeg"; // "image/jpeg;base64"
  const binary = atob(comma >= 0 ? dataUrl.slice(comma + 1) : dataUrl); // or bare base64
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: meta.split(";")[0] || "application/octet-stream" });
}

/** Draw a video frame to a canvas and return a JPEG data URL (quality 0.8), scaled to maxWidth. */
export function captureFrame(video, { maxWidth = Infinity, quality = 0.8 } = {}) {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new Error(t("The video has no frame yet."));
  const scale = Math.min(1, maxWidth / w);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(h * scale);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", quality);
}

export class MonitoringImages extends Emitter {
  constructor({ applicationId, apiRoot = "/api" }) {
    super();
    this.applicationId = applicationId;
    this.apiRoot = apiRoot;
    this.isUploading = false;
    this.uploadError = null;
    this._inflight = 0;
  }

  get imagesUrl() {
    return `${this.apiRoot}/applications/${this.applicationId}/monitoring-images/`;
  }

  _set(state) {
    Object.assign(this, state);
    this.emit("change", { isUploading: this.isUploading, uploadError: this.uploadError });
  }

  /** Upload one capture. Pass the same clientId to retry safely: the server stores it once. */
  async upload(imageType, imageData, { clientId = uuid4(), capturedAt = new Date() } = {}) {
    this._inflight += 1;
    this._set({ isUploading: true });
    try {
      // multipart/form-data: the image as a file, a third smaller than base64 JSON and no
      // base64 to decode on the server (the JSON form stays accepted for other clients).
      const form = new FormData();
      form.append("image_type", imageType);
      const blob = typeof imageData === "string" ? dataUrlToBlob(imageData) : imageData;
      form.append("image", blob, `${imageType}.jpg`);
      form.append("client_id", clientId);
      form.append("captured_at", capturedAt.toISOString());
      const result = await postJSON(this.imagesUrl, form);
      this._set({ uploadError: null });
      return result;
    } catch (err) {
      this._set({ uploadError: err });
      throw err;
    } finally {
      this._inflight -= 1;
      this._set({ isUploading: this._inflight > 0 });
    }
  }

  uploadCamera(imageData, opts) {
    return this.upload("camera", imageData, opts);
  }

  uploadScreen(imageData, opts) {
    return this.upload("screen", imageData, opts);
  }

  /** {camera: [...], screen: [...]}, oldest first; `since` (Date or ISO) pages forward. */
  getImages({ since, limit } = {}) {
    const params = new URLSearchParams();
    if (since) params.set("since", since instanceof Date ? since.toISOString() : since);
    if (limit) params.set("limit", String(limit));
    const query = params.toString();
    return getJSON(this.imagesUrl + (query ? `?${query}` : ""));
  }

  async getImageUrl(s3Key) {
    const body = await getJSON(`${this.apiRoot}/monitoring-images/signed-url?s3_key=${encodeURIComponent(s3Key)}`);
    return body.url;
  }

  /** One request for up to 200 keys; the answer holds only the keys the caller may see. */
  async getImageUrls(s3Keys) {
    const urls = {};
    for (let i = 0; i < s3Keys.length; i += 200) {
      const body = await postJSON(`${this.apiRoot}/monitoring-images/signed-urls`, { s3_keys: s3Keys.slice(i, i + 200) });
      Object.assign(urls, body.urls);
    }
    return urls;
  }

  deleteImage(imageId) {
    return deleteJSON(`${this.imagesUrl}${imageId}/`);
  }

  captureCamera(video) {
    return captureFrame(video);
  }

  captureScreen(video) {
    return captureFrame(video, { maxWidth: MAX_SCREEN_WIDTH });
  }
}

export { uuid4 };
