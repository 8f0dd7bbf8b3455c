"""Home: what the app teaches, one card per lesson, and how to present it in class."""

import streamlit as st

from ui import PAGES, page_frame

page_frame("pages/home.py")

st.title("Backpropagation, spelled out")
st.markdown(
    "An interactive companion to Andrej Karpathy's lecture *The spelled-out intro to neural networks "
    "and backpropagation: building micrograd*. For students meeting gradients for the first time, and for "
    "teachers who want to show each step live. Every number here is computed as you watch by "
    "`micrograd_core`, a small Python autograd engine you can read next to the lecture."
)

LESSONS = {
    "pages/derivatives.py": (
        "What a derivative is: nudge x by h and watch f respond. The secant becomes the tangent, "
        "several inputs each get a slope, and one weight learns by following its slope.",
        "Lecture 00:08 to 00:19: derivatives of one and several inputs",
    ),
    "pages/expression_graph.py": (
        "Values joined into a graph, and gradients flowing back through it node by node by the chain rule, "
        "with the node-reuse bug and tanh broken into exp.",
        "Lecture 00:19 to 01:09: Value, manual and automatic backprop",
    ),
    "pages/neuron.py": (
        "One neuron with two inputs and tanh: its gradients by hand, by backward(), and in PyTorch.",
        "Lecture 00:50 to 01:39: the neuron, tanh, PyTorch",
    ),
    "pages/mlp_training.py": (
        "A multi-layer perceptron learning live: loss curve, decision boundary, and the classic mistakes.",
        "Lecture 01:43 to 02:10: MLP, loss, gradient descent",
    ),
}

lessons = [p for p in PAGES if p.path in LESSONS]
for row in range(0, len(lessons), 2):
    for col, page in zip(st.columns(2), lessons[row : row + 2]):
        what, chapter = LESSONS[page.path]
        with col.container(border=True):
            st.subheader(page.title)
            st.write(what)
            st.caption(chapter)
            st.page_link(page.path, label=f"Open {page.title}", icon=":material/arrow_forward:")

st.header("Presenting in class")
st.markdown(
    "- Switch on **Presentation mode** in the sidebar: larger text and charts, secondary controls hidden.\n"
    "- Each page keeps its main settings in the address bar: set up a view, then bookmark or share the link. "
    "A link opened with presentation mode on opens in it.\n"
    "- The app needs no internet once it runs, so it works in a classroom without a connection.\n"
    "- Positive numbers are blue and negative ones vermillion throughout, readable for colour-blind viewers."
)
