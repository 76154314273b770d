// The window terminal (templates/public/kiosk.html): on-screen keypad, QR scanning by the device camera
// (jsQR, from npm, served from static/vendor/), and back to the start screen after the idle time.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.dataset.idleSeconds, 10) || 60;
  var start = body.dataset.start;
  var number = document.getElementById("id_number");
  var code = document.getElementById("id_code");
  var target = number;

  // Idle: any touch, key or scan keeps the screen; otherwise it goes back to a clean start (no one else's
  // status left on it). The start screen with nothing typed stays as it is.
  var timer = null;
  function untouchedStart() {
    return number && !number.value && code && !code.value && !document.querySelector("[data-testid=refused]");
  }
  function arm() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (!untouchedStart()) window.location.replace(start);
      else arm();
    }, idleSeconds * 1000);
  }
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  arm();

  // Done replaces the result in the history, so a back gesture cannot bring the last person's status back.
  var done = document.querySelector("[data-testid=kiosk-done]");
  if (done) {
    done.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(start);
    });
  }

  if (!number) return; // the result screen: only the idle timer and the Done button

  [number, code].forEach(function (field) {
    field.addEventListener("focus", function () { target = field; });
  });
  document.querySelectorAll(".keypad button").forEach(function (button) {
    // Keep the focus (and the caret) in the field being typed, not on the key.
    button.addEventListener("pointerdown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      if (button.dataset.key) target.value += button.dataset.key;
      else if (button.dataset.action === "backspace") target.value = target.value.slice(0, -1);
      else if (button.dataset.action === "clear") target.value = "";
      target.focus();
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // The receipt's QR code holds the status address with ?number=...; take the number from it.
  function numberFrom(text) {
    try {
      var found = new URL(text).searchParams.get("number");
      if (found) return found;
    } catch (notAUrl) { /* a bare number */ }
    return text.trim().slice(0, 64);
  }

  var scan = document.querySelector(".kiosk-scan");
  var canUseCamera = navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR;
  if (!scan || !canUseCamera) return;
  scan.hidden = false;
  var video = scan.querySelector("video");
  var state = scan.querySelector(".kiosk-scan-state");
  var canvas = document.createElement("canvas");
  var stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
  }
  function frame() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var result = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (result && result.data) {
        number.value = numberFrom(result.data);
        stop();
        state.textContent = scan.dataset.found || "";
        target = code;
        code.focus();
        arm();
        return;
      }
    }
    window.requestAnimationFrame(frame);
  }
  scan.querySelector(".kiosk-scan-start").addEventListener("click", function () {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(frame); })
      .catch(function () {
        stop();
        state.textContent = scan.dataset.noCamera || "";
      });
  });
})();
