// The app's little behaviour, bound to htmx events and the DOM (no inline script: the CSP forbids it).
// Every page works without this file.
(function () {
  'use strict';

  // A swap of the MCA page's results (a filter, a search, a page, the list read again after a sync or a dialog), as
  // opposed to a dialog's content or rows refreshed in place.
  function isResultsSwap(event) {
    var ctx = event.detail && event.detail.ctx;
    return Boolean(ctx && ctx.target && ctx.target.id === 'mca-results');
  }

  // ---- MCA page (src/tenants): row action menus, result announcements, reload after a sync ----
  // Each row's menu is a <details> that works without JavaScript; here it becomes an ARIA menu: arrow keys,
  // Home/End, Escape back to its button, closed by a click elsewhere or when focus leaves it.
  function mcaPage() {
    var MENU = 'details[data-menu]';

    function menuItems(menu) {
      return Array.prototype.slice.call(menu.querySelectorAll('ul a'));
    }

    function enhanceMenus(root) {
      root.querySelectorAll(MENU).forEach(function (menu) {
        if (menu.hasAttribute('data-menu-ready')) return;
        menu.setAttribute('data-menu-ready', '');
        // aria-expanded is not allowed on <summary>: the <details>' own open state is what assistive technology reads.
        menu.querySelector('summary').setAttribute('aria-haspopup', 'menu');
        menu.querySelector('ul').setAttribute('role', 'menu');
        menu.querySelectorAll('li').forEach(function (item) {
          item.setAttribute('role', 'none');
        });
        menuItems(menu).forEach(function (link) {
          link.setAttribute('role', 'menuitem');
          link.tabIndex = -1;
        });
      });
    }

    function closeMenu(menu, focusButton) {
      menu.open = false;
      if (focusButton) menu.querySelector('summary').focus();
    }

    function openMenu(menu, itemIndex) {
      menu.open = true;
      var items = menuItems(menu);
      var item = items[(itemIndex + items.length) % items.length];
      if (item) item.focus();
    }

    // 'toggle' does not bubble: listen in the capture phase.
    document.addEventListener(
      'toggle',
      function (event) {
        var menu = event.target;
        if (!(menu instanceof Element) || !menu.matches(MENU) || !menu.open) return;
        document.querySelectorAll(MENU + '[open]').forEach(function (other) {
          if (other !== menu) other.open = false;
        });
      },
      true,
    );

    document.addEventListener('keydown', function (event) {
      var menu = event.target instanceof Element ? event.target.closest(MENU) : null;
      if (!menu) return;
      var items = menuItems(menu);
      var index = items.indexOf(event.target);
      var onButton = event.target === menu.querySelector('summary');
      var key = event.key;
      if (key === 'Escape' && menu.open) {
        event.preventDefault();
        closeMenu(menu, true);
      } else if (onButton && (key === 'ArrowDown' || ((key === 'Enter' || key === ' ') && !menu.open))) {
        event.preventDefault();
        openMenu(menu, 0);
      } else if (onButton && key === 'ArrowUp') {
        event.preventDefault();
        openMenu(menu, -1);
      } else if (index >= 0 && (key === 'ArrowDown' || key === 'ArrowUp' || key === 'Home' || key === 'End')) {
        event.preventDefault();
        var next = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: -1 }[key];
        openMenu(menu, next);
      }
    });

    document.addEventListener('focusout', function (event) {
      var menu = event.target instanceof Element ? event.target.closest(MENU) : null;
      if (menu && menu.open && !menu.contains(event.relatedTarget)) menu.open = false;
    });

    document.addEventListener('click', function (event) {
      document.querySelectorAll(MENU + '[open]').forEach(function (menu) {
        if (!menu.contains(event.target)) menu.open = false;
      });
    });

    // The swapped results carry a one-line summary; the live region outside them reads it out (rows refreshed in
    // place announce themselves, see refreshWaitingRows).
    document.addEventListener('htmx:after:swap', function (event) {
      var results = document.getElementById('mca-results');
      if (!results) return;
      enhanceMenus(results);
      if (!isResultsSwap(event)) return;
      var summary = results.querySelector('[data-announce]');
      var live = document.getElementById('mca-announce');
      if (summary && live) live.textContent = summary.getAttribute('data-announce');
    });

    // A sync that ends while the page is open: reload the results of the state in the URL.
    document.body.addEventListener('sync-finished', function () {
      if (document.getElementById('mca-results') && window.htmx) {
        // The header (SUMMARY_HEADER in src/tenants/mca.controller.ts) adds the summary bar, out of band.
        window.htmx.ajax('GET', location.pathname + location.search, {
          target: '#mca-results',
          headers: { 'X-MCA-Summary': 'true' },
        });
      }
    });

    enhanceMenus(document);
  }

  // ---- MCA page: the rows that wait refresh themselves ----
  // A row marked data-refresh waits on something the app learns without the user (the customer's acceptance, a
  // finalize): its fresh copy is asked for by id (GET /mca/rows, src/tenants/mca.controller.ts) and swapped in by
  // htmx, with the summary. First after FIRST_MS, then less often while nothing changes (up to MAX_MS, so that a
  // change shows within seconds of the app learning it), again soon after a change; never in a hidden tab, nor while
  // a dialog is open or a row's menu is; not at all once no row waits. Without JavaScript the page says when it was
  // loaded and offers Reload.
  function refreshWaitingRows() {
    var FIRST_MS = 2000;
    var MAX_MS = 8000;
    var delay = FIRST_MS;
    var timer = null;
    var busy = false;

    function waitingRows() {
      var results = document.getElementById('mca-results');
      return results ? Array.prototype.slice.call(results.querySelectorAll('tr[data-refresh]')) : [];
    }

    function schedule() {
      clearTimeout(timer);
      timer = null;
      if (!busy && !document.hidden && waitingRows().length > 0) timer = setTimeout(refresh, delay);
    }

    function refresh() {
      timer = null;
      if (document.hidden || !window.htmx) return;
      // The user is busy with a row: its menu stays as it is, and the list waits behind a dialog.
      var rows = waitingRows().filter(function (row) {
        return !row.querySelector('details[open]');
      });
      if (rows.length === 0 || document.querySelector('dialog[open]')) return schedule();
      var before = {};
      rows.forEach(function (row) {
        before[row.id] = row.getAttribute('data-state');
      });
      var active = document.activeElement;
      var focusedRow = active && active.matches('summary') ? active.closest('tr[data-refresh]') : null;
      var query = rows
        .map(function (row) {
          return 'id=' + row.id.replace('tenant-', '');
        })
        .join('&');
      busy = true;
      window.htmx
        // From the live region: a request queue of its own, apart from the results' and the dialogs'.
        .ajax('GET', '/mca/rows?' + query, { source: '#mca-announce', swap: 'none' })
        .then(function () {
          var changed = Object.keys(before).filter(function (id) {
            var row = document.getElementById(id);
            return row && row.getAttribute('data-state') !== before[id];
          });
          if (focusedRow && !document.contains(focusedRow)) {
            var again = document.getElementById(focusedRow.id);
            if (again && again.querySelector('summary')) again.querySelector('summary').focus();
          }
          var live = document.getElementById('mca-announce');
          if (changed.length > 0 && live) {
            live.textContent = changed
              .map(function (id) {
                return document.getElementById(id).getAttribute('data-state');
              })
              .join('. ');
          }
          delay = changed.length > 0 ? FIRST_MS : Math.min(MAX_MS, Math.round(delay * 1.5));
        })
        .catch(function () {
          delay = MAX_MS;
        })
        .then(function () {
          busy = false;
          schedule();
        });
    }

    // Back in view: the rows are read at once (they may have changed meanwhile), then as from the start.
    document.addEventListener('visibilitychange', function () {
      delay = FIRST_MS;
      if (document.hidden) schedule();
      else if (!busy) refresh();
    });

    // New results (a filter, a search, a page, the end of a sync) may hold other rows that wait.
    document.addEventListener('htmx:after:swap', function (event) {
      if (isResultsSwap(event)) {
        delay = FIRST_MS;
        schedule();
      }
    });

    schedule();
  }

  // ---- Attestations (src/attestations): the create dialog and the Copy buttons ----
  // "Create attestation" loads its form into a modal <dialog> (showModal keeps focus inside it and Escape closes it);
  // closing it gives focus back to the row's Actions button and refreshes the list if a link was generated. Without
  // JavaScript the same link opens the form as a page.
  function attestationDialog() {
    var opener = null;
    var openerHref = null;
    var refocusAfterRefresh = null;
    var created = false;

    // The refreshed list has new elements: the row's Actions button is found again by its Create link.
    function focusRowMenu(href) {
      var link = document.querySelector('[data-opens-dialog][href="' + href + '"]');
      var summary = link && link.closest('details') ? link.closest('details').querySelector('summary') : null;
      if (summary) summary.focus();
    }

    function dialogParts() {
      var dialog = document.getElementById('attestation-dialog');
      return dialog ? { dialog: dialog, content: document.getElementById('attestation-dialog-content') } : null;
    }

    document.addEventListener(
      'click',
      function (event) {
        var link = event.target instanceof Element ? event.target.closest('[data-opens-dialog]') : null;
        if (!link) return;
        var menu = link.closest('details');
        opener = menu ? menu.querySelector('summary') : link;
        openerHref = link.getAttribute('href');
        if (menu) menu.open = false;
      },
      true,
    );

    document.addEventListener('htmx:after:swap', function (event) {
      if (refocusAfterRefresh && isResultsSwap(event)) {
        var href = refocusAfterRefresh;
        refocusAfterRefresh = null;
        focusRowMenu(href);
      }
      var parts = dialogParts();
      if (!parts || !parts.content.firstElementChild) return;
      enhanceCopy(parts.content);
      var done = parts.content.querySelector('[data-attestation-created]');
      if (!parts.dialog.open) {
        created = false;
        parts.dialog.showModal();
      }
      if (done) {
        created = true;
        done.querySelector('h2').focus();
        return;
      }
      var first =
        parts.content.querySelector('[aria-invalid="true"]') ||
        parts.content.querySelector('input:not([type="hidden"]), select');
      if (first) first.focus();
    });

    var parts = dialogParts();
    if (!parts) return;
    parts.dialog.addEventListener('close', function () {
      parts.content.innerHTML = '';
      if (opener && document.contains(opener)) opener.focus();
      if (created && window.htmx && document.getElementById('mca-results')) {
        refocusAfterRefresh = openerHref;
        window.htmx.ajax('GET', location.pathname + location.search, { target: '#mca-results' });
      }
      created = false;
    });
  }

  // A Copy button beside a read-only field (hidden without JavaScript, where the field's text is selectable).
  function enhanceCopy(root) {
    root.querySelectorAll('[data-copy]').forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    var field = document.querySelector(button.getAttribute('data-copy'));
    var status = button.parentElement.querySelector('.copy-status');
    if (!field) return;
    function copied(ok) {
      if (status) status.textContent = ok ? 'Copied' : 'Select it and copy it';
    }
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(
        function () {
          copied(true);
        },
        function () {
          copied(document.execCommand('copy'));
        },
      );
    } else {
      copied(document.execCommand('copy'));
    }
  });

  // ---- Reports (src/reports): the report dialog of the MCA page ----
  // The menu's link opens the dialog and fills it through htmx with the report form for the page's current filter
  // and search (the URL holds them, kept current by htmx). Without JavaScript the link leads to the report page.
  function reportDialog() {
    document.addEventListener('click', function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      var opener = target.closest('a[data-report-dialog]');
      if (opener && window.htmx) {
        var dialog = document.getElementById(opener.getAttribute('data-report-dialog'));
        if (!dialog) return;
        event.preventDefault();
        var menu = opener.closest('details');
        if (menu) menu.open = false;
        window.htmx.ajax('GET', '/reports' + location.search, { target: '#' + dialog.id + '-body' });
        if (!dialog.open) dialog.showModal();
      }
    });
  }

  // A new schedule's time zone starts as the server's; the person is more likely where their browser is. Only a
  // field the server marks as its default (not an edit, not a choice sent back with an error), and only to a zone
  // the list offers.
  function browserTimeZone() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll('input[data-browser-zone]').forEach(function (input) {
      var offered =
        input.list &&
        Array.prototype.some.call(input.list.options, function (option) {
          return option.value === zone;
        });
      if (offered) input.value = zone;
    });
  }

  // A link that asks before a change (Cancel attestation) opens its confirmation dialog instead of the page it links
  // to; the page stays the way without JavaScript. showModal puts focus in the dialog; Escape or "Keep it" closes it.
  function confirmDialogs() {
    document.addEventListener('click', function (event) {
      var opener = event.target instanceof Element ? event.target.closest('a[data-confirm-dialog]') : null;
      var dialog = opener ? document.getElementById(opener.getAttribute('data-confirm-dialog')) : null;
      if (!dialog) return;
      event.preventDefault();
      dialog.showModal();
      dialog.addEventListener(
        'close',
        function () {
          opener.focus();
        },
        { once: true },
      );
    });
  }

  // Every dialog's Close button (the attestation and report dialogs alike).
  function dialogCloseButtons() {
    document.addEventListener('click', function (event) {
      var close = event.target instanceof Element ? event.target.closest('dialog [data-dialog-close]') : null;
      if (!close) return;
      event.preventDefault();
      close.closest('dialog').close();
    });
  }

  // ---- MCA page's selection (src/bulk-attestations): ticked tenants kept across pages ----
  // Without JavaScript the selection is the page's ticked rows. With it, each ticked row also becomes a hidden input
  // of the selection's form, outside the results htmx swaps, so that rows ticked on other pages are posted too; the
  // boxes of a page shown again are ticked from them. Hidden inputs rather than the session: nothing is written on
  // the server for a selection never used, and the page's requests stay as cheap as they were.
  function mcaSelection() {
    var BOX = 'input[type="checkbox"][name="tenant"][form="mca-selection"]';

    function kept() {
      return document.getElementById('mca-kept');
    }

    function keptInput(id) {
      var box = kept();
      return box ? box.querySelector('input[value="' + id + '"]') : null;
    }

    function showCount() {
      var count = document.getElementById('selection-count');
      var box = kept();
      if (!count || !box) return;
      var n = box.querySelectorAll('input').length;
      count.textContent =
        n === 0 ? 'Tick tenants to act on them' : n === 1 ? '1 tenant selected' : n + ' tenants selected';
    }

    // Rows shown again (another page, or rows refreshed in place by GET /mca/rows) take the selection's state: all
    // matching ticks every row; otherwise the kept ones.
    function restore() {
      var all = document.querySelector('#mca-selection-bar input[name="matching"]');
      document.querySelectorAll(BOX).forEach(function (box) {
        if (all) {
          box.checked = true;
          box.disabled = true;
        } else if (keptInput(box.value)) {
          box.checked = true;
        }
      });
      showCount();
    }

    document.addEventListener('change', function (event) {
      var box = event.target;
      if (!(box instanceof HTMLInputElement) || !box.matches(BOX) || !kept()) return;
      var input = keptInput(box.value);
      if (box.checked && !input) {
        input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'tenant';
        input.value = box.value;
        kept().appendChild(input);
      } else if (!box.checked && input) {
        input.remove();
      }
      showCount();
    });

    // The kept inputs name the ticked rows already: the boxes themselves would post them twice.
    document.addEventListener('submit', function (event) {
      if (!(event.target instanceof HTMLFormElement) || event.target.id !== 'mca-selection') return;
      document.querySelectorAll(BOX).forEach(function (box) {
        if (keptInput(box.value)) box.removeAttribute('name');
      });
    });

    document.addEventListener('htmx:after:swap', restore);
    restore();
  }

  mcaPage();
  mcaSelection();
  refreshWaitingRows();
  attestationDialog();
  reportDialog();
  dialogCloseButtons();
  confirmDialogs();
  browserTimeZone();
  enhanceCopy(document);
})();
