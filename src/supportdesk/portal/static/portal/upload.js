// Upload a log file to a case, resumably (the API's tus-like upload, docs/domain/attachments.md):
// 1. the file's SHA-256, read a slice at a time (no whole file in memory);
// 2. POST {filename, length, sha256} to the case's uploads: the upload's address;
// 3. PATCH one chunk after another from the upload's offset, with a progress bar;
// 4. after a dropped connection (or a refused chunk), HEAD the upload for its Upload-Offset
//    and go on from there, waiting a little longer each time;
// 5. the chunk that reaches the length completes it: the page reloads with the file listed.
// The same file chosen again after a reload resumes the upload it started (localStorage).
// No inline script: the page names everything in data- attributes of the form.
"use strict";

(() => {
  // --- SHA-256, incremental (FIPS 180-4) ---------------------------------------------------
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  class Sha256 {
    constructor() {
      this.h = new Uint32Array([
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
      ]);
      this.w = new Uint32Array(64);
      this.buffer = new Uint8Array(64);
      this.filled = 0;
      this.length = 0;
    }

    block(bytes, at) {
      const w = this.w;
      const h = this.h;
      for (let i = 0; i < 16; i++) {
        const j = at + i * 4;
        w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const a = w[i - 15];
        const b = w[i - 2];
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (k + S1 + ch + K[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }

    update(bytes) {
      let i = 0;
      this.length += bytes.length;
      if (this.filled) {
        const take = Math.min(64 - this.filled, bytes.length);
        this.buffer.set(bytes.subarray(0, take), this.filled);
        this.filled += take;
        i = take;
        if (this.filled < 64) return;
        this.block(this.buffer, 0);
        this.filled = 0;
      }
      for (; i + 64 <= bytes.length; i += 64) this.block(bytes, i);
      if (i < bytes.length) {
        this.buffer.set(bytes.subarray(i), 0);
        this.filled = bytes.length - i;
      }
    }

    hex() {
      const bits = this.length * 8;
      const tail = new Uint8Array(this.filled < 56 ? 64 - this.filled : 128 - this.filled);
      tail[0] = 0x80;
      const view = new DataView(tail.buffer);
      view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(tail.length - 4, bits >>> 0);
      const length = this.length;
      this.update(tail);
      this.length = length;
      return Array.from(this.h, (x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
    }
  }

  const HASH_SLICE = 4 * 1024 * 1024;

  async function sha256(file, progress) {
    const digest = new Sha256();
    for (let at = 0; at < file.size; at += HASH_SLICE) {
      const slice = await file.slice(at, at + HASH_SLICE).arrayBuffer();
      digest.update(new Uint8Array(slice));
      progress(Math.min(at + HASH_SLICE, file.size));
    }
    return digest.hex();
  }

  // --- the upload --------------------------------------------------------------------------
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  class Refused extends Error {}

  function text(form, name, values) {
    let out = form.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) out = out.replace(`{${key}}`, value);
    return out;
  }

  function refusal(xhr) {
    try {
      const body = JSON.parse(xhr.responseText);
      return body.errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join(" ");
    } catch (e) {
      return `${xhr.status} ${xhr.statusText}`;
    }
  }

  function request(method, url, csrf, { body, headers, onprogress } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
      if (onprogress) xhr.upload.onprogress = onprogress;
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("network"));
      xhr.onabort = () => reject(new Error("aborted"));
      xhr.send(body === undefined ? null : body);
    });
  }

  async function offsetOf(url, csrf) {
    const xhr = await request("HEAD", url, csrf);
    if (xhr.status !== 200) throw new Refused(refusal(xhr));
    return Number(xhr.getResponseHeader("Upload-Offset"));
  }

  async function start(form, file, digest, csrf) {
    const memory = `supportdesk-upload:${form.dataset.uploadUrl}:${file.name}:${file.size}:${digest}`;
    const known = window.localStorage && localStorage.getItem(memory);
    if (known) {
      try {
        return { url: known, offset: await offsetOf(known, csrf), memory };
      } catch (e) {
        localStorage.removeItem(memory); // expired or gone: start again
      }
    }
    const xhr = await request("POST", form.dataset.uploadUrl, csrf, {
      body: JSON.stringify({ filename: file.name, length: file.size, sha256: digest }),
      headers: { "Content-Type": "application/json" },
    });
    if (xhr.status !== 201) throw new Refused(refusal(xhr));
    const url = JSON.parse(xhr.responseText).url;
    if (window.localStorage) localStorage.setItem(memory, url);
    return { url, offset: 0, memory };
  }

  async function send(form, file, upload, csrf, show) {
    const chunk = Number(form.dataset.chunkBytes) || 8 * 1024 * 1024;
    let offset = upload.offset;
    let failures = 0;
    while (offset < file.size) {
      const end = Math.min(offset + chunk, file.size);
      let xhr = null;
      try {
        xhr = await request("PATCH", upload.url, csrf, {
          body: file.slice(offset, end),
          headers: {
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": String(offset),
          },
          onprogress: (event) => show("sending", offset + event.loaded),
        });
      } catch (e) {
        xhr = null; // the connection dropped: ask where the upload stands
      }
      if (xhr && xhr.status === 200) {
        offset = Number(xhr.getResponseHeader("Upload-Offset"));
        failures = 0;
        show("sending", offset);
        continue;
      }
      if (xhr && (xhr.status === 422 || xhr.status === 404 || xhr.status === 403)) {
        throw new Refused(refusal(xhr)); // the file was refused: resending will not help
      }
      failures += 1;
      if (failures > 8) throw new Refused(text(form, "textGaveUp"));
      const wait = Math.min(30, 2 ** (failures - 1));
      show("retrying", offset, wait);
      await sleep(wait * 1000);
      try {
        offset = await offsetOf(upload.url, csrf);
      } catch (e) {
        if (e instanceof Refused) throw e;
        // still offline: the next round waits longer
      }
    }
  }

  function setUp(form) {
    const input = form.querySelector('input[type="file"]');
    const bar = form.querySelector("progress");
    const box = form.querySelector(".upload-progress");
    const status = form.querySelector(".upload-status");
    const button = form.querySelector('button[type="submit"]');
    const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = input.files && input.files[0];
      if (!file) {
        status.textContent = text(form, "textChoose");
        input.focus();
        return;
      }
      button.disabled = true;
      box.hidden = false;
      const show = (what, done, seconds) => {
        const percent = file.size ? Math.floor((done * 100) / file.size) : 100;
        bar.value = percent;
        const key = { hashing: "textHashing", sending: "textSending", retrying: "textRetrying" }[what];
        status.textContent = text(form, key, { percent, seconds });
      };
      try {
        const digest = await sha256(file, (done) => show("hashing", done));
        const upload = await start(form, file, digest, csrf);
        show("sending", upload.offset);
        await send(form, file, upload, csrf, show);
        if (window.localStorage) localStorage.removeItem(upload.memory);
        bar.value = 100;
        status.textContent = text(form, "textDone");
        window.location.hash = "attachments";
        window.location.reload();
      } catch (e) {
        status.textContent = text(form, "textFailed", { reason: e.message });
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-upload-url]").forEach(setUp);
  });
})();
