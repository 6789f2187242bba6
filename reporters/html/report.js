// sgaudit HTML report: progressive enhancement only. The server renders every
// row, so the page is complete with JavaScript off; this script only filters
// and sorts the rows already in the DOM, and adds copy buttons. It reads
// nothing but the DOM (no inline data, no eval, no innerHTML), so report
// data, which is attacker-controlled, is only ever handled as text.
(function () {
  'use strict';

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  // Copy buttons are rendered hidden: without JavaScript they cannot work.
  each(document.querySelectorAll('button.copy'), function (btn) {
    btn.hidden = false;
    btn.addEventListener('click', function () {
      copyFrom(btn);
    });
  });

  function copyFrom(btn) {
    var code = btn.parentNode.querySelector('code');
    if (!code) {
      return;
    }
    var done = function (ok) {
      btn.textContent = ok ? 'Copied' : 'Press Ctrl+C';
      btn.classList.toggle('copied', ok);
      window.setTimeout(function () {
        btn.textContent = 'Copy';
        btn.classList.remove('copied');
      }, 1500);
    };
    // The async clipboard API needs a secure context and permission; a file
    // opened from disk may have neither, so fall back to selecting the text.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code.textContent).then(function () {
        done(true);
      }, function () {
        done(selectAndCopy(code));
      });
    } else {
      done(selectAndCopy(code));
    }
  }

  function selectAndCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try {
      return document.execCommand('copy');
    } catch (e) {
      return false;
    }
  }

  // Printing: open every collapsed <details> so the evidence is on paper,
  // and close them again afterwards.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    each(document.querySelectorAll('details:not([open])'), function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) {
      d.open = false;
    });
    openedForPrint = [];
  });

  var table = document.getElementById('findings-table');
  if (!table) {
    return; // empty report: nothing to filter or sort
  }
  var tbody = table.tBodies[0];
  var items = Array.prototype.map.call(tbody.rows, function (row, i) {
    return { row: row, index: i, text: searchText(row) };
  });

  // searchText is the row's visible text (including the collapsed evidence)
  // without the button labels, lower-cased once for a case-insensitive filter.
  function searchText(row) {
    var walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    var parts = [];
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.parentNode.closest('button')) {
        parts.push(n.nodeValue);
      }
    }
    return parts.join(' ').toLowerCase();
  }

  // Filtering.
  var filters = document.getElementById('filters');
  var text = document.getElementById('filter-text');
  var severity = document.getElementById('filter-severity');
  var check = document.getElementById('filter-check');
  // Present only when the scan was compared with a baseline.
  var onlyNew = document.getElementById('filter-new');
  var count = document.getElementById('findings-count');
  var noMatch = document.getElementById('no-match');
  filters.hidden = false;

  function plural(n) {
    return n === 1 ? ' finding' : ' findings';
  }

  function applyFilters() {
    var terms = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var sev = severity.value;
    var chk = check.value;
    var newOnly = onlyNew !== null && onlyNew.checked;
    var shown = 0;
    items.forEach(function (it) {
      var row = it.row;
      var ok = (!sev || row.getAttribute('data-severity') === sev) &&
        (!chk || row.getAttribute('data-check') === chk) &&
        (!newOnly || row.getAttribute('data-baseline') === 'new') &&
        terms.every(function (t) {
          return it.text.indexOf(t) !== -1;
        });
      row.hidden = !ok;
      if (ok) {
        shown++;
      }
    });
    count.textContent = shown === items.length ?
      items.length + plural(items.length) :
      'Showing ' + shown + ' of ' + items.length + plural(items.length);
    noMatch.hidden = shown !== 0;
  }

  text.addEventListener('input', applyFilters);
  severity.addEventListener('change', applyFilters);
  check.addEventListener('change', applyFilters);
  if (onlyNew) {
    onlyNew.addEventListener('change', applyFilters);
  }
  document.getElementById('filter-reset').addEventListener('click', function () {
    text.value = '';
    severity.value = '';
    check.value = '';
    if (onlyNew) {
      onlyNew.checked = false;
    }
    applyFilters();
    text.focus();
  });

  // Sorting. Severity sorts by rank (data-rank: CRITICAL 4 ... LOW 1), not
  // alphabetically, and its first click puts the most severe first; text
  // columns start A to Z. Ties keep the server's order, so every sort is
  // deterministic.
  var keys = {
    severity: function (row) {
      return Number(row.getAttribute('data-rank'));
    },
    check: attr('data-check'),
    location: attr('data-location'),
    group: attr('data-group'),
    rule: attr('data-rule')
  };

  function attr(name) {
    return function (row) {
      return row.getAttribute(name);
    };
  }

  var headers = [];
  var current = { key: '', dir: 0 };
  each(table.tHead.rows[0].cells, function (th) {
    var key = th.getAttribute('data-sort');
    if (!keys[key]) {
      return;
    }
    var btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'sort';
    while (th.firstChild) {
      btn.appendChild(th.firstChild);
    }
    th.appendChild(btn);
    th.setAttribute('aria-sort', 'none');
    headers.push(th);
    btn.addEventListener('click', function () {
      sortBy(th, key);
    });
  });

  function sortBy(th, key) {
    var first = key === 'severity' ? -1 : 1;
    var dir = current.key === key ? -current.dir : first;
    current = { key: key, dir: dir };
    var value = keys[key];
    items.sort(function (a, b) {
      var x = value(a.row);
      var y = value(b.row);
      if (x < y) {
        return -dir;
      }
      if (x > y) {
        return dir;
      }
      return a.index - b.index;
    });
    var frag = document.createDocumentFragment();
    items.forEach(function (it) {
      frag.appendChild(it.row);
    });
    tbody.appendChild(frag);
    headers.forEach(function (h) {
      h.setAttribute('aria-sort', h !== th ? 'none' : dir > 0 ? 'ascending' : 'descending');
    });
  }
}());
