// A small event emitter on top of EventTarget, shared by the page's stateful modules.
//
//   class Camera extends Emitter { … this.notify("started"); … }
//   camera.on("change", render);   // renderers listen to "change"

export class Emitter extends EventTarget {
  /** Fire `type` with `detail` (listeners read `event.detail`). */
  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Fire `type`, then "change": something a renderer should show has changed. */
  notify(type = "change", detail = {}) {
    this.emit(type, detail);
    if (type !== "change") this.emit("change", detail);
  }

  /** Listen; returns a function that stops listening. */
  on(type, listener) {
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }
}
