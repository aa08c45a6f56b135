// dyxx app: the step pages. Plain JavaScript, no library; every text from the server
// is put in the page as text (textContent), never as HTML.
"use strict";

(function () {
  const SEVERITY = { error: "错误", warning: "警告" };
  const SHOWN_ROWS = 2000; // rows drawn at once; the filters narrow the rest
  const POLL_MS = 400;
  const csrf = document.querySelector('meta[name="dyxx-csrf"]').content;
  const form = document.getElementById("step-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  let findings = [];

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function fail(message) {
    $("error").textContent = message;
    show("error", true);
    show("status", false);
    $("run").disabled = false;
  }

  function checkLimits() {
    let count = 0, bytes = 0;
    for (const input of form.querySelectorAll('input[type="file"]')) {
      for (const file of input.files) { count += 1; bytes += file.size; }
    }
    const maxFiles = Number(form.dataset.maxFiles), maxBytes = Number(form.dataset.maxBytes);
    if (count > maxFiles || bytes > maxBytes) {
      return `一次最多 ${maxFiles} 个文件、共 ${Math.floor(maxBytes / 1048576)} MB，请分批处理`;
    }
    return null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const tooMuch = checkLimits();
    if (tooMuch) { fail(tooMuch); return; }
    show("error", false);
    show("result", false);
    $("run").disabled = true;
    $("stage").textContent = "正在上传";
    $("progress").removeAttribute("value");
    show("status", true);
    let answer;
    try {
      const response = await fetch(`/api/jobs/${form.dataset.step}`, {
        method: "POST", body: new FormData(form), headers: { "X-DYXX-CSRF": csrf },
        credentials: "same-origin",
      });
      answer = await response.json();
      if (!response.ok) { fail(answer.error || `出错了（${response.status}）`); return; }
    } catch (error) {
      fail("无法连接 dyxx：它是否已经关闭？请重新运行 dyxx app");
      return;
    }
    if (answer.needs_password && answer.needs_password.length) {
      $("password-prompt").textContent =
        `这些工作簿已加密，请输入打开密码：${answer.needs_password.join("、")}`;
      show("password-box", true);
      form.querySelector('input[name="password"]').focus();
      fail("请输入加密工作簿的打开密码，再点一次开始");
      return;
    }
    poll(answer.job);
  });

  async function poll(id) {
    let job;
    try {
      const response = await fetch(`/api/jobs/${id}`, { credentials: "same-origin" });
      job = await response.json();
      if (!response.ok) { fail(job.error || "出错了"); return; }
    } catch (error) {
      fail("无法连接 dyxx：它是否已经关闭？请重新运行 dyxx app");
      return;
    }
    if (job.state === "failed") {
      if (/密码/.test(job.error || "")) show("password-box", true);
      fail(job.error);
      return;
    }
    if (job.state !== "done") {
      $("stage").textContent = job.total ? `${job.stage}（${job.done}/${job.total}）` : job.stage;
      if (job.total) { $("progress").max = job.total; $("progress").value = job.done; }
      setTimeout(() => poll(id), POLL_MS);
      return;
    }
    show("status", false);
    $("run").disabled = false;
    render(job);
  }

  function render(job) {
    const result = job.result || {};
    const verdict = $("verdict");
    verdict.textContent = result.verdict ? result.verdict.text : "完成";
    verdict.className = result.verdict && !result.verdict.ok ? "bad" : "good";
    const lines = $("lines");
    lines.replaceChildren(...(result.lines || []).map((line) => el("li", line)));
    const downloads = $("downloads");
    downloads.replaceChildren(...job.downloads.map((item) => {
      const link = el("a", `下载${item.label}（${item.name}）`, "download");
      link.href = `/api/jobs/${job.id}/files/${item.index}`;
      link.setAttribute("download", item.name);
      return link;
    }));
    $("chart").replaceChildren(...(result.chart ? [chart(result.chart)] : []));
    $("tables").replaceChildren(...(result.tables || []).map(grid));
    findings = result.findings || [];
    show("findings", Boolean(result.findings));
    if (result.findings) fillFilters(result.rules || {});
    show("result", true);
  }

  function grid(table) {
    const box = el("div", undefined, "grid");
    box.append(el("h3", table.title));
    const node = el("table");
    const head = el("tr");
    head.append(...table.headers.map((h) => el("th", h)));
    node.append(el("thead"));
    node.tHead.append(head);
    const body = el("tbody");
    for (const row of table.rows) {
      const tr = el("tr");
      tr.append(...row.map((cell) => el("td", cell)));
      body.append(tr);
    }
    node.append(body);
    box.append(node);
    return box;
  }

  function chart(spec) {
    const NS = "http://www.w3.org/2000/svg";
    const rowHeight = 26, labelWidth = 260, barWidth = 360;
    const svg = document.createElementNS(NS, "svg");
    const height = rowHeight * spec.bars.length + 10;
    svg.setAttribute("width", String(labelWidth + barWidth + 80));
    svg.setAttribute("height", String(height));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", spec.title);
    spec.bars.forEach((bar, i) => {
      const y = i * rowHeight + 5;
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", "0");
      label.setAttribute("y", String(y + 16));
      label.textContent = bar.label;
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", String(labelWidth));
      rect.setAttribute("y", String(y + 3));
      rect.setAttribute("height", "16");
      rect.setAttribute("width", String(Math.max(1, Math.round(bar.value * barWidth))));
      rect.setAttribute("class", "bar");
      const value = document.createElementNS(NS, "text");
      value.setAttribute("x", String(labelWidth + bar.value * barWidth + 6));
      value.setAttribute("y", String(y + 16));
      value.textContent = bar.text;
      svg.append(label, rect, value);
    });
    const box = el("figure", undefined, "chart");
    box.id = "quality-chart";
    box.append(el("figcaption", spec.title), svg);
    return box;
  }

  function fillFilters(rules) {
    const branches = [...new Set(findings.map((f) => f.branch).filter(Boolean))].sort();
    const branch = $("filter-branch"), rule = $("filter-rule");
    branch.replaceChildren(new Option("全部", ""), ...branches.map((b) => new Option(b, b)));
    rule.replaceChildren(new Option("全部", ""),
      ...Object.entries(rules).map(([code, title]) => new Option(`${title}（${code}）`, code)));
    $("filter-severity").value = "";
    drawFindings();
  }

  function drawFindings() {
    const severity = $("filter-severity").value;
    const branch = $("filter-branch").value, rule = $("filter-rule").value;
    const chosen = findings.filter((f) =>
      (!severity || f.severity === severity) && (!branch || f.branch === branch) &&
      (!rule || f.rule === rule));
    const files = new Set(findings.map((f) => f.file)).size;
    const rows = chosen.slice(0, SHOWN_ROWS).map((f) => {
      const tr = el("tr", undefined, `sev-${f.severity}`);
      const where = files > 1 ? `${f.file} ${f.sheet}!${f.cell}` : `${f.sheet}!${f.cell}`;
      tr.append(el("td", f.name), el("td", where), el("td", f.field),
        el("td", SEVERITY[f.severity] || f.severity), el("td", f.value), el("td", f.message));
      return tr;
    });
    document.querySelector("#finding-table tbody").replaceChildren(...rows);
    const more = chosen.length > SHOWN_ROWS ? `，列出前 ${SHOWN_ROWS} 个（请用筛选缩小范围，或下载标注副本）` : "";
    $("finding-count").textContent = `共 ${chosen.length} 个问题${more}`;
  }

  // Workbooks dropped anywhere on a file box go into its input.
  for (const box of form.querySelectorAll("label.drop")) {
    const input = box.querySelector('input[type="file"]');
    box.addEventListener("dragover", (event) => { event.preventDefault(); box.classList.add("over"); });
    box.addEventListener("dragleave", () => box.classList.remove("over"));
    box.addEventListener("drop", (event) => {
      event.preventDefault();
      box.classList.remove("over");
      const dropped = new DataTransfer();
      const files = [...event.dataTransfer.files];
      for (const file of input.multiple ? files : files.slice(0, 1)) dropped.items.add(file);
      input.files = dropped.files;
    });
  }

  for (const id of ["filter-severity", "filter-branch", "filter-rule"]) {
    $(id).addEventListener("change", drawFindings);
  }
})();
