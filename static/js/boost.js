/* Boosted forms and links (data-boost): the booking wizard's steps in one round trip each.

   A boosted form is sent with fetch and the header X-Boost; the server answers with the next
   page itself (its address in X-Boost-Url) instead of a redirect the phone must follow, so each
   step costs one request instead of two. The new page replaces the body, its address goes into
   the history, and Back reloads the page before (never kept in the browser: pages are no-store).
   Without this script, on an old browser, when the network fails or is too slow, the form posts
   and redirects as it always did. htmx would do the same but weighs 52 KB, half of a page's budget. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !window.DOMParser || !window.AbortController ||
      !window.history.pushState || !window.SubmitEvent || !("submitter" in SubmitEvent.prototype)) {
    return; // e.g. Safari before 15.4 cannot say which button was pressed ("Check" or "Next")
  }
  var WAIT_MS = 30000; // then the ordinary post, which the browser shows it is waiting for
  var busy = false;
  var moved = false;

  function scriptsLoaded(body) {
    // Scripts parsed by DOMParser never run: put fresh copies in, in order, and wait for them.
    var waits = [];
    body.querySelectorAll("script").forEach(function (old) {
      var script = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) { script.setAttribute(a.name, a.value); });
      script.textContent = old.textContent;
      if (script.src) {
        script.async = false;
        waits.push(new Promise(function (done) { script.onload = script.onerror = done; }));
      }
      old.replaceWith(script);
    });
    return Promise.all(waits);
  }

  function show(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.documentElement.lang = page.documentElement.lang;
    document.body.replaceWith(document.adoptNode(page.body));
    return scriptsLoaded(document.body).then(function () {
      // The address changes last: whoever waits for it finds the page and its scripts ready. The
      // same address again (an answer refused, a referral checked) does not add a step to Back.
      var address = new URL(url, window.location.href).href;
      if (address === window.location.href) {
        history.replaceState({ boosted: true }, "", address);
      } else {
        history.pushState({ boosted: true }, "", address);
      }
      moved = true;
      window.scrollTo(0, 0);
      // Where a screen reader and the keyboard go on: the first refused field, else the heading.
      var target = document.querySelector("main .is-invalid") || document.querySelector("main h1");
      if (target) {
        if (!target.matches("input, select, textarea, button")) { target.setAttribute("tabindex", "-1"); }
        target.focus();
      }
    });
  }

  function go(url, options, button, fallback) {
    busy = true;
    if (button) { button.disabled = true; }
    var stop = new AbortController();
    var timer = window.setTimeout(function () { stop.abort(); }, WAIT_MS);
    options.headers = { "X-Boost": "1" };
    options.credentials = "same-origin";
    options.signal = stop.signal;
    fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
      var address = response.headers.get("X-Boost-Url") || response.url;
      return response.text().then(function (html) {
        window.clearTimeout(timer);
        return show(html, address);
      });
    }).then(function () { busy = false; }, function () {
      window.clearTimeout(timer);
      busy = false;
      if (button) { button.disabled = false; }
      fallback();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-boost")) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
    event.preventDefault();
    if (busy) { return; } // a double tap: the first answer is on its way
    var button = event.submitter;
    var data = new FormData(form);
    if (button && button.name) { data.append(button.name, button.value); }
    // Not form.action or form.submit(): a field named "action" or "submit" hides them.
    var action = new URL(form.getAttribute("action") || "", window.location.href).href;
    var proto = HTMLFormElement.prototype;
    go(action, { method: "POST", body: data }, button, function () {
      form.removeAttribute("data-boost"); // the ordinary post, with the same button
      if (proto.requestSubmit) { proto.requestSubmit.call(form, button || undefined); return; }
      if (button && button.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = button.name;
        pressed.value = button.value;
        form.appendChild(pressed);
      }
      proto.submit.call(form);
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-boost]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    if (busy) { return; }
    go(link.href, { method: "GET" }, null, function () { window.location.href = link.href; });
  });

  window.addEventListener("popstate", function () {
    if (moved) { window.location.reload(); } // the page for the address now shown, fresh from the server
  });
})();
