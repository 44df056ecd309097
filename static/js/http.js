// Small fetch helpers shared by every page module: JSON in and out, CSRF header, clear errors.

import { t } from "./i18n.js";

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network_error", body = null, retryAfter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.body = body;
    this.retryAfter = retryAfter; // seconds the server asked to wait (429, 503), or null
  }

  /** Worth retrying: the network or the server failed, not the request itself. */
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export async function requestJSON(url, { method = "GET", body, keepalive = false, signal } = {}) {
  const headers = { Accept: "application/json" };
  const form = typeof FormData !== "undefined" && body instanceof FormData;
  // FormData: the browser writes the multipart Content-Type with its boundary itself.
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      credentials: "same-origin",
      keepalive,
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(t("Could not reach the server. Check your connection."));
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.message) || t("The server answered {status}.", { status: response.status });
    const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(message, {
      status: response.status,
      code: data && data.code,
      body: data,
      retryAfter: Number.isFinite(retry) ? retry : null,
    });
  }
  return data;
}

export const getJSON = (url, opts) => requestJSON(url, { ...opts, method: "GET" });
export const postJSON = (url, body, opts) => requestJSON(url, { ...opts, method: "POST", body });
export const deleteJSON = (url, opts) => requestJSON(url, { ...opts, method: "DELETE" });
