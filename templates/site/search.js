/* foi disclosure log: search. Loads the index that foi publish built (search-index.js sets
   window.FOI_SEARCH) into MiniSearch (assets/minisearch.js, vendored), reads ?q= and lists the
   matching responses. Everything it shows is set as text, never as markup. No request leaves
   the page. */
(function () {
  'use strict';
  var data = window.FOI_SEARCH;
  var status = document.getElementById('search-status');
  var results = document.getElementById('search-results');
  var input = document.getElementById('q');
  if (!status || !results || !input) return;
  if (!data || !window.MiniSearch) {
    status.textContent = 'Search is not available: its index did not load.';
    return;
  }
  var index = window.MiniSearch.loadJS(data.index, data.options);
  var searchOptions = {
    prefix: true,
    // Typo tolerance only for longer words, so short words match exactly.
    fuzzy: function (term) { return term.length > 5 ? 0.2 : false; },
    combineWith: 'AND',
    boost: { reference: 3, title: 2, themes: 2 }
  };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function meta(dl, term, value) {
    var div = el('div');
    div.appendChild(el('dt', term));
    div.appendChild(el('dd', value));
    dl.appendChild(div);
  }

  function show(query) {
    while (results.firstChild) results.removeChild(results.firstChild);
    var q = query.trim();
    if (!q) {
      status.textContent = 'Type a word or a reference, such as stalking or FOI 556.';
      return;
    }
    var hits = index.search(q, searchOptions);
    var n = hits.length;
    status.textContent = (n === 0 ? 'No responses match' : n === 1 ? '1 response matches' : n + ' responses match') + ' \u201c' + q + '\u201d.';
    if (!n) return;
    var heading = el('h2', 'Results');
    heading.id = 'results-heading';
    results.appendChild(heading);
    var list = el('ol', null, 'responses search-results-list');
    list.setAttribute('aria-labelledby', 'results-heading');
    hits.forEach(function (hit) {
      var li = el('li', null, 'response');
      var h = el('h3');
      var a = el('a', hit.title);
      a.setAttribute('href', hit.url);
      h.appendChild(a);
      li.appendChild(h);
      var dl = el('dl', null, 'meta');
      meta(dl, 'Reference', hit.reference);
      meta(dl, 'Date', hit.date);
      meta(dl, 'Outcome', hit.outcome);
      li.appendChild(dl);
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  var params = new URLSearchParams(window.location.search);
  var initial = params.get('q') || '';
  input.value = initial;
  show(initial);
  var form = input.form;
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var q = input.value;
      try {
        window.history.replaceState(null, '', '?q=' + encodeURIComponent(q));
      } catch (e) { /* a page opened from the disk may not allow it; the results still show */ }
      show(q);
    });
  }
})();
