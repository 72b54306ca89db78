// The app's little behaviour, bound to htmx events and the DOM (no inline script: the CSP forbids it).
// Every page works without this file.
(function () {
  'use strict';

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
        var summary = menu.querySelector('summary');
        summary.setAttribute('aria-haspopup', 'menu');
        summary.setAttribute('aria-expanded', String(menu.open));
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

    // 'toggle' fires a task later: the state is set at once too, for whoever reads it next.
    function setOpen(menu, open) {
      menu.open = open;
      menu.querySelector('summary').setAttribute('aria-expanded', String(open));
    }

    function closeMenu(menu, focusButton) {
      setOpen(menu, false);
      if (focusButton) menu.querySelector('summary').focus();
    }

    function openMenu(menu, itemIndex) {
      setOpen(menu, true);
      var items = menuItems(menu);
      var item = items[(itemIndex + items.length) % items.length];
      if (item) item.focus();
    }

    // 'toggle' does not bubble: listen in the capture phase.
    document.addEventListener(
      'toggle',
      function (event) {
        var menu = event.target;
        if (!(menu instanceof Element) || !menu.matches(MENU)) return;
        menu.querySelector('summary').setAttribute('aria-expanded', String(menu.open));
        if (!menu.open) return;
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

    // The swapped results carry a one-line summary; the live region outside them reads it out.
    document.addEventListener('htmx:after:swap', function () {
      var results = document.getElementById('mca-results');
      if (!results) return;
      enhanceMenus(results);
      var summary = results.querySelector('[data-announce]');
      var live = document.getElementById('mca-announce');
      if (summary && live) live.textContent = summary.getAttribute('data-announce');
    });

    // A sync that ends while the page is open: reload the results of the state in the URL.
    document.body.addEventListener('sync-finished', function () {
      if (document.getElementById('mca-results') && window.htmx) {
        window.htmx.ajax('GET', location.pathname + location.search, { target: '#mca-results' });
      }
    });

    enhanceMenus(document);
  }

  // ---- Reports (src/reports): the report dialog of the MCA page ----
  // The menu's link opens the dialog and fills it through htmx with the report form for the page's current filter
  // and search (the URL holds them, kept current by htmx). Without JavaScript the link leads to the report page.
  function reportDialog() {
    document.addEventListener('click', function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      var opener = target.closest('a[data-opens-dialog]');
      if (opener && window.htmx) {
        var dialog = document.getElementById(opener.getAttribute('data-opens-dialog'));
        if (!dialog) return;
        event.preventDefault();
        var menu = opener.closest('details');
        if (menu) menu.open = false;
        window.htmx.ajax('GET', '/reports' + location.search, { target: '#' + dialog.id + '-body' });
        if (!dialog.open) dialog.showModal();
        return;
      }
      var close = target.closest('[data-dialog-close]');
      if (close && close.closest('dialog')) close.closest('dialog').close();
    });
  }

  mcaPage();
  reportDialog();
})();
