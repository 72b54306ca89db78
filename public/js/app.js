// The app's little behaviour, bound to htmx events and the DOM (no inline script: the CSP forbids it).
// Every page works without this file.
(function () {
  'use strict';
})();
