// dyad map page: moving the date slider (or editing the date) recolours the map in place from
// /api/stance, without reloading. Without this script the form still works by reloading.
// Text from the data is only ever set with textContent, never as HTML.
"use strict";
(() => {
  const form = document.getElementById("controls");
  const map = document.getElementById("map");
  if (!form || !map) return;
  const on = document.getElementById("on");
  const slider = document.getElementById("day");
  const authority = document.getElementById("authority");
  const status = document.getElementById("status");
  const listBody = document.getElementById("list-body");
  const start = Date.parse(form.dataset.start + "T00:00:00Z");
  const DAY = 86400000;
  const toIso = (n) => new Date(start + n * DAY).toISOString().slice(0, 10);
  const toIndex = (iso) => Math.round((Date.parse(iso + "T00:00:00Z") - start) / DAY);
  const home = map.dataset.home;

  // Only the latest request may paint: answers can arrive out of order while sliding.
  let latest = 0;
  let timer = null;

  async function recolour(iso) {
    const ticket = ++latest;
    const id = authority.value;
    const url = `/api/stance?authority=${encodeURIComponent(id)}&on=${encodeURIComponent(iso)}`;
    let data;
    try {
      const res = await fetch(url);
      data = await res.json();
      if (!res.ok) throw new Error(data.error || res.statusText);
    } catch (e) {
      if (ticket === latest) status.textContent = `Could not load ${iso}: ${e.message}`;
      return;
    }
    if (ticket !== latest) return;
    const byActor = new Map(data.stances.map((s) => [s.actor, s]));
    for (const link of map.querySelectorAll("a[data-code]")) {
      const code = link.dataset.code;
      const s = byActor.get(code);
      const path = link.querySelector("path");
      let cls = "c ";
      let text;
      if (s) {
        cls += "l" + s.level + (s.level_uncertain ? " uncertain" : "");
        text = `level ${s.level}${s.level_uncertain ? "?" : ""}, ${s.level_name}`;
      } else if (code === home) {
        cls += "home";
        text = "the state the authority claims";
      } else {
        cls += "nodata";
        text = "no act recorded";
      }
      path.setAttribute("class", cls);
      path.querySelector("title").textContent = `${link.dataset.name}: ${text}`;
      link.setAttribute("href", `/pair/${code}/${id}?on=${iso}`);
    }
    renderList(data, id, iso);
    status.textContent =
      `${data.stances.length} actors with acts toward ${id} on ${iso}.` +
      (data.ended ? ` ${id} had ended: its last day was ${data.ended}.` : "");
    document.body.dataset.on = iso;
    history.replaceState(null, "", `/?authority=${encodeURIComponent(id)}&on=${iso}`);
  }

  function renderList(data, id, iso) {
    const names = new Map(
      [...map.querySelectorAll("a[data-code]")].map((a) => [a.dataset.code, a.dataset.name]),
    );
    const rows = [...data.stances].sort(
      (a, b) => b.level - a.level || a.actor_name.localeCompare(b.actor_name),
    );
    listBody.replaceChildren(
      ...rows.map((s) => {
        const tr = document.createElement("tr");
        tr.dataset.code = s.actor;
        const cell = (child) => {
          const td = document.createElement("td");
          td.append(child);
          tr.append(td);
        };
        const a = document.createElement("a");
        a.href = `/pair/${s.actor}/${id}?on=${iso}`;
        a.textContent = `${names.get(s.actor) || s.actor_name} (${s.actor})`;
        cell(a);
        const badge = document.createElement("span");
        badge.className = `badge l${s.level}`;
        badge.textContent = `${s.level}${s.level_uncertain ? "?" : ""} · ${s.level_name}`;
        cell(badge);
        cell(s.recognition.value);
        cell(s.envoys.value);
        cell(s.mission.value);
        return tr;
      }),
    );
  }

  function valid(iso) {
    return /^\d{4}-\d{2}-\d{2}$/.test(iso) && !Number.isNaN(Date.parse(iso + "T00:00:00Z"));
  }

  slider.addEventListener("input", () => {
    on.value = toIso(Number(slider.value));
    // Coalesce a fast drag into one request per 60 ms; the last position always gets painted.
    clearTimeout(timer);
    timer = setTimeout(() => recolour(on.value), 60);
  });
  on.addEventListener("change", () => {
    if (!valid(on.value)) return;
    slider.value = String(toIndex(on.value));
    recolour(on.value);
  });
  // A new authority changes the slider's range and the claimed state: reload the page for it,
  // with the date moved inside the new authority's period (an ended government has no stance
  // after its last day, one not yet begun none before its first).
  authority.addEventListener("change", () => {
    const chosen = authority.selectedOptions[0];
    if (chosen && valid(on.value)) {
      const from = chosen.dataset.from;
      const until = chosen.dataset.until || new Date().toISOString().slice(0, 10);
      if (from && on.value < from) on.value = from;
      if (on.value > until) on.value = until;
    }
    form.submit();
  });
  form.addEventListener("submit", (e) => {
    if (authority.value !== map.dataset.authority) return;
    e.preventDefault();
    if (valid(on.value)) recolour(on.value);
  });
})();
