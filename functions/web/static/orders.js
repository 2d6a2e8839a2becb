// The orders pages' script, an enhancement only: the pages work without it.
// - Shows <time> elements in the reader's own time zone.
// - On "my orders" (an element with data-live-url), polls that session-authenticated
//   fragment every 2 seconds while the tab is visible, swaps the table when it changed,
//   keeps keyboard focus on the same link, and announces status changes in the page's
//   status region (role="status"). On a 401 it stops and says the session ended.
(function () {
  "use strict";
  var FAST_MS = 2000;
  // Times in the page's language ("de", "en"), each in the reader's own time zone.
  var pageLanguage = document.documentElement.lang || undefined;
  var SLOWEST_MS = 30000;

  function localizeTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        var style = element.hasAttribute("data-time-only") ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" };
        element.textContent = when.toLocaleString(pageLanguage, style);
      }
    });
  }

  localizeTimes(document);
  // What the script says, in the page's language (the page carries the words).
  function words(name, fallback) {
    return (container && container.dataset[name]) || fallback;
  }
  var container = document.getElementById("orders");
  if (!container || !container.dataset.liveUrl) {
    return;
  }
  var url = container.dataset.liveUrl;
  var hint = document.getElementById("live-hint");
  var statusRegion = document.getElementById("live-status");
  var delay = FAST_MS;
  var timer = null;
  var lastFragment = null;
  var stopped = false;

  function statusesIn(root) {
    var statuses = {};
    root.querySelectorAll("tr[data-order-id]").forEach(function (row) {
      statuses[row.dataset.orderId] = row.dataset.status;
    });
    return statuses;
  }

  var known = statusesIn(container);

  function label(row) {
    var badge = row.querySelector(".status");
    return badge ? badge.textContent.trim() : row.dataset.status;
  }

  function announceChanges(fresh) {
    var messages = [];
    fresh.querySelectorAll("tr[data-order-id]").forEach(function (row) {
      var before = known[row.dataset.orderId];
      if (before === row.dataset.status) {
        return;
      }
      var prefix = before === undefined ? words("textNewOrder", "New order:") + " " : "";
      messages.push(prefix + row.dataset.description + ": " + label(row) + ".");
    });
    if (messages.length > 0 && statusRegion) {
      statusRegion.textContent = messages.join(" ");
    }
  }

  function swap(fragment) {
    var template = document.createElement("template");
    template.innerHTML = fragment;
    announceChanges(template.content);
    var focused = container.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    container.replaceChildren(template.content);
    known = statusesIn(container);
    localizeTimes(container);
    if (focused) {
      var again = Array.prototype.find.call(container.querySelectorAll("a[href]"), function (link) {
        return link.getAttribute("href") === focused;
      });
      if (again) {
        again.focus();
      }
    }
  }

  function stop(message) {
    stopped = true;
    clearTimeout(timer);
    if (hint) {
      hint.textContent = message;
    }
    if (statusRegion) {
      statusRegion.textContent = message;
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) {
      timer = setTimeout(poll, ms);
    }
  }

  function poll() {
    if (stopped || document.hidden) {
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401) {
          stop(words("textSignedOut", "You have been signed out. Reload the page to sign in again."));
          return null;
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (fragment) {
        if (fragment === null) {
          return;
        }
        if (fragment !== lastFragment) {
          lastFragment = fragment;
          swap(fragment);
        }
        delay = FAST_MS;
        schedule(delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, SLOWEST_MS);
        schedule(delay);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule(0);
    }
  });
  if (hint) {
    hint.textContent = words("textUpdating", "This list updates by itself.");
  }
  schedule(FAST_MS);
})();
