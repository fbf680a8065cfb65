// Live updates for gatekeeper serve: poll the JSON API and update the page in place.
// Served as a file (the Content-Security-Policy allows no inline script).
"use strict";

const POLL_MS = 2000;

function setText(root, field, text) {
  const node = root.querySelector(`[data-field="${field}"]`);
  if (node && node.textContent !== text) node.textContent = text;
  return node;
}

function setDecision(node, decision) {
  if (!node) return;
  node.textContent = decision;
  node.className = `decision decision-${decision}`;
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
    return null;
  }
  return response.ok ? response.json() : null;
}

function pollOverview(root) {
  const tick = async () => {
    const summary = await getJson(root.dataset.poll);
    if (summary) {
      setDecision(root.querySelector('[data-field="decision"]'), summary.decision);
      for (const decision of ["allow", "warn", "block"]) {
        const node = root.querySelector(`[data-count="${decision}"]`);
        if (node) node.textContent = String(summary.counts[decision] || 0);
      }
      setText(root, "total", String(summary.total));
      setText(root, "pending_jobs", String(summary.pending_jobs));
      const last = summary.last_event;
      if (last) {
        const on = last.app ? ` on ${last.app}` : "";
        setText(root, "last_event", `${last.resource} ${last.action}${on} at ${last.received_at}`);
      }
    }
    window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

function pollApp(root) {
  const name = root.dataset.pollApp;
  let checkedAt = root.querySelector('[data-field="checked_at"]').textContent;
  const tick = async () => {
    const app = await getJson(`/api/v1/apps/${encodeURIComponent(name)}`);
    if (app) {
      setDecision(root.querySelector('[data-field="decision"]'), app.decision);
      setText(root, "source", app.source);
      if (app.checked_at !== checkedAt) {
        checkedAt = app.checked_at;
        setText(root, "checked_at", app.checked_at);
        root.querySelector('[data-field="changed"]').hidden = false;
      }
    }
    window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  const overview = document.querySelector("[data-poll]");
  if (overview) pollOverview(overview);
  const app = document.querySelector("[data-poll-app]");
  if (app) pollApp(app);
});
