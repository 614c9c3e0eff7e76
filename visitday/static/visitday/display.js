// The waiting-room display: polls its state (ETag/304), redraws it, and announces each new call
// once: a chime, then the call spoken by the server (espeak-ng), or by the browser's own voice
// when the server has none. Browsers block sound until someone touches the page once, hence the
// "Turn on sound" button (a TV started with --autoplay-policy=no-user-gesture-required skips it).
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var text = function (name) { return root.getAttribute("data-text-" + name) || ""; };
  var dataUrl = root.getAttribute("data-url");
  var chimeUrl = root.getAttribute("data-chime");
  var pollMs = parseInt(root.getAttribute("data-poll-ms"), 10) || 1500;
  var storageKey = root.getAttribute("data-storage-key");
  var soundButton = document.getElementById("sound-on");
  var offline = document.getElementById("offline");
  var state = JSON.parse(document.getElementById("display-state").textContent);
  var etag = null;
  var soundOn = false;
  var lastOk = Date.now();
  var failures = 0;
  var queue = [];
  var speaking = false;

  function stored() {
    try { return parseInt(window.localStorage.getItem(storageKey), 10) || 0; } catch (e) { return 0; }
  }
  function store(id) {
    try { window.localStorage.setItem(storageKey, String(id)); } catch (e) { /* private mode */ }
  }
  // Calls made before this page opened are shown, not announced.
  var lastAnnounced = Math.max(stored(), state.latest_id || 0);
  store(lastAnnounced);

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = content; }
    return node;
  }

  function placeCard(name, detail, label, next, waiting, highlight) {
    var card = el("div", "display-card" + (highlight ? " display-card-new" : ""));
    card.appendChild(el("div", "display-card-place", name));
    if (detail) { card.appendChild(el("div", "display-card-detail", detail)); }
    card.appendChild(el("div", "display-card-label", label || "–"));
    if (next && next.length) {
      card.appendChild(el("div", "display-card-next", text("next") + ": " + next.join("  ")));
    } else if (waiting !== undefined) {
      card.appendChild(el("div", "display-card-next", "\u00a0"));
    }
    return card;
  }

  function render(data, fresh) {
    var latest = data.recent.length ? data.recent[0] : null;
    document.getElementById("now-label").textContent = latest ? latest.label : "–";
    document.getElementById("now-place").textContent = latest
      ? latest.place + (latest.detail ? " · " + latest.detail : "")
      : text("none");
    var places = document.getElementById("places");
    places.replaceChildren();
    data.counters.forEach(function (c) {
      places.appendChild(placeCard(c.name, "", c.label, null, undefined, fresh[c.call_id]));
    });
    data.clinics.forEach(function (c) {
      places.appendChild(placeCard(c.name, c.detail, c.label, c.next, c.waiting, fresh[c.call_id]));
    });
    var recent = document.getElementById("recent");
    recent.replaceChildren();
    data.recent.forEach(function (call) {
      var item = el("li", "display-recent-item");
      item.appendChild(el("span", "display-recent-label", call.label));
      item.appendChild(el("span", "display-recent-place",
        call.place + (call.detail ? " · " + call.detail : "") + (call.kind === "recall" ? " (" + text("recall") + ")" : "")));
      item.appendChild(el("span", "display-recent-time", call.time));
      recent.appendChild(item);
    });
    var lines = document.getElementById("lines");
    lines.replaceChildren();
    data.lines.forEach(function (line) {
      var box = el("div", "display-line");
      box.appendChild(el("span", "display-line-name", line.letter + " · " + line.name));
      box.appendChild(el("span", "display-line-next",
        text("next") + ": " + (line.next.length ? line.next.join("  ") : "–") + " (" + line.waiting + " " + text("waiting") + ")"));
      lines.appendChild(box);
    });
  }

  // --- sound -------------------------------------------------------------------------------
  function play(url, then) {
    var audio = url instanceof window.HTMLAudioElement ? url : new window.Audio(url);
    var done = false;
    var finish = function () { if (!done) { done = true; then(); } };
    audio.addEventListener("ended", finish);
    audio.addEventListener("error", finish);
    window.setTimeout(finish, 15000); // never stuck behind one clip
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(finish); }
  }

  function browserSpeak(sentence, then) {
    if (!("speechSynthesis" in window)) { then(); return; }
    var utterance = new window.SpeechSynthesisUtterance(sentence);
    utterance.lang = "id-ID";
    utterance.rate = 0.9;
    utterance.onend = then;
    utterance.onerror = then;
    window.speechSynthesis.speak(utterance);
  }

  function nextAnnouncement() {
    if (speaking || !queue.length) { return; }
    speaking = true;
    var call = queue.shift();
    var finished = function () { speaking = false; nextAnnouncement(); };
    // The spoken call is fetched at once, so it is ready when the chime ends.
    var voice = call.audio ? new window.Audio(call.audio) : null;
    if (voice) { voice.preload = "auto"; voice.load(); }
    play(chimeUrl, function () {
      if (voice) {
        play(voice, finished);
      } else {
        browserSpeak(call.text, finished);
      }
    });
  }

  function announce(calls) {
    calls.forEach(function (call) {
      root.setAttribute("data-announced", String(call.id));
      if (soundOn) { queue.push(call); }
    });
    nextAnnouncement();
  }

  function enableSound() {
    soundOn = true;
    soundButton.hidden = true;
    play(chimeUrl, function () { /* the chime says the sound works */ });
  }
  soundButton.addEventListener("click", enableSound);
  // Started with an autoplay policy that needs no gesture: no button needed.
  (function probe() {
    var silent = new window.Audio(chimeUrl);
    silent.volume = 0;
    var attempt = silent.play();
    if (attempt && attempt.then) {
      attempt.then(function () { silent.pause(); soundOn = true; soundButton.hidden = true; }).catch(function () {});
    }
  }());

  // --- polling -----------------------------------------------------------------------------
  function received(data) {
    var continuous = Date.now() - lastOk < 10000; // after an outage, old calls are not announced
    var fresh = {};
    var calls = data.recent.filter(function (c) { return c.id > lastAnnounced; }).reverse();
    calls.forEach(function (c) { fresh[c.id] = true; });
    render(data, fresh);
    if (calls.length) {
      lastAnnounced = calls[calls.length - 1].id;
      store(lastAnnounced);
      if (continuous) { announce(calls); }
    }
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    window.fetch(dataUrl, { headers: headers, cache: "no-store", credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (data) { received(data); }
        lastOk = Date.now();
        failures = 0;
        offline.hidden = true;
      })
      .catch(function () {
        failures += 1;
        offline.textContent = text("offline");
        offline.hidden = false;
        if (failures > 40) { window.location.reload(); } // signed out, or a new version: start over
      })
      .then(function () { window.setTimeout(poll, pollMs); });
  }

  function tick() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    document.getElementById("display-clock").textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  render(state, {});
  tick();
  window.setInterval(tick, 10000);
  window.setTimeout(poll, pollMs);
}());
