// Functions that bookcheck.py runs in each page (each returns JSON-able values).

// Resolves when MathJax has typeset the page: 'ok', 'none' (no math, no MathJax) or a problem.
function waitMathJax(timeoutMs, done) {
  const maths = document.querySelectorAll('span.math, div.math').length;
  const script = document.querySelector('script[src*="mathjax"]');
  if (!script) {
    done(maths ? 'math elements but no MathJax script on the page' : 'none');
    return;
  }
  const t0 = Date.now();
  (function poll() {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(() => done('ok'), e => done('MathJax failed: ' + e));
    } else if (Date.now() - t0 > timeoutMs) {
      done('MathJax did not start (script ' + script.src + ')');
    } else {
      setTimeout(poll, 100);
    }
  })();
}

// The text of el outside any mjx-container (what MathJax did not replace).
function textOutsideMath(el) {
  let text = '';
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (!walker.currentNode.parentElement.closest('mjx-container')) {
      text += walker.currentNode.data;
    }
  }
  return text;
}

function mathProblems() {
  const out = [];
  const raw = /\\\(|\\\[|\$\$/;
  document.querySelectorAll('span.math, div.math').forEach(el => {
    const src = textOutsideMath(el).trim().slice(0, 80);
    if (!el.querySelector('mjx-container')) {
      out.push('math not typeset: ' + (src || el.outerHTML.slice(0, 80)));
    } else if (raw.test(src)) {
      out.push('raw TeX left in a math element: ' + src);
    }
  });
  document.querySelectorAll('mjx-merror').forEach(el => {
    const why = el.getAttribute('data-mjx-error') || el.textContent;
    out.push('MathJax error: ' + why.slice(0, 80));
  });
  // Raw TeX in the prose (math that never became a math element); code and outputs aside.
  const prose = ['p', 'li', 'td', 'dd', 'dt', 'h1', 'h2', 'h3'].map(t => 'article ' + t);
  document.querySelectorAll(prose.join(', ')).forEach(el => {
    if (el.closest('pre, code, .highlight, .cell_output, mjx-container')) return;
    const text = textOutsideMath(el);
    const m = text.match(raw);
    if (m) {
      const around = text.slice(Math.max(0, m.index - 30), m.index + 50);
      out.push('raw TeX in the text: ...' + around + '...');
    }
  });
  return out;
}

function imageProblems() {
  return Array.from(document.images)
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => 'image not loaded: ' + (img.getAttribute('src') || '(no src)') +
                (img.complete ? '' : ' (still loading)'));
}

function outputProblems() {
  const out = [];
  const errors = '.output.traceback, .output.stderr, .output.error';
  document.querySelectorAll(errors).forEach(el => {
    const text = el.textContent.trim().slice(0, 120);
    out.push('error output (' + el.className + '): ' + text);
  });
  document.querySelectorAll('.cell_output').forEach(el => {
    const i = el.textContent.indexOf('Traceback (most recent call last)');
    if (i >= 0 && !el.querySelector(errors)) {
      out.push('traceback in a cell output: ' + el.textContent.slice(i, i + 160).trim());
    }
  });
  return out;
}

function outputCount() {
  return document.querySelectorAll('.cell_output').length;
}

// sphinx-exercise's solutions: is anything but the title visible?
function solutions() {
  return Array.from(document.querySelectorAll('div.solution')).map(el => {
    const title = el.querySelector(':scope > .admonition-title');
    const body = Array.from(el.children).filter(c => c !== title);
    const shown = body.some(c => {
      const style = getComputedStyle(c);
      return c.getClientRects().length > 0 && style.display !== 'none' &&
             style.visibility !== 'hidden';
    });
    return {
      id: el.id,
      title: title ? title.textContent.trim() : '',
      shown: shown,
      dropdown: el.classList.contains('dropdown'),
    };
  });
}

function colabLinks() {
  const links = document.querySelectorAll('a[href*="colab.research.google.com"]');
  return Array.from(links).map(a => a.href);
}

// The sphinx-thebe config scripts in the page's head.
function thebeConfigs() {
  return Array.from(document.querySelectorAll('script:not([src])'))
    .map(s => s.textContent).filter(t => t.includes('const THEBE_JS_URL'));
}

function pageHeight() {
  return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);
}
