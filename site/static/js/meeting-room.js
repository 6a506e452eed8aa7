/* The live meeting room. The page already holds the whole history (rendered by the server), so
   it works without this script; with it, new messages arrive live. Reconnects with back-off,
   says so in an aria-live region, and asks for everything after the last number it saw. */
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room || !("WebSocket" in window)) { return; }
  var T = JSON.parse(document.getElementById("room-strings").textContent);
  var statusEl = document.getElementById("room-status");
  var list = document.getElementById("messages");
  var presenceEl = document.getElementById("presence");
  var queueEl = document.getElementById("queue");
  var form = document.getElementById("composer");
  var me = room.dataset.user;
  var coordinator = room.dataset.coordinator === "1";
  var closed = room.dataset.closed === "1";
  // Highest number up to which nothing is missing; later numbers wait in `pending`.
  var lastSeq = parseInt(room.dataset.lastSeq, 10) || 0;
  var pending = {};
  var socket = null, attempt = 0, timer = null, myHandRaised = false;

  function say(text) { statusEl.textContent = text; }

  function advance(rev) {
    if (rev <= lastSeq) { return; }
    pending[rev] = true;
    while (pending[lastSeq + 1]) { delete pending[lastSeq + 1]; lastSeq += 1; }
    if (Object.keys(pending).length && socket && socket.readyState === 1) {
      // A gap (for example after the server could not broadcast): ask for what is missing.
      socket.send(JSON.stringify({ type: "hello", last_seq: lastSeq }));
    }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // A message's text, with the readings the server sent for a person who reads with furigana
  // (`body_ruby`: strings and [base, reading] pairs), on Japanese pages. Text nodes only: the
  // message can never become markup.
  var japanese = (document.documentElement.lang || "").indexOf("ja") === 0;
  function bodyText(tag, cls, m) {
    var node = el(tag, cls);
    if (!japanese || !Array.isArray(m.body_ruby)) { node.textContent = m.body; return node; }
    m.body_ruby.forEach(function (piece) {
      if (typeof piece === "string") { node.appendChild(document.createTextNode(piece)); return; }
      var ruby = el("ruby");
      ruby.appendChild(document.createTextNode(String(piece[0])));
      ruby.appendChild(el("rp", "", "(")); ruby.appendChild(el("rt", "", String(piece[1]))); ruby.appendChild(el("rp", "", ")"));
      node.appendChild(ruby);
    });
    return node;
  }
  // The text as written, without the readings (to edit it).
  function writtenText(node) {
    if (!node) { return ""; }
    var copy = node.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("rt, rp"), function (r) { r.remove(); });
    return copy.textContent;
  }

  // Japan time, 24-hour, as the history the server renders (whatever the device's time zone).
  function render(m) {
    var li = document.getElementById("m" + m.seq);
    if (li && parseInt(li.dataset.rev, 10) >= m.rev) { return; }
    var mine = (m.mentions || []).indexOf(parseInt(me, 10)) >= 0;
    var fresh = el("li", "room-message" + (m.deleted || m.hidden ? " room-message-removed" : "") + (mine ? " room-mentioned" : ""));
    fresh.id = "m" + m.seq;
    fresh.dataset.seq = m.seq; fresh.dataset.rev = m.rev; fresh.dataset.author = m.author.id || "";
    if (m.thread) { fresh.dataset.thread = m.thread; }
    var meta = el("p", "room-meta");
    meta.appendChild(el("strong", "", m.author.name || "—"));
    var time = el("time", "", new Date(m.created_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Asia/Tokyo" }));
    time.setAttribute("datetime", m.created_at);
    meta.appendChild(document.createTextNode(" ")); meta.appendChild(time);
    if (m.reply_to && m.reply_to !== m.thread) {  // a reply to a reply names whom it answers
      var link = el("a", "", T.reply_to + " #" + m.reply_to); link.href = "#m" + m.reply_to;
      meta.appendChild(document.createTextNode(" · ")); meta.appendChild(link);
    }
    if (m.edited) { meta.appendChild(document.createTextNode(" · " + T.edited)); }
    fresh.appendChild(meta);
    if (m.deleted) { fresh.appendChild(el("p", "room-body help", T.deleted)); }
    else if (m.hidden) { fresh.appendChild(el("p", "room-body help", T.hidden + " " + m.hidden_reason)); }
    else if (m.content_note) {
      var details = el("details", "room-body");
      details.appendChild(el("summary", "", T.content_note));
      details.appendChild(bodyText("p", "", m));
      fresh.appendChild(details);
    } else { fresh.appendChild(bodyText("p", "room-body", m)); }
    if (!closed && !m.deleted && (!m.hidden || coordinator)) { fresh.appendChild(actions(m)); }
    if (li) {
      // A changed message keeps the thread under it (its replies do not change with it).
      var kept = li.querySelector(":scope > .room-replies-thread");
      if (kept) { fresh.appendChild(kept); }
      li.replaceWith(fresh); return;
    }
    var none = document.getElementById("no-messages"); if (none) { none.remove(); }
    var root = m.thread ? document.getElementById("m" + m.thread) : null;
    var into = root ? threadList(root) : list;  // a thread whose first message is not here: at the top
    // Insert in sequence order (live events may arrive slightly out of order).
    var after = null;
    Array.prototype.forEach.call(into.children, function (child) {
      if (parseInt(child.dataset.seq, 10) > m.seq && !after) { after = child; }
    });
    into.insertBefore(fresh, after);
    if (root) {
      countReplies(root);
      if (String(m.author.id) === me) { root.querySelector(":scope > .room-replies-thread").open = true; }
    }
  }

  // Threads: the replies to a message sit under it in a <details> (a button to the keyboard and
  // to screen readers, open or closed), with their count in its summary.
  function threadList(root) {
    var details = root.querySelector(":scope > .room-replies-thread");
    if (!details) {
      details = el("details", "room-replies-thread");
      details.id = "t" + root.dataset.seq;
      details.appendChild(el("summary"));
      details.appendChild(el("ol", "room-replies"));
      root.appendChild(details);
    }
    return details.querySelector(":scope > .room-replies");
  }
  function countReplies(root) {
    var details = root.querySelector(":scope > .room-replies-thread");
    var n = details.querySelector(":scope > .room-replies").children.length;
    details.querySelector(":scope > summary").textContent = (n === 1 ? T.replies_one : T.replies_other).replace("%(n)s", n);
  }
  function replyTo(seq, name) {
    form.elements.reply_to.value = seq;
    var r = document.getElementById("replying"); r.hidden = false;
    document.getElementById("replying-text").textContent = T.replying + " " + (name || "");
    form.elements.body.focus();
  }
  function cancelReply() {
    form.elements.reply_to.value = "";
    document.getElementById("replying").hidden = true;
  }

  // One dialog for every question the room asks (edit, hide, restore, delete): a real <dialog>
  // that keeps focus inside, closes with Escape or Cancel, and sends nothing unless confirmed.
  var dialog = document.getElementById("room-dialog");
  function ask(opts, done) {
    var title = document.getElementById("room-dialog-title");
    var field = document.getElementById("room-dialog-field");
    var text = document.getElementById("room-dialog-text");
    var error = document.getElementById("room-dialog-error");
    var ok = document.getElementById("room-dialog-ok");
    title.textContent = opts.title;
    ok.textContent = opts.ok;
    field.hidden = !opts.label;
    document.getElementById("room-dialog-label").textContent = opts.label || "";
    text.value = opts.value || "";
    error.hidden = true;
    text.removeAttribute("aria-invalid");
    text.removeAttribute("aria-describedby");
    function closed() {
      dialog.removeEventListener("close", closed);
      if (dialog.returnValue !== "ok") { return; }
      done(text.value.trim());
    }
    function submit(event) {
      if (opts.label && event.submitter && event.submitter.value === "ok" && !text.value.trim()) {
        event.preventDefault();  // say what is missing; keep the dialog open
        error.hidden = false;
        text.setAttribute("aria-invalid", "true");
        text.setAttribute("aria-describedby", "room-dialog-error");
        text.focus();
      }
    }
    dialog.returnValue = "";
    dialog.querySelector("form").onsubmit = submit;
    dialog.addEventListener("close", closed);
    dialog.showModal();
    if (opts.label) { text.focus(); } else { ok.focus(); }
  }

  function button(label, onClick) {
    var b = el("button", "link-button", label); b.type = "button"; b.addEventListener("click", onClick); return b;
  }

  function actions(m) {
    var p = el("p", "room-actions");
    if (m.hidden) {
      // Only coordinators get here: a hidden message can be restored, with a reason.
      p.appendChild(button(T.unhide, function () {
        ask({ title: T.unhide, label: T.unhide_reason, ok: T.unhide }, function (reason) {
          send({ type: "unhide", seq: m.seq, reason: reason });
        });
      }));
      return p;
    }
    p.appendChild(button(T.reply, function () { replyTo(m.seq, m.author.name); }));
    if (String(m.author.id) === me) {
      p.appendChild(document.createTextNode(" "));
      p.appendChild(button(T.edit, function () {
        ask({ title: T.edit, label: T.edit_label, value: m.body, ok: T.save }, function (text) {
          send({ type: "edit", seq: m.seq, body: text });
        });
      }));
      p.appendChild(document.createTextNode(" "));
      p.appendChild(button(T["delete"], function () {
        ask({ title: T.confirm_delete, ok: T["delete"] }, function () { send({ type: "delete", seq: m.seq }); });
      }));
    }
    if (coordinator) {
      p.appendChild(document.createTextNode(" "));
      p.appendChild(button(T.hide, function () {
        ask({ title: T.hide, label: T.hide_reason, ok: T.hide }, function (reason) {
          send({ type: "hide", seq: m.seq, reason: reason });
        });
      }));
    }
    return p;
  }

  // Presence: a snapshot (with the counter it was read at), then deltas, each change with its
  // own counter. A change no newer than the snapshot, or than the last one applied for that
  // person, is already shown (two server processes may send theirs in either order).
  var people = {}, presenceBase = 0, presenceSeen = {};
  function presenceSnapshot(f) {
    people = {}; presenceSeen = {}; presenceBase = f.v || 0;
    f.people.forEach(function (p) { people[p.user] = p; });
    renderPresence();
  }
  function presenceDelta(f) {
    function fresh(c) {
      if (c.v <= presenceBase || (presenceSeen[c.user] || 0) >= c.v) { return false; }
      presenceSeen[c.user] = c.v; return true;
    }
    (f.joined || []).forEach(function (p) { if (fresh(p)) { people[p.user] = { user: p.user, name: p.name, sector: p.sector }; } });
    (f.left || []).forEach(function (c) { if (fresh(c)) { delete people[c.user]; } });
    renderPresence();
  }
  function renderPresence() {
    presenceEl.textContent = "";
    Object.keys(people).map(function (k) { return people[k]; }).forEach(function (p) { presenceEl.appendChild(el("li", "", p.name + " (" + (T.sectors[p.sector] || p.sector) + ")")); });
  }

  function renderQueue(entries) {
    queueEl.textContent = "";
    myHandRaised = false;
    var speaking = false;
    entries.forEach(function (e) {
      var li = el("li", "", e.name + " (" + (T.sectors[e.sector] || e.sector) + ") · " + (T.statuses[e.status] || e.status));
      if (String(e.user) === me && e.status === "waiting") { myHandRaised = true; }
      if (e.status === "called") { speaking = true; }
      if (coordinator && e.status === "waiting" && e.first_on_item) {
        li.appendChild(document.createTextNode(" · " + T.first_on_item));
      }
      if (coordinator && e.status === "waiting") {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(button(T.call, function () { send({ type: "call_speaker", entry: e.id }); }));
      }
      queueEl.appendChild(li);
    });
    var raise = document.getElementById("raise-hand"), lower = document.getElementById("lower-hand");
    var finish = document.getElementById("finish-speaker");
    if (raise) { raise.hidden = myHandRaised; lower.hidden = !myHandRaised; }
    if (finish) { finish.hidden = !speaking; }
  }

  // Who is heard: the chair's panel (issue 18). Coordinators get every figure; others get the
  // sector figures only while the chair shares them.
  var panel = document.getElementById("participation-panel");
  function minutes(n) { return T.seconds.replace("%(m)s", Math.floor(n / 60)).replace("%(s)s", n % 60); }
  function pct(x) { return x === null || x === undefined ? "—" : Math.round(x * 100) + "%"; }
  function labels(tbody) {
    return Array.prototype.map.call(tbody.parentNode.querySelectorAll("thead th"), function (th) { return th.textContent; });
  }
  function fillTable(tbody, rows) {
    if (!tbody) { return; }
    var heads = labels(tbody);
    tbody.textContent = "";
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (text, i) {
        var cell = el(i === 0 ? "th" : "td", "", String(text));
        if (i === 0) { cell.scope = "row"; }
        cell.dataset.label = heads[i] || "";
        tr.appendChild(cell);
      });
      tbody.appendChild(tr);
    });
  }
  function sectorName(s) { return T.sectors[s] || s; }
  function renderParticipation(f) {
    if (!panel || (coordinator && f.audience !== "coordinators")) { return; }
    panel.hidden = false;
    fillTable(document.getElementById("participation-sectors"), f.sectors.map(function (r) {
      return [sectorName(r.sector), r.turns, minutes(r.seconds), pct(r.share_turns), pct(r.share_seconds), r.messages];
    }));
    var items = document.getElementById("participation-items");
    items.textContent = "";
    f.items.forEach(function (it) {
      var text = (it.agenda_item === null ? T.no_item : it.order + ". " + it.title) + ": " + minutes(it.seconds_used);
      if (it.seconds_allotted !== null) {
        text += " / " + minutes(it.seconds_allotted);
        if (it.seconds_used > it.seconds_allotted) { text += " (" + T.over_time + ")"; }
      }
      items.appendChild(el("li", it.agenda_item !== null && it.agenda_item === f.current_agenda_item ? "room-current" : "", text));
    });
    var now = document.getElementById("speaking-now");
    now.textContent = f.speaking ? T.speaking_now + " " + f.speaking.name + " (" + sectorName(f.speaking.sector) + ")" : "";
    var notYet = document.getElementById("not-yet-spoken");
    if (notYet && f.not_yet_spoken) {
      notYet.textContent = "";
      if (!f.not_yet_spoken.length) { notYet.appendChild(el("li", "help", T.nobody_waiting)); }
      f.not_yet_spoken.forEach(function (p) { notYet.appendChild(el("li", "", p.name + " (" + sectorName(p.sector) + ")")); });
    }
    if (f.people) {
      fillTable(document.getElementById("participation-people"), f.people.map(function (p) {
        return [p.name, sectorName(p.sector), p.turns, minutes(p.seconds), p.messages];
      }));
    }
    var balanced = document.getElementById("chair-balanced"), shared = document.getElementById("chair-shared");
    var item = document.getElementById("chair-item");
    if (balanced) { balanced.checked = f.balanced; }
    if (shared) { shared.checked = f.shared; }
    if (item) { item.value = f.current_agenda_item === null ? "" : String(f.current_agenda_item); }
  }
  function chairControls(enabled) {
    ["chair-balanced", "chair-shared", "chair-item"].forEach(function (id) {
      var c = document.getElementById(id); if (c) { c.disabled = !enabled; }
    });
  }
  if (coordinator) {
    var bal = document.getElementById("chair-balanced");
    if (bal) {
      bal.addEventListener("change", function () { send({ type: "room_settings", balanced: bal.checked }); });
      var shr = document.getElementById("chair-shared");
      shr.addEventListener("change", function () { send({ type: "room_settings", shared: shr.checked }); });
      var itm = document.getElementById("chair-item");
      if (itm) { itm.addEventListener("change", function () { send({ type: "room_settings", agenda_item: itm.value || null }); }); }
    }
  }
  var initial = JSON.parse(document.getElementById("participation-initial").textContent);
  if (initial) { renderParticipation(initial); }

  var maxFrameBytes = parseInt(room.dataset.maxFrameBytes, 10) || 16384;
  function send(frame) {
    var text = JSON.stringify(frame);
    // The server closes the socket on a frame over its limit: say so here instead.
    if (new Blob([text]).size > maxFrameBytes) { say(T.too_large); return false; }
    if (socket && socket.readyState === 1) { socket.send(text); return true; }
    say(T.offline); return false;
  }

  function onFrame(event) {
    var f;
    try { f = JSON.parse(event.data); } catch (e) { return; }
    if (f.type === "history") {
      f.messages.forEach(render);
      pending = {};
      lastSeq = Math.max(lastSeq, f.last_seq);
      if (f.more) { socket.send(JSON.stringify({ type: "hello", last_seq: lastSeq })); }
    } else if (f.type === "message") {
      var mentioned = (f.mentions || []).indexOf(parseInt(me, 10)) >= 0 && !document.getElementById("m" + f.seq);
      render(f); advance(f.rev);
      if (mentioned) { say(T.mentioned.replace("%(name)s", f.author.name || "")); }
    }
    else if (f.type === "presence") { presenceSnapshot(f); }
    else if (f.type === "presence_delta") { presenceDelta(f); }
    else if (f.type === "queue") { renderQueue(f.entries); }
    else if (f.type === "proposal") { renderProposal(f); }
    else if (f.type === "proposal_saved") { proposalSaved(f); }
    else if (f.type === "participation") { renderParticipation(f); }
    else if (f.type === "participation_hidden") { if (!coordinator && panel) { panel.hidden = true; } }
    else if (f.type === "status") { if (f.status === "closed") { closed = true; say(T.closed); if (form) { form.hidden = true; } } }
    else if (f.type === "degraded") { say(f.message); }
    else if (f.type === "recovered") {
      // The live path is back: ask for everything after the last number seen.
      say(f.message); socket.send(JSON.stringify({ type: "hello", last_seq: lastSeq }));
    }
    else if (f.type === "error") { say(f.message); }
    else if (f.type === "saved") { if (f.delivered) { say(T.connected); } }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + room.dataset.wsPath);
    socket.addEventListener("open", function () {
      attempt = 0; say(T.connected); chairControls(true);
      socket.send(JSON.stringify({ type: "hello", last_seq: lastSeq }));
    });
    socket.addEventListener("message", onFrame);
    socket.addEventListener("close", function (event) {
      chairControls(false);
      if (event.code === 4401 || event.code === 4403) { say(T.refused); return; }
      if (event.code === 4429) { say(T.too_many); return; } // too many windows open: no retry loop
      // Back-off: 1, 2, 4 … up to 30 seconds, with a little jitter.
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) + Math.floor(Math.random() * 500);
      attempt += 1;
      say(T.offline);
      clearTimeout(timer); timer = setTimeout(connect, delay);
    });
  }

  // Messages rendered by the server get the same buttons as those that arrive live.
  if (!closed) {
    Array.prototype.forEach.call(list.querySelectorAll(".room-message"), function (li) {
      var link = li.querySelector(":scope > .room-reply-link"); if (link) { link.remove(); }  // the script's button instead
      if (li.dataset.deleted === "1" || (li.dataset.hidden === "1" && !coordinator)) { return; }
      var body = li.querySelector(":scope > .room-body p") || li.querySelector(":scope > .room-body");
      var buttons = actions({
        seq: parseInt(li.dataset.seq, 10), hidden: li.dataset.hidden === "1",
        author: { id: li.dataset.author, name: (li.querySelector(":scope > .room-meta strong") || {}).textContent || "" },
        body: writtenText(body)
      });
      var thread = li.querySelector(":scope > .room-replies-thread");
      li.insertBefore(buttons, thread);  // the buttons before the thread, as for live messages
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var body = form.elements.body.value.trim();
      if (!body || !socket || socket.readyState !== 1) { return; } // without the socket: plain POST
      event.preventDefault();
      var agenda = form.elements.agenda_item ? form.elements.agenda_item.value : "";
      send({ type: "message", body: body, reply_to: parseInt(form.elements.reply_to.value, 10) || null,
             agenda_item: agenda || null, content_note: form.elements.content_note.checked });
      form.elements.body.value = "";
      form.elements.content_note.checked = false;
      cancelReply();
    });
    document.getElementById("cancel-reply").addEventListener("click", function (event) {
      event.preventDefault(); cancelReply(); form.elements.body.focus();
    });
  }
  var raiseBtn = document.getElementById("raise-hand");
  if (raiseBtn) {
    raiseBtn.hidden = false;
    raiseBtn.addEventListener("click", function () { send({ type: "raise_hand" }); });
    document.getElementById("lower-hand").addEventListener("click", function () { send({ type: "lower_hand" }); });
  }
  var finishBtn = document.getElementById("finish-speaker");
  if (finishBtn) { finishBtn.addEventListener("click", function () { send({ type: "finish_speaker" }); }); }
  // Proposals (issue 18): each `proposal` frame carries the whole state of one proposal, and its
  // card is drawn again from it; without the script, the same cards post their forms.
  var proposalsEl = document.getElementById("proposals");
  var P = T.proposal;
  var proposalState = {};
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }
  function proposalForm(f, action, label, quiet) {
    var formEl = el("form", "inline-form");
    formEl.method = "post";
    formEl.action = proposalsEl.dataset.actionUrl.replace("/0/", "/" + f.id + "/").replace("ACTION", action);
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { var t = el("input"); t.type = "hidden"; t.name = token.name; t.value = token.value; formEl.appendChild(t); }
    var next = el("input"); next.type = "hidden"; next.name = "next"; next.value = "room"; formEl.appendChild(next);
    var b = el("button", quiet ? "button-quiet" : "", label); b.type = "submit"; formEl.appendChild(b);
    formEl.dataset.proposalAction = action;
    return formEl;
  }
  function renderProposal(f) {
    if (!proposalsEl) { return; }
    proposalState[f.id] = f;
    var old = document.getElementById("proposal-" + f.id);
    var card = el("li", "card proposal");
    card.id = "proposal-" + f.id;
    card.dataset.proposal = f.id;
    card.dataset.voted = old ? old.dataset.voted : "0";
    card.appendChild(el("h3", "proposal-text", f.text));
    var meta = [f.agenda_title, P.methods[f.method] || f.method];
    if (f.method === "vote") { meta.push(f.secret ? P.secret : P.open); }
    meta.push(P.statuses[f.status] || f.status);
    card.appendChild(el("p", "help proposal-meta", meta.join(" · ")));
    if (f.method === "vote" && f.majority) {
      card.appendChild(el("p", "help proposal-rule", fill(P.rule, {
        majority: P.majorities[f.majority] || f.majority, quorum: P.quorums[f.quorum] || f.quorum })));
    }
    var state = el("p", "proposal-state");
    state.setAttribute("aria-live", "polite");
    if (f.status === "decided") {
      state.appendChild(el("strong", "", P[f.outcome] || f.outcome));
      state.appendChild(document.createTextNode(f.counts ? ": " + fill(P.counts, f.counts) : " (" + P.by_consensus + ")"));
    } else if (f.status === "withdrawn") { state.textContent = P.withdrawn; }
    else if (f.voting) { state.textContent = fill(P.voting, { voted: f.voted, members: f.members }); }
    else { state.textContent = f.method === "vote" ? P.not_opened : P.waiting; }
    card.appendChild(state);
    if (f.votes && f.votes.length) {
      var votes = el("ul", "help proposal-votes");
      f.votes.forEach(function (v) { votes.appendChild(el("li", "", v.name + ": " + (P[v.choice] || v.choice))); });
      card.appendChild(votes);
    }
    if (f.voting && proposalsEl.dataset.member === "1") {
      if (card.dataset.voted === "1") { card.appendChild(el("p", "proposal-done", P.voted)); }
      else {
        var vote = proposalForm(f, "vote", P.vote);
        var set = el("fieldset", "proposal-choices");
        set.appendChild(el("legend", "", P.your_vote));
        ["agree", "disagree", "abstain"].forEach(function (choice) {
          var wrap = el("div"), input = el("input"), label = el("label", "", P[choice]);
          input.type = "radio"; input.name = "choice"; input.value = choice; input.required = true;
          input.id = "vote-" + f.id + "-" + choice; label.htmlFor = input.id;
          wrap.appendChild(input); wrap.appendChild(document.createTextNode(" ")); wrap.appendChild(label);
          set.appendChild(wrap);
        });
        vote.className = "proposal-vote";
        vote.insertBefore(set, vote.querySelector("button"));
        card.appendChild(vote);
      }
    }
    if (coordinator && f.status === "open" && f.method === "vote") {
      var chair = el("div", "proposal-chair");
      chair.appendChild(f.voting ? proposalForm(f, "close", P.close_vote) : proposalForm(f, "open", P.open_vote));
      card.appendChild(chair);
    } else if (old && f.status === "open") {
      var kept = old.querySelector(".proposal-chair"); if (kept) { card.appendChild(kept); }  // consensus: the page's forms
    }
    var wasVoting = old && proposalState[f.id] && old.dataset.voting === "1";
    card.dataset.voting = f.voting ? "1" : "0";
    if (old) { old.replaceWith(card); }
    else {
      var none = document.getElementById("no-proposals"); if (none) { none.remove(); }
      document.getElementById("proposal-list").appendChild(card);
    }
    if (f.voting && !wasVoting) { say(fill(P.opened, { text: f.text })); }
  }
  function proposalSaved(f) {
    if (!f.vote) { return; }
    var card = document.getElementById("proposal-" + f.proposal);
    if (card) { card.dataset.voted = "1"; }
    if (proposalState[f.proposal]) { renderProposal(proposalState[f.proposal]); }
    var done = card && document.querySelector("#proposal-" + f.proposal + " .proposal-done");
    if (done) { done.setAttribute("tabindex", "-1"); done.focus(); }
  }
  if (proposalsEl) {
    Array.prototype.forEach.call(proposalsEl.querySelectorAll(".proposal"), function (card) {
      card.dataset.voting = card.querySelector(".proposal-vote, [data-proposal-action=close]") ? "1" : "0";
    });
    // With the socket open, a vote or the chair's open/close goes as a frame; else the form posts.
    proposalsEl.addEventListener("submit", function (event) {
      var target = event.target;
      var card = target.closest(".proposal");
      if (!card || !socket || socket.readyState !== 1) { return; }
      var id = parseInt(card.dataset.proposal, 10);
      if (target.classList.contains("proposal-vote")) {
        var picked = target.querySelector("input[name=choice]:checked");
        if (!picked) { return; }
        event.preventDefault();
        send({ type: "vote", proposal: id, choice: picked.value });
      } else if (target.dataset.proposalAction === "open" || target.dataset.proposalAction === "close") {
        event.preventDefault();
        send({ type: "proposal_voting", proposal: id, action: target.dataset.proposalAction });
      }
    });
  }
  window.addEventListener("online", function () { if (!socket || socket.readyState > 1) { attempt = 0; connect(); } });
  connect();
})();
