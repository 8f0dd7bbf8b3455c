"""What Streamlit leaves out of a keyboard's reach, put back: a box that scrolls gets a place in the tab order.

A code block with a height, a container with a height, a table wider than a phone: Streamlit makes each a
box that scrolls, and a box that scrolls with nothing focusable inside cannot be scrolled from a keyboard
(WCAG 2.1.1; axe-core's scrollable-region-focusable). One script, drawn in the sidebar on every page,
gives each such box tabindex 0 and a name as it appears; arrow keys then scroll it.
"""

from __future__ import annotations

import streamlit as st

_SCROLL_JS = """<script>
(function () {
  if (window.__mgScrollBoxes) return;
  window.__mgScrollBoxes = true;
  const boxes = '[data-testid="stCode"] pre, [data-testid="stVerticalBlock"][height], [data-testid="stTable"] > div, '
    + '[data-testid="stSidebarContent"]';
  const name = (box) => box.closest('[data-testid="stCode"]') ? 'code, scrolls' : box.closest('[data-testid="stTable"]')
    ? 'table, scrolls' : box.matches('[data-testid="stSidebarContent"]') ? 'sidebar' : 'scrolling area';
  let pending = false;
  const mark = () => {
    pending = false;
    for (const box of document.querySelectorAll(boxes)) {
      const scrolls = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute('tabindex')) {
        box.setAttribute('tabindex', '0');
        if (!box.hasAttribute('role')) box.setAttribute('role', 'region');
        if (!box.hasAttribute('aria-label')) box.setAttribute('aria-label', name(box));
      }
    }
  };
  const soon = () => { if (!pending) { pending = true; requestAnimationFrame(mark); } };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
  addEventListener('resize', soon);
  soon();
})();
</script>"""


def reachable_scroll_boxes() -> None:
    """Every box that scrolls can be reached and scrolled from the keyboard (a script, drawn out of the way)."""
    st.sidebar.html(_SCROLL_JS, unsafe_allow_javascript=True)
