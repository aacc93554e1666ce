// The page form's helpers (no inline code: the editor's CSP is script-src 'self').
// Without this file the form still works: rows are added and removed by submit buttons, an
// upload adds its Markdown at the end of the text, and the toolbar stays hidden.
// - Rows (a goal's measurements, outreach files): "Add a row" and "Remove" act in place; focus
//   goes to the new row, or to the row that took the removed one's place; a polite live region
//   says what happened.
// - Markdown toolbar above the text (WAI-ARIA toolbar: one tab stop, arrow keys move), acting on
//   the selection; execCommand("insertText") keeps the browser's undo, setRangeText otherwise.
// - Upload: the file is posted in the background and its Markdown put at the caret.
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  if (!form) {
    return;
  }
  var status = document.getElementById("editor-status");
  var body = document.getElementById("f-body");

  function text(name, values) {
    var template = form.getAttribute("data-" + name) || "";
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return values && key in values ? values[key] : all;
    });
  }

  function announce(message) {
    // Emptied first, so that the same sentence twice is announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = message;
    }, 50);
  }

  // --- rows -------------------------------------------------------------------------------

  function renumber(table) {
    var name = table.closest("[data-rows]").getAttribute("data-rows");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, index) {
      row.setAttribute("data-row", String(index));
      row.querySelectorAll("input").forEach(function (input) {
        var part = input.name.split("-").pop();
        input.name = name + "-" + index + "-" + part;
        input.id = "f-" + name + "-" + index + "-" + part;
        var label = input.parentNode.querySelector("label");
        label.htmlFor = input.id;
        label.textContent = text("row-label", {
          part: label.getAttribute("data-part"),
          n: index + 1,
        });
      });
      var remove = row.querySelector(".rows__remove");
      remove.value = "remove:" + name + ":" + index;
      remove.querySelector(".visually-hidden").textContent = " " + text("row-remove", { n: index + 1 });
    });
  }

  function addRow(fieldset) {
    var tbody = fieldset.querySelector("tbody");
    var last = tbody.rows[tbody.rows.length - 1];
    var row = last.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    tbody.appendChild(row);
    renumber(tbody.parentNode);
    row.querySelector("input").focus();
    announce(text("row-added", { n: tbody.rows.length }));
  }

  function removeRow(button) {
    var row = button.closest("tr");
    var tbody = row.parentNode;
    var fieldset = row.closest("[data-rows]");
    var number = row.rowIndex; // 1-based within the table body (the head is row 0)
    if (tbody.rows.length === 1) {
      // The last row is emptied rather than removed, so that there is always one to fill.
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
      });
      row.querySelector("input").focus();
    } else {
      var next = row.nextElementSibling || row.previousElementSibling;
      tbody.removeChild(row);
      renumber(tbody.parentNode);
      next.querySelector(".rows__remove").focus();
    }
    form.dispatchEvent(new Event("input"));
    announce(text("row-removed", { n: number }));
    return fieldset;
  }

  document.querySelectorAll("[data-rows]").forEach(function (fieldset) {
    var more = fieldset.querySelector(".rows__more");
    more.textContent = more.getAttribute("data-js-label");
    more.type = "button";
    more.addEventListener("click", function () {
      addRow(fieldset);
    });
    fieldset.addEventListener("click", function (event) {
      var button = event.target.closest(".rows__remove");
      if (button) {
        event.preventDefault();
        removeRow(button);
      }
    });
  });

  // --- inserting into the text ------------------------------------------------------------

  function insert(replacement, selectFrom, selectTo) {
    // Replace the selection with ``replacement``, then select [selectFrom, selectTo) of it.
    var start = body.selectionStart;
    body.focus();
    body.setSelectionRange(start, body.selectionEnd);
    var kept = false;
    try {
      kept = document.execCommand("insertText", false, replacement);
    } catch (error) {
      kept = false;
    }
    if (!kept || body.value.substr(start, replacement.length) !== replacement) {
      body.setRangeText(replacement, start, body.selectionEnd, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      body.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function lineStart(position) {
    return body.value.lastIndexOf("\n", position - 1) + 1;
  }

  function ownParagraph(markdown) {
    // An image is a paragraph of its own (as without JavaScript); a link to a file stays inline.
    var before = body.value.slice(0, body.selectionStart);
    var after = body.value.slice(body.selectionEnd);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    return lead + markdown + tail;
  }

  var formats = {
    heading: function (selected, placeholder) {
      var start = body.selectionStart;
      var before = start === lineStart(start) ? "" : "\n\n";
      var words = selected || placeholder;
      return [before + "## " + words, before.length + 3, before.length + 3 + words.length];
    },
    bold: function (selected, placeholder) {
      var words = selected || placeholder;
      return ["**" + words + "**", 2, 2 + words.length];
    },
    link: function (selected, placeholder) {
      var words = selected || placeholder;
      var address = "https://";
      var markdown = "[" + words + "](" + address + ")";
      return selected
        ? [markdown, words.length + 3, words.length + 3 + address.length]
        : [markdown, 1, 1 + words.length];
    },
    list: function (selected, placeholder) {
      var start = body.selectionStart;
      var before = start === lineStart(start) ? "" : "\n";
      var lines = (selected || placeholder).split("\n").map(function (line) {
        return "- " + line.replace(/^\s*[-*]\s+/, "");
      });
      var markdown = before + lines.join("\n");
      return selected ? [markdown, markdown.length, markdown.length] : [markdown, before.length + 2, markdown.length];
    },
    image: function (selected, placeholder) {
      var words = selected || placeholder;
      return ["![" + words + "](/media/)", 2, 2 + words.length];
    },
  };

  var toolbar = form.querySelector(".md-toolbar");
  if (toolbar && body) {
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    buttons.forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("click", function () {
        var selected = body.value.substring(body.selectionStart, body.selectionEnd);
        var made = formats[button.getAttribute("data-md")](
          selected,
          button.getAttribute("data-placeholder")
        );
        insert(made[0], made[1], made[2]);
      });
    });
    toolbar.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      var to = {
        ArrowRight: at + 1,
        ArrowLeft: at - 1,
        Home: 0,
        End: buttons.length - 1,
      }[event.key];
      if (at < 0 || to === undefined) {
        return;
      }
      event.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[to].tabIndex = 0;
      buttons[to].focus();
    });
    toolbar.hidden = false;
  }

  // --- uploading into the text ------------------------------------------------------------

  var uploadButton = form.querySelector("button[value=upload]");
  var uploadStatus = document.getElementById("upload-status");
  if (uploadButton && body) {
    uploadButton.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      data.set("action", "upload");
      var caret = [body.selectionStart, body.selectionEnd];
      uploadStatus.textContent = text("uploading");
      fetch(form.getAttribute("action") || window.location.pathname, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (answer) {
            return { ok: response.ok, answer: answer };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            throw new Error(result.answer.problems.join(" "));
          }
          body.setSelectionRange(caret[0], caret[1]);
          var snippet = result.answer.snippet;
          insert(snippet.charAt(0) === "!" ? ownParagraph(snippet) : snippet);
          var list = document.getElementById("media-files");
          var option = document.createElement("option");
          option.value = result.answer.name;
          list.appendChild(option);
          form.querySelector("#f-upload").value = "";
          uploadStatus.textContent = text("inserted", { markdown: result.answer.snippet });
        })
        .catch(function (error) {
          uploadStatus.textContent = text("upload-failed", { reason: error.message });
        });
    });
  }
})();
