"""The picture the lecture starts its neuron with: a neuron of the brain beside its mathematical model.

Drawn here as SVG (the app's own drawing, shown with st.markdown: st.html leaves SVG out), with the
model's own names on it (inputs x·w arriving on the dendrites, the sum and the bias in the cell body,
the activation leaving along the axon), so it reads without any colour.
"""

from __future__ import annotations

from .palette import INK, NEGATIVE, POSITIVE

TEXT = 'font-family="Helvetica, Arial, sans-serif" font-size="15" fill="#222222"'


def neuron_svg() -> str:
    """The biological neuron (left) and the model (right), as one SVG string."""
    dendrites = "".join(
        f'<path d="M{x1},{y1} Q{(x1 + 120) / 2},{(y1 + 110) / 2 - 10} 120,110" stroke="{POSITIVE}" '
        f'stroke-width="3" fill="none"/>'
        for x1, y1 in ((20, 40), (10, 110), (25, 180)))
    inputs = "".join(
        f'<line x1="330" y1="{y}" x2="460" y2="110" stroke="{POSITIVE}" stroke-width="2.5"/>'
        f'<text x="338" y="{y - 8 if i == 1 else y + 20}" {TEXT}>x{i}·w{i}</text>'
        for i, y in enumerate((55, 165), 1))
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 700 220" width="700" height="220"
  role="img" aria-label="A neuron of the brain beside its model: inputs times weights arrive, are summed with a bias,
  and the activation function gives the output">
  {dendrites}
  <ellipse cx="140" cy="110" rx="38" ry="30" fill="#FBE3B3" stroke="{INK}" stroke-width="2"/>
  <circle cx="140" cy="110" r="9" fill="{INK}"/>
  <path d="M178,110 C210,100 230,125 262,110" stroke="{INK}" stroke-width="5" fill="none"/>
  <path d="M262,110 l18,-14 M262,110 l20,0 M262,110 l18,14" stroke="{INK}" stroke-width="3" fill="none"/>
  <text x="8" y="215" {TEXT}>dendrites</text>
  <text x="104" y="165" {TEXT}>cell body</text>
  <text x="200" y="90" {TEXT}>axon</text>
  <text x="300" y="210" {TEXT} font-size="22">≈</text>
  {inputs}
  <circle cx="500" cy="110" r="40" fill="#FBE3B3" stroke="{INK}" stroke-width="2"/>
  <text x="478" y="116" {TEXT} font-size="17">Σ + b</text>
  <text x="440" y="178" {TEXT} font-size="13">n = x1·w1 + x2·w2 + b</text>
  <line x1="542" y1="110" x2="640" y2="110" stroke="{NEGATIVE}" stroke-width="3"/>
  <path d="M640,110 l-12,-8 M640,110 l-12,8" stroke="{NEGATIVE}" stroke-width="3"/>
  <text x="560" y="98" {TEXT}>o = tanh(n)</text>
  <text x="560" y="134" {TEXT} font-size="13">the activation</text>
</svg>"""
