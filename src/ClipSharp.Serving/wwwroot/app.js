// ClipSharp search page: plain JavaScript over the JSON API of the same server (no build step).
"use strict";
const $ = (id) => document.getElementById(id);
const state = { query: null, offset: 0, k: 24 };

function apiKey() { return localStorage.getItem("clipsharp-api-key") || ""; }

async function api(path, init = {}) {
  const headers = new Headers(init.headers || {});
  if (apiKey()) headers.set("X-Api-Key", apiKey());
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) {
    const key = prompt("This server needs an API key:");
    if (key) { localStorage.setItem("clipsharp-api-key", key); return api(path, init); }
  }
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  if (!res.ok) throw new Error(body ? `${body.error}: ${body.detail}` : `HTTP ${res.status}`);
  return body;
}

function status(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

// query: { text } | { id } | { file }; append: a further page of the same query
async function search(query, append = false) {
  state.query = query;
  state.offset = append ? state.offset + state.k : 0;
  let init;
  if (query.file) {
    const form = new FormData();
    form.append("image", query.file);
    form.append("k", state.k);
    form.append("offset", state.offset);
    init = { method: "POST", body: form };
  } else {
    init = { method: "POST", headers: { "Content-Type": "application/json" },
             body: JSON.stringify({ ...query, k: state.k, offset: state.offset }) };
  }
  status("Searching…");
  try {
    const r = await api("/search", init);
    render(r.results, append);
    const what = query.text ? `“${query.text}”` : query.file ? `image ${query.file.name}` : "items like the selected one";
    status(`${state.offset + r.results.length} of ${r.total} items for ${what} (${r.milliseconds.toFixed(1)} ms)`);
    $("more").hidden = r.results.length < state.k;
  } catch (e) { status(e.message, true); }
}

function render(results, append) {
  const grid = $("results");
  if (!append) grid.replaceChildren();
  for (const r of results) {
    const card = document.createElement("div");
    card.className = "card";
    card.tabIndex = 0;
    card.dataset.id = r.id;
    const img = document.createElement("img");
    img.loading = "lazy";
    img.alt = r.path;
    img.src = `/items/${r.id}/thumbnail`;
    const meta = document.createElement("div");
    meta.className = "meta";
    const score = document.createElement("div");
    score.className = "score";
    score.textContent = r.score.toFixed(3);
    const path = document.createElement("div");
    path.className = "path";
    path.textContent = r.path;
    path.title = r.path;
    meta.append(score, path);
    card.append(img, meta);
    card.addEventListener("click", () => details(r.id));
    card.addEventListener("keydown", (e) => { if (e.key === "Enter") details(r.id); });
    grid.append(card);
  }
}

async function details(id) {
  try {
    const item = await api(`/items/${id}`);
    $("detail-image").src = `/items/${id}/thumbnail?size=512`;
    $("detail-image").alt = item.path;
    const dl = $("detail-meta");
    dl.replaceChildren();
    for (const [k, v] of Object.entries({ path: item.path, id: item.id, size: `${item.size} bytes`, modified: item.modified, row: item.row })) {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      dl.append(dt, dd);
    }
    $("like-this").onclick = () => { $("details").hidden = true; search({ id }); };
    $("details").hidden = false;
  } catch (e) { status(e.message, true); }
}

function searchFile(file) {
  if (!file) return;
  $("query").value = "";
  search({ file });
}

$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("query").value.trim();
  if (text) search({ text });
});
$("file").addEventListener("change", (e) => searchFile(e.target.files[0]));
$("more").addEventListener("click", () => search(state.query, true));
$("close").addEventListener("click", () => { $("details").hidden = true; });
const drop = $("drop");
for (const ev of ["dragenter", "dragover"]) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
for (const ev of ["dragleave", "drop"]) drop.addEventListener(ev, () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); searchFile(e.dataTransfer.files[0]); });
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => { e.preventDefault(); if (e.target !== drop) searchFile(e.dataTransfer?.files[0]); });
api("/healthz").then((h) => {
  status(`${h.items} items indexed with ${h.model}. Type a query or drop an image.`);
  const q = new URLSearchParams(location.search).get("q");   // a shareable query: /?q=a+red+circle
  if (q) { $("query").value = q; search({ text: q }); }
}).catch((e) => status(e.message, true));
